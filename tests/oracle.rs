//! The parser against an oracle: a naive parser written from the crate
//! docs ("The dialect") alone, one byte at a time, for clarity and not
//! for speed. Generated inputs hit every element, escape, value type and
//! way of going wrong; the oracle's points and errors must be exactly
//! those of the `parse` iterator, of `Points::next_into` with one reused
//! point, and of a `Stream` whose reads split the input at random places.
//!
//! Points are compared in full (measurement, tags and fields in order,
//! field types and values, floats by their bits, timestamp); errors by
//! their physical line, and by their column only where the dialect pins
//! the column down (see [`Pinned`]).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "common/points.rs"]
mod points;
#[path = "common/split_reader.rs"]
mod split_reader;

use lineproto::{ParseError, ParseOptions, Point, Precision, Stream};
use points::{Parsed as Expected, Value, parsed_of};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use split_reader::SplitReader;

// ---------------------------------------------------------------------------
// The oracle
// ---------------------------------------------------------------------------

/// Whether the dialect pins the column of an error down, so that the
/// crate's column must be the oracle's.
///
/// Only these errors are placed by the docs: a string left open and a
/// string over the length limit are reported at the opening quote. Every
/// other error is compared by its physical line only: the docs say which
/// line is bad, but not at which byte of it a parser notices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pinned {
    Yes,
    No,
}

/// What the oracle found wrong with a line, and where (an offset in the
/// input without its byte-order mark).
#[derive(Clone, Debug)]
struct Fail {
    at: usize,
    what: &'static str,
    pinned: Pinned,
}

fn fail<T>(at: usize, what: &'static str) -> Result<T, Fail> {
    Err(Fail {
        at,
        what,
        pinned: Pinned::No,
    })
}

fn fail_pinned<T>(at: usize, what: &'static str) -> Result<T, Fail> {
    Err(Fail {
        at,
        what,
        pinned: Pinned::Yes,
    })
}

/// One item of the oracle's answer: per line that is neither blank nor a
/// comment, its point or its error.
#[derive(Clone, Debug)]
enum Outcome {
    Point(Expected),
    Error {
        line: usize,
        column: usize,
        pinned: Pinned,
        what: &'static str,
    },
}

/// What the oracle varies of [`ParseOptions`]: the precision, the default
/// time and three of the limits (the line length limit is left at its
/// default of 16 MiB, far beyond the inputs here).
#[derive(Clone, Copy, Debug)]
struct Settings {
    precision: Precision,
    default_time: Option<i64>,
    max_tags: usize,
    max_fields: usize,
    max_string_length: usize,
}

impl Settings {
    fn options(&self) -> ParseOptions {
        let options = ParseOptions::new()
            .with_precision(self.precision)
            .with_max_tags(self.max_tags)
            .with_max_fields(self.max_fields)
            .with_max_string_length(self.max_string_length);
        match self.default_time {
            Some(nanos) => options.with_default_time(nanos),
            None => options,
        }
    }
}

/// The byte at `at`, if the input goes that far.
fn byte(input: &[u8], at: usize) -> Option<u8> {
    input.get(at).copied()
}

/// Whether a line ends at `at`: the end of the input, LF, or CRLF.
fn at_line_end(input: &[u8], at: usize) -> bool {
    match byte(input, at) {
        None | Some(b'\n') => true,
        Some(b'\r') => byte(input, at + 1) == Some(b'\n'),
        Some(_) => false,
    }
}

/// The offset just past the first LF at or after `at`, or the end.
fn after_lf(input: &[u8], mut at: usize) -> usize {
    while let Some(b) = byte(input, at) {
        at += 1;
        if b == b'\n' {
            break;
        }
    }
    at
}

fn is_control(b: u8) -> bool {
    b < 0x20 || b == 0x7F
}

/// The bytes that end a measurement, and that `\` escapes in it.
const MEASUREMENT_ENDS: &[u8] = b", ";
const MEASUREMENT_ESCAPES: &[u8] = b", \\";
/// The bytes that end a tag key or field key, and that `\` escapes in keys
/// and tag values.
const KEY_ENDS: &[u8] = b",= ";
const KEY_ESCAPES: &[u8] = b",= \\";
/// The bytes that end a tag value (`=` is part of it).
const TAG_VALUE_ENDS: &[u8] = b", ";

/// Reads a measurement, key or tag value from `at`: up to an unescaped
/// byte of `ends`, an LF or the end of the input. Returns it unescaped and
/// the offset where it ends.
fn name(input: &[u8], at: usize, ends: &[u8], escapes: &[u8]) -> Result<(String, usize), Fail> {
    let mut bytes = Vec::new();
    let mut p = at;
    loop {
        match byte(input, p) {
            None | Some(b'\n') => break,
            Some(b) if ends.contains(&b) => break,
            Some(b'\\') => match byte(input, p + 1) {
                Some(next) if escapes.contains(&next) => {
                    bytes.push(next);
                    p += 2;
                }
                // A backslash before any other byte is kept; the byte
                // after it is read as usual.
                _ => {
                    bytes.push(b'\\');
                    p += 1;
                }
            },
            Some(b) if is_control(b) => return fail(p, "control character in a name"),
            Some(b) => {
                bytes.push(b);
                p += 1;
            }
        }
    }
    if bytes.is_empty() {
        return fail(p, "empty name");
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok((text, p)),
        Err(_) => fail(at, "invalid UTF-8 in a name"),
    }
}

/// Reads a string field value whose opening quote is at `quote`; returns
/// it and the offset after the closing quote.
fn string_value(input: &[u8], quote: usize, max_length: usize) -> Result<(String, usize), Fail> {
    let mut bytes = Vec::new();
    let mut p = quote + 1;
    loop {
        match byte(input, p) {
            None => return fail_pinned(quote, "string left open"),
            Some(b'\\') => match byte(input, p + 1) {
                Some(next @ (b'"' | b'\\')) => {
                    bytes.push(next);
                    p += 2;
                }
                _ => {
                    bytes.push(b'\\');
                    p += 1;
                }
            },
            Some(b'"') => break,
            // Raw LF, CR and other control characters are text here.
            Some(b) => {
                bytes.push(b);
                p += 1;
            }
        }
    }
    let close = p;
    // A string both too long and not UTF-8 has two errors; the dialect
    // does not say which is reported, and the oracle takes the one at the
    // opening quote (the parser does the same).
    if bytes.len() > max_length {
        return fail_pinned(quote, "string longer than the limit");
    }
    // Escapes are ASCII, so the raw text is UTF-8 exactly when the
    // unescaped text is; the first bad byte is where the problem is.
    let raw = &input[quote + 1..close];
    if let Err(err) = std::str::from_utf8(raw) {
        return fail(quote + 1 + err.valid_up_to(), "invalid UTF-8 in a string");
    }
    let text = String::from_utf8(bytes).expect("checked above");
    Ok((text, close + 1))
}

fn all_digits(text: &[u8]) -> bool {
    !text.is_empty() && text.iter().all(u8::is_ascii_digit)
}

/// Whether `token` is a float as the dialect's table writes it:
/// `-?(digits(.digits?)?|.digits)([eE][+-]?digits)?`.
fn float_syntax(token: &[u8]) -> bool {
    let unsigned = token.strip_prefix(b"-").unwrap_or(token);
    let (mantissa, exponent) = match unsigned.iter().position(|&b| b == b'e' || b == b'E') {
        Some(e) => (&unsigned[..e], Some(&unsigned[e + 1..])),
        None => (unsigned, None),
    };
    let mantissa_ok = match mantissa.iter().position(|&b| b == b'.') {
        // digits "." digits?  or  "." digits
        Some(dot) => {
            let (whole, fraction) = (&mantissa[..dot], &mantissa[dot + 1..]);
            (all_digits(whole) && (fraction.is_empty() || all_digits(fraction)))
                || (whole.is_empty() && all_digits(fraction))
        }
        None => all_digits(mantissa),
    };
    let exponent_ok = match exponent {
        None => true,
        Some(exp) => all_digits(
            exp.strip_prefix(b"+")
                .or(exp.strip_prefix(b"-"))
                .unwrap_or(exp),
        ),
    };
    mantissa_ok && exponent_ok
}

/// The value of a field that is not a string: `token` is all of it, from
/// `at`.
fn plain_value(token: &[u8], at: usize) -> Result<Value, Fail> {
    let text = std::str::from_utf8(token).unwrap_or("\u{fffd}");
    match token.first() {
        None => return fail(at, "empty field value"),
        // The first byte decides: these start booleans.
        Some(b't' | b'T' | b'f' | b'F') => {
            return match text {
                "t" | "T" | "true" | "True" | "TRUE" => Ok(Value::Boolean(true)),
                "f" | "F" | "false" | "False" | "FALSE" => Ok(Value::Boolean(false)),
                _ => fail(at, "not a boolean spelling"),
            };
        }
        Some(_) => {}
    }
    if let Some(body) = token.strip_suffix(b"i") {
        let digits = body.strip_prefix(b"-").unwrap_or(body);
        if !all_digits(digits) {
            return fail(at, "not an integer");
        }
        let body = std::str::from_utf8(body).expect("ASCII");
        return match body.parse::<i64>() {
            Ok(value) => Ok(Value::Integer(value)),
            Err(_) => fail(at, "integer out of range"),
        };
    }
    if let Some(body) = token.strip_suffix(b"u") {
        if !all_digits(body) {
            return fail(at, "not an unsigned integer");
        }
        let body = std::str::from_utf8(body).expect("ASCII");
        return match body.parse::<u64>() {
            Ok(value) => Ok(Value::UInteger(value)),
            Err(_) => fail(at, "unsigned integer out of range"),
        };
    }
    if !float_syntax(token) {
        return fail(at, "not a float");
    }
    let value: f64 = text
        .parse()
        .expect("the float syntax is a subset of Rust's");
    if value.is_infinite() {
        return fail(at, "float overflows to infinity");
    }
    Ok(Value::Float(value.to_bits()))
}

/// Reads a field value from `at`; returns it and the offset after it,
/// where a `,`, a space or the end of the line must follow.
fn field_value(input: &[u8], at: usize, settings: &Settings) -> Result<(Value, usize), Fail> {
    if byte(input, at) == Some(b'"') {
        let (text, after) = string_value(input, at, settings.max_string_length)?;
        if !(at_line_end(input, after) || matches!(byte(input, after), Some(b',' | b' '))) {
            return fail(after, "unescaped quote, or no separator after a string");
        }
        return Ok((Value::String(text), after));
    }
    let mut end = at;
    while !at_line_end(input, end) && !matches!(byte(input, end), Some(b',' | b' ')) {
        end += 1;
    }
    Ok((plain_value(&input[at..end], at)?, end))
}

/// Parses the point of the line starting at `start` (not blank, not a
/// comment); returns it and the offset of the next line.
fn point(input: &[u8], start: usize, settings: &Settings) -> Result<(Expected, usize), Fail> {
    let mut p = start;
    while byte(input, p) == Some(b' ') {
        p += 1;
    }
    // A point may be indented with spaces only.
    if byte(input, p) == Some(b'\t') {
        return fail(p, "tab before the measurement");
    }
    let (measurement, mut p) = name(input, p, MEASUREMENT_ENDS, MEASUREMENT_ESCAPES)?;

    let mut tags: Vec<(String, String)> = Vec::new();
    while byte(input, p) == Some(b',') {
        p += 1;
        if tags.len() == settings.max_tags {
            return fail(p, "too many tags");
        }
        let key_at = p;
        let (key, after_key) = name(input, p, KEY_ENDS, KEY_ESCAPES)?;
        if byte(input, after_key) != Some(b'=') {
            return fail(after_key, "no `=` after a tag key");
        }
        let (value, after_value) = name(input, after_key + 1, TAG_VALUE_ENDS, KEY_ESCAPES)?;
        if tags.iter().any(|(earlier, _)| *earlier == key) {
            return fail(key_at, "tag key twice");
        }
        tags.push((key, value));
        p = after_value;
    }
    // Here stands a space, an LF or the end.
    if byte(input, p) != Some(b' ') {
        return fail(p, "no field set");
    }
    while byte(input, p) == Some(b' ') {
        p += 1;
    }

    let mut fields: Vec<(String, Value)> = Vec::new();
    loop {
        if fields.len() == settings.max_fields {
            return fail(p, "too many fields");
        }
        let (key, after_key) = name(input, p, KEY_ENDS, KEY_ESCAPES)?;
        if byte(input, after_key) != Some(b'=') {
            return fail(after_key, "no `=` after a field key");
        }
        let (value, after_value) = field_value(input, after_key + 1, settings)?;
        fields.push((key, value));
        p = after_value;
        if byte(input, p) == Some(b',') {
            p += 1;
        } else {
            break;
        }
    }

    // Here stands a space or the end of the line.
    while byte(input, p) == Some(b' ') {
        p += 1;
    }
    let mut timestamp = None;
    if !at_line_end(input, p) {
        let token_at = p;
        while !at_line_end(input, p) && byte(input, p) != Some(b' ') {
            p += 1;
        }
        let token = &input[token_at..p];
        let digits = token.strip_prefix(b"-").unwrap_or(token);
        if !all_digits(digits) {
            return fail(token_at, "not a timestamp");
        }
        let Ok(written) = std::str::from_utf8(token).expect("ASCII").parse::<i64>() else {
            return fail(token_at, "timestamp out of range");
        };
        let Some(nanos) = written.checked_mul(settings.precision.nanos_per_unit()) else {
            return fail(token_at, "timestamp overflows when scaled");
        };
        timestamp = Some(nanos);
        while byte(input, p) == Some(b' ') {
            p += 1;
        }
        if !at_line_end(input, p) {
            return fail(p, "something after the timestamp");
        }
    }
    let next_line = match byte(input, p) {
        None => p,
        Some(b'\n') => p + 1,
        _ => p + 2, // CRLF
    };
    let expected = Expected {
        measurement,
        tags,
        fields,
        timestamp: timestamp.or(settings.default_time),
    };
    Ok((expected, next_line))
}

/// The physical line (1-based) and byte column (1-based) of offset `at`.
fn line_and_column(input: &[u8], at: usize) -> (usize, usize) {
    let before = &input[..at];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |lf| lf + 1);
    (line, at - line_start + 1)
}

/// The oracle: what the dialect says `input` holds.
fn oracle(input: &[u8], settings: &Settings) -> Vec<Outcome> {
    // A byte-order mark at the very start is no part of the data; columns
    // of the first line count from after it.
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let mut outcomes = Vec::new();
    let mut start = 0;
    while start < input.len() {
        let mut p = start;
        while matches!(byte(input, p), Some(b' ' | b'\t')) {
            p += 1;
        }
        // Blank and comment lines are skipped (and still counted, since
        // lines are numbered by their offset).
        match byte(input, p) {
            None => break,
            Some(b'\n') => {
                start = p + 1;
                continue;
            }
            Some(b'\r') if byte(input, p + 1) == Some(b'\n') => {
                start = p + 2;
                continue;
            }
            Some(b'#') => {
                start = after_lf(input, p);
                continue;
            }
            Some(_) => {}
        }
        match point(input, start, settings) {
            Ok((expected, next_line)) => {
                outcomes.push(Outcome::Point(expected));
                start = next_line;
            }
            Err(Fail { at, what, pinned }) => {
                let (line, column) = line_and_column(input, at);
                outcomes.push(Outcome::Error {
                    line,
                    column,
                    pinned,
                    what,
                });
                // Parsing goes on after the first LF that follows the
                // error's position.
                start = after_lf(input, at);
            }
        }
    }
    outcomes
}

// ---------------------------------------------------------------------------
// The crate, three ways
// ---------------------------------------------------------------------------

type Results = Vec<Result<Point<'static>, ParseError>>;

fn via_iterator(input: &[u8], options: ParseOptions) -> Results {
    lineproto::parse_with(input, options)
        .map(|result| result.map(Point::into_owned))
        .collect()
}

fn via_next_into(input: &[u8], options: ParseOptions) -> Results {
    let mut points = lineproto::parse_with(input, options);
    let mut point = Point::new();
    let mut results = Vec::new();
    while let Some(result) = points.next_into(&mut point) {
        results.push(result.map(|()| point.clone().into_owned()));
    }
    results
}

/// Through a stream's chunks, half of them read with `Chunk::next_into`.
fn via_stream(input: &[u8], sizes: &[usize], options: ParseOptions) -> Results {
    let reader = SplitReader::new(input, sizes);
    let mut stream = Stream::with_options(reader, options);
    let mut results = Vec::new();
    let mut reuse = false;
    while let Some(mut chunk) = stream.next_chunk().unwrap() {
        if reuse {
            let mut point = Point::new();
            while let Some(result) = chunk.next_into(&mut point) {
                results.push(result.map(|()| point.clone().into_owned()));
            }
        } else {
            results.extend(chunk.map(|result| result.map(Point::into_owned)));
        }
        reuse = !reuse;
    }
    results
}

/// Checks the crate's `results` (from `how`) against the oracle's.
fn compare(how: &str, input: &[u8], expected: &[Outcome], results: &Results) {
    let shown = String::from_utf8_lossy(input);
    assert_eq!(
        results.len(),
        expected.len(),
        "{how}: {} items, the oracle {} in {shown:?}\ncrate:  {results:?}\noracle: {expected:?}",
        results.len(),
        expected.len(),
    );
    for (index, (want, got)) in expected.iter().zip(results).enumerate() {
        match (want, got) {
            (Outcome::Point(want), Ok(point)) => {
                let got = parsed_of(point);
                assert_eq!(&got, want, "{how}: item {index} of {shown:?}");
            }
            (
                Outcome::Error {
                    line,
                    column,
                    pinned,
                    what,
                },
                Err(err),
            ) => {
                assert_eq!(
                    err.line(),
                    *line,
                    "{how}: item {index} of {shown:?}: the oracle's error ({what}) is on line {line}, the crate's: {err}"
                );
                if *pinned == Pinned::Yes {
                    assert_eq!(
                        err.column(),
                        *column,
                        "{how}: item {index} of {shown:?}: the oracle's error ({what}) is at column {column}, the crate's: {err}"
                    );
                }
            }
            (want, got) => panic!(
                "{how}: item {index} of {shown:?}: the oracle expects {want:?}, the crate gives {got:?}"
            ),
        }
    }
}

// ---------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------

fn bytes(text: &'static str) -> BoxedStrategy<Vec<u8>> {
    Just(text.as_bytes().to_vec()).boxed()
}

fn regex(pattern: &'static str) -> BoxedStrategy<Vec<u8>> {
    pattern.prop_map(String::into_bytes).boxed()
}

fn concat(parts: Vec<Vec<u8>>) -> Vec<u8> {
    parts.concat()
}

/// A piece of a measurement, key or tag value: mostly plain text, with
/// every escape, special bytes that are text there, and non-ASCII text.
fn name_piece() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        24 => regex("[a-zA-Z0-9_.-]{1,4}"),
        2 => bytes("é"),
        2 => bytes("日本"),
        2 => bytes("🦀"),
        1 => bytes("\u{feff}"),
        2 => bytes("\\,"),
        2 => bytes("\\ "),
        2 => bytes("\\\\"),
        2 => bytes("\\="),
        1 => bytes("\\a"),
        1 => bytes("\\\""),
        1 => bytes("\""),
        1 => bytes("#"),
    ]
    .boxed()
}

/// A piece that is wrong in a name, or that changes where it ends: a raw
/// `=` (which ends a key but not a tag value), a lone backslash (which
/// escapes what follows), control bytes, a stray CR, invalid UTF-8.
fn odd_name_piece() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        bytes("="),
        bytes("\\"),
        bytes("\t"),
        bytes("\x01"),
        bytes("\x7f"),
        bytes("\r"),
        Just(vec![0xFF]).boxed(),
        Just(vec![0xC3]).boxed(),
    ]
    .boxed()
}

fn name_text() -> BoxedStrategy<Vec<u8>> {
    (
        proptest::collection::vec(name_piece(), 1..4),
        prop_oneof![40 => Just(None), 1 => (odd_name_piece(), any::<usize>()).prop_map(Some)],
    )
        .prop_map(|(mut pieces, odd)| {
            if let Some((piece, at)) = odd {
                pieces.insert(at % (pieces.len() + 1), piece);
            }
            pieces.concat()
        })
        .boxed()
}

/// A piece of a string field value.
fn string_piece() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        12 => regex("[a-zA-Z0-9 ,=#.]{1,5}"),
        2 => bytes("\\\""),
        2 => bytes("\\\\"),
        1 => bytes("\\n"),
        1 => bytes("\\t"),
        2 => bytes("\n"),
        1 => bytes("\r"),
        1 => bytes("\r\n"),
        1 => bytes("\t"),
        1 => bytes("\x00\x1f\x7f"),
        1 => bytes("🦀é"),
        1 => bytes("\u{feff}"),
        1 => bytes("\n# not a comment\n"),
        1 => Just(vec![0xFF]).boxed(),
    ]
    .boxed()
}

fn string_field() -> BoxedStrategy<Vec<u8>> {
    let body = proptest::collection::vec(string_piece(), 0..4).prop_map(concat);
    prop_oneof![
        20 => body.clone().prop_map(|b| [&b"\""[..], &b, b"\""].concat()),
        // Left open: the error is at the opening quote.
        1 => body.clone().prop_map(|b| [&b"\""[..], &b].concat()),
        // An unescaped quote inside.
        1 => (body.clone(), body).prop_map(|(a, b)| [&b"\""[..], &a, b"\"", &b, b"\""].concat()),
        // A backslash that escapes the closing quote.
        1 => bytes("\"ends in a backslash\\\""),
    ]
    .boxed()
}

fn float_field() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        6 => regex("-?[0-9]{1,20}(\\.[0-9]{0,6})?([eE][+-]?[0-9]{1,3})?"),
        2 => regex("-?\\.[0-9]{1,6}([eE][+-]?[0-9]{1,2})?"),
        3 => any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(|x| x.to_string().into_bytes()),
        2 => any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(|x| format!("{x:e}").into_bytes()),
        1 => prop::sample::select(vec![
            "1", "1.", ".5", "-1.5e-3", "1E+10", "-0", "0.0", "1e308", "1.7976931348623157e308",
            "4.9e-324", "1e-400", "-1e-400", "1.e5",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
        // Spellings the dialect refuses.
        1 => prop::sample::select(vec![
            "1e309", "-1e309", "2e308", "+1", "1_0", "0x10", "NaN", "nan", "Inf", "-inf",
            "infinity", "-", ".", "1e", "1e+", "1.2.3", "e5", "-.", ".e5", "1..2", "--1",
            "1-", "1\"", "1e5.0", "١",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
    ]
    .boxed()
}

fn integer_field() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        4 => any::<i64>().prop_map(|x| format!("{x}i").into_bytes()),
        3 => regex("-?[0-9]{1,4}i"),
        1 => prop::sample::select(vec![
            "9223372036854775807i", "-9223372036854775808i", "-0i", "007i",
            "9223372036854775808i", "-9223372036854775809i", "99999999999999999999i",
            "+1i", "1.0i", "i", "-i", "0x1i", "1ii", "1I",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
    ]
    .boxed()
}

fn unsigned_field() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        4 => any::<u64>().prop_map(|x| format!("{x}u").into_bytes()),
        3 => regex("[0-9]{1,4}u"),
        1 => prop::sample::select(vec![
            "18446744073709551615u", "0u", "18446744073709551616u",
            "99999999999999999999999u", "-1u", "-0u", "+1u", "u", "1U", "1.5u",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
    ]
    .boxed()
}

fn boolean_field() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        8 => prop::sample::select(vec![
            "t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE",
        ]),
        1 => prop::sample::select(vec![
            "tRUE", "TRue", "yes", "truee", "t1", "fals", "FALSe", "tr", "falsey", "truE",
        ]),
    ]
    .prop_map(|s| s.as_bytes().to_vec())
    .boxed()
}

fn field_value_text() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        3 => float_field(),
        2 => integer_field(),
        2 => unsigned_field(),
        2 => boolean_field(),
        3 => string_field(),
    ]
    .boxed()
}

/// A field key: often one of two short keys, so keys repeat.
fn field_key() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        2 => bytes("a"),
        1 => bytes("b"),
        4 => name_text(),
    ]
    .boxed()
}

fn timestamp_text() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        3 => regex("-?[0-9]{1,10}"),
        2 => any::<i64>().prop_map(|x| x.to_string().into_bytes()),
        1 => prop::sample::select(vec![
            "9223372036854775807", "-9223372036854775808", "0", "-0", "1641024000",
            "1641024000000000000", "9223372036854775808", "-9223372036854775809",
            "1.5", "-", "12a", "+5", "0x1", "5,6", "1e9", "5\"",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
    ]
    .boxed()
}

/// What a line does wrong on purpose, besides what its pieces do.
#[derive(Clone, Copy, Debug)]
enum Defect {
    None,
    TrailingTagComma,
    TrailingFieldComma,
    NoFields,
    RepeatedTagKey,
    StrayCarriageReturn(usize),
    /// A tab where a space stands: before the field set (0), before the
    /// timestamp (1), or at the end of the line (2).
    Tab(u8),
    NoEquals,
    EmptyTagValue,
}

fn defect() -> BoxedStrategy<Defect> {
    prop_oneof![
        60 => Just(Defect::None),
        1 => Just(Defect::TrailingTagComma),
        1 => Just(Defect::TrailingFieldComma),
        1 => Just(Defect::NoFields),
        2 => Just(Defect::RepeatedTagKey),
        2 => any::<usize>().prop_map(Defect::StrayCarriageReturn),
        2 => (0u8..3).prop_map(Defect::Tab),
        1 => Just(Defect::NoEquals),
        1 => Just(Defect::EmptyTagValue),
    ]
    .boxed()
}

fn spaces() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![6 => bytes(" "), 1 => bytes("  "), 1 => bytes("   ")].boxed()
}

/// A line holding a point, usually a valid one.
fn point_line() -> BoxedStrategy<Vec<u8>> {
    (
        prop_oneof![6 => bytes(""), 1 => bytes(" "), 1 => bytes("   ")],
        name_text(),
        proptest::collection::vec((name_text(), name_text()), 0..4),
        proptest::collection::vec((field_key(), field_value_text()), 1..4),
        prop_oneof![2 => Just(None), 3 => timestamp_text().prop_map(Some)],
        (spaces(), spaces()),
        prop_oneof![4 => bytes(""), 1 => bytes(" "), 1 => bytes("  ")],
        defect(),
    )
        .prop_map(
            |(lead, measurement, tags, fields, timestamp, (sep1, sep2), trail, defect)| {
                let mut line = lead;
                line.extend(&measurement);
                let repeated_key = tags.first().map(|(key, _)| key.clone());
                for (i, (key, value)) in tags.iter().enumerate() {
                    line.push(b',');
                    match (defect, &repeated_key) {
                        (Defect::RepeatedTagKey, Some(first)) if i + 1 == tags.len() && i > 0 => {
                            line.extend(first);
                        }
                        _ => line.extend(key),
                    }
                    line.push(b'=');
                    if !matches!(defect, Defect::EmptyTagValue) || i > 0 {
                        line.extend(value);
                    }
                }
                if matches!(defect, Defect::TrailingTagComma) {
                    line.push(b',');
                }
                if matches!(defect, Defect::NoFields) {
                    line.extend(trail);
                    return line;
                }
                if matches!(defect, Defect::Tab(0)) {
                    line.push(b'\t');
                } else {
                    line.extend(&sep1);
                }
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        line.push(b',');
                    }
                    line.extend(key);
                    if !matches!(defect, Defect::NoEquals) || i > 0 {
                        line.push(b'=');
                    }
                    line.extend(value);
                }
                if matches!(defect, Defect::TrailingFieldComma) {
                    line.push(b',');
                }
                if let Some(timestamp) = timestamp {
                    if matches!(defect, Defect::Tab(1)) {
                        line.push(b'\t');
                    } else {
                        line.extend(&sep2);
                    }
                    line.extend(timestamp);
                }
                line.extend(trail);
                if matches!(defect, Defect::Tab(2)) {
                    line.push(b'\t');
                }
                if let Defect::StrayCarriageReturn(at) = defect {
                    line.insert(at % (line.len() + 1), b'\r');
                }
                line
            },
        )
        .boxed()
}

/// Any line: mostly points, and blank lines, comments and junk.
fn any_line() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        12 => point_line(),
        1 => prop::sample::select(vec!["", " ", "   ", " \t ", "\t"])
            .prop_map(|s| s.as_bytes().to_vec()),
        1 => (
            prop::sample::select(vec!["#", "  #", "\t#", " \t # "]),
            proptest::collection::vec(prop_oneof![name_piece(), odd_name_piece(), string_piece()], 0..4),
        )
            .prop_map(|(lead, rest)| [lead.as_bytes().to_vec(), rest.concat()].concat()),
        1 => proptest::collection::vec(
            prop_oneof![
                regex("[ -~]{1,6}"),
                bytes("\""),
                bytes("\r"),
                bytes("\t"),
                bytes("\\"),
            ],
            0..5,
        )
        .prop_map(concat),
    ]
    .boxed()
}

fn input() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<bool>(),
        proptest::collection::vec(
            (any_line(), prop_oneof![4 => Just(false), 1 => Just(true)]),
            0..8,
        ),
        any::<bool>(),
    )
        .prop_map(|(byte_order_mark, lines, final_line_end)| {
            let mut input = Vec::new();
            if byte_order_mark {
                input.extend(b"\xEF\xBB\xBF");
            }
            let count = lines.len();
            for (i, (line, crlf)) in lines.into_iter().enumerate() {
                input.extend(line);
                if i + 1 < count || final_line_end {
                    input.extend(if crlf { &b"\r\n"[..] } else { b"\n" });
                }
            }
            input
        })
}

fn settings() -> impl Strategy<Value = Settings> {
    (
        prop::sample::select(Precision::ALL.to_vec()),
        prop_oneof![3 => Just(None), 1 => any::<i64>().prop_map(Some)],
        prop_oneof![3 => Just(ParseOptions::DEFAULT_MAX_TAGS), 1 => 0usize..4],
        prop_oneof![3 => Just(ParseOptions::DEFAULT_MAX_FIELDS), 1 => 1usize..4],
        prop_oneof![3 => Just(ParseOptions::DEFAULT_MAX_STRING_LENGTH), 1 => 0usize..12],
    )
        .prop_map(
            |(precision, default_time, max_tags, max_fields, max_string_length)| Settings {
                precision,
                default_time,
                max_tags,
                max_fields,
                max_string_length,
            },
        )
}

/// Settings of the default options: nanoseconds, default limits.
const DEFAULTS: Settings = Settings {
    precision: Precision::Nanoseconds,
    default_time: None,
    max_tags: ParseOptions::DEFAULT_MAX_TAGS,
    max_fields: ParseOptions::DEFAULT_MAX_FIELDS,
    max_string_length: ParseOptions::DEFAULT_MAX_STRING_LENGTH,
};

/// Runs `input` through the oracle and the crate's three ways, and checks
/// that they agree.
fn check(input: &[u8], settings: &Settings, sizes: &[usize]) -> Vec<Outcome> {
    let expected = oracle(input, settings);
    let options = settings.options();
    compare("parse", input, &expected, &via_iterator(input, options));
    compare(
        "next_into",
        input,
        &expected,
        &via_next_into(input, options),
    );
    compare(
        "stream",
        input,
        &expected,
        &via_stream(input, sizes, options),
    );
    expected
}

/// 512 cases; failures are kept in `proptest-regressions/` at the crate
/// root (proptest cannot place them beside a file under `tests/` itself).
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/oracle.txt",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_parser_agrees_with_the_oracle(
        input in input(),
        settings in settings(),
        sizes in proptest::collection::vec(1usize..40, 1..6),
    ) {
        check(&input, &settings, &sizes);
    }

    #[test]
    fn the_parser_agrees_with_the_oracle_under_default_options(
        input in input(),
        sizes in proptest::collection::vec(1usize..40, 1..6),
    ) {
        check(&input, &DEFAULTS, &sizes);
    }
}

// ---------------------------------------------------------------------------
// The oracle itself, on examples the docs give
// ---------------------------------------------------------------------------

#[test]
fn the_oracle_reads_the_documented_examples() {
    let sizes = [3, 1, 7];
    let outcomes = check(
        b"\xEF\xBB\xBF# c\n  home,room=Living\\ Room,k\\=ey=a=b temp=21.1,co=0i,n=3u,ok=T,s=\"a\\\"b\nc\" 1641024000\r\n\n",
        &DEFAULTS,
        &sizes,
    );
    let [Outcome::Point(point)] = &outcomes[..] else {
        panic!("{outcomes:?}");
    };
    assert_eq!(point.measurement, "home");
    assert_eq!(
        point.tags,
        [
            ("room".to_owned(), "Living Room".to_owned()),
            ("k=ey".to_owned(), "a=b".to_owned())
        ]
    );
    assert_eq!(point.fields[4].1, Value::String("a\"b\nc".to_owned()));
    assert_eq!(point.timestamp, Some(1_641_024_000));

    // An unterminated string: the lines it swallowed are parsed again.
    let outcomes = check(b"m s=\"open\nm v=1\n", &DEFAULTS, &sizes);
    assert!(matches!(
        &outcomes[..],
        [
            Outcome::Error {
                line: 1,
                column: 5,
                ..
            },
            Outcome::Point(_)
        ]
    ));
    // Floats as Rust reads them; infinity is an error.
    for (text, ok) in [
        ("1.", true),
        (".5", true),
        ("1.e5", true),
        ("1e309", false),
        ("+1", false),
    ] {
        let outcomes = check(format!("m v={text}").as_bytes(), &DEFAULTS, &sizes);
        assert_eq!(matches!(&outcomes[..], [Outcome::Point(_)]), ok, "{text}");
    }
}

/// Hand-picked corners of the dialect, each through the oracle and the
/// crate's three ways, under the default options and a few others.
#[test]
fn corners_of_the_dialect_agree_with_the_oracle() {
    let inputs: &[&[u8]] = &[
        b"\xEF\xBB\xBF\xEF\xBB\xBFm v=1",
        b"m v=1\n\xEF\xBB\xBFm v=1\n",
        b"\xEF\xBB\xBF s=\"open\n\xEF\xBB\xBF  m s=\"open",
        b"m s=\"a\r\nb\" 1\r\n",
        b"m v=1\r\r\nm v=2\r",
        b"\r\n \r\n\t\r\n \t # c\r\n#\n\t",
        b" \rm v=1\n\r",
        b"m\\\nm\\",
        b"m v=\"\\\\\",w=\"\\\"\nm v=1",
        b"m,a=b,a=b v=1\nm v=1,v=2,v=\"3\"",
        b"m v=1 -9223372036854775808\nm v=1 9223372036854775807\nm v=1 -0",
        b"m  v=1  1  \nm v=1 1 2\nm v=1\t1\nm\tv=1\nm v=1 1\t",
        b"m v=t,w=FALSE,x=True,y=F,z=tRUE",
        b"m v=1e-400,w=-0,x=0.1e1,y=1.5E+3,z=.5,a=1.,b=-.5e-3,c=1.e5",
        b"m v=1e308,w=1e309\nm v=-1e309",
        b"m v=\"\",w=\"\\n\\t\\a\"",
        b"m \x00=1\nm,\x7f=1 v=1\nm,a=\xff v=1\nm,\xc3=1 v=1\nm \xe2\x82=1",
        b"m,a=1\\ v=1\n\\ m v=1\n,m v=1\nm, v=1\nm,a v=1\nm,a= v=1",
        b"m v=1i,w=2u,x=-3i,y=3,z=-9223372036854775808i,u=18446744073709551615u",
        b"m v=-9223372036854775809i\nm v=18446744073709551616u\nm v=-1u\nm v=+1i",
        b"m v=-\nm v=1 0x10\nm v=1,\nm v=1 ,\nm v\nm v=\nm =1",
        b"m s=\"a\"b\"\nm s=\"a\"b\n\" v=1\nm s=\"a\"\"",
        b"m s=\"a\nb\xff\" v=1\nm v=2",
        b"m,t=a=b,\\=k=\\=v,k\\,\\ \\\\=v\\,\\ \\\\ f\\=\\,\\ =1",
        b"m\\=\\,\\ \\\\\\a v=1",
        b"m s=\"\n\",t=\"x\n\"\n",
        b"  m   v=1",
        b"\xF0\x9F\xA6\x80,\xC3\xA9=\xE6\x97\xA5 \xEF\xBB\xBF=\"\xF0\x9F\xA6\x80\"",
    ];
    let others = [
        Settings {
            precision: Precision::Seconds,
            default_time: Some(-5),
            max_tags: 0,
            max_fields: 1,
            max_string_length: 0,
        },
        Settings {
            precision: Precision::Hours,
            default_time: Some(i64::MAX),
            max_tags: 1,
            max_fields: 2,
            max_string_length: 1,
        },
    ];
    for input in inputs {
        for settings in [DEFAULTS, others[0], others[1]] {
            for sizes in [&[1][..], &[2, 5], &[4096]] {
                check(input, &settings, sizes);
            }
        }
    }
}

#[test]
fn about_half_the_generated_lines_are_points() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut points, mut errors) = (0, 0);
    let mut whats = std::collections::BTreeMap::new();
    for _ in 0..200 {
        let input = input().new_tree(&mut runner).unwrap().current();
        for outcome in oracle(&input, &DEFAULTS) {
            match outcome {
                Outcome::Point(_) => points += 1,
                Outcome::Error { what, .. } => {
                    errors += 1;
                    *whats.entry(what).or_insert(0) += 1;
                }
            }
        }
    }
    let share = f64::from(points) / f64::from(points + errors);
    assert!(
        (0.35..0.75).contains(&share),
        "{points} points, {errors} errors: {whats:#?}"
    );
}
