//! A zero-copy parser and validating writer for [InfluxDB line
//! protocol][reference], the text format in which data is written to
//! InfluxDB, Telegraf and the time-series stores that speak it:
//!
//! ```text
//! measurement[,tag=value...] field=value[,field=value...] [timestamp]
//! home,room=Living\ Room temp=21.1,hum=35.9,co=0i 1641024000
//! ```
//!
//! The parser borrows names and strings from the input wherever they hold
//! no escape, reports every bad line with its line, column, byte offset
//! and what it expected, and goes on with the next line. The writer
//! escapes what it must and refuses what would not read back as the same
//! point. Precisions convert with overflow checks both ways.
//!
//! ```
//! let body = "home,room=Kitchen temp=21.0,co=0i 1641024000000000000\nhome temp=oops\n";
//! let mut points = lineproto::parse(body);
//! let point = points.next().unwrap()?;
//! assert_eq!((point.measurement(), point.tag("room")), ("home", Some("Kitchen")));
//! let err = points.next().unwrap().unwrap_err();
//! assert_eq!(err.to_string(), "line 2, column 11: invalid field value: `oops` for field `temp` is not a number");
//! # Ok::<(), lineproto::ParseError>(())
//! ```
//!
//! [reference]: https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/
//!
//! # Which API when
//!
//! | you have | you want | use |
//! |---|---|---|
//! | one line in a `&str` | a point | [`Point::parse_line`], or `str::parse` for a `Point<'static>` |
//! | a buffer (`&[u8]`, `&str`, `Vec<u8>`) | each point or error, in order | [`parse`], [`parse_with`] for a precision or limits |
//! | a buffer, in a hot loop | no allocation per point | [`Points::next_into`] with one [`Point`] you keep |
//! | a reader (file, socket, stdin) | points in one loop, memory bounded by the longest line | [`Stream::into_owned_points`] |
//! | a reader, in a hot loop | points borrowing the stream's buffer | [`Stream::next_chunk`], then [`Chunk::next_into`] |
//! | an HTTP write body | good points, InfluxDB's partial-write answer, storage rules | [`Batch::parse`] with a [`Schema`] |
//! | points from elsewhere | InfluxDB 3's storage rules checked | [`Validator`] |
//! | values in code | a checked point | [`Point::builder`] |
//! | points | line protocol in a `Vec`, a `String`, an `io::Write` | [`Point::write_to_vec`], [`Point::write_to_fmt`], [`LineWriter`] for many |
//! | a timestamp in another unit | nanoseconds and back | [`Precision`] |
//! | points as JSON or another serde format | `Serialize`, `Deserialize` | the `serde` feature |
//! | a body, a reader or points | Arrow record batches, one per measurement | the `arrow` feature: `arrow::Conversion::convert`, `from_reader`, `from_points` |
//! | an async reader (a request body, a socket) | points as they arrive, memory bounded by the longest line | the `tokio` feature: `AsyncStream::next_chunk` |
//! | one large buffer, and several cores | the points on every core, as parsing it whole gives them | the `rayon` feature: `parallel::Parallel::map`, `parse_owned` |
//! | one large body, and several cores | Arrow record batches built on every core, as converting it whole builds them | the `arrow` and `rayon` features: `arrow::Conversion::convert_parallel` |
//!
//! The rest of this page shows five common tasks, then the exact dialect
//! the crate reads and writes.
//!
//! ## Count the points of each measurement in a file
//!
//! [`Point::measurement_cow`] borrows the measurement from the input, so
//! it can key a map that outlives each point.
//!
//! ```
//! use std::borrow::Cow;
//! use std::collections::BTreeMap;
//!
//! let input = std::fs::read("examples/home.lp")?;
//! let mut counts: BTreeMap<Cow<'_, str>, usize> = BTreeMap::new();
//! for result in lineproto::parse(&input) {
//!     if let Ok(point) = result {
//!         *counts.entry(point.measurement_cow()).or_default() += 1;
//!     }
//! }
//! assert_eq!(counts["home"], 26);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Report each bad line with its number, column and text
//!
//! ```
//! let input = "m,room=Kitchen temp=21\nm,room temp=22\nm temp=\"open\n";
//! let mut report = Vec::new();
//! let mut points = lineproto::parse(input);
//! while let Some(result) = points.next() {
//!     if let Err(err) = result {
//!         let text = String::from_utf8_lossy(points.line_text(err.line()));
//!         report.push(format!("{}:{}: {}\n  {text}", err.line(), err.column(), err.kind()));
//!     }
//! }
//! assert_eq!(report, [
//!     "2:7: expected `=` after tag key `room`, found space\n  m,room temp=22",
//!     "3:8: invalid field value: string of field `temp` has no closing quote\n  m temp=\"open",
//! ]);
//! ```
//!
//! ## Stream standard input in one loop
//!
//! Points copied out of the stream's buffer, bad lines with their text,
//! and the reader's errors come through one loop; memory stays bounded by
//! the longest line (16 MiB by default), whatever the input's size.
//!
//! ```
//! use std::io::Read;
//! use lineproto::{Stream, StreamError};
//!
//! /// Sums the field `temp`, reporting bad lines as it goes.
//! fn total_temp(input: impl Read) -> std::io::Result<f64> {
//!     let mut total = 0.0;
//!     for item in Stream::new(input).into_owned_points() {
//!         match item {
//!             Ok(point) => total += point.field("temp").and_then(|v| v.as_f64()).unwrap_or(0.0),
//!             Err(StreamError::Line(err)) => eprintln!("{err}: {}", err.original_line()),
//!             Err(StreamError::Io(err)) => return Err(err),
//!         }
//!     }
//!     Ok(total)
//! }
//!
//! // In a program: total_temp(std::io::stdin().lock())
//! assert_eq!(total_temp(&b"home temp=21.5\nhome temp=x\nhome temp=1\n"[..])?, 22.5);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! ## Build points and write a million of them to a file
//!
//! [`LineWriter`] reuses one line buffer, so writing allocates nothing per
//! point; `None` fields are left out, and timestamps come from a
//! [`SystemTime`](std::time::SystemTime) or a value in a stated precision.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use lineproto::{LineWriter, Point, Precision};
//!
//! let path = std::env::temp_dir().join(format!("lineproto-doc-{}.lp", std::process::id()));
//! let mut writer = LineWriter::with_precision(std::fs::File::create(&path)?, Precision::Seconds);
//! let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_641_024_000);
//! for i in 0..1_000_000_u64 {
//!     let humidity = (i % 10 != 0).then_some(35.9); // every tenth reading has none
//!     let point = Point::builder("home")
//!         .tag("room", if i % 2 == 0 { "Kitchen" } else { "Living Room" })
//!         .field("temp", 21.0)
//!         .field("hum", humidity)
//!         .field("seq", i)
//!         .time(start + Duration::from_secs(i))
//!         .build()?;
//!     writer.write_point(&point)?;
//! }
//! writer.into_inner()?.sync_all()?;
//!
//! let written = std::fs::read_to_string(&path)?;
//! std::fs::remove_file(&path)?;
//! assert_eq!(written.lines().count(), 1_000_000);
//! assert!(written.starts_with("home,room=Kitchen temp=21,seq=0u 1641024000\n"));
//! assert!(written.ends_with("home,room=Living\\ Room temp=21,hum=35.9,seq=999999u 1642023999\n"));
//! // Or from seconds directly:
//! let point = Point::builder("home").field("temp", 21.0).timestamp_in(1_641_024_000, Precision::Seconds).build()?;
//! assert_eq!(point.timestamp(), Some(1_641_024_000_000_000_000));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Parse one line from a `&str`
//!
//! ```
//! use lineproto::{FieldValue, Point};
//!
//! let point = Point::parse_line("cpu,host=a usage=0.5,cores=8i 1700000000000000000")?;
//! assert_eq!(point.field("cores"), Some(FieldValue::Integer(8)));
//!
//! let owned: Point<'static> = String::from("cpu usage=0.7").parse()?;
//! assert_eq!(owned.to_string(), "cpu usage=0.7");
//! # Ok::<(), lineproto::ParseError>(())
//! ```
//!
//! # Features
//!
//! - `serde`: `Serialize` and `Deserialize` for [`Point`] (as
//!   `{"name":..,"tags":[{"key":..,"value":..}],"fields":[{"key":..,"value":{"float":..}}],"time":..}`)
//!   and for the error types. Off by default; without it the crate
//!   depends on no serde crate.
//! - `arrow`: line protocol straight into Apache Arrow record batches, one
//!   per measurement, in the schema InfluxDB 3 uses (the module `arrow`,
//!   documented when the feature is on). Off by default; without it the
//!   crate depends on no Arrow crate.
//!
//!   ```
//!   # #[cfg(feature = "arrow")] {
//!   use lineproto::{BatchOptions, Schema, arrow::Conversion};
//!
//!   let body = b"home,room=Kitchen temp=21.0,co=0i 1641024000000000000\n";
//!   let conversion = Conversion::convert(body, &BatchOptions::new(), &mut Schema::new()).unwrap();
//!   let (measurement, batch) = &conversion.batches()[0];
//!   assert_eq!((measurement.as_str(), batch.num_rows(), batch.num_columns()), ("home", 1, 4));
//!   # }
//!   ```
//!
//! - `rayon`: one buffer parsed on every core, on rayon's thread pool,
//!   with exactly the results of parsing it whole (the module `parallel`,
//!   documented when the feature is on). Off by default; without it the
//!   crate depends on no rayon crate.
//!
//!   ```
//!   # #[cfg(feature = "rayon")] {
//!   use lineproto::parallel::Parallel;
//!
//!   let body = b"cpu,host=a usage=0.5 1\ncpu,host=b usage=0.7 2\n";
//!   let points_per_piece = Parallel::new().map(body, |points| points.count());
//!   assert_eq!(points_per_piece.iter().sum::<usize>(), 2);
//!   # }
//!   ```
//!
//! - `tokio`: [`Stream`] for async code, `AsyncStream`, over any
//!   `tokio::io::AsyncRead`, with the same chunks, results and bounded
//!   memory. Off by default; without it the crate depends on no tokio
//!   crate.
//!
//!   ```
//!   # #[cfg(feature = "tokio")]
//!   # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//!   let mut stream = lineproto::AsyncStream::new(&b"m v=1\nm v=2\n"[..]);
//!   let mut points = 0;
//!   while let Some(chunk) = stream.next_chunk().await? {
//!       points += chunk.filter(Result::is_ok).count();
//!   }
//!   assert_eq!(points, 2);
//!   # Ok::<(), std::io::Error>(())
//!   # }).unwrap();
//!   ```
//!
//! # The dialect
//!
//! `lineproto` follows the line protocol reference of [InfluxDB
//! 2][reference] and [InfluxDB 3][v3]. Where it is silent or
//! implementations differ, it makes these choices (the InfluxDB server's,
//! where it has one):
//!
//! [v3]: https://docs.influxdata.com/influxdb3/core/reference/line-protocol/
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

/// The README's code blocks, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[cfg(feature = "arrow")]
pub mod arrow;
#[cfg(feature = "tokio")]
mod async_stream;
mod batch;
mod block;
mod bounds;
mod builder;
mod classes;
mod error;
mod escape;
mod grammar;
mod lines;
mod number;
mod options;
#[cfg(feature = "rayon")]
pub mod parallel;
#[cfg(any(test, feature = "rayon"))]
mod pieces;
mod point;
mod pow10;
mod precision;
mod repeated;
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

    /// Where parsing `input` in pieces cut after the line feeds `picks`
    /// chooses (by their order, cycling), one piece after the other, each
    /// at its cut and each where the one before stopped, differs from
    /// parsing it whole; `None` if it does not.
    #[cfg(feature = "rayon")]
    pub fn pieces_disagreement(
        input: &[u8],
        options: crate::ParseOptions,
        picks: &[bool],
    ) -> Option<String> {
        crate::pieces::disagreement(input, options, picks)
    }

    /// Where converting `body` to Arrow in groups of `group_lines` lines,
    /// table by table, differs from converting it line by line, each from
    /// `schema`; `None` if it does not.
    #[cfg(feature = "arrow")]
    pub fn arrow_grouping_disagreement(
        body: &[u8],
        options: &crate::BatchOptions,
        schema: &crate::Schema,
        group_lines: usize,
    ) -> Option<String> {
        crate::arrow::grouping_disagreement(body, options, schema, group_lines)
    }

    /// Where converting `body` to Arrow in pieces cut after the line
    /// feeds `picks` chooses (by their order, cycling), one piece after
    /// the other, each at its cut and each where the one before stopped,
    /// differs from converting it whole, each from `schema`; `None` if it
    /// does not.
    #[cfg(all(feature = "arrow", feature = "rayon"))]
    pub fn arrow_pieces_disagreement(
        body: &[u8],
        options: &crate::BatchOptions,
        schema: &crate::Schema,
        picks: &[bool],
    ) -> Option<String> {
        crate::arrow::pieces_disagreement(body, options, schema, picks)
    }
}
mod stream;
mod write;

pub use batch::{
    Batch, BatchOptions, LineError, LineErrorKind, Schema, ValidationError, Validator,
};
pub use builder::{FieldInput, PointBuilder};
pub use error::{
    Element, Found, InvalidPoint, NonFinite, ParseError, ParseErrorKind, ValueProblem, WriteError,
};
pub use lines::{Points, parse, parse_with};
pub use options::ParseOptions;
pub use point::{Field, FieldType, FieldValue, Fields, Point, Tag, Tags};
pub use precision::{ParsePrecisionError, Precision, TimestampOverflowError};
pub use stream::{Chunk, OwnedPoints, Stream, StreamError};
pub use write::LineWriter;

#[cfg(feature = "tokio")]
pub use async_stream::AsyncStream;
