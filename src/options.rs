//! How to parse: timestamp precision, default time, and the limits a server
//! puts on one line.

use crate::precision::Precision;

/// How to parse: the precision of timestamps, the time of lines without
/// one, and limits on the size of a line.
///
/// The limits protect a server from hostile input. Hitting one is an error
/// of that line only (the other lines are still parsed), and the parser
/// never allocates memory for more than the limit allows. The defaults
/// follow what InfluxDB accepts:
///
/// | limit | default |
/// |---|---|
/// | [line length](Self::with_max_line_length) | 16 MiB ([`DEFAULT_MAX_LINE_LENGTH`](Self::DEFAULT_MAX_LINE_LENGTH)) |
/// | [tags per line](Self::with_max_tags) | 1,024 ([`DEFAULT_MAX_TAGS`](Self::DEFAULT_MAX_TAGS)) |
/// | [fields per line](Self::with_max_fields) | 1,024 ([`DEFAULT_MAX_FIELDS`](Self::DEFAULT_MAX_FIELDS)) |
/// | [string field length](Self::with_max_string_length) | 64 KiB, unescaped ([`DEFAULT_MAX_STRING_LENGTH`](Self::DEFAULT_MAX_STRING_LENGTH)) |
///
/// ```
/// use lineproto::{ParseOptions, Precision};
///
/// let options = ParseOptions::new()
///     .with_precision(Precision::Seconds)
///     .with_default_time(1_700_000_000_000_000_000)
///     .with_max_tags(2);
/// let mut points = lineproto::parse_with(b"m v=1 1641024000\nm v=2\nm,a=1,b=2,c=3 v=3", options);
/// assert_eq!(points.next().unwrap()?.timestamp(), Some(1_641_024_000_000_000_000));
/// assert_eq!(points.next().unwrap()?.timestamp(), Some(1_700_000_000_000_000_000));
/// let err = points.next().unwrap().unwrap_err();
/// assert_eq!(err.to_string(), "line 3, column 11: more than 2 tags in one line");
/// # Ok::<(), lineproto::ParseError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseOptions {
    precision: Precision,
    default_time: Option<i64>,
    limits: Limits,
}

/// The limits of one line, as the grammar checks them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) max_line_length: usize,
    pub(crate) max_tags: usize,
    pub(crate) max_fields: usize,
    pub(crate) max_string_length: usize,
}

impl Default for Limits {
    fn default() -> Self {
        ParseOptions::new().limits
    }
}

impl ParseOptions {
    /// The default limit on the length of a line, in bytes: 16 MiB.
    pub const DEFAULT_MAX_LINE_LENGTH: usize = 16 * 1024 * 1024;
    /// The default limit on the number of tags in a line: 1,024.
    pub const DEFAULT_MAX_TAGS: usize = 1024;
    /// The default limit on the number of fields in a line: 1,024.
    pub const DEFAULT_MAX_FIELDS: usize = 1024;
    /// The default limit on the unescaped length of a string field value,
    /// in bytes: 64 KiB, as in InfluxDB.
    pub const DEFAULT_MAX_STRING_LENGTH: usize = 64 * 1024;

    /// Nanosecond timestamps, no default time, default limits.
    #[must_use]
    pub const fn new() -> Self {
        ParseOptions {
            precision: Precision::Nanoseconds,
            default_time: None,
            limits: Limits {
                max_line_length: Self::DEFAULT_MAX_LINE_LENGTH,
                max_tags: Self::DEFAULT_MAX_TAGS,
                max_fields: Self::DEFAULT_MAX_FIELDS,
                max_string_length: Self::DEFAULT_MAX_STRING_LENGTH,
            },
        }
    }

    /// Reads timestamps in `precision` and converts them to nanoseconds; a
    /// timestamp that overflows is an error of its line.
    #[must_use]
    pub const fn with_precision(mut self, precision: Precision) -> Self {
        self.precision = precision;
        self
    }

    /// Gives lines without a timestamp this time, in nanoseconds (used as
    /// given, not scaled by the precision).
    #[must_use]
    pub const fn with_default_time(mut self, nanos: i64) -> Self {
        self.default_time = Some(nanos);
        self
    }

    /// Limits the length of a line, in bytes, counted from the start of the
    /// physical line to its line feed (or, for a point whose string values
    /// hold line feeds, to the line feed that ends the point).
    #[must_use]
    pub const fn with_max_line_length(mut self, bytes: usize) -> Self {
        self.limits.max_line_length = bytes;
        self
    }

    /// Limits the number of tags in a line.
    #[must_use]
    pub const fn with_max_tags(mut self, count: usize) -> Self {
        self.limits.max_tags = count;
        self
    }

    /// Limits the number of fields in a line.
    #[must_use]
    pub const fn with_max_fields(mut self, count: usize) -> Self {
        self.limits.max_fields = count;
        self
    }

    /// Limits the length of a string field value, in bytes, after
    /// unescaping.
    #[must_use]
    pub const fn with_max_string_length(mut self, bytes: usize) -> Self {
        self.limits.max_string_length = bytes;
        self
    }

    /// Lifts every limit: for trusted input only.
    ///
    /// ```
    /// use lineproto::ParseOptions;
    /// let huge = format!("m s=\"{}\"", "x".repeat(100_000));
    /// assert!(lineproto::parse(huge.as_bytes()).next().unwrap().is_err());
    /// let options = ParseOptions::new().without_limits();
    /// assert!(lineproto::parse_with(huge.as_bytes(), options).next().unwrap().is_ok());
    /// ```
    #[must_use]
    pub const fn without_limits(mut self) -> Self {
        self.limits = Limits {
            max_line_length: usize::MAX,
            max_tags: usize::MAX,
            max_fields: usize::MAX,
            max_string_length: usize::MAX,
        };
        self
    }

    /// The precision timestamps are read in.
    #[must_use]
    pub const fn precision(&self) -> Precision {
        self.precision
    }

    /// The time given to lines without a timestamp, in nanoseconds.
    #[must_use]
    pub const fn default_time(&self) -> Option<i64> {
        self.default_time
    }

    /// The longest line accepted, in bytes.
    #[must_use]
    pub const fn max_line_length(&self) -> usize {
        self.limits.max_line_length
    }

    /// The most tags accepted in a line.
    #[must_use]
    pub const fn max_tags(&self) -> usize {
        self.limits.max_tags
    }

    /// The most fields accepted in a line.
    #[must_use]
    pub const fn max_fields(&self) -> usize {
        self.limits.max_fields
    }

    /// The longest string field value accepted, in bytes after unescaping.
    #[must_use]
    pub const fn max_string_length(&self) -> usize {
        self.limits.max_string_length
    }

    pub(crate) const fn limits(&self) -> Limits {
        self.limits
    }
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions::new()
    }
}
