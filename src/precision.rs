//! Timestamp precision: the unit a writer states outside the line.
//!
//! It stands alone: nothing here depends on the rest of the crate.

use std::fmt;
use std::str::FromStr;

/// The unit of a line-protocol timestamp.
///
/// Line protocol carries a bare integer timestamp; how long one unit is
/// comes from outside the line (the `precision` query parameter of the
/// `/write` endpoints, `influx write --precision`, the precision drop-down of
/// a UI, a client library's `WritePrecision`). This type names those units
/// and converts timestamps between them and nanoseconds, the unit
/// [`Point`](crate::Point) stores.
///
/// # Conversion rules
///
/// * [`Precision::to_nanos`] multiplies with overflow checks: a timestamp
///   whose nanosecond value does not fit in an `i64` (roughly the years 1677
///   to 2262) is an error, never a wrapped value.
/// * [`Precision::from_nanos`] floors (Euclidean division), so a time is
///   always written as the unit it falls inside: `-1` ns written in seconds
///   is `-1` (the second that starts at `-1 s`), not `0`. It cannot fail.
///
/// ```
/// use lineproto::Precision;
///
/// let s: Precision = "s".parse()?;
/// assert_eq!(s.to_nanos(1_641_024_000)?, 1_641_024_000_000_000_000);
/// assert_eq!(s.from_nanos(1_641_024_000_999_999_999), 1_641_024_000);
/// assert_eq!(s.from_nanos(-1), -1);
/// assert!(s.to_nanos(i64::MAX).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// The default is [`Precision::Nanoseconds`], as everywhere in InfluxDB.
/// `Minutes` and `Hours` exist for the v1 `/write` endpoint, which accepts
/// `m` and `h`.
///
/// It parses from every spelling the InfluxDB tools use (see
/// [`Precision::ACCEPTED_NAMES`]) and displays as the short name (`ns`,
/// `us`, `ms`, `s`, `m`, `h`).
///
/// ```
/// use lineproto::Precision;
///
/// assert_eq!("u".parse::<Precision>()?, Precision::Microseconds);
/// assert_eq!("µs".parse::<Precision>()?, Precision::Microseconds);
/// assert_eq!(Precision::Milliseconds.to_string(), "ms");
/// assert_eq!(Precision::default(), Precision::Nanoseconds);
/// # Ok::<(), lineproto::ParsePrecisionError>(())
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Precision {
    /// Nanoseconds (`ns`, `n`, `nanosecond`).
    #[default]
    #[cfg_attr(feature = "serde", serde(rename = "ns"))]
    Nanoseconds,
    /// Microseconds (`us`, `u`, `µs`, `microsecond`).
    #[cfg_attr(feature = "serde", serde(rename = "us"))]
    Microseconds,
    /// Milliseconds (`ms`, `millisecond`).
    #[cfg_attr(feature = "serde", serde(rename = "ms"))]
    Milliseconds,
    /// Seconds (`s`, `second`).
    #[cfg_attr(feature = "serde", serde(rename = "s"))]
    Seconds,
    /// Minutes (`m`, `minute`); InfluxDB's v1 API only.
    #[cfg_attr(feature = "serde", serde(rename = "m"))]
    Minutes,
    /// Hours (`h`, `hour`); InfluxDB's v1 API only.
    #[cfg_attr(feature = "serde", serde(rename = "h"))]
    Hours,
}

impl Precision {
    /// Every precision, finest first.
    ///
    /// ```
    /// use lineproto::Precision;
    ///
    /// let names: Vec<&str> = Precision::ALL.iter().copied().map(Precision::as_str).collect();
    /// assert_eq!(names, ["ns", "us", "ms", "s", "m", "h"]);
    /// let ns: Vec<i64> = Precision::ALL.iter().copied().map(Precision::nanos_per_unit).collect();
    /// assert!(ns.is_sorted()); // finest first
    /// ```
    pub const ALL: &'static [Precision] = &[
        Precision::Nanoseconds,
        Precision::Microseconds,
        Precision::Milliseconds,
        Precision::Seconds,
        Precision::Minutes,
        Precision::Hours,
    ];

    /// Every name [`FromStr`] accepts, in the order error messages list them.
    ///
    /// Names are case-sensitive, as in InfluxDB. `µs` is accepted with
    /// either the micro sign (U+00B5) or the Greek letter mu (U+03BC).
    ///
    /// ```
    /// use lineproto::Precision;
    ///
    /// assert!(Precision::ACCEPTED_NAMES.iter().all(|name| name.parse::<Precision>().is_ok()));
    /// assert_eq!("\u{b5}s".parse::<Precision>(), Ok(Precision::Microseconds)); // micro sign
    /// assert_eq!("\u{3bc}s".parse::<Precision>(), Ok(Precision::Microseconds)); // Greek mu
    /// assert!("S".parse::<Precision>().is_err()); // names are case-sensitive
    /// ```
    pub const ACCEPTED_NAMES: &'static [&'static str] = &[
        "ns",
        "n",
        "nanosecond",
        "us",
        "u",
        "µs",
        "microsecond",
        "ms",
        "millisecond",
        "s",
        "second",
        "m",
        "minute",
        "h",
        "hour",
    ];

    /// How many nanoseconds one unit of this precision lasts.
    ///
    /// ```
    /// use lineproto::Precision;
    /// assert_eq!(Precision::Minutes.nanos_per_unit(), 60_000_000_000);
    /// ```
    #[must_use]
    pub const fn nanos_per_unit(self) -> i64 {
        match self {
            Precision::Nanoseconds => 1,
            Precision::Microseconds => 1_000,
            Precision::Milliseconds => 1_000_000,
            Precision::Seconds => 1_000_000_000,
            Precision::Minutes => 60_000_000_000,
            Precision::Hours => 3_600_000_000_000,
        }
    }

    /// The short name: `ns`, `us`, `ms`, `s`, `m` or `h`.
    ///
    /// ```
    /// use lineproto::Precision;
    /// assert_eq!(Precision::Microseconds.as_str(), "us");
    /// ```
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Precision::Nanoseconds => "ns",
            Precision::Microseconds => "us",
            Precision::Milliseconds => "ms",
            Precision::Seconds => "s",
            Precision::Minutes => "m",
            Precision::Hours => "h",
        }
    }

    /// Converts a timestamp written in this precision to nanoseconds.
    ///
    /// # Errors
    ///
    /// [`TimestampOverflowError`] when the result does not fit in an `i64`.
    ///
    /// ```
    /// use lineproto::Precision;
    /// assert_eq!(Precision::Hours.to_nanos(-2)?, -7_200_000_000_000);
    /// assert!(Precision::Microseconds.to_nanos(i64::MIN).is_err());
    /// # Ok::<(), lineproto::TimestampOverflowError>(())
    /// ```
    pub const fn to_nanos(self, value: i64) -> Result<i64, TimestampOverflowError> {
        match value.checked_mul(self.nanos_per_unit()) {
            Some(nanos) => Ok(nanos),
            None => Err(TimestampOverflowError {
                value,
                precision: self,
            }),
        }
    }

    /// Converts nanoseconds to this precision, flooring toward negative
    /// infinity, so the result is the unit the instant falls inside.
    ///
    /// ```
    /// use lineproto::Precision;
    /// assert_eq!(Precision::Milliseconds.from_nanos(1_999_999), 1);
    /// assert_eq!(Precision::Milliseconds.from_nanos(-1), -1);
    /// ```
    #[must_use]
    pub const fn from_nanos(self, nanos: i64) -> i64 {
        match self {
            // The common case needs no division at all.
            Precision::Nanoseconds => nanos,
            _ => nanos.div_euclid(self.nanos_per_unit()),
        }
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Precision {
    type Err = ParsePrecisionError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Ok(match name {
            "ns" | "n" | "nanosecond" => Precision::Nanoseconds,
            "us" | "u" | "µs" | "μs" | "microsecond" => Precision::Microseconds,
            "ms" | "millisecond" => Precision::Milliseconds,
            "s" | "second" => Precision::Seconds,
            "m" | "minute" => Precision::Minutes,
            "h" | "hour" => Precision::Hours,
            _ => {
                return Err(ParsePrecisionError {
                    name: name.to_owned(),
                });
            }
        })
    }
}

/// A precision name that is not one of [`Precision::ACCEPTED_NAMES`].
///
/// ```
/// use lineproto::Precision;
/// let err = "sec".parse::<Precision>().unwrap_err();
/// assert_eq!(err.name(), "sec");
/// assert!(err.to_string().contains("ns, n, nanosecond, us"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown precision `{name}`: expected one of {}", Precision::ACCEPTED_NAMES.join(", "))]
pub struct ParsePrecisionError {
    name: String,
}

impl ParsePrecisionError {
    /// The name that was not recognised.
    ///
    /// ```
    /// let err = "seconds".parse::<lineproto::Precision>().unwrap_err();
    /// assert_eq!(err.name(), "seconds");
    /// ```
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A timestamp whose value in nanoseconds does not fit in an `i64`.
///
/// ```
/// use lineproto::Precision;
/// let err = Precision::Seconds.to_nanos(10_000_000_000).unwrap_err();
/// assert_eq!(err.value(), 10_000_000_000);
/// assert_eq!(err.precision(), Precision::Seconds);
/// assert_eq!(
///     err.to_string(),
///     "timestamp 10000000000 in s does not fit in 64-bit nanoseconds"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("timestamp {value} in {precision} does not fit in 64-bit nanoseconds")]
pub struct TimestampOverflowError {
    value: i64,
    precision: Precision,
}

impl TimestampOverflowError {
    /// The timestamp as written, in [`precision`](Self::precision) units.
    ///
    /// ```
    /// use lineproto::Precision;
    ///
    /// let err = Precision::Hours.to_nanos(3_000_000).unwrap_err();
    /// assert_eq!(err.value(), 3_000_000);
    /// assert_eq!(err.to_string(), "timestamp 3000000 in h does not fit in 64-bit nanoseconds");
    /// ```
    #[must_use]
    pub const fn value(&self) -> i64 {
        self.value
    }

    /// The precision it was written in.
    ///
    /// ```
    /// use lineproto::Precision;
    ///
    /// let err = Precision::Hours.to_nanos(3_000_000).unwrap_err();
    /// assert_eq!(err.precision(), Precision::Hours);
    /// // The largest timestamp in that precision that still converts:
    /// let largest = err.precision().from_nanos(i64::MAX);
    /// assert_eq!(largest, 2_562_047);
    /// assert!(err.precision().to_nanos(largest).is_ok());
    /// ```
    #[must_use]
    pub const fn precision(&self) -> Precision {
        self.precision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_accepted_name_parses_and_short_names_round_trip() {
        for name in Precision::ACCEPTED_NAMES {
            assert!(name.parse::<Precision>().is_ok(), "{name}");
        }
        for &precision in Precision::ALL {
            assert_eq!(precision.as_str().parse::<Precision>(), Ok(precision));
        }
        assert_eq!("μs".parse::<Precision>(), Ok(Precision::Microseconds));
    }

    #[test]
    fn unknown_names_are_rejected_with_the_list() {
        for name in ["", "NS", "S", "sec", "seconds", "d", " s", "s "] {
            let err = name.parse::<Precision>().unwrap_err();
            assert_eq!(err.name(), name);
            assert!(err.to_string().ends_with("m, minute, h, hour"), "{err}");
        }
    }
}
