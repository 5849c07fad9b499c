//! Durations written the way Go's `time.ParseDuration` reads them (`"30s"`, `"10m"`, `"1h30m"`, `"1.5h"`,
//! `"250ms"`), because that is the syntax Terraform users already write in `timeouts` blocks and in the tuning
//! variables of other providers.

use std::time::Duration;

/// The units Go accepts, with their length in nanoseconds. Longer suffixes come first so `ms` is not read as `m`.
const UNITS: [(&str, u128); 7] = [
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60 * 1_000_000_000),
    ("h", 3600 * 1_000_000_000),
];

/// Parses a Go duration such as `"1h30m"` or `"2.5s"`. A bare `"0"` is zero; every other number needs a unit.
/// Negative durations are refused, since nothing here can wait a negative time.
pub fn parse_go_duration(text: &str) -> Result<Duration, String> {
    let invalid = |why: &str| {
        Err(format!(
            "\"{text}\" is not a duration: {why} (write it like \"30s\", \"10m\" or \"1h30m\"; units are ns, us, ms, s, \
             m and h)"
        ))
    };
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    if text.starts_with('-') {
        return invalid("it is negative");
    }
    let mut rest = text.strip_prefix('+').unwrap_or(text);
    if rest.is_empty() {
        return invalid("it is empty");
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return invalid("expected a number");
        }
        let Some((unit, nanos_per_unit)) = UNITS.iter().find(|(unit, _)| after.starts_with(unit)) else {
            return invalid(if after.is_empty() { "the last number has no unit" } else { "unknown unit" });
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let whole: u128 = if whole.is_empty() {
            0
        } else {
            match whole.parse() {
                Ok(value) => value,
                Err(_) => return invalid("the number is too large"),
            }
        };
        let mut nanos = whole.checked_mul(*nanos_per_unit);
        // The fraction is exact to the nanosecond: digits beyond the unit's precision are dropped, as Go does.
        let mut scale = *nanos_per_unit;
        for digit in fraction.chars() {
            scale /= 10;
            let digit = u128::from(digit.to_digit(10).unwrap_or(0));
            nanos = nanos.and_then(|n| n.checked_add(digit * scale));
        }
        total = match nanos.and_then(|n| total.checked_add(n)) {
            Some(total) => total,
            None => return invalid("it is too long"),
        };
        rest = &after[unit.len()..];
    }
    let seconds = u64::try_from(total / 1_000_000_000).map_err(|_| format!("\"{text}\" is too long"))?;
    Ok(Duration::new(seconds, (total % 1_000_000_000) as u32))
}

/// A timeout for messages: in Go's syntax (as users write `timeouts`), rounded to the millisecond, since an
/// operation's budget is what was left of Terraform's own deadline (`1.999999139s` reads as `2s`).
pub fn describe_timeout(timeout: Duration) -> String {
    let millis = (timeout.as_nanos() + 500_000) / 1_000_000;
    format_go_duration(Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX)))
}

/// Writes a duration in Go's syntax, shortest form first (`"10m0s"` is written `"10m"`), for messages and docs.
pub fn format_go_duration(duration: Duration) -> String {
    if duration.is_zero() {
        return "0s".to_owned();
    }
    if duration.subsec_nanos() != 0 && duration.as_secs() == 0 {
        let nanos = duration.subsec_nanos();
        return if nanos.is_multiple_of(1_000_000) {
            format!("{}ms", nanos / 1_000_000)
        } else if nanos.is_multiple_of(1_000) {
            format!("{}us", nanos / 1_000)
        } else {
            format!("{nanos}ns")
        };
    }
    let total = duration.as_secs();
    let (hours, minutes, seconds) = (total / 3600, (total % 3600) / 60, total % 60);
    let mut out = String::new();
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    let nanos = duration.subsec_nanos();
    if nanos != 0 {
        let fraction = format!("{nanos:09}");
        out.push_str(&format!("{seconds}.{}s", fraction.trim_end_matches('0')));
    } else if seconds > 0 {
        out.push_str(&format!("{seconds}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_go_reads() {
        let cases = [
            ("0", Duration::ZERO),
            ("30s", Duration::from_secs(30)),
            ("10m", Duration::from_secs(600)),
            ("1h30m", Duration::from_secs(5400)),
            ("1.5h", Duration::from_secs(5400)),
            ("250ms", Duration::from_millis(250)),
            ("1m0.5s", Duration::from_millis(60_500)),
            ("+2s", Duration::from_secs(2)),
            (".5s", Duration::from_millis(500)),
            ("3us", Duration::from_micros(3)),
            ("3µs", Duration::from_micros(3)),
            ("7ns", Duration::from_nanos(7)),
            ("1h1m1s1ms", Duration::from_millis(3_661_001)),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_go_duration(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn refuses_what_go_refuses_and_negative_values() {
        for text in ["", "10", "5 m", "1x", "-1s", "m", "1..2s", "1h30", ".s", "99999999999999999999999999999h"] {
            let error = parse_go_duration(text).expect_err(text);
            assert!(error.contains("is not a duration"), "{text}: {error}");
        }
    }

    #[test]
    fn formats_the_shortest_form() {
        assert_eq!(format_go_duration(Duration::from_secs(600)), "10m");
        assert_eq!(format_go_duration(Duration::from_secs(5400)), "1h30m");
        assert_eq!(format_go_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(format_go_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(format_go_duration(Duration::ZERO), "0s");
        for text in ["10m", "1h30m", "250ms", "1.5s", "2h0m5s"] {
            let parsed = parse_go_duration(text).unwrap();
            assert_eq!(parse_go_duration(&format_go_duration(parsed)), Ok(parsed), "{text}");
        }
    }
}
