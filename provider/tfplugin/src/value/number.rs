//! Terraform numbers: arbitrary-precision decimals kept as exact text.
//!
//! Terraform (through the cty library) holds numbers as big floating-point values and sends them as msgpack
//! integers, float64s, or decimal strings when neither is exact. A provider must not round them: a value that comes
//! back different from what the configuration said is an "inconsistent result" error. So a [`Number`] is its exact
//! decimal text, normalised to one canonical spelling (no exponent, no leading or trailing zeros, no `-0`), which
//! makes `1`, `1.0`, `1e0` and `"1"` the same number and lets equality and hashing work on the text.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::ValueError;

/// The largest number of digits on either side of the decimal point a number may have once written without an
/// exponent. It is far beyond anything a configuration holds (a float64 needs at most 309 integer digits and 324
/// fractional ones for its shortest form), and it stops `1e999999999` from becoming a gigabyte of zeros.
const MAX_DIGITS: usize = 1100;

/// A Terraform number. Kept as the exact decimal text Terraform sent, because cty numbers are arbitrary precision.
///
/// The text is canonical, so the derived equality and hash compare numbers by value. Ordering is numeric.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Number(String);

impl Number {
    /// Parses decimal text: an optional sign, digits with an optional decimal point, and an optional exponent
    /// (`-12.5`, `.5`, `1e3`, `+7`). Infinities, NaN, hexadecimal and digit separators are rejected.
    pub fn parse(text: &str) -> Result<Number, ValueError> {
        canonicalize(text).map(Number).ok_or_else(|| ValueError::at_root(format!("{text:?} is not a valid number")))
    }

    /// The number for a finite float, using the shortest decimal that reads back as the same float (so `0.1_f64`
    /// becomes `0.1`, not its exact binary expansion). Infinities and NaN are rejected: Terraform numbers are finite.
    pub fn from_f64(value: f64) -> Result<Number, ValueError> {
        if !value.is_finite() {
            return Err(ValueError::at_root(format!("{value} is not a finite number")));
        }
        // Rust prints floats in plain notation with the shortest round-tripping digits, which is what we want.
        Number::parse(&value.to_string())
    }

    /// The number that is exactly the given finite float, digit for digit (so `0.1_f64` becomes
    /// `0.1000000000000000055511151231257827021181583404541015625`). This is how cty reads a msgpack float, so it is
    /// what the msgpack decoder uses: a float that stands for an exact value (cty only sends exact ones) keeps it.
    pub fn from_f64_exact(value: f64) -> Result<Number, ValueError> {
        if !value.is_finite() {
            return Err(ValueError::at_root(format!("{value} is not a finite number")));
        }
        // With as many fraction digits as the float's exact expansion has, formatting does not round.
        Number::parse(&format!("{:.*}", exact_fraction_digits(value), value))
    }

    /// The canonical decimal text, such as `-12.5` or `100`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when the number has no fractional part.
    pub fn is_integer(&self) -> bool {
        !self.0.contains('.')
    }

    /// The number as an `i64`, when it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        if self.is_integer() { self.0.parse().ok() } else { None }
    }

    /// The number as a `u64`, when it is a non-negative integer in range.
    pub fn as_u64(&self) -> Option<u64> {
        if self.is_integer() { self.0.parse().ok() } else { None }
    }

    /// The nearest `f64`. This may round (`0.1`) and, for numbers beyond the float range, gives an infinity.
    pub fn as_f64(&self) -> f64 {
        // The canonical text is always valid float syntax, so the fallback is never taken.
        self.0.parse().unwrap_or(f64::NAN)
    }

    /// The `f64` that is exactly this number, if there is one. `0.5` has one; `0.1` and `2^53 + 1` do not. This is
    /// what cty checks before it sends a number as a msgpack float64.
    pub fn to_exact_f64(&self) -> Option<f64> {
        let float: f64 = self.0.parse().ok()?;
        if !float.is_finite() {
            return None;
        }
        // A float's exact decimal expansion has as many fractional digits as its binary exponent is negative (after
        // dropping trailing zero bits from the mantissa). If that count differs from ours, the values differ.
        let fraction_digits = self.0.split_once('.').map_or(0, |(_, fraction)| fraction.len());
        if exact_fraction_digits(float) != fraction_digits {
            return None;
        }
        // With that many digits the formatting is exact, so comparing text compares values.
        let exact = format!("{:.*}", fraction_digits, float.abs());
        let ours = self.0.strip_prefix('-').unwrap_or(&self.0);
        (exact == ours).then_some(float)
    }

    fn is_negative(&self) -> bool {
        self.0.starts_with('-')
    }
}

/// How many digits after the decimal point the exact decimal expansion of a finite float has.
fn exact_fraction_digits(float: f64) -> usize {
    let bits = float.to_bits();
    let biased_exponent = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1_u64 << 52) - 1);
    let (mut mantissa, mut exponent) =
        if biased_exponent == 0 { (fraction, -1074_i64) } else { (fraction | (1_u64 << 52), biased_exponent - 1075) };
    if mantissa == 0 {
        return 0;
    }
    let zeros = mantissa.trailing_zeros();
    mantissa >>= zeros;
    exponent += i64::from(zeros);
    debug_assert!(mantissa & 1 == 1);
    // m * 2^-k has exactly k fractional decimal digits when m is odd, because 2^-k = 5^k / 10^k.
    if exponent < 0 { exponent.unsigned_abs() as usize } else { 0 }
}

/// Turns decimal text into canonical plain notation, or `None` if it is not a number we accept.
fn canonicalize(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut position = 0;
    let negative = match bytes.first() {
        Some(b'-') => {
            position += 1;
            true
        }
        Some(b'+') => {
            position += 1;
            false
        }
        _ => false,
    };

    // Significant digits, integer and fraction parts together; `scale` counts the fraction digits.
    let mut digits = String::new();
    let mut saw_digit = false;
    let mut scale: i64 = 0;
    let mut in_fraction = false;
    while let Some(&byte) = bytes.get(position) {
        match byte {
            b'0'..=b'9' => {
                saw_digit = true;
                // Leading zeros carry no information; skipping them keeps `digits` short for `0.000…1`.
                if !(digits.is_empty() && byte == b'0') {
                    digits.push(char::from(byte));
                }
                if in_fraction {
                    scale += 1;
                }
                if scale > (MAX_DIGITS as i64) * 2 {
                    return None;
                }
            }
            b'.' if !in_fraction => in_fraction = true,
            _ => break,
        }
        position += 1;
    }
    if !saw_digit {
        return None;
    }

    let mut exponent: i64 = 0;
    if let Some(b'e' | b'E') = bytes.get(position) {
        position += 1;
        let exponent_negative = match bytes.get(position) {
            Some(b'-') => {
                position += 1;
                true
            }
            Some(b'+') => {
                position += 1;
                false
            }
            _ => false,
        };
        let start = position;
        while let Some(byte @ b'0'..=b'9') = bytes.get(position) {
            // Saturate rather than overflow: an absurd exponent is rejected below unless the number is zero.
            exponent = exponent.saturating_mul(10).saturating_add(i64::from(byte - b'0'));
            position += 1;
        }
        if position == start {
            return None;
        }
        if exponent_negative {
            exponent = -exponent;
        }
    }
    if position != bytes.len() {
        return None;
    }

    // value = digits × 10^power
    let trailing_zeros = digits.len() - digits.trim_end_matches('0').len();
    digits.truncate(digits.len() - trailing_zeros);
    if digits.is_empty() {
        return Some("0".to_owned());
    }
    let power = exponent.saturating_sub(scale).saturating_add(trailing_zeros as i64);

    let mut out = String::with_capacity(digits.len() + 4);
    if negative {
        out.push('-');
    }
    if power >= 0 {
        if power.saturating_add(digits.len() as i64) > MAX_DIGITS as i64 {
            return None;
        }
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', power as usize));
    } else {
        let fraction_len = power.unsigned_abs();
        if fraction_len > MAX_DIGITS as u64 || digits.len() > MAX_DIGITS * 2 {
            return None;
        }
        let fraction_len = fraction_len as usize;
        if digits.len() > fraction_len {
            let (integer, fraction) = digits.split_at(digits.len() - fraction_len);
            out.push_str(integer);
            out.push('.');
            out.push_str(fraction);
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', fraction_len - digits.len()));
            out.push_str(&digits);
        }
    }
    Some(out)
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Number {
    /// Numeric order.
    fn cmp(&self, other: &Self) -> Ordering {
        let sign = |number: &Number| {
            if number.is_negative() {
                -1
            } else if number.0 == "0" {
                0
            } else {
                1
            }
        };
        let (left_sign, right_sign) = (sign(self), sign(other));
        if left_sign != right_sign {
            return left_sign.cmp(&right_sign);
        }
        let magnitude = compare_magnitudes(self.0.trim_start_matches('-'), other.0.trim_start_matches('-'));
        if left_sign < 0 { magnitude.reverse() } else { magnitude }
    }
}

/// Compares two canonical non-negative decimals. Canonical integer parts have no leading zeros, so a longer one is
/// larger; fraction parts have no trailing zeros, so they compare as digit strings.
fn compare_magnitudes(left: &str, right: &str) -> Ordering {
    let (left_integer, left_fraction) = left.split_once('.').unwrap_or((left, ""));
    let (right_integer, right_fraction) = right.split_once('.').unwrap_or((right, ""));
    left_integer
        .len()
        .cmp(&right_integer.len())
        .then_with(|| left_integer.cmp(right_integer))
        .then_with(|| left_fraction.cmp(right_fraction))
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Number {
    type Err = ValueError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Number::parse(text)
    }
}

impl From<i64> for Number {
    fn from(value: i64) -> Self {
        Number(value.to_string())
    }
}

impl From<u64> for Number {
    fn from(value: u64) -> Self {
        Number(value.to_string())
    }
}

impl From<i32> for Number {
    fn from(value: i32) -> Self {
        Number(value.to_string())
    }
}

impl From<u32> for Number {
    fn from(value: u32) -> Self {
        Number(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(text: &str) -> String {
        Number::parse(text).unwrap().as_str().to_owned()
    }

    #[test]
    fn spellings_of_one_value_share_a_canonical_form() {
        for text in ["1", "1.0", "1e0", "+1", "01", "10e-1", "0.1e1", "1.000", "1."] {
            assert_eq!(canonical(text), "1", "{text}");
        }
        assert_eq!(canonical("-0"), "0");
        assert_eq!(canonical("-0.000"), "0");
        assert_eq!(canonical("0e99999999999999999999999"), "0");
        assert_eq!(canonical(".5"), "0.5");
        assert_eq!(canonical("-12.50"), "-12.5");
        assert_eq!(canonical("1.5e3"), "1500");
        assert_eq!(canonical("15e-4"), "0.0015");
        assert_eq!(canonical("123456789012345678901234567890"), "123456789012345678901234567890");
    }

    #[test]
    fn rejects_what_is_not_a_decimal() {
        for text in [
            "",
            "-",
            "+",
            ".",
            "e5",
            "1e",
            "1e+",
            "1.2.3",
            "1,5",
            "0x10",
            "Inf",
            "NaN",
            "1_000",
            " 1",
            "1 ",
            "--1",
            "1e99999",
            "1e-99999",
            "1e99999999999999999999999",
        ] {
            assert!(Number::parse(text).is_err(), "{text:?} should be rejected");
        }
    }

    #[test]
    fn integers_convert_back_when_in_range() {
        assert_eq!(Number::from(i64::MIN).as_i64(), Some(i64::MIN));
        assert_eq!(Number::from(u64::MAX).as_u64(), Some(u64::MAX));
        assert_eq!(Number::from(u64::MAX).as_i64(), None);
        assert_eq!(Number::parse("1.5").unwrap().as_i64(), None);
        assert_eq!(Number::parse("-1").unwrap().as_u64(), None);
        assert_eq!(Number::parse("2.0").unwrap().as_i64(), Some(2));
    }

    #[test]
    fn floats_use_their_shortest_decimal() {
        assert_eq!(Number::from_f64(0.1).unwrap().as_str(), "0.1");
        assert_eq!(Number::from_f64(-2.5).unwrap().as_str(), "-2.5");
        assert_eq!(Number::from_f64(1e21).unwrap().as_str(), "1000000000000000000000");
        assert_eq!(Number::from_f64(-0.0).unwrap().as_str(), "0");
        assert_eq!(Number::from_f64(5e-324).unwrap().as_str().len(), "0.".len() + 324);
        assert!(Number::from_f64(f64::NAN).is_err());
        assert!(Number::from_f64(f64::INFINITY).is_err());
        assert_eq!(Number::parse("0.25").unwrap().as_f64(), 0.25);
    }

    #[test]
    fn floats_can_also_be_taken_exactly() {
        let exact = |float: f64| Number::from_f64_exact(float).unwrap().as_str().to_owned();
        assert_eq!(exact(0.1), "0.1000000000000000055511151231257827021181583404541015625");
        assert_eq!(exact(6e14 + 0.25), "600000000000000.25");
        assert_eq!(exact(-2.5), "-2.5");
        assert_eq!(exact(1e21), "1000000000000000000000");
        assert_eq!(exact(5e-324).len(), "0.".len() + 1074);
        assert!(Number::from_f64_exact(f64::NEG_INFINITY).is_err());
        // Whatever float goes in, the exact number converts back to it exactly.
        for float in [0.1, 1.0 / 3.0, 123456.789, 5e-324, f64::MAX, f64::MIN_POSITIVE] {
            assert_eq!(Number::from_f64_exact(float).unwrap().to_exact_f64(), Some(float));
        }
    }

    #[test]
    fn exact_floats_are_recognised() {
        let exact = |text: &str| Number::parse(text).unwrap().to_exact_f64();
        assert_eq!(exact("0.5"), Some(0.5));
        assert_eq!(exact("-1.25"), Some(-1.25));
        assert_eq!(exact("100000000000000000000"), Some(1e20));
        assert_eq!(exact("9007199254740992"), Some(9007199254740992.0));
        assert_eq!(exact("0.1"), None);
        assert_eq!(exact("9007199254740993"), None);
        assert_eq!(exact("123456789012345678901234567890"), None);
        let tiny = Number::parse(&format!("{:.1074}", 5e-324)).unwrap();
        assert_eq!(tiny.to_exact_f64(), Some(5e-324));
    }

    #[test]
    fn order_is_numeric() {
        let mut numbers: Vec<Number> = ["10", "-1", "2", "0", "-10.5", "0.01", "1.5", "-0.5", "100", "0.1"]
            .iter()
            .map(|text| Number::parse(text).unwrap())
            .collect();
        numbers.sort();
        let sorted: Vec<&str> = numbers.iter().map(Number::as_str).collect();
        assert_eq!(sorted, ["-10.5", "-1", "-0.5", "0", "0.01", "0.1", "1.5", "2", "10", "100"]);
    }
}
