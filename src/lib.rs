#![doc = include_str!("../README.md")]
//!
//! # The dialect
//!
//! `lineproto` follows the InfluxDB line protocol reference. Where
//! implementations differ, it makes these choices:
//!
//! **Lines.** Lines end with LF or CRLF; a carriage return anywhere else
//! (outside a string value) is an error. Spaces before the measurement and
//! after the last element are ignored. A line whose first byte other than
//! a space or tab is `#` is a comment; a line of only spaces and tabs is
//! blank; both are skipped and still count in line numbers. Elements are
//! separated by one or more spaces; any other tab outside a string value is
//! an error. A UTF-8 byte-order mark (`EF BB BF`) at the very start of the
//! input, of a buffer given to [`parse`] or of a [`Stream`], is skipped:
//! editors put it there, and it is no part of the data. Columns of the
//! first line count from after it. Anywhere else it is text, even at the start of a later line's
//! measurement; the writer refuses a measurement that starts with it,
//! since as the first line of a body it would be read without it.
//!
//! **Names and escapes.** The measurement ends at an unescaped `,` or space;
//! `\,`, `\ ` and `\\` are escapes in it. Tag keys, tag values and field
//! keys take the escapes `\,`, `\=`, `\ ` and `\\`; keys end at an
//! unescaped `,`, `=` or space, tag values at an unescaped `,` or space (an
//! unescaped `=` inside a tag value is part of it). A backslash before any
//! other byte is kept as it is. Names and tag values must not be empty and
//! must not hold control characters (0x00-0x1F, 0x7F) or invalid UTF-8.
//!
//! **Tags.** No trailing comma, and no key twice in one line.
//!
//! **Fields.** At least one; no trailing comma. A key repeated in one line
//! is kept as written (every occurrence is in [`Point::fields`];
//! [`Point::field`] returns the last, which is what InfluxDB stores). The
//! value's first byte decides its type:
//!
//! | value | type | rule |
//! |---|---|---|
//! | `"text"` | string | `\"` is `"`, `\\` is `\`, any other backslash is kept; raw LF, CR and other control characters are part of the string; an unescaped `"` inside is an error; a string left open is an error at its opening quote |
//! | `t T true True TRUE f F false False FALSE` | boolean | exactly these spellings |
//! | `-12i` | integer | `-?[0-9]+i`, within `i64` |
//! | `12u` | unsigned | `[0-9]+u`, within `u64` |
//! | `1`, `1.`, `.5`, `-1.5e-3`, `1E+10` | float | `-?(digits(.digits?)?\|.digits)([eE][+-]?digits)?`; no `+` sign, hex, `_`, `NaN` or `Inf`; a value that overflows to infinity is an error |
//!
//! **Timestamp.** Optional; `-?[0-9]+` within `i64` as written, then scaled
//! to nanoseconds by the [`Precision`] given in [`ParseOptions`]: a value
//! that overflows when scaled is an error of that line. Without a
//! timestamp a point gets the options' default time, if any.
//!
//! **Limits.** A line may be at most 16 MiB long, hold at most 1,024
//! tags and 1,024 fields, and string values at most 64 KiB (unescaped);
//! [`ParseOptions`] changes or lifts each limit. Crossing one is an error
//! of that line. Every physical line counts, blank and comment lines
//! included: one longer than the limit is reported at the byte where it
//! crosses the limit, like any other line. A point whose string values hold line feeds spans
//! several physical lines and counts as one line for the limit; when such
//! a point (say, one opened by a stray quote that pairs with a quote far
//! below) runs past the limit, the error is reported on the physical line
//! where the point starts, at its line feed, and parsing goes on after that
//! line feed, so every line the point swallowed is parsed as a line of its
//! own. A line that is itself longer than the limit is reported at the
//! byte where it crosses the limit and skipped to its line feed.
//!
//! **Errors.** Every error belongs to one line and carries its physical
//! line number and byte column ([`ParseError`]). Parsing goes on after the
//! first LF that follows the error's position, so a bad line never costs
//! the good lines around it. An unterminated string is reported at its
//! opening quote, so the lines it swallowed are parsed again.
//!
//! **Writing.** The writer escapes exactly what the parser unescapes. It
//! doubles a backslash only where the parser would otherwise read it as an
//! escape (before a special byte or another backslash, and at the end of a
//! string value), so text such as `C:\temp` is written unchanged. It refuses
//! what could not be read back as the same point ([`InvalidPoint`]): empty
//! names or tag values, a measurement starting with `#`, control
//! characters in names or tag values, a name or tag value ending in a
//! backslash, a repeated tag key, no fields, NaN or infinite floats. (A
//! trailing backslash would have to be written doubled, `C:\\`, and
//! readers disagree on that: InfluxDB 1.x and 2.x and Telegraf keep both
//! backslashes, InfluxDB 3 refuses the line. The parser still reads
//! `C:\\` as `C:\`, as this dialect's escapes say.) Tags and fields keep the order given ([`Point::sort_tags`]
//! sorts tags by key). Floats are written in the shortest form that reads
//! back as the same `f64`. Timestamps are converted to the chosen precision
//! by flooring ([`Precision::from_nanos`]).

mod batch;
mod block;
mod builder;
mod error;
mod escape;
mod grammar;
mod lines;
mod number;
mod options;
mod point;
mod pow10;
pub mod precision;
mod scan;
#[cfg(feature = "serde")]
mod serde_point;
mod skim;

/// Entry points into the crate's internals for its fuzz targets; not part
/// of the public API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::scan::disagreement as scanner_disagreement;
    pub use crate::skim::disagreement as skim_disagreement;
}
mod stream;
mod write;

pub use batch::{
    Batch, BatchOptions, LineError, LineErrorKind, Schema, ValidationError, Validator,
    partial_write_json,
};
pub use builder::{FieldInput, PointBuilder};
pub use error::{
    Found, InvalidPoint, NonFinite, ParseError, ParseErrorKind, ValueProblem, WriteError,
};
pub use escape::Element;
pub use lines::{Points, parse, parse_with};
pub use options::ParseOptions;
pub use point::{Field, FieldType, FieldValue, Fields, Point, Tag, Tags};
pub use precision::{ParsePrecisionError, Precision, TimestampOverflowError};
pub use stream::{Chunk, OwnedPoints, Stream, StreamError};
pub use write::LineWriter;
