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
    ///
    /// ```
    /// use lineproto::ParseOptions;
    ///
    /// let options = ParseOptions::new();
    /// assert_eq!(options.max_line_length(), ParseOptions::DEFAULT_MAX_LINE_LENGTH);
    /// let limit = 2 * ParseOptions::DEFAULT_MAX_LINE_LENGTH; // for longer lines
    /// assert_eq!(options.with_max_line_length(limit).max_line_length(), 32 * 1024 * 1024);
    /// ```
    pub const DEFAULT_MAX_LINE_LENGTH: usize = 16 * 1024 * 1024;
    /// The default limit on the number of tags in a line: 1,024.
    ///
    /// ```
    /// use lineproto::ParseOptions;
    ///
    /// let limit = ParseOptions::DEFAULT_MAX_TAGS;
    /// assert_eq!(ParseOptions::new().max_tags(), limit);
    /// let tags: String = (0..=limit).map(|i| format!(",t{i}=x")).collect();
    /// let err = lineproto::parse(&format!("m{tags} v=1")).next().unwrap().unwrap_err();
    /// assert_eq!(err.kind().to_string(), "more than 1024 tags in one line");
    /// ```
    pub const DEFAULT_MAX_TAGS: usize = 1024;
    /// The default limit on the number of fields in a line: 1,024.
    ///
    /// ```
    /// use lineproto::ParseOptions;
    ///
    /// let limit = ParseOptions::DEFAULT_MAX_FIELDS;
    /// assert_eq!(ParseOptions::new().max_fields(), limit);
    /// let fields: Vec<String> = (0..=limit).map(|i| format!("f{i}=1")).collect();
    /// let err = lineproto::parse(&format!("m {}", fields.join(","))).next().unwrap().unwrap_err();
    /// assert_eq!(err.kind().to_string(), "more than 1024 fields in one line");
    /// ```
    pub const DEFAULT_MAX_FIELDS: usize = 1024;
    /// The default limit on the unescaped length of a string field value,
    /// in bytes: 64 KiB, as in InfluxDB.
    ///
    /// ```
    /// use lineproto::ParseOptions;
    ///
    /// let limit = ParseOptions::DEFAULT_MAX_STRING_LENGTH;
    /// assert_eq!(ParseOptions::new().max_string_length(), limit);
    /// let at_limit = format!("m s=\"{}\"", "x".repeat(limit));
    /// assert!(lineproto::parse(&at_limit).next().unwrap().is_ok());
    /// let over = format!("m s=\"{}\"", "x".repeat(limit + 1));
    /// let err = lineproto::parse(&over).next().unwrap().unwrap_err();
    /// assert_eq!(
    ///     err.kind().to_string(),
    ///     "invalid field value: string of field `s` is longer than the limit of 65536 bytes"
    /// );
    /// ```
    pub const DEFAULT_MAX_STRING_LENGTH: usize = 64 * 1024;

    /// Nanosecond timestamps, no default time, default limits.
    ///
    /// ```
    /// use lineproto::{ParseOptions, Precision};
    ///
    /// let options = ParseOptions::new();
    /// assert_eq!(options.precision(), Precision::Nanoseconds);
    /// assert_eq!(options.default_time(), None);
    /// assert_eq!(options.max_line_length(), ParseOptions::DEFAULT_MAX_LINE_LENGTH);
    /// assert_eq!(options.max_tags(), ParseOptions::DEFAULT_MAX_TAGS);
    /// assert_eq!(options, ParseOptions::default());
    /// ```
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
    ///
    /// ```
    /// use lineproto::{ParseOptions, Precision};
    ///
    /// let options = ParseOptions::new().with_precision(Precision::Seconds);
    /// let point = lineproto::parse_with(b"m v=1 1700000000", options).next().unwrap()?;
    /// assert_eq!(point.timestamp(), Some(1_700_000_000_000_000_000));
    /// let err = lineproto::parse_with(b"m v=1 10000000000", options).next().unwrap().unwrap_err();
    /// assert_eq!(
    ///     err.kind().to_string(),
    ///     "timestamp 10000000000 in s does not fit in 64-bit nanoseconds"
    /// );
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    pub const fn with_precision(mut self, precision: Precision) -> Self {
        self.precision = precision;
        self
    }

    /// Gives lines without a timestamp this time, in nanoseconds (used as
    /// given, not scaled by the precision).
    ///
    /// ```
    /// use lineproto::{ParseOptions, Precision};
    ///
    /// let options = ParseOptions::new().with_precision(Precision::Seconds).with_default_time(5);
    /// let mut points = lineproto::parse_with(b"m v=1\nm v=2 7", options);
    /// assert_eq!(points.next().unwrap()?.timestamp(), Some(5)); // not scaled
    /// assert_eq!(points.next().unwrap()?.timestamp(), Some(7_000_000_000));
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    pub const fn with_default_time(mut self, nanos: i64) -> Self {
        self.default_time = Some(nanos);
        self
    }

    /// Limits the length of a line, in bytes, counted from the start of the
    /// physical line to its line feed (or, for a point whose string values
    /// hold line feeds, to the line feed that ends the point).
    ///
    /// ```
    /// use lineproto::ParseOptions;
    ///
    /// // "m v=1 123\n" is 10 bytes with its line feed.
    /// let options = ParseOptions::new().with_max_line_length(10);
    /// let mut points = lineproto::parse_with(b"m v=1 123\nm v=1 1234\nm v=3\n", options);
    /// assert_eq!(points.next().unwrap()?.timestamp(), Some(123));
    /// let err = points.next().unwrap().unwrap_err();
    /// assert_eq!(err.to_string(), "line 2, column 11: line is longer than the limit of 10 bytes");
    /// assert_eq!(points.next().unwrap()?.to_string(), "m v=3");
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    pub const fn with_max_line_length(mut self, bytes: usize) -> Self {
        self.limits.max_line_length = bytes;
        self
    }

    /// Limits the number of tags in a line.
    ///
    /// ```
    /// use lineproto::ParseOptions;
    ///
    /// let options = ParseOptions::new().with_max_tags(1);
    /// let mut points = lineproto::parse_with(b"m,a=1 v=1\nm,a=1,b=2 v=1\n", options);
    /// assert_eq!(points.next().unwrap()?.tags().len(), 1);
    /// let err = points.next().unwrap().unwrap_err();
    /// assert_eq!(err.to_string(), "line 2, column 7: more than 1 tags in one line");
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    pub const fn with_max_tags(mut self, count: usize) -> Self {
        self.limits.max_tags = count;
        self
    }

    /// Limits the number of fields in a line.
    ///
    /// ```
    /// use lineproto::ParseOptions;
    ///
    /// let options = ParseOptions::new().with_max_fields(1);
    /// let mut points = lineproto::parse_with(b"m a=1\nm a=1,b=2\n", options);
    /// assert_eq!(points.next().unwrap()?.fields().len(), 1);
    /// let err = points.next().unwrap().unwrap_err();
    /// assert_eq!(err.to_string(), "line 2, column 7: more than 1 fields in one line");
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    pub const fn with_max_fields(mut self, count: usize) -> Self {
        self.limits.max_fields = count;
        self
    }

    /// Limits the length of a string field value, in bytes, after
    /// unescaping.
    ///
    /// ```
    /// use lineproto::ParseOptions;
    ///
    /// let options = ParseOptions::new().with_max_string_length(4);
    /// // `a\"b\"` is 6 bytes as written, 4 unescaped.
    /// let point = lineproto::parse_with(br#"m s="a\"b\"""#, options).next().unwrap()?;
    /// assert_eq!(point.field("s").and_then(|v| v.as_str()), Some(r#"a"b""#));
    /// let err = lineproto::parse_with(br#"m s="hello""#, options).next().unwrap().unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "line 1, column 5: invalid field value: string of field `s` is longer than the limit of 4 bytes"
    /// );
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
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
    ///
    /// ```
    /// use lineproto::{ParseOptions, Precision};
    ///
    /// assert_eq!(ParseOptions::new().precision(), Precision::Nanoseconds);
    /// let options = ParseOptions::new().with_precision(Precision::Microseconds);
    /// assert_eq!(options.precision(), Precision::Microseconds);
    /// ```
    #[must_use]
    pub const fn precision(&self) -> Precision {
        self.precision
    }

    /// The time given to lines without a timestamp, in nanoseconds.
    ///
    /// ```
    /// use lineproto::ParseOptions;
    ///
    /// assert_eq!(ParseOptions::new().default_time(), None);
    /// let options = ParseOptions::new().with_default_time(1_700_000_000_000_000_000);
    /// assert_eq!(options.default_time(), Some(1_700_000_000_000_000_000));
    /// ```
    #[must_use]
    pub const fn default_time(&self) -> Option<i64> {
        self.default_time
    }

    /// The longest line accepted, in bytes.
    ///
    /// ```
    /// use lineproto::ParseOptions;
    ///
    /// assert_eq!(ParseOptions::new().max_line_length(), 16 * 1024 * 1024);
    /// assert_eq!(ParseOptions::new().with_max_line_length(4096).max_line_length(), 4096);
    /// assert_eq!(ParseOptions::new().without_limits().max_line_length(), usize::MAX);
    /// ```
    #[must_use]
    pub const fn max_line_length(&self) -> usize {
        self.limits.max_line_length
    }

    /// The most tags accepted in a line.
    ///
    /// ```
    /// use lineproto::ParseOptions;
    ///
    /// assert_eq!(ParseOptions::new().max_tags(), 1024);
    /// assert_eq!(ParseOptions::new().with_max_tags(8).max_tags(), 8);
    /// assert_eq!(ParseOptions::new().without_limits().max_tags(), usize::MAX);
    /// ```
    #[must_use]
    pub const fn max_tags(&self) -> usize {
        self.limits.max_tags
    }

    /// The most fields accepted in a line.
    ///
    /// ```
    /// use lineproto::ParseOptions;
    ///
    /// assert_eq!(ParseOptions::new().max_fields(), 1024);
    /// assert_eq!(ParseOptions::new().with_max_fields(8).max_fields(), 8);
    /// assert_eq!(ParseOptions::new().without_limits().max_fields(), usize::MAX);
    /// ```
    #[must_use]
    pub const fn max_fields(&self) -> usize {
        self.limits.max_fields
    }

    /// The longest string field value accepted, in bytes after unescaping.
    ///
    /// ```
    /// use lineproto::ParseOptions;
    ///
    /// assert_eq!(ParseOptions::new().max_string_length(), 64 * 1024);
    /// assert_eq!(ParseOptions::new().with_max_string_length(256).max_string_length(), 256);
    /// assert_eq!(ParseOptions::new().without_limits().max_string_length(), usize::MAX);
    /// ```
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
