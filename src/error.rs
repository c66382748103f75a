//! The errors of parsing and writing.

use std::fmt;

use crate::precision::Precision;

/// A line that could not be parsed: where, and what was wrong.
///
/// The position is the physical line (1-based, counting blank lines,
/// comment lines and the line breaks inside multi-line string values) and
/// the byte column in that line (1-based) where the problem was found.
/// `Display` names both:
///
/// ```
/// let err = lineproto::parse(b"home,room Kitchen temp=21.0").next().unwrap().unwrap_err();
/// assert_eq!((err.line(), err.column()), (1, 10));
/// assert_eq!(
///     err.to_string(),
///     "line 1, column 10: expected `=` after tag key `room`, found space"
/// );
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {kind}")]
pub struct ParseError {
    line: usize,
    column: usize,
    offset: usize,
    kind: ParseErrorKind,
}

impl ParseError {
    pub(crate) fn new(line: usize, column: usize, offset: usize, kind: ParseErrorKind) -> Self {
        ParseError {
            line,
            column,
            offset,
            kind,
        }
    }

    /// The byte offset at which the problem was found, from the start of
    /// the input: of the buffer given to [`parse`](crate::parse) (a
    /// byte-order mark at its start included), or of everything a
    /// [`Stream`](crate::Stream) has read.
    ///
    /// ```
    /// let input = b"m f=1\nm f=x\n";
    /// let err = lineproto::parse(input).nth(1).unwrap().unwrap_err();
    /// assert_eq!(err.offset(), 10);
    /// assert_eq!(input[err.offset()], b'x');
    /// ```
    #[must_use]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The 1-based physical line on which the problem was found.
    ///
    /// ```
    /// let err = lineproto::parse(b"m f=1\n\nm f=").nth(1).unwrap().unwrap_err();
    /// assert_eq!(err.line(), 3);
    /// ```
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based byte offset in that line at which the problem was found.
    ///
    /// ```
    /// let err = lineproto::parse("m,café=1 f=x".as_bytes()).next().unwrap().unwrap_err();
    /// assert_eq!(err.column(), 13); // bytes, not characters
    /// ```
    #[must_use]
    pub fn column(&self) -> usize {
        self.column
    }

    /// What was wrong.
    ///
    /// ```
    /// use lineproto::ParseErrorKind;
    ///
    /// let err = lineproto::parse(b"m f=1 soon").next().unwrap().unwrap_err();
    /// assert!(matches!(err.kind(), ParseErrorKind::InvalidTimestamp { .. }));
    /// ```
    #[must_use]
    pub fn kind(&self) -> &ParseErrorKind {
        &self.kind
    }
}

/// What was wrong with a line: what the grammar expected and what it found.
///
/// Names and values quoted in messages are shortened to their first 64
/// bytes, so a hostile line cannot make a huge message.
///
/// ```
/// use lineproto::{Found, ParseErrorKind};
///
/// let err = lineproto::parse(b"home,room=Kitchen temp=21.0,").next().unwrap().unwrap_err();
/// assert_eq!(err.kind(), &ParseErrorKind::ExpectedFieldKey { found: Found::EndOfLine });
/// assert_eq!(err.kind().to_string(), "expected field key, found end of line");
///
/// let line = format!("m {}=", "k".repeat(100));
/// let err = lineproto::parse(&line).next().unwrap().unwrap_err();
/// let ParseErrorKind::ExpectedFieldValue { key, .. } = err.kind() else { panic!("{err}") };
/// assert_eq!(*key, format!("{}…", "k".repeat(64))); // shortened
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The line does not start with a measurement name.
    #[error("expected measurement, found {found}")]
    ExpectedMeasurement {
        /// What stood where the measurement should start.
        found: Found,
    },
    /// A `,` in the tag set is not followed by a tag key.
    #[error("expected tag key, found {found}")]
    ExpectedTagKey {
        /// What followed the comma.
        found: Found,
    },
    /// A tag key is not followed by `=`.
    #[error("expected `=` after tag key `{key}`, found {found}")]
    ExpectedTagEquals {
        /// The tag key.
        key: String,
        /// What followed it.
        found: Found,
    },
    /// A tag's `=` is not followed by a value.
    #[error("expected value of tag `{key}`, found {found}")]
    ExpectedTagValue {
        /// The tag key.
        key: String,
        /// What followed the `=`.
        found: Found,
    },
    /// The same tag key appears twice in one line.
    #[error("duplicate tag key `{key}`")]
    DuplicateTagKey {
        /// The repeated key.
        key: String,
    },
    /// The measurement and tag set are not followed by a field set.
    #[error("expected field set, found {found}")]
    ExpectedFieldSet {
        /// What stood where the field set should be.
        found: Found,
    },
    /// A field set or a `,` in it is not followed by a field key.
    #[error("expected field key, found {found}")]
    ExpectedFieldKey {
        /// What stood where the key should start.
        found: Found,
    },
    /// A field key is not followed by `=`.
    #[error("expected `=` after field key `{key}`, found {found}")]
    ExpectedFieldEquals {
        /// The field key.
        key: String,
        /// What followed it.
        found: Found,
    },
    /// A field's `=` is not followed by a value.
    #[error("expected value of field `{key}`, found {found}")]
    ExpectedFieldValue {
        /// The field key.
        key: String,
        /// What followed the `=`.
        found: Found,
    },
    /// A field value is not a valid float, integer, unsigned integer or
    /// boolean.
    #[error("invalid field value: `{value}` for field `{key}` {problem}")]
    InvalidFieldValue {
        /// The field key.
        key: String,
        /// The value as written.
        value: String,
        /// Why it is not valid.
        problem: ValueProblem,
    },
    /// A string field value has no closing quote (reported at the opening
    /// quote).
    #[error("invalid field value: string of field `{key}` has no closing quote")]
    UnterminatedString {
        /// The field key.
        key: String,
    },
    /// A string field value holds an unescaped `"` (reported at that quote).
    #[error("invalid field value: unescaped `\"` in string of field `{key}`")]
    UnescapedQuote {
        /// The field key.
        key: String,
    },
    /// A field value is followed by something other than `,`, a space or the
    /// end of the line.
    #[error("expected `,`, space or end of line after value of field `{key}`, found {found}")]
    ExpectedFieldSeparator {
        /// The field key.
        key: String,
        /// What followed the value.
        found: Found,
    },
    /// Something other than a timestamp follows the field set.
    #[error("expected timestamp or end of line, found {found}")]
    ExpectedTimestamp {
        /// What followed the field set.
        found: Found,
    },
    /// The timestamp is not an optional `-` followed by digits.
    #[error("invalid timestamp `{value}`: expected an integer")]
    InvalidTimestamp {
        /// The timestamp as written.
        value: String,
    },
    /// The timestamp does not fit in an `i64`.
    #[error("invalid timestamp `{value}`: out of range of a 64-bit integer")]
    TimestampOutOfRange {
        /// The timestamp as written.
        value: String,
    },
    /// The timestamp, scaled to nanoseconds, does not fit in an `i64`.
    #[error("timestamp {value} in {precision} does not fit in 64-bit nanoseconds")]
    TimestampOverflow {
        /// The timestamp as written.
        value: i64,
        /// The precision it was read in.
        precision: Precision,
    },
    /// [`Point::parse_line`](crate::Point::parse_line) was given no
    /// point: nothing, or only blank and comment lines.
    #[error("expected a point, found none")]
    NoPoint,
    /// [`Point::parse_line`](crate::Point::parse_line) was given a second
    /// line that holds a point or an error, reported at its start.
    #[error("expected one line, found another")]
    MoreThanOneLine,
    /// Something follows the timestamp.
    #[error("expected end of line after timestamp, found {found}")]
    ExpectedEndOfLine {
        /// What followed the timestamp.
        found: Found,
    },
    /// A control character (0x00-0x1F or 0x7F, tab and lone carriage return
    /// included) stands in a name or tag value, or between elements.
    #[error("control character {} in {element}", ByteName(*byte))]
    ControlCharacter {
        /// Where it stands.
        element: Element,
        /// The byte.
        byte: u8,
    },
    /// A name, tag value or string value is not valid UTF-8.
    #[error("invalid UTF-8 in {element}")]
    InvalidUtf8 {
        /// Where it stands.
        element: Element,
    },
    /// The line is longer than [`ParseOptions::with_max_line_length`]
    /// allows (reported where the limit is reached).
    ///
    /// [`ParseOptions::with_max_line_length`]: crate::ParseOptions::with_max_line_length
    #[error("line is longer than the limit of {limit} bytes")]
    LineTooLong {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The line has more tags than [`ParseOptions::with_max_tags`] allows
    /// (reported at the first tag over the limit).
    ///
    /// [`ParseOptions::with_max_tags`]: crate::ParseOptions::with_max_tags
    #[error("more than {limit} tags in one line")]
    TooManyTags {
        /// The limit.
        limit: usize,
    },
    /// The line has more fields than [`ParseOptions::with_max_fields`]
    /// allows (reported at the first field over the limit).
    ///
    /// [`ParseOptions::with_max_fields`]: crate::ParseOptions::with_max_fields
    #[error("more than {limit} fields in one line")]
    TooManyFields {
        /// The limit.
        limit: usize,
    },
    /// A string field value, unescaped, is longer than
    /// [`ParseOptions::with_max_string_length`] allows (reported at its
    /// opening quote).
    ///
    /// [`ParseOptions::with_max_string_length`]: crate::ParseOptions::with_max_string_length
    #[error(
        "invalid field value: string of field `{key}` is longer than the limit of {limit} bytes"
    )]
    StringTooLong {
        /// The field key.
        key: String,
        /// The limit, in bytes.
        limit: usize,
    },
    /// Input that fits no rule of the grammar at this place.
    #[error("unexpected {found}")]
    Unexpected {
        /// What stood there.
        found: Found,
    },
}

/// Why a field value is not valid; part of
/// [`ParseErrorKind::InvalidFieldValue`].
///
/// ```
/// use lineproto::{ParseErrorKind, ValueProblem};
///
/// let err = lineproto::parse(b"m count=99999999999999999999i").next().unwrap().unwrap_err();
/// let ParseErrorKind::InvalidFieldValue { problem, .. } = err.kind() else { panic!("{err}") };
/// assert_eq!(*problem, ValueProblem::IntegerOutOfRange);
/// assert_eq!(problem.to_string(), "is out of range of a 64-bit signed integer");
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueProblem {
    /// Not a float, and no `i` or `u` suffix makes it another number.
    #[error("is not a number")]
    NotANumber,
    /// Has the `i` suffix but is not `-` and digits.
    #[error("is not an integer")]
    NotAnInteger,
    /// Has the `u` suffix but is not digits.
    #[error("is not an unsigned integer")]
    NotAnUnsignedInteger,
    /// An integer outside the range of `i64`.
    #[error("is out of range of a 64-bit signed integer")]
    IntegerOutOfRange,
    /// An unsigned integer outside the range of `u64`.
    #[error("is out of range of a 64-bit unsigned integer")]
    UnsignedOutOfRange,
    /// A float too large to be finite.
    #[error("is out of range of a 64-bit float")]
    FloatOutOfRange,
    /// Starts like a boolean but is none of the accepted spellings.
    #[error("is not a boolean (expected t, T, true, True, TRUE, f, F, false, False or FALSE)")]
    NotABoolean,
}

/// What the parser found where it expected something else.
///
/// ```
/// use lineproto::{Found, ParseErrorKind};
///
/// let err = lineproto::parse(b"m v=1;2").next().unwrap().unwrap_err();
/// let ParseErrorKind::ExpectedFieldSeparator { found, .. } = err.kind() else { panic!("{err}") };
/// assert_eq!(*found, Found::Byte(b';'));
/// assert_eq!(found.to_string(), "`;`");
/// assert_eq!(Found::Byte(b' ').to_string(), "space");
/// assert_eq!(Found::EndOfLine.to_string(), "end of line");
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Found {
    /// The end of the line (or of the input).
    EndOfLine,
    /// This byte.
    Byte(u8),
}

impl Found {
    /// What stands at the start of `rest`.
    pub(crate) fn at(rest: &[u8]) -> Found {
        match rest {
            [] | [b'\n', ..] | [b'\r', b'\n', ..] => Found::EndOfLine,
            [byte, ..] => Found::Byte(*byte),
        }
    }
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Found::EndOfLine => f.write_str("end of line"),
            Found::Byte(byte) => ByteName(byte).fmt(f),
        }
    }
}

/// A byte as a person reads it: `space`, `tab`, `` `x` `` or `byte 0x1B`.
struct ByteName(u8);

impl fmt::Display for ByteName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            b' ' => f.write_str("space"),
            b'\t' => f.write_str("tab"),
            b'\r' => f.write_str("carriage return"),
            b'\n' => f.write_str("line feed"),
            b'`' => f.write_str("backtick"),
            byte @ 0x21..=0x7e => write!(f, "`{}`", char::from(byte)),
            byte => write!(f, "byte 0x{byte:02X}"),
        }
    }
}

/// The longest excerpt of a name or value quoted in an error message.
const EXCERPT_BYTES: usize = 64;

/// `bytes` as text for an error message: lossy UTF-8, cut to
/// [`EXCERPT_BYTES`] with `…` appended when longer (see [`excerpt_of`]).
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    excerpt_of(bytes, EXCERPT_BYTES)
}

/// `bytes` as text to show: lossy UTF-8, cut to at most `max` bytes with
/// `…` appended when longer. A character the cut would split is left out
/// whole, so the cut never makes a replacement character of valid text.
pub(crate) fn excerpt_of(bytes: &[u8], max: usize) -> String {
    let Some(head) = bytes.get(..max).filter(|_| bytes.len() > max) else {
        return String::from_utf8_lossy(bytes).into_owned();
    };
    // The last character that starts in the head, if it would go on past
    // the cut: a valid UTF-8 sequence of up to four bytes.
    let split = (max.saturating_sub(3)..max).rev().find(|&start| {
        let length = match bytes.get(start) {
            Some(0xC0..=0xDF) => 2,
            Some(0xE0..=0xEF) => 3,
            Some(0xF0..=0xF7) => 4,
            _ => return false,
        };
        start + length > max
            && bytes
                .get(start..start + length)
                .is_some_and(|c| std::str::from_utf8(c).is_ok())
    });
    let head = split.and_then(|start| head.get(..start)).unwrap_or(head);
    let mut text = String::from_utf8_lossy(head).into_owned();
    text.push('…');
    text
}

/// A point that cannot be written as line protocol that reads back as the
/// same point: what [`Point::validate`](crate::Point::validate) and
/// [`PointBuilder::build`](crate::PointBuilder::build) report, and what
/// the writers refuse.
///
/// A plain value (`Clone`, `Eq`): it names the problem and the text that
/// has it, and nothing of where the point was to be written.
///
/// ```
/// use lineproto::{InvalidPoint, Point};
///
/// let err = Point::builder("home").tag("room", "").field("temp", 21.0).build().unwrap_err();
/// assert_eq!(err, InvalidPoint::EmptyTagValue { key: "room".into() });
/// assert_eq!(err.to_string(), "tag `room` has an empty value");
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidPoint {
    /// The measurement name is empty.
    #[error("the measurement name is empty")]
    EmptyMeasurement,
    /// The measurement starts with `#`, which would make the line a comment.
    #[error("the measurement `{measurement}` starts with `#`, which makes the line a comment")]
    CommentMeasurement {
        /// The measurement name.
        measurement: String,
    },
    /// The measurement starts with U+FEFF, the byte-order mark a reader
    /// skips at the start of its input, so the first line of a body would
    /// read back with another measurement.
    #[error(
        "the measurement `{measurement}` starts with U+FEFF, a byte-order mark that readers skip at the start of the input"
    )]
    ByteOrderMarkMeasurement {
        /// The measurement name.
        measurement: String,
    },
    /// A tag key is empty.
    #[error("a tag key is empty")]
    EmptyTagKey,
    /// A tag value is empty.
    #[error("tag `{key}` has an empty value")]
    EmptyTagValue {
        /// The tag key.
        key: String,
    },
    /// The same tag key appears twice.
    #[error("duplicate tag key `{key}`")]
    DuplicateTagKey {
        /// The repeated key.
        key: String,
    },
    /// The point has no fields.
    #[error("the point has no fields")]
    NoFields,
    /// A field key is empty.
    #[error("a field key is empty")]
    EmptyFieldKey,
    /// A float field is NaN or infinite.
    #[error("field `{key}` is {value}, which line protocol cannot carry")]
    NonFiniteFloat {
        /// The field key.
        key: String,
        /// The value.
        value: NonFinite,
    },
    /// A name or tag value holds a control character (0x00-0x1F or 0x7F).
    #[error("control character {} in {element} `{text}`", ByteName(*byte))]
    ControlCharacter {
        /// Where it stands.
        element: Element,
        /// The name or value holding it.
        text: String,
        /// The byte.
        byte: u8,
    },
    /// A name or tag value ends in a backslash. Written doubled (`\\`),
    /// readers disagree on it: InfluxDB 1.x and 2.x and Telegraf keep both
    /// backslashes, InfluxDB 3 refuses the line. No spelling of it reads
    /// back as the same point everywhere.
    #[error("{element} `{text}` ends in a backslash, which readers of line protocol disagree on")]
    TrailingBackslash {
        /// Where it stands.
        element: Element,
        /// The name or value.
        text: String,
    },
    /// The timestamp, floored to the precision it is written in, lies
    /// before the earliest time a nanosecond `i64` can hold, so the line
    /// could not be read back.
    #[error(
        "timestamp {nanos} ns cannot be written in {precision}: floored, it falls before the earliest time line protocol can carry"
    )]
    TimestampOutOfRange {
        /// The timestamp in nanoseconds.
        nanos: i64,
        /// The precision it was to be written in.
        precision: Precision,
    },
    /// A timestamp given to the builder in another precision overflows
    /// when scaled to nanoseconds (see [`Precision::to_nanos`]).
    #[error("timestamp {value} in {precision} overflows when scaled to nanoseconds")]
    TimestampOverflow {
        /// The timestamp as given.
        value: i64,
        /// Its precision.
        precision: Precision,
    },
    /// A time given to the builder lies outside what nanoseconds since the
    /// Unix epoch in an `i64` can hold (the years 1677 to 2262).
    #[error(
        "the time {time:?} lies outside the years 1677 to 2262 that line protocol timestamps can carry"
    )]
    TimeOutOfRange {
        /// The time given.
        time: std::time::SystemTime,
    },
}

/// A float that line protocol cannot carry, as [`InvalidPoint::NonFiniteFloat`]
/// names it.
///
/// ```
/// use lineproto::NonFinite;
/// assert_eq!(NonFinite::of(f64::NEG_INFINITY), Some(NonFinite::NegativeInfinity));
/// assert_eq!(NonFinite::of(1.5), None);
/// assert_eq!(NonFinite::NaN.to_string(), "NaN");
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NonFinite {
    /// Not a number.
    NaN,
    /// Positive infinity.
    Infinity,
    /// Negative infinity.
    NegativeInfinity,
}

impl NonFinite {
    /// What `value` is, if it is not finite.
    ///
    /// ```
    /// use lineproto::NonFinite;
    ///
    /// let values = [1.5, f64::NAN, 0.0, f64::INFINITY, f64::NEG_INFINITY];
    /// let found: Vec<NonFinite> = values.into_iter().filter_map(NonFinite::of).collect();
    /// assert_eq!(found, [NonFinite::NaN, NonFinite::Infinity, NonFinite::NegativeInfinity]);
    /// ```
    #[must_use]
    pub fn of(value: f64) -> Option<NonFinite> {
        if value.is_nan() {
            Some(NonFinite::NaN)
        } else if value.is_infinite() && value.is_sign_positive() {
            Some(NonFinite::Infinity)
        } else if value.is_infinite() {
            Some(NonFinite::NegativeInfinity)
        } else {
            None
        }
    }
}

/// Printed as Rust prints the `f64`: `NaN`, `inf`, `-inf`.
impl fmt::Display for NonFinite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NonFinite::NaN => "NaN",
            NonFinite::Infinity => "inf",
            NonFinite::NegativeInfinity => "-inf",
        })
    }
}

/// Writing a point failed: the point is invalid, or the writer failed.
///
/// The writers check a point as they write it and write nothing of an
/// invalid one ([`WriteError::Invalid`]); an I/O error is the writer's
/// own.
///
/// ```
/// use lineproto::{InvalidPoint, Point, Precision, WriteError};
///
/// let point = Point::new(); // no measurement, no fields
/// let err = point.write_to(std::io::sink(), Precision::Seconds).unwrap_err();
/// assert!(matches!(err, WriteError::Invalid(InvalidPoint::EmptyMeasurement)));
/// assert_eq!(err.to_string(), "the measurement name is empty");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The point cannot be written; nothing of it was.
    #[error(transparent)]
    Invalid(#[from] InvalidPoint),
    /// The underlying writer failed.
    #[error("writing failed: {0}")]
    Io(#[from] std::io::Error),
    /// The underlying formatter failed.
    #[error("formatting failed")]
    Fmt(#[from] fmt::Error),
}

impl WriteError {
    /// The point's problem, if that is what failed.
    ///
    /// ```
    /// use lineproto::{InvalidPoint, Point, Precision};
    ///
    /// let err = Point::new().write_to(std::io::sink(), Precision::Seconds).unwrap_err();
    /// assert_eq!(err.invalid_point(), Some(&InvalidPoint::EmptyMeasurement));
    /// ```
    #[must_use]
    pub fn invalid_point(&self) -> Option<&InvalidPoint> {
        match self {
            WriteError::Invalid(invalid) => Some(invalid),
            _ => None,
        }
    }
}

/// The part of a line a name or value belongs to; used in error messages.
///
/// ```
/// use lineproto::{Element, ParseErrorKind};
///
/// let err = lineproto::parse(b"m,room=Kit\x07chen temp=21").next().unwrap().unwrap_err();
/// assert_eq!(
///     err.kind(),
///     &ParseErrorKind::ControlCharacter { element: Element::TagValue, byte: 0x07 }
/// );
/// assert_eq!(err.kind().to_string(), "control character byte 0x07 in tag value");
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Element {
    /// The measurement name.
    Measurement,
    /// A tag key.
    TagKey,
    /// A tag value.
    TagValue,
    /// A field key.
    FieldKey,
    /// A string field value.
    StringValue,
}

impl fmt::Display for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Element::Measurement => "measurement",
            Element::TagKey => "tag key",
            Element::TagValue => "tag value",
            Element::FieldKey => "field key",
            Element::StringValue => "string value",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_named_for_people() {
        let names: Vec<String> = [b' ', b'\t', b'\r', b'\n', b'`', b'=', 0x1b, 0xc3]
            .into_iter()
            .map(|b| Found::Byte(b).to_string())
            .collect();
        let expected = [
            "space",
            "tab",
            "carriage return",
            "line feed",
            "backtick",
            "`=`",
            "byte 0x1B",
            "byte 0xC3",
        ];
        assert_eq!(names, expected);
        assert_eq!(Found::EndOfLine.to_string(), "end of line");
    }

    #[test]
    fn found_treats_crlf_as_end_of_line_but_not_a_lone_cr() {
        assert_eq!(Found::at(b""), Found::EndOfLine);
        assert_eq!(Found::at(b"\r\nx"), Found::EndOfLine);
        assert_eq!(Found::at(b"\rx"), Found::Byte(b'\r'));
    }

    #[test]
    fn excerpts_are_cut_between_characters() {
        assert_eq!(excerpt_of("abcé".as_bytes(), 4), "abc…");
        assert_eq!(excerpt_of("abé".as_bytes(), 4), "abé");
        assert_eq!(excerpt_of("abé!".as_bytes(), 3), "ab…");
        assert_eq!(excerpt_of("a🦀b".as_bytes(), 3), "a…");
        assert_eq!(excerpt_of("a🦀b".as_bytes(), 5), "a🦀…");
        // Invalid bytes at the cut are shown as they are, replaced.
        assert_eq!(excerpt_of(b"ab\xff\xffcd", 3), "ab\u{fffd}…");
        assert_eq!(excerpt_of(b"ab\xe2\x82x", 3), "ab\u{fffd}…");
        for text in ["日本語のテキスト", "x🦀🦀🦀y", "aé"] {
            for max in 0..text.len() {
                let cut = excerpt_of(text.as_bytes(), max);
                let kept = cut.strip_suffix('…').unwrap();
                assert!(
                    text.starts_with(kept) && kept.len() <= max && max - kept.len() < 4,
                    "{cut}"
                );
            }
        }
    }

    #[test]
    fn excerpts_are_cut() {
        assert_eq!(excerpt(b"abc"), "abc");
        let long = excerpt(&[b'x'; 100]);
        assert_eq!(long.len(), EXCERPT_BYTES + '…'.len_utf8());
        assert!(long.ends_with('…'));
    }
}
