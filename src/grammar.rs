//! The grammar of one line, as nom parsers over the bytes of the input.
//!
//! Each production is a function with the rule it reads in its doc
//! comment. The input of every production is the rest of the buffer, so a
//! string value may run over line breaks and only the grammar decides where
//! a line ends. Line protocol never needs to backtrack: once a production
//! has seen its first byte it commits, and every error is a
//! [`nom::Err::Failure`] that carries the exact place and what was expected
//! there.
//!
//! The productions are nom parsers (they take and return `IResult` with a
//! committed error type of our own), but their bodies are plain loops over
//! the slice: on lines of many short tokens nom's generic `fold_many0` and
//! `take_while` cost more than the scanning itself (replacing them made the
//! TSBS benchmark 1.5 times faster), so stock combinators remain only
//! where speed does not matter.
//!
//! The common shapes of a token have fast paths beside the productions:
//! [`plain_tag`], [`plain_field`] and [`plain_name`] read a tag, field or
//! name with no escape sequence in one pass, straight into the point, and
//! numbers of up to 19 digits are accumulated while they are scanned. A
//! fast path answers only when it is sure and otherwise leaves the token to
//! the production, which also makes every error; property tests check that
//! the two agree wherever the fast path answers.

use std::borrow::Cow;

use nom::character::complete::char;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use crate::error::{Found, ParseErrorKind, ValueProblem, excerpt};
use crate::escape::ByteClasses;
use crate::escape::{Element, is_control, unescape_cow};
use crate::options::Limits;
use crate::point::{Field, FieldValue, Point, duplicate_tag_index};
use crate::precision::Precision;

/// A grammar error: the rest of the input where it was found, and what.
#[derive(Debug)]
pub(crate) struct GrammarError<'a> {
    /// The input from the error's position on; always a suffix of the
    /// buffer being parsed, so its length gives the position.
    pub(crate) at: &'a [u8],
    /// Boxed, so that the `Result`s every production returns stay small.
    pub(crate) kind: Box<ParseErrorKind>,
}

impl<'a> GrammarError<'a> {
    pub(crate) fn new(at: &'a [u8], kind: ParseErrorKind) -> Self {
        GrammarError {
            at,
            kind: Box::new(kind),
        }
    }
}

impl<'a> nom::error::ParseError<&'a [u8]> for GrammarError<'a> {
    fn from_error_kind(input: &'a [u8], _kind: nom::error::ErrorKind) -> Self {
        GrammarError::new(
            input,
            ParseErrorKind::Unexpected {
                found: Found::at(input),
            },
        )
    }

    fn append(_input: &'a [u8], _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

type Parsed<'a, T> = IResult<&'a [u8], T, GrammarError<'a>>;

/// Fails, committed, at `at` with `kind`.
fn fail<T>(at: &[u8], kind: ParseErrorKind) -> Parsed<'_, T> {
    Err(nom::Err::Failure(GrammarError::new(at, kind)))
}

/// `key` quoted in an error message.
fn key_text(key: &str) -> String {
    excerpt(key.as_bytes())
}

/// `spaces = " "*`
pub(crate) fn spaces(input: &[u8]) -> Parsed<'_, &[u8]> {
    let count = input.iter().take_while(|&&byte| byte == b' ').count();
    Ok(split(input, count))
}

/// `line_end = "\n" | "\r\n" | end of input`
///
/// Returns `None` when `input` does not start with a line end.
pub(crate) fn line_end(input: &[u8]) -> Option<&[u8]> {
    match input {
        [] => Some(input),
        [b'\n', rest @ ..] | [b'\r', b'\n', rest @ ..] => Some(rest),
        _ => None,
    }
}

/// `line = measurement ("," tag)* " "+ field ("," field)* (" "+ timestamp)? " "* line_end`
///
/// Fills `point` (which the caller has cleared) and returns the input
/// after the line end, with the number of line feeds inside string values.
/// Leading spaces, blank lines and comments are the caller's.
pub(crate) fn line<'a>(
    input: &'a [u8],
    point: &mut Point<'a>,
    precision: Precision,
    cx: &Context<'a>,
) -> Parsed<'a, usize> {
    let (rest, name) = match plain_name(input, Element::Measurement.classes(), cx) {
        Some((rest, name)) if !name.is_empty() && matches!(rest, [b',' | b' ', ..]) => {
            (rest, Cow::Borrowed(name))
        }
        _ => measurement(input, cx)?,
    };
    point.measurement = name;
    let rest = tag_set(rest, &mut point.entries, cx)?;
    point.tag_count = point.entries.len();

    let (rest, separator) = spaces(rest)?;
    if separator.is_empty() || line_end(rest).is_some() {
        return fail(
            rest,
            ParseErrorKind::ExpectedFieldSet {
                found: Found::at(rest),
            },
        );
    }
    let (rest, newlines) = field_set(rest, &mut point.entries, point.tag_count, cx)?;

    let (rest, _) = spaces(rest)?;
    if let Some(after) = line_end(rest) {
        return Ok((after, newlines));
    }
    let (after_timestamp, written) = match plain_integer(rest) {
        Some((after, value)) if matches!(after, [] | [b' ' | b'\n' | b'\r', ..]) => (after, value),
        _ => timestamp(rest)?,
    };
    let nanos = match precision.to_nanos(written) {
        Ok(nanos) => nanos,
        Err(_) => {
            return fail(
                rest,
                ParseErrorKind::TimestampOverflow {
                    value: written,
                    precision,
                },
            );
        }
    };
    point.timestamp = Some(nanos);
    let (rest, _) = spaces(after_timestamp)?;
    match line_end(rest) {
        Some(after) => Ok((after, newlines)),
        None => fail(
            rest,
            ParseErrorKind::ExpectedEndOfLine {
                found: Found::at(rest),
            },
        ),
    }
}

/// `measurement = name` (non-empty; `,` and space end it, `\` escapes them)
fn measurement<'a>(input: &'a [u8], cx: &Context<'a>) -> Parsed<'a, Cow<'a, str>> {
    let (rest, name) = name(input, Element::Measurement, cx)?;
    if name.is_empty() {
        return fail(
            input,
            ParseErrorKind::ExpectedMeasurement {
                found: Found::at(input),
            },
        );
    }
    Ok((rest, name))
}

/// Appends the entry `make` builds to `entries` by pushing a placeholder
/// and then overwriting it.
///
/// `Vec::push` must keep its argument alive across the call that may grow
/// the list; the compiler keeps it on the stack and copies it into the list
/// in wide loads that stall on the narrow stores that had just written it.
/// On the TSBS benchmark that copy cost a fifth of the parse time. Here the
/// entry is built after the list has grown, straight into place. The
/// placeholder owns nothing, so forgetting it instead of dropping it leaks
/// nothing and spares a check of what it holds.
#[inline(always)]
fn fill_in_place<'a>(entries: &mut Vec<Field<'a>>, make: impl FnOnce() -> Field<'a>) {
    entries.push(Field::EMPTY);
    if let Some(slot) = entries.last_mut() {
        std::mem::forget(std::mem::replace(slot, make()));
    }
}

/// `tag_set = ("," tag)*`, with no key repeated
///
/// Tags without escapes are read by [`plain_tag`]; any other tag, and
/// every error, goes through [`tag`]. A repeated key is reported at the
/// first tag that repeats one.
fn tag_set<'a>(
    input: &'a [u8],
    tags: &mut Vec<Field<'a>>,
    cx: &Context<'a>,
) -> Result<&'a [u8], nom::Err<GrammarError<'a>>> {
    let mut rest = input;
    while let Some(after_comma) = rest.strip_prefix(b",") {
        if tags.len() == cx.limits.max_tags {
            let limit = cx.limits.max_tags;
            return fail(after_comma, ParseErrorKind::TooManyTags { limit }).map(|(rest, ())| rest);
        }
        if let Some((after_tag, key, value)) = plain_tag(after_comma, cx) {
            fill_in_place(tags, || Field {
                key: Cow::Borrowed(key),
                value: FieldValue::String(Cow::Borrowed(value)),
            });
            rest = after_tag;
        } else {
            let (after_tag, tag) = tag(after_comma, cx)?;
            tags.push(tag);
            rest = after_tag;
        }
    }
    // Checking the keys in a loop of their own, once the set is read,
    // measured faster than checking each tag as it is read.
    if let Some(index) = duplicate_tag_index(tags) {
        return Err(duplicate_tag_error(input, index, cx));
    }
    Ok(rest)
}

/// `tag` when neither its key nor its value holds an escape sequence and
/// a `,` or space follows it: the common case, read without building the
/// intermediate values of [`tag`]. `None` leaves the tag to [`tag`].
#[inline(always)]
fn plain_tag<'a>(input: &'a [u8], cx: &Context<'a>) -> Option<(&'a [u8], &'a str, &'a str)> {
    let (after_key, key) = plain_name(input, Element::TagKey.classes(), cx)?;
    let value_start = match after_key {
        [b'=', value_start @ ..] if !key.is_empty() => value_start,
        _ => return None,
    };
    let (rest, value) = plain_name(value_start, Element::TagValue.classes(), cx)?;
    (!value.is_empty() && matches!(rest, [b',' | b' ', ..])).then_some((rest, key, value))
}

/// The error for the tag at `index` of the tag set at `input` repeating
/// an earlier key, placed at that tag's key. Only runs on the error path.
fn duplicate_tag_error<'a>(
    input: &'a [u8],
    index: usize,
    cx: &Context<'a>,
) -> nom::Err<GrammarError<'a>> {
    let mut at = input;
    for _ in 0..index {
        match preceded(char(','), |input| tag(input, cx)).parse(at) {
            Ok((rest, _)) => at = rest,
            Err(err) => return err,
        }
    }
    let key_start = at.get(1..).unwrap_or_default();
    let key = match name(key_start, Element::TagKey, cx) {
        Ok((_, key)) => key_text(&key),
        Err(err) => return err,
    };
    nom::Err::Failure(GrammarError::new(
        key_start,
        ParseErrorKind::DuplicateTagKey { key },
    ))
}

/// `tag = tag_key "=" tag_value`
///
/// Keys end at `,`, `=` and space; values at `,` and space (an unescaped
/// `=` in a value is part of it). Neither may be empty. The tag is returned
/// as a tag entry (see [`Point::tag_entries`]).
#[inline(always)]
fn tag<'a>(input: &'a [u8], cx: &Context<'a>) -> Parsed<'a, Field<'a>> {
    let (rest, key) = name(input, Element::TagKey, cx)?;
    if key.is_empty() {
        return fail(
            input,
            ParseErrorKind::ExpectedTagKey {
                found: Found::at(input),
            },
        );
    }
    let Some(value_start) = rest.strip_prefix(b"=") else {
        return fail(
            rest,
            ParseErrorKind::ExpectedTagEquals {
                key: key_text(&key),
                found: Found::at(rest),
            },
        );
    };
    let (rest, value) = name(value_start, Element::TagValue, cx)?;
    if value.is_empty() {
        return fail(
            value_start,
            ParseErrorKind::ExpectedTagValue {
                key: key_text(&key),
                found: Found::at(value_start),
            },
        );
    }
    Ok((
        rest,
        Field {
            key,
            value: FieldValue::String(value),
        },
    ))
}

/// `field_set = field ("," field)*`
///
/// Returns the number of line feeds inside its string values.
fn field_set<'a>(
    input: &'a [u8],
    entries: &mut Vec<Field<'a>>,
    tag_count: usize,
    cx: &Context<'a>,
) -> Parsed<'a, usize> {
    let mut rest = input;
    let mut newlines = 0;
    loop {
        if let Some((after_field, key, value)) = plain_field(rest, cx) {
            fill_in_place(entries, || Field {
                key: Cow::Borrowed(key),
                value,
            });
            rest = after_field;
        } else {
            let (after_field, (field, more)) = field(rest, cx)?;
            entries.push(field);
            newlines += more;
            rest = after_field;
        }
        let Some(after_comma) = rest.strip_prefix(b",") else {
            return Ok((rest, newlines));
        };
        if entries.len() - tag_count == cx.limits.max_fields {
            return fail(
                after_comma,
                ParseErrorKind::TooManyFields {
                    limit: cx.limits.max_fields,
                },
            );
        }
        rest = after_comma;
    }
}

/// `field` when its key holds no escape sequence and its value is a
/// number of at most 19 digits without exponent, a one-letter boolean, or
/// a one-line string without escapes, followed by `,`, space or `\n`: the
/// common case, read in one pass. `None` leaves the field to [`field`].
#[inline(always)]
fn plain_field<'a>(
    input: &'a [u8],
    cx: &Context<'a>,
) -> Option<(&'a [u8], &'a str, FieldValue<'a>)> {
    let (after_key, key) = plain_name(input, Element::TagKey.classes(), cx)?;
    let value_start = match after_key {
        [b'=', value_start @ ..] if !key.is_empty() => value_start,
        _ => return None,
    };
    let (rest, value) = match value_start.first()? {
        b'"' => plain_string(value_start, cx)?,
        b't' | b'T' | b'f' | b'F' => {
            let len = value_start
                .iter()
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
            let (token, rest) = value_start.split_at_checked(len)?;
            (rest, FieldValue::Boolean(boolean_value(token)?))
        }
        _ => plain_number(value_start)?,
    };
    matches!(rest, [] | [b',' | b' ' | b'\n', ..]).then_some((rest, key, value))
}

/// A string value with no escape sequence, line feed or `\r`, within the
/// length limit; `None` leaves it to [`string_value`].
#[inline(always)]
fn plain_string<'a>(input: &'a [u8], cx: &Context<'a>) -> Option<(&'a [u8], FieldValue<'a>)> {
    let body = input.get(1..)?;
    let classes = Element::StringValue.classes();
    let len = classes.run_length(body);
    let (raw, rest) = body.split_at_checked(len)?;
    let rest = rest.strip_prefix(b"\"")?;
    if len > cx.limits.max_string_length {
        return None;
    }
    Some((rest, FieldValue::String(Cow::Borrowed(cx.utf8(raw)?))))
}

/// A number `-?digit+` followed by `i` or `u`, or `-?digit*.?digit*` as a
/// float, with at most 19 digits and, for floats, a value that one exact
/// IEEE division gives (see [`exact_decimal`]); `None` leaves it to
/// [`number`].
#[inline(always)]
fn plain_number(input: &[u8]) -> Option<(&[u8], FieldValue<'static>)> {
    let (negative, whole, magnitude, rest) = signed_digits(input);
    match rest {
        [b'i', rest @ ..] => Some((
            rest,
            FieldValue::Integer(within_i64(negative, whole, magnitude)?),
        )),
        [b'u', rest @ ..] if !negative && (1..=19).contains(&whole) => {
            Some((rest, FieldValue::UInteger(magnitude)))
        }
        _ => exact_decimal(negative, whole, magnitude, rest)
            .map(|(rest, value)| (rest, FieldValue::Float(value))),
    }
}

/// `-?digit+` with at most 19 digits, within `i64`; `None` leaves it to
/// the general path.
#[inline(always)]
fn plain_integer(input: &[u8]) -> Option<(&[u8], i64)> {
    let (negative, count, magnitude, rest) = signed_digits(input);
    Some((rest, within_i64(negative, count, magnitude)?))
}

/// The sign and the leading digits of a number: whether it starts with
/// `-`, then what [`digits`] reads after it.
#[inline(always)]
fn signed_digits(input: &[u8]) -> (bool, usize, u64, &[u8]) {
    let (negative, unsigned) = match input {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, input),
    };
    let (count, magnitude, rest) = digits(unsigned, 0);
    (negative, count, magnitude, rest)
}

/// `magnitude`, read from `count` digits, with its sign as an `i64`: `None`
/// for no digits, more than 19 (where the magnitude wrapped) or a value
/// out of range.
#[inline(always)]
fn within_i64(negative: bool, count: usize, magnitude: u64) -> Option<i64> {
    if !(1..=19).contains(&count) {
        return None;
    }
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// The float `-?whole(.fraction)?` whose whole part, `whole` digits worth
/// `mantissa`, was read and whose `rest` may go on with a point and the
/// fraction, with the input after it: when there is at least one digit and
/// the decimal mantissa and exponent are small enough for one exact IEEE
/// division (at most 19 digits below 2^53, and 10^22; Clinger's fast
/// path), which covers the values of almost every real line.
#[inline(always)]
fn exact_decimal(negative: bool, whole: usize, mantissa: u64, rest: &[u8]) -> Option<(&[u8], f64)> {
    let (fraction, mantissa, rest) = match rest {
        [b'.', after_point @ ..] => digits(after_point, mantissa),
        _ => (0, mantissa, rest),
    };
    let count = whole + fraction;
    if count == 0 || count > 19 || mantissa > 1 << 53 {
        return None;
    }
    let magnitude = mantissa as f64 / *POWERS_OF_TEN.get(fraction)?;
    Some((rest, if negative { -magnitude } else { magnitude }))
}

/// The decimal digits at the start of `input`, appended to `value`: how
/// many, the value (wrapping, so only meaningful for up to 19 digits in
/// all) and the rest of the input.
#[inline(always)]
fn digits(input: &[u8], mut value: u64) -> (usize, u64, &[u8]) {
    let mut count = 0;
    while let Some(&byte) = input.get(count) {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        value = value.wrapping_mul(10).wrapping_add(u64::from(digit));
        count += 1;
    }
    (count, value, input.get(count..).unwrap_or_default())
}

/// The bytes of `input` up to the first that stops the scan of `classes`,
/// as UTF-8, with the rest of the input; `None` if they are not in the
/// checked stretch of [`Context`].
///
/// This is a name (see [`name`]) only when the caller accepts the byte
/// that follows it, and every caller accepts only delimiters there, never
/// the backslash of an escape or a control byte: those lines fall through
/// to [`name`]. It may be empty.
#[inline(always)]
fn plain_name<'a>(
    input: &'a [u8],
    classes: &ByteClasses,
    cx: &Context<'a>,
) -> Option<(&'a [u8], &'a str)> {
    let len = classes.run_length(input);
    let (raw, rest) = input.split_at_checked(len)?;
    Some((rest, cx.utf8(raw)?))
}

/// `field = field_key "=" field_value`, followed by `,`, space or line end
#[inline(always)]
fn field<'a>(input: &'a [u8], cx: &Context<'a>) -> Parsed<'a, (Field<'a>, usize)> {
    let (rest, key) = name(input, Element::FieldKey, cx)?;
    if key.is_empty() {
        return fail(
            input,
            ParseErrorKind::ExpectedFieldKey {
                found: Found::at(input),
            },
        );
    }
    let Some(value_start) = rest.strip_prefix(b"=") else {
        return fail(
            rest,
            ParseErrorKind::ExpectedFieldEquals {
                key: key_text(&key),
                found: Found::at(rest),
            },
        );
    };
    let (rest, (value, newlines)) = field_value(value_start, &key, cx)?;
    if !matches!(rest, [] | [b',' | b' ' | b'\n', ..] | [b'\r', b'\n', ..]) {
        let kind = match (&value, rest.first()) {
            (FieldValue::String(_), Some(&byte)) if !is_control(byte) => {
                ParseErrorKind::UnescapedQuote {
                    key: key_text(&key),
                }
            }
            _ => ParseErrorKind::ExpectedFieldSeparator {
                key: key_text(&key),
                found: Found::at(rest),
            },
        };
        // An unescaped quote is reported where it stands: the quote that
        // closed the string too early.
        let at = match kind {
            ParseErrorKind::UnescapedQuote { .. } => {
                let quote = value_start.len().saturating_sub(rest.len() + 1);
                value_start.get(quote..).unwrap_or(rest)
            }
            _ => rest,
        };
        return fail(at, kind);
    }
    Ok((rest, (Field { key, value }, newlines)))
}

/// `field_value = string_value | boolean | number`, chosen by the first
/// byte: `"` starts a string, `t`, `T`, `f` or `F` a boolean, anything else
/// a number.
fn field_value<'a>(
    input: &'a [u8],
    key: &str,
    cx: &Context<'a>,
) -> Parsed<'a, (FieldValue<'a>, usize)> {
    match input.first() {
        Some(b'"') => string_value(input, key, cx),
        Some(b't' | b'T' | b'f' | b'F') => {
            boolean(input, key).map(|(rest, value)| (rest, (value, 0)))
        }
        _ => number(input, key).map(|(rest, value)| (rest, (value, 0))),
    }
}

/// `value_token = [0-9A-Za-z.+-]+`: the bytes of a number, boolean or
/// timestamp, read whole before their type is decided.
#[inline(always)]
fn value_token(input: &[u8]) -> Parsed<'_, &[u8]> {
    let count = input
        .iter()
        .take_while(
            |&&byte| matches!(byte, b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'.' | b'+' | b'-'),
        )
        .count();
    Ok(split(input, count))
}

/// `input` split after `count` bytes, as (rest, taken).
#[inline(always)]
fn split(input: &[u8], count: usize) -> (&[u8], &[u8]) {
    let (taken, rest) = input.split_at_checked(count).unwrap_or((input, &[]));
    (rest, taken)
}

/// An [`ParseErrorKind::InvalidFieldValue`] at `input`.
fn invalid_value<'a, T>(
    input: &'a [u8],
    key: &str,
    token: &[u8],
    problem: ValueProblem,
) -> Parsed<'a, T> {
    fail(
        input,
        ParseErrorKind::InvalidFieldValue {
            key: key_text(key),
            value: excerpt(token),
            problem,
        },
    )
}

/// `boolean = "t" | "T" | "true" | "True" | "TRUE" | "f" | "F" | "false" | "False" | "FALSE"`
fn boolean<'a>(input: &'a [u8], key: &str) -> Parsed<'a, FieldValue<'a>> {
    let (rest, token) = value_token(input)?;
    match boolean_value(token) {
        Some(value) => Ok((rest, FieldValue::Boolean(value))),
        None => invalid_value(input, key, token, ValueProblem::NotABoolean),
    }
}

/// The value of a whole boolean token.
#[inline(always)]
fn boolean_value(token: &[u8]) -> Option<bool> {
    match token {
        b"t" | b"T" | b"true" | b"True" | b"TRUE" => Some(true),
        b"f" | b"F" | b"false" | b"False" | b"FALSE" => Some(false),
        _ => None,
    }
}

/// `number = integer "i" | unsigned "u" | float`, decided by the suffix
///
/// `integer = "-"? digit+` (within `i64`), `unsigned = digit+` (within
/// `u64`), `float = "-"? (digit+ ("." digit*)? | "." digit+) ([eE] [+-]? digit+)?`
/// (finite).
#[inline(always)]
fn number<'a>(input: &'a [u8], key: &str) -> Parsed<'a, FieldValue<'a>> {
    let (rest, token) = value_token(input)?;
    if token.is_empty() {
        return fail(
            input,
            ParseErrorKind::ExpectedFieldValue {
                key: key_text(key),
                found: Found::at(input),
            },
        );
    }
    let value = match token.split_last() {
        Some((b'i', digits)) => parse_i64(digits).map(FieldValue::Integer).map_err(|range| {
            range.problem(ValueProblem::NotAnInteger, ValueProblem::IntegerOutOfRange)
        }),
        Some((b'u', digits)) => parse_u64(digits)
            .map(FieldValue::UInteger)
            .map_err(|range| {
                range.problem(
                    ValueProblem::NotAnUnsignedInteger,
                    ValueProblem::UnsignedOutOfRange,
                )
            }),
        _ => parse_float(token).map(FieldValue::Float),
    };
    match value {
        Ok(value) => Ok((rest, value)),
        Err(problem) => invalid_value(input, key, token, problem),
    }
}

/// `string_value = '"' ( '\"' | '\\' | any byte but '"' )* '"'`
///
/// `\"` is `"` and `\\` is `\`; any other backslash is kept. Line feeds and
/// other control characters are part of the string. A string with no
/// closing quote is an error at its opening quote.
fn string_value<'a>(
    input: &'a [u8],
    key: &str,
    cx: &Context<'a>,
) -> Parsed<'a, (FieldValue<'a>, usize)> {
    let body = input.get(1..).unwrap_or_default();
    let classes = Element::StringValue.classes();
    let mut len = 0;
    let mut escapes = 0;
    let mut newlines = 0;
    loop {
        len += body.get(len..).map_or(0, |rest| classes.run_length(rest));
        match body.get(len..) {
            Some([b'"', ..]) => break,
            Some([b'\\', next, ..]) if classes.escapable(*next) => {
                escapes += 1;
                len += 2;
            }
            Some([b'\n', ..]) => {
                newlines += 1;
                len += 1;
            }
            Some([_, ..]) => len += 1,
            _ => {
                return fail(
                    input,
                    ParseErrorKind::UnterminatedString { key: key_text(key) },
                );
            }
        }
    }
    if len - escapes > cx.limits.max_string_length {
        return fail(
            input,
            ParseErrorKind::StringTooLong {
                key: key_text(key),
                limit: cx.limits.max_string_length,
            },
        );
    }
    let (raw, rest) = body.split_at_checked(len).unwrap_or((body, &[]));
    let text = utf8(raw, body, Element::StringValue, cx)?;
    let rest = rest.get(1..).unwrap_or_default();
    Ok((
        rest,
        (
            FieldValue::String(unescape_cow(text, Element::StringValue, escapes > 0)),
            newlines,
        ),
    ))
}

/// `timestamp = "-"? digit+`, within `i64`
fn timestamp(input: &[u8]) -> Parsed<'_, i64> {
    let (rest, token) = value_token(input)?;
    if token.is_empty() {
        return fail(
            input,
            ParseErrorKind::ExpectedTimestamp {
                found: Found::at(input),
            },
        );
    }
    match parse_i64(token) {
        Ok(value) => Ok((rest, value)),
        Err(NumberError::Syntax) => fail(
            input,
            ParseErrorKind::InvalidTimestamp {
                value: excerpt(token),
            },
        ),
        Err(NumberError::Range) => fail(
            input,
            ParseErrorKind::TimestampOutOfRange {
                value: excerpt(token),
            },
        ),
    }
}

/// `name = ( "\" escapable | "\" | byte that does not end the element )*`
///
/// The shared scanner of measurements, tag keys, tag values and field keys.
/// It stops at the first unescaped delimiter of `element` (see
/// [`crate::escape`]) or line end, and rejects control characters and
/// invalid UTF-8. The name borrows the input unless it held an escape.
#[inline(always)]
fn name<'a>(input: &'a [u8], element: Element, cx: &Context<'a>) -> Parsed<'a, Cow<'a, str>> {
    let classes = element.classes();
    let mut len = 0;
    let mut has_escapes = false;
    loop {
        len += input.get(len..).map_or(0, |rest| classes.run_length(rest));
        match input.get(len..) {
            Some([b'\\', next, ..]) if classes.escapable(*next) => {
                has_escapes = true;
                len += 2;
            }
            Some([b'\\', ..]) => len += 1,
            _ => break,
        }
    }
    let (raw, rest) = input.split_at_checked(len).unwrap_or((input, &[]));
    if let Some(&byte) = rest.first() {
        if is_control(byte) && line_end(rest).is_none() {
            return fail(rest, ParseErrorKind::ControlCharacter { element, byte });
        }
    }
    let text = utf8(raw, input, element, cx)?;
    Ok((rest, unescape_cow(text, element, has_escapes)))
}

/// What the productions need besides the input: the limits of a line, and
/// a stretch of the buffer already checked to be UTF-8.
///
/// The parser validates the buffer ahead of the grammar in large blocks,
/// so that turning a token into a `&str` is a bounds check instead of a
/// second validation per token. Tokens outside the stretch (after an
/// invalid byte, or past the end of the block) are validated on their own.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Context<'a> {
    pub(crate) checked_utf8: &'a str,
    pub(crate) limits: Limits,
}

impl<'a> Context<'a> {
    /// `raw` as a `&str`, if it lies inside the checked stretch.
    #[inline(always)]
    fn utf8(&self, raw: &'a [u8]) -> Option<&'a str> {
        // Comparing addresses is safe: `raw` and the stretch both point into
        // the buffer being parsed, and `str::get` checks bounds and character
        // boundaries, so a wrong offset can only give `None`. A token before
        // the stretch wraps to an offset past its end, and an end that wraps
        // comes before the start: both make `get` return `None`.
        let text = self.checked_utf8;
        let offset = (raw.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
        text.get(offset..offset.wrapping_add(raw.len()))
    }
}

/// `raw` (which starts `input`) as UTF-8, or an error at the first bad byte.
#[inline(always)]
fn utf8<'a>(
    raw: &'a [u8],
    input: &'a [u8],
    element: Element,
    cx: &Context<'a>,
) -> Result<&'a str, nom::Err<GrammarError<'a>>> {
    if let Some(text) = cx.utf8(raw) {
        return Ok(text);
    }
    std::str::from_utf8(raw).map_err(|err| {
        nom::Err::Failure(GrammarError::new(
            input.get(err.valid_up_to()..).unwrap_or(input),
            ParseErrorKind::InvalidUtf8 { element },
        ))
    })
}

/// The powers of ten that are exact in an `f64`.
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Why digits did not make an integer.
#[derive(Debug, PartialEq, Eq)]
enum NumberError {
    /// Not of the form `-?[0-9]+` (or `[0-9]+` for unsigned).
    Syntax,
    /// Out of range of the type.
    Range,
}

impl NumberError {
    fn problem(self, syntax: ValueProblem, range: ValueProblem) -> ValueProblem {
        match self {
            NumberError::Syntax => syntax,
            NumberError::Range => range,
        }
    }
}

/// `-?[0-9]+` as an `i64`, with overflow checks.
fn parse_i64(text: &[u8]) -> Result<i64, NumberError> {
    match text {
        [b'-', digits @ ..] => 0i64.checked_sub_unsigned(parse_u64(digits)?),
        digits => i64::try_from(parse_u64(digits)?).ok(),
    }
    .ok_or(NumberError::Range)
}

/// `[0-9]+` as a `u64`, with overflow checks.
fn parse_u64(digits: &[u8]) -> Result<u64, NumberError> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(NumberError::Syntax);
    }
    let digit = |byte: &u8| u64::from(byte - b'0');
    // Nineteen digits are below 10^19 < 2^64: only longer runs can overflow.
    if digits.len() <= 19 {
        return Ok(digits
            .iter()
            .fold(0, |value, byte| value * 10 + digit(byte)));
    }
    digits.iter().try_fold(0u64, |value, byte| {
        value
            .checked_mul(10)
            .and_then(|value| value.checked_add(digit(byte)))
            .ok_or(NumberError::Range)
    })
}

/// A float of the grammar in [`number`], finite.
fn parse_float(token: &[u8]) -> Result<f64, ValueProblem> {
    if let Some(value) = exact_float(token) {
        return Ok(value);
    }
    if !is_float_syntax(token) {
        return Err(ValueProblem::NotANumber);
    }
    // The standard parser is exact, but it saturates huge exponents, which
    // only matters when enough digits can cancel them: long tokens.
    const SHORT_TOKEN: usize = 100;
    let value = if token.len() <= SHORT_TOKEN {
        std::str::from_utf8(token)
            .ok()
            .and_then(|text| text.parse::<f64>().ok())
    } else {
        normalized_decimal(token).parse::<f64>().ok()
    }
    .ok_or(ValueProblem::NotANumber)?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ValueProblem::FloatOutOfRange)
    }
}

/// A float token of valid syntax rewritten as `[-]0.DIGITSeEXP` with at
/// most 801 significant digits and an exponent of a few hundred at most,
/// which the standard library parses exactly.
///
/// The standard parser is exact for any number of digits but saturates
/// large exponents, so `0.000…001e700000` (700,000 digits) would read as
/// zero. Here leading and trailing zeros go into the exponent (computed
/// with saturation), magnitudes far outside `f64` become `0e0` or `1e999`,
/// and digits past the 800th are replaced by a single `1`: every digit
/// past the 767th only decides rounding by being zero or not.
fn normalized_decimal(token: &[u8]) -> String {
    const KEPT_DIGITS: usize = 800;
    let (negative, unsigned) = match token {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, token),
    };
    let split = unsigned
        .iter()
        .position(|&b| matches!(b, b'e' | b'E'))
        .unwrap_or(unsigned.len());
    let (mantissa, exponent) = unsigned.split_at_checked(split).unwrap_or((unsigned, &[]));
    let exponent = exponent.get(1..).unwrap_or_default();
    let (exponent_negative, exponent_digits) = match exponent {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        rest => (false, rest),
    };
    let exponent = exponent_digits.iter().fold(0i64, |value, &d| {
        value.saturating_mul(10).saturating_add(i64::from(d - b'0'))
    });
    let exponent = if exponent_negative {
        -exponent
    } else {
        exponent
    };

    let whole = mantissa.iter().take_while(|&&b| b != b'.').count();
    let digits: Vec<u8> = mantissa
        .iter()
        .copied()
        .filter(u8::is_ascii_digit)
        .collect();
    let leading_zeros = digits.iter().take_while(|&&d| d == b'0').count();
    let significant = digits.get(leading_zeros..).unwrap_or_default();
    let trailing_zeros = significant.iter().rev().take_while(|&&d| d == b'0').count();
    let significant = significant
        .get(..significant.len() - trailing_zeros)
        .unwrap_or_default();

    let sign = if negative { "-" } else { "" };
    if significant.is_empty() {
        return format!("{sign}0");
    }
    // value = 0.SIGNIFICANT × 10^scale
    let scale = exponent
        .saturating_add(whole as i64)
        .saturating_sub(leading_zeros as i64);
    if scale > 400 {
        return format!("{sign}1e999");
    }
    if scale < -400 {
        return format!("{sign}0");
    }
    let mut text = format!("{sign}0.");
    match significant.get(..KEPT_DIGITS) {
        Some(kept) if significant.len() > KEPT_DIGITS => {
            text.push_str(&String::from_utf8_lossy(kept));
            text.push('1');
        }
        _ => text.push_str(&String::from_utf8_lossy(significant)),
    }
    text.push_str(&format!("e{scale}"));
    text
}

/// The float of `token` when it is valid and [`exact_decimal`] can read
/// all of it; `None` leaves the token to the general path.
fn exact_float(token: &[u8]) -> Option<f64> {
    let (negative, whole, mantissa, rest) = signed_digits(token);
    match exact_decimal(negative, whole, mantissa, rest)? {
        ([], value) => Some(value),
        _ => None,
    }
}

/// `"-"? (digit+ ("." digit*)? | "." digit+) ([eE] [+-]? digit+)?`
fn is_float_syntax(token: &[u8]) -> bool {
    fn digits(bytes: &[u8]) -> (usize, &[u8]) {
        let count = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        (count, bytes.get(count..).unwrap_or_default())
    }
    let unsigned = token.strip_prefix(b"-").unwrap_or(token);
    let (whole, rest) = digits(unsigned);
    let (fraction, rest) = match rest.strip_prefix(b".") {
        Some(after_point) => digits(after_point),
        None => (0, rest),
    };
    if whole + fraction == 0 {
        return false;
    }
    match rest {
        [] => true,
        [b'e' | b'E', exponent @ ..] => {
            let exponent = exponent
                .strip_prefix(b"+")
                .or_else(|| exponent.strip_prefix(b"-"))
                .unwrap_or(exponent);
            let (count, rest) = digits(exponent);
            count > 0 && rest.is_empty()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exact_float_path_agrees_with_the_standard_library() {
        let cases = [
            "0",
            "-0",
            "1",
            "1.",
            ".5",
            "-.5",
            "21.1",
            "35.9",
            "-1.5",
            "0.1",
            "0.000001",
            "123456789012345678",
            "9007199254740992",
            "9007199254740993",
            "1.7976931348623157",
            "0.0000000000000000000001",
            "99999999999999.99999",
        ];
        for case in cases {
            let expected: f64 = case.parse().unwrap();
            let fast = exact_float(case.as_bytes());
            if let Some(fast) = fast {
                assert_eq!(fast.to_bits(), expected.to_bits(), "{case}");
            }
            assert_eq!(
                parse_float(case.as_bytes()).unwrap().to_bits(),
                expected.to_bits(),
                "{case}"
            );
        }
        for invalid in ["", "-", ".", "1.2.3", "1e5", "1x", "--1", "+1"] {
            assert_eq!(exact_float(invalid.as_bytes()), None, "{invalid}");
        }
    }

    #[test]
    fn huge_decimals_are_normalized_before_the_standard_parser() {
        let cases: [(String, f64); 7] = [
            (format!("0.{}1e700000", "0".repeat(699_999)), 1.0),
            (format!("1{}e-700000", "0".repeat(699_999)), 0.1),
            (format!("-{}5e-3", "0".repeat(1000)), -0.005),
            ("1e99999999999999999999".to_owned(), f64::INFINITY),
            ("1e-99999999999999999999".to_owned(), 0.0),
            ("123.456e2".to_owned(), 12345.6),
            (format!("1.{}1", "0".repeat(2000)), 1.0),
        ];
        for (token, expected) in cases {
            let parsed: f64 = normalized_decimal(token.as_bytes()).parse().unwrap();
            assert_eq!(parsed.to_bits(), expected.to_bits(), "{}", token.len());
        }
        assert_eq!(parse_float(b"1e400"), Err(ValueProblem::FloatOutOfRange));
        assert_eq!(
            parse_float(b"-0e5").map(f64::to_bits),
            Ok((-0.0f64).to_bits())
        );
    }

    proptest::proptest! {
        #[test]
        fn normalizing_keeps_every_ordinary_float(bits in proptest::prelude::any::<u64>()) {
            let value = f64::from_bits(bits);
            proptest::prop_assume!(value.is_finite());
            for text in [format!("{value:e}"), format!("{value:?}")] {
                let parsed: f64 = normalized_decimal(text.as_bytes()).parse().unwrap();
                proptest::prop_assert_eq!(parsed.to_bits(), bits, "{}", text);
            }
        }
    }

    #[test]
    fn float_syntax_accepts_the_dialect_and_nothing_else() {
        for good in [
            "1", "1.", ".5", "-1.5e-3", "1.e5", "1E+10", "-0", "007", "1e0",
        ] {
            assert!(is_float_syntax(good.as_bytes()), "{good}");
        }
        for bad in [
            "", "-", ".", "+1", "1e", "1e+", "e5", ".e5", "1.2.3", "0x10", "1_0", "inf", "NaN",
            "--1", "1..2",
        ] {
            assert!(!is_float_syntax(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn integers_cover_the_whole_range_and_no_more() {
        assert_eq!(parse_i64(b"-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775807"), Ok(i64::MAX));
        assert_eq!(parse_i64(b"9223372036854775808"), Err(NumberError::Range));
        assert_eq!(parse_i64(b"-9223372036854775809"), Err(NumberError::Range));
        assert_eq!(parse_i64(b"-"), Err(NumberError::Syntax));
        assert_eq!(parse_i64(b"+1"), Err(NumberError::Syntax));
        assert_eq!(parse_u64(b"18446744073709551615"), Ok(u64::MAX));
        assert_eq!(parse_u64(b"18446744073709551616"), Err(NumberError::Range));
        assert_eq!(parse_u64(b"-1"), Err(NumberError::Syntax));
    }

    /// A context whose checked stretch is all of `input`.
    fn checked(input: &str) -> Context<'_> {
        Context {
            checked_utf8: input,
            limits: Limits::default(),
        }
    }

    /// Whether the fast path of a field and the general one agree on
    /// `input`; `Some(true)` when the fast path took it.
    fn plain_field_agrees(input: &str) -> Option<bool> {
        let cx = &checked(input);
        let bytes = input.as_bytes();
        let Some((rest, key, value)) = plain_field(bytes, cx) else {
            return Some(false);
        };
        let (general_rest, (field, newlines)) = field(bytes, cx).ok()?;
        let same = rest == general_rest
            && newlines == 0
            && field.key == key
            && format!("{:?}", field.value) == format!("{value:?}");
        same.then_some(true)
    }

    #[test]
    fn the_plain_paths_take_the_common_values() {
        for case in [
            "usage=58i,",
            "t=-9223372036854775808i ",
            "u=9999999999999999999u\n",
            "f=21.1",
            "f=-0",
            "f=.5 ",
            "f=1.",
            "b=t,",
            "b=FALSE ",
            "s=\"a b=c\",",
            "s=\"\"",
            "f=9007199254740992 ",
        ] {
            assert_eq!(plain_field_agrees(case), Some(true), "{case}");
        }
        for case in [
            "i=9223372036854775808i",
            "f=1e5",
            "f=9007199254740993",
            "s=\"a\\\"b\"",
            "s=\"two\nlines\"",
            "k\\ ey=1",
            "b=yes",
            "f=1.5.3",
            "f=+1",
            "f=1\r\n",
            "f=12345678901234567890",
            "b=tru",
            "u=18446744073709551615u",
        ] {
            assert_eq!(plain_field_agrees(case), Some(false), "{case}");
        }
        let cx = &checked("host=a\\ b,");
        assert_eq!(plain_tag(b"host=a\\ b,", cx), None);
        let cx = &checked("host=server-01 ");
        assert_eq!(
            plain_tag(b"host=server-01 ", cx),
            Some((&b" "[..], "host", "server-01"))
        );
    }

    proptest::proptest! {
        #[test]
        fn plain_fields_agree_with_the_general_grammar(
            input in "[a-z,= \\\\]{0,3}=[-0-9.eiu\"tTfFalsr\\\\ ,=\n\r]{0,10}"
        ) {
            proptest::prop_assert!(plain_field_agrees(&input).is_some(), "{:?}", input);
        }

        #[test]
        fn plain_tags_and_names_agree_with_the_general_grammar(
            input in "[a-z,= \\\\\n\r\t]{0,6}=[a-z,= \\\\\n\r\t]{0,6}"
        ) {
            let cx = &checked(&input);
            let bytes = input.as_bytes();
            if let Some((rest, key, value)) = plain_tag(bytes, cx) {
                let (general_rest, tag) = tag(bytes, cx).unwrap();
                proptest::prop_assert_eq!(general_rest, rest);
                proptest::prop_assert_eq!((tag.key(), tag.value().as_str()), (key, Some(value)));
            }
            if let Some((rest, name)) = plain_name(bytes, Element::Measurement.classes(), cx) {
                if !name.is_empty() && matches!(rest, [b',' | b' ', ..]) {
                    let (general_rest, general) = measurement(bytes, cx).unwrap();
                    proptest::prop_assert_eq!(general_rest, rest);
                    proptest::prop_assert_eq!(&*general, name);
                }
            }
        }

        #[test]
        fn plain_timestamps_agree_with_the_general_grammar(input in "-?[0-9]{0,21}[ \na]?") {
            if let Some((rest, value)) = plain_integer(input.as_bytes()) {
                if matches!(rest, [] | [b' ' | b'\n' | b'\r', ..]) {
                    proptest::prop_assert_eq!(timestamp(input.as_bytes()).unwrap(), (rest, value));
                }
            }
        }
    }

    #[test]
    fn names_borrow_unless_escaped() {
        let cx = &Context::default();
        let (rest, plain) = name(b"plain rest", Element::Measurement, cx).unwrap();
        assert!(matches!(plain, Cow::Borrowed("plain")));
        assert_eq!(rest, b" rest");
        let (_, escaped) = name(br"with\ space rest", Element::Measurement, cx).unwrap();
        assert!(matches!(escaped, Cow::Owned(ref s) if s == "with space"));
    }
}
