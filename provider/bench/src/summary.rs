//! Medians and ranges of repeated measurements, and how they are written in the report.

use std::time::Duration;

/// The median and range (min–max) of repeated measurements of one quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// How many measurements.
    pub runs: usize,
    /// The median (the mean of the two middle values for an even count).
    pub median: f64,
    /// The smallest measurement.
    pub min: f64,
    /// The largest measurement.
    pub max: f64,
}

impl Summary {
    /// Summarises `values`; `None` when there are none (or one is not a number).
    pub fn of(values: &[f64]) -> Option<Summary> {
        if values.is_empty() || values.iter().any(|v| v.is_nan()) {
            return None;
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let middle = sorted.len() / 2;
        let median = if sorted.len() % 2 == 1 { sorted[middle] } else { (sorted[middle - 1] + sorted[middle]) / 2.0 };
        Some(Summary { runs: sorted.len(), median, min: sorted[0], max: sorted[sorted.len() - 1] })
    }

    /// Summarises durations, in seconds.
    pub fn of_durations(values: &[Duration]) -> Option<Summary> {
        Summary::of(&values.iter().map(Duration::as_secs_f64).collect::<Vec<_>>())
    }
}

/// The unit a summary is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Seconds, written as µs, ms or s depending on size.
    Seconds,
    /// Bytes, written in MiB.
    Bytes,
    /// A ratio, written like `1.12×`.
    Ratio,
    /// A plain count.
    Count,
}

impl Unit {
    /// Writes one value.
    pub fn format(self, value: f64) -> String {
        match self {
            Unit::Seconds => format_seconds(value),
            Unit::Bytes => format!("{:.1} MiB", value / (1024.0 * 1024.0)),
            Unit::Ratio => format!("{value:.2}×"),
            Unit::Count => {
                if value.fract() == 0.0 {
                    format!("{value:.0}")
                } else {
                    format!("{value:.1}")
                }
            }
        }
    }

    /// Writes a range, with the unit once: `0.71–1.52 ms`.
    pub fn format_range(self, min: f64, max: f64) -> String {
        if min == max {
            return self.format(min);
        }
        let (low, high) = (self.format(min), self.format(max));
        match (low.rsplit_once(' '), high.rsplit_once(' ')) {
            (Some((low_number, low_unit)), Some((high_number, high_unit))) if low_unit == high_unit => {
                format!("{low_number}–{high_number} {high_unit}")
            }
            _ => format!("{low}–{high}"),
        }
    }
}

/// Seconds with a unit that keeps three significant figures readable: `812 µs`, `3.41 ms`, `1.27 s`.
pub fn format_seconds(seconds: f64) -> String {
    if seconds < 1e-3 {
        format!("{:.0} µs", seconds * 1e6)
    } else if seconds < 0.1 {
        format!("{:.2} ms", seconds * 1e3)
    } else if seconds < 1.0 {
        format!("{:.0} ms", seconds * 1e3)
    } else {
        format!("{seconds:.2} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        let odd = Summary::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((odd.runs, odd.median, odd.min, odd.max), (3, 2.0, 1.0, 3.0));
        let even = Summary::of(&[4.0, 1.0, 2.0, 3.0]).unwrap();
        assert_eq!(even.median, 2.5);
        assert_eq!(Summary::of(&[]), None);
        assert_eq!(Summary::of(&[1.0, f64::NAN]), None);
    }

    #[test]
    fn units_are_written_readably() {
        assert_eq!(Unit::Seconds.format(0.000_812), "812 µs");
        assert_eq!(Unit::Seconds.format(0.003_41), "3.41 ms");
        assert_eq!(Unit::Seconds.format(0.412), "412 ms");
        assert_eq!(Unit::Seconds.format(12.5), "12.50 s");
        assert_eq!(Unit::Bytes.format(12.0 * 1024.0 * 1024.0), "12.0 MiB");
        assert_eq!(Unit::Ratio.format(1.126), "1.13×");
        assert_eq!(Unit::Count.format(3.0), "3");
        assert_eq!(Unit::Seconds.format_range(0.000_7, 0.001_5), "700 µs–1.50 ms");
        assert_eq!(Unit::Seconds.format_range(0.002, 0.003), "2.00–3.00 ms");
        assert_eq!(Unit::Ratio.format_range(1.0, 1.0), "1.00×");
    }
}
