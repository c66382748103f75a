//! The grammar of one line, as nom parsers over the bytes of the input.
//!
//! Each production of line protocol is one function here, with the rule it
//! reads in its doc comment, and every one has nom's shape: it takes the
//! rest of the input and returns an [`IResult`] whose error is the crate's
//! own [`GrammarError`]. The input of every production is the rest of the
//! buffer, so a string value may run over line breaks and only the grammar
//! decides where a line ends. Line protocol never needs to backtrack: once
//! a production has seen its first byte it commits, and every error it
//! makes is a [`nom::Err::Failure`] that carries the exact place and what
//! was expected there. Only [`line_end`] answers with a recoverable
//! [`nom::Err::Error`], for callers that ask whether a line ends here.
//!
//! # How the work is divided
//!
//! The productions decide; the primitives they call do the byte work:
//!
//! - the token scanner ([`crate::scan`]) finds the bytes that end or
//!   interrupt a name or string: for names, from a stop index of 64 bytes
//!   of the line at a time, which each scan that starts inside it answers
//!   by a shift and a bit count; for strings, their closing quote, escapes
//!   and line feeds from the same kind of bit masks; elsewhere
//!   ([`ByteClasses::run_length`]) 16 bytes at a time;
//! - the number reader ([`crate::number`]) reads a numeral once, up to
//!   eight digits per step, and gives its value by type;
//! - the unescaper ([`unescape_into`]) writes a token without its escapes
//!   into a string the point keeps for reuse, only for tokens the scanner
//!   saw an escape in: long ones packed 16 bytes at a time, short ones run
//!   by run;
//! - UTF-8 is checked ahead of the grammar in large blocks (see
//!   [`Settings`]), so a token becomes a `&str` by a bounds check; a
//!   short ASCII token, by one masked load.
//!
//! Names and strings come out of [`name`] and [`string_value`] as
//! [`Text`]: the raw token and whether it holds escapes. The tag and field
//! productions store what they read in the point: its text borrowed from
//! the input, or unescaped into reused storage.
//!
//! Loops over repeated elements (the tag set, the field set) are written
//! as plain loops of the same shape as nom's `fold_many0`: on lines of many
//! short tokens the generic combinator cost more than the scanning itself.
//! Stock combinators remain where they measure as free.

use std::borrow::Cow;

use nom::character::complete::char;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use crate::bounds;
#[cfg(doc)]
use crate::classes::ByteClasses;
use crate::classes::is_control;
use crate::error::{Element, Found, ParseErrorKind, ValueProblem, excerpt};
use crate::escape::unescape_into;
use crate::number::{NumberError, numeral};
use crate::options::Limits;
use crate::point::{Entry, EntryValue, Point, Span};
use crate::precision::Precision;
use crate::repeated::repeated_key_index;
use crate::scan::{self, NameStops, StopIndex, Stops, StringBody, ascii_prefix};

/// A grammar error: where it was found (by the length of the input that
/// remains there), and what.
///
/// A single pointer: every production returns it inside the same
/// `Result` as its value, and an error that shares no bytes of note with
/// the value lets the compiler keep the value in registers. (A wider error
/// made the value pass through memory in narrow stores and wide loads that
/// stalled on them, costing a third of the parse time of short tokens.)
#[derive(Debug)]
pub(crate) struct GrammarError(Option<Box<Located>>);

/// A grammar error's place and kind.
#[derive(Debug)]
struct Located {
    /// How many bytes of the buffer being parsed remain from the error's
    /// position on: the length of the input where it was found.
    remaining: usize,
    kind: ParseErrorKind,
}

impl GrammarError {
    fn new(at: &[u8], kind: ParseErrorKind) -> Self {
        GrammarError(Some(Box::new(Located {
            remaining: at.len(),
            kind,
        })))
    }

    /// How many bytes remain from the error's position on, if it has one:
    /// nom's own errors, which only say that a parser did not match, have
    /// none (and never leave the grammar).
    pub(crate) fn remaining(&self) -> Option<usize> {
        self.0.as_ref().map(|located| located.remaining)
    }

    /// What was wrong, given `at`, the input at the error's position: for
    /// nom's own errors, the byte found there.
    pub(crate) fn into_kind(self, at: &[u8]) -> ParseErrorKind {
        match self.0 {
            Some(located) => located.kind,
            None => ParseErrorKind::Unexpected {
                found: Found::at(at),
            },
        }
    }

    /// Whether the error is a string left open, which more input may close.
    pub(crate) fn is_unterminated_string(&self) -> bool {
        matches!(
            self.0.as_deref(),
            Some(Located {
                kind: ParseErrorKind::UnterminatedString { .. },
                ..
            })
        )
    }
}

impl nom::error::ParseError<&[u8]> for GrammarError {
    fn from_error_kind(_input: &[u8], _kind: nom::error::ErrorKind) -> Self {
        GrammarError(None)
    }

    fn append(_input: &[u8], _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

/// What every production returns.
pub(crate) type Parsed<'a, T> = IResult<&'a [u8], T, GrammarError>;

/// Fails, committed, at `at` with the error `kind` makes.
///
/// Errors are made out of line: kept out of the productions, their
/// messages do not crowd the code of the paths that succeed.
#[cold]
#[inline(never)]
fn fail<T>(at: &[u8], kind: impl FnOnce() -> ParseErrorKind) -> Parsed<'_, T> {
    Err(nom::Err::Failure(GrammarError::new(at, kind())))
}

/// `key`, a key of `element`, quoted in an error message.
fn key_text(key: Text<'_>, element: Element) -> String {
    excerpt(key.unescaped(element).as_bytes())
}

/// The key of `element` at the start of `input` (a tag or field), read
/// again for an error message.
#[cold]
fn key_text_at(input: &[u8], element: Element) -> String {
    match name(input, element, &Context::default()) {
        Ok((_, key)) => key_text(key, element),
        Err(_) => String::new(),
    }
}

/// A name or string value as it stands in the input: its text, with any
/// escape sequences still in it, and whether it has any.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Text<'a> {
    raw: &'a str,
    /// Whether there are escapes: a whole word rather than a `bool`, which
    /// spares the padding copies of a smaller field when a production
    /// returns a text.
    escaped: usize,
}

impl<'a> Text<'a> {
    fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The text without its escapes: the input itself when it has none,
    /// otherwise unescaped onto the end of `text`, the point's own text.
    #[inline(always)]
    fn store(self, element: Element, text: &mut String) -> Span<'a> {
        if self.escaped != 0 {
            let start = text.len();
            unescape_into(self.raw, element, text);
            Span::Kept {
                start,
                end: text.len(),
            }
        } else {
            Span::Input(self.raw)
        }
    }

    /// The text without its escapes, for messages.
    fn unescaped(self, element: Element) -> Cow<'a, str> {
        if self.escaped != 0 {
            let mut text = String::new();
            unescape_into(self.raw, element, &mut text);
            Cow::Owned(text)
        } else {
            Cow::Borrowed(self.raw)
        }
    }
}

/// `spaces = " "*`
pub(crate) fn spaces(input: &[u8]) -> Parsed<'_, &[u8]> {
    let count = input.iter().take_while(|&&byte| byte == b' ').count();
    Ok(split(input, count))
}

/// `line_end = "\n" | "\r\n" | end of input`
///
/// Fails with a recoverable [`nom::Err::Error`] when `input` does not start
/// with a line end.
pub(crate) fn line_end(input: &[u8]) -> Parsed<'_, ()> {
    match input {
        [] => Ok((input, ())),
        [b'\n', rest @ ..] | [b'\r', b'\n', rest @ ..] => Ok((rest, ())),
        _ => Err(nom::Err::Error(GrammarError(None))),
    }
}

/// `line = measurement tag_set " "+ field_set (" "+ timestamp)? " "* line_end`
///
/// Fills `point` (which the caller has cleared) and returns the input
/// after the line end, with the number of line feeds inside string values.
/// Leading spaces, blank lines and comments are the caller's.
pub(crate) fn line<'a>(
    input: &'a [u8],
    point: &mut Point<'a>,
    precision: Precision,
    settings: &Settings<'a>,
) -> Parsed<'a, usize> {
    let cx = &Context::new(settings);
    let (rest, name) = measurement(input, cx)?;
    point.set_measurement_with(|text| name.store(Element::Measurement, text));
    let (entries, text) = point.line_lists();
    let (rest, ()) = tag_set(rest, entries, text, cx)?;
    let series = input.get(..input.len().saturating_sub(rest.len()));
    let tag_count = entries.len();
    let (rest, ()) = field_set_separator(rest)?;
    let (rest, newlines) = field_set(rest, entries, tag_count, text, cx)?;
    point.set_tag_count(tag_count);
    point.set_series(series.unwrap_or_default());
    let (rest, _) = spaces(rest)?;
    if let Ok((after, ())) = line_end(rest) {
        return Ok((after, newlines));
    }
    let (after_timestamp, written) = timestamp(rest)?;
    let nanos = match precision.to_nanos(written) {
        Ok(nanos) => nanos,
        Err(_) => {
            return fail(rest, move || ParseErrorKind::TimestampOverflow {
                value: written,
                precision,
            });
        }
    };
    point.set_timestamp(Some(nanos));
    let (rest, _) = spaces(after_timestamp)?;
    match line_end(rest) {
        Ok((after, ())) => Ok((after, newlines)),
        Err(_) => fail(rest, move || ParseErrorKind::ExpectedEndOfLine {
            found: Found::at(rest),
        }),
    }
}

/// `measurement = name` (non-empty; `,` and space end it, `\` escapes them)
#[inline(always)]
fn measurement<'a>(input: &'a [u8], cx: &Context<'a>) -> Parsed<'a, Text<'a>> {
    let (rest, name) = name(input, Element::Measurement, cx)?;
    if name.is_empty() {
        return fail(input, move || ParseErrorKind::ExpectedMeasurement {
            found: Found::at(input),
        });
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
/// entry is built after the list has grown, straight into place.
#[inline(always)]
fn fill_in_place<'a>(entries: &mut Vec<Entry<'a>>, make: impl FnOnce() -> Entry<'a>) {
    entries.push(Entry::EMPTY);
    if let Some(slot) = entries.last_mut() {
        *slot = make();
    }
}

/// `tag_set = ("," tag)*`, with no key repeated
///
/// Stores each tag in `tags` (see [`Point::tag_entries`]). A repeated key
/// is reported at the first tag that repeats one.
fn tag_set<'a>(
    input: &'a [u8],
    tags: &mut Vec<Entry<'a>>,
    text: &mut String,
    cx: &Context<'a>,
) -> Parsed<'a, ()> {
    let mut rest = input;
    while let [b',', after_comma @ ..] = rest {
        if tags.len() == cx.settings.limits.max_tags {
            let limit = cx.settings.limits.max_tags;
            return fail(after_comma, move || ParseErrorKind::TooManyTags { limit });
        }
        let (after_tag, ()) = tag(after_comma, tags, text, cx)?;
        rest = after_tag;
    }
    // Checking the keys in a loop of their own, once the set is read,
    // measured faster than checking each tag as it is read.
    if tags.len() < 2 {
        return Ok((rest, ()));
    }
    if let Some(index) = repeated_key_index(tags, text) {
        return Err(duplicate_tag_error(input, index, cx));
    }
    Ok((rest, ()))
}

/// The error for the tag at `index` of the tag set at `input` repeating
/// an earlier key, placed at that tag's key. Only runs on the error path.
#[cold]
fn duplicate_tag_error<'a>(
    input: &'a [u8],
    index: usize,
    cx: &Context<'a>,
) -> nom::Err<GrammarError> {
    let mut at = input;
    let (mut tags, mut text) = (Vec::new(), String::new());
    for _ in 0..index {
        match preceded(char(','), |input| tag(input, &mut tags, &mut text, cx)).parse(at) {
            Ok((rest, _)) => at = rest,
            Err(err) => return err,
        }
    }
    let key_start = at.get(1..).unwrap_or_default();
    let key = match name(key_start, Element::TagKey, cx) {
        Ok((_, key)) => key_text(key, Element::TagKey),
        Err(err) => return err,
    };
    nom::Err::Failure(GrammarError::new(
        key_start,
        ParseErrorKind::DuplicateTagKey { key },
    ))
}

/// `tag = tag_key "=" tag_value` (see [`key`])
///
/// Keys end at `,`, `=` and space; values at `,` and space (an unescaped
/// `=` in a value is part of it). Neither may be empty. Stores the tag at
/// the end of `tags` (see [`Point::tag_entries`]).
#[inline(always)]
fn tag<'a>(
    input: &'a [u8],
    tags: &mut Vec<Entry<'a>>,
    text: &mut String,
    cx: &Context<'a>,
) -> Parsed<'a, ()> {
    let (value_start, key) = key(input, Element::TagKey, cx)?;
    // The key is stored before the value is read, so that it need not be
    // kept while the value is.
    fill_in_place(tags, || Entry {
        key: key.store(Element::TagKey, text),
        value: EntryValue::Boolean(false),
    });
    let (rest, value) = name(value_start, Element::TagValue, cx)?;
    if value.is_empty() {
        return fail(value_start, move || ParseErrorKind::ExpectedTagValue {
            key: key_text_at(input, Element::TagKey),
            found: Found::at(value_start),
        });
    }
    set_value(
        tags,
        EntryValue::String(value.store(Element::TagValue, text)),
    );
    Ok((rest, ()))
}

/// `tag_key "="` or `field_key "="`: a non-empty name of `element` (`,`,
/// `=` and space end it) and the `=` after it.
#[inline(always)]
fn key<'a>(input: &'a [u8], element: Element, cx: &Context<'a>) -> Parsed<'a, Text<'a>> {
    let (rest, key) = name(input, element, cx)?;
    if key.is_empty() {
        return fail(input, move || {
            let found = Found::at(input);
            match element {
                Element::TagKey => ParseErrorKind::ExpectedTagKey { found },
                _ => ParseErrorKind::ExpectedFieldKey { found },
            }
        });
    }
    let [b'=', value_start @ ..] = rest else {
        return fail(rest, move || {
            let (key, found) = (key_text(key, element), Found::at(rest));
            match element {
                Element::TagKey => ParseErrorKind::ExpectedTagEquals { key, found },
                _ => ParseErrorKind::ExpectedFieldEquals { key, found },
            }
        });
    };
    Ok((value_start, key))
}

/// Sets the value of the last entry.
#[inline(always)]
fn set_value<'a>(entries: &mut [Entry<'a>], value: EntryValue<'a>) {
    if let Some(last) = entries.last_mut() {
        last.value = value;
    }
}

/// `" "+`, not followed by a line end: what separates the tag set from
/// the field set.
#[inline(always)]
fn field_set_separator(input: &[u8]) -> Parsed<'_, ()> {
    let (rest, separator) = spaces(input)?;
    if separator.is_empty() || line_end(rest).is_ok() {
        return fail(rest, move || ParseErrorKind::ExpectedFieldSet {
            found: Found::at(rest),
        });
    }
    Ok((rest, ()))
}

/// `field_set = field ("," field)*`
///
/// Stores each field in `entries`, after the `tag_count` tags there, and
/// returns the number of line feeds inside its string values.
fn field_set<'a>(
    input: &'a [u8],
    entries: &mut Vec<Entry<'a>>,
    tag_count: usize,
    text: &mut String,
    cx: &Context<'a>,
) -> Parsed<'a, usize> {
    let mut rest = input;
    let mut newlines = 0;
    loop {
        let (after_field, lines) = field(rest, entries, text, cx)?;
        newlines += lines;
        let [b',', after_comma @ ..] = after_field else {
            return Ok((after_field, newlines));
        };
        if entries.len() - tag_count == cx.settings.limits.max_fields {
            return fail(after_comma, move || ParseErrorKind::TooManyFields {
                limit: cx.settings.limits.max_fields,
            });
        }
        rest = after_comma;
    }
}

/// A field value as the grammar reads it: its type, the bits of a number
/// or boolean, or the text of a string and the number of line feeds in it.
///
/// Every field is a whole word and it owns nothing: productions return it
/// through memory, and an enum of narrow fields was copied there in narrow
/// stores that wide loads then waited on (a third of the TSBS parse time);
/// an [`EntryValue`] is narrower still.
#[derive(Clone, Copy, Debug)]
struct Value<'a> {
    kind: ValueKind,
    /// The `f64`, `i64` or `u64` bits of a number, or 0 or 1.
    bits: u64,
    /// The text of a string; `None`, all zeros, for the other types.
    text: Option<Text<'a>>,
    newlines: usize,
}

/// The type of a [`Value`], a whole word wide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
enum ValueKind {
    Float,
    Integer,
    UInteger,
    Boolean,
    String,
}

impl<'a> Value<'a> {
    #[inline(always)]
    fn scalar(kind: ValueKind, bits: u64) -> Self {
        Value {
            kind,
            bits,
            text: None,
            newlines: 0,
        }
    }

    #[inline(always)]
    fn float(value: f64) -> Self {
        Value::scalar(ValueKind::Float, value.to_bits())
    }

    #[inline(always)]
    fn integer(value: i64) -> Self {
        Value::scalar(ValueKind::Integer, value as u64)
    }

    #[inline(always)]
    fn unsigned(value: u64) -> Self {
        Value::scalar(ValueKind::UInteger, value)
    }

    #[inline(always)]
    fn boolean(value: bool) -> Self {
        Value::scalar(ValueKind::Boolean, u64::from(value))
    }

    #[inline(always)]
    fn string(text: Text<'a>, newlines: usize) -> Self {
        Value {
            kind: ValueKind::String,
            bits: 0,
            text: Some(text),
            newlines,
        }
    }

    /// The value as the point keeps it, its string stored in `text` (see
    /// [`Text::store`]).
    #[inline(always)]
    fn store(self, text: &mut String) -> EntryValue<'a> {
        match self.kind {
            ValueKind::Float => EntryValue::Float(f64::from_bits(self.bits)),
            ValueKind::Integer => EntryValue::Integer(self.bits as i64),
            ValueKind::UInteger => EntryValue::UInteger(self.bits),
            ValueKind::Boolean => EntryValue::Boolean(self.bits != 0),
            ValueKind::String => EntryValue::String(
                self.text
                    .map_or(Span::default(), |raw| raw.store(Element::StringValue, text)),
            ),
        }
    }
}

/// `field = field_key "=" field_value` (see [`key`]), followed by `,`,
/// space or line end
///
/// Stores the field at the end of `entries` and returns the number of line
/// feeds in its value.
#[inline(always)]
fn field<'a>(
    input: &'a [u8],
    entries: &mut Vec<Entry<'a>>,
    text: &mut String,
    cx: &Context<'a>,
) -> Parsed<'a, usize> {
    let (value_start, key) = key(input, Element::FieldKey, cx)?;
    // The key is stored before the value is read, so that it need not be
    // kept while the value is; errors read it again from `input`.
    fill_in_place(entries, || Entry {
        key: key.store(Element::FieldKey, text),
        value: EntryValue::Boolean(false),
    });
    let (rest, value) = field_value(value_start, input, cx)?;
    if !matches!(rest, [] | [b',' | b' ' | b'\n', ..] | [b'\r', b'\n', ..]) {
        return Err(field_separator_error(value_start, rest, input, value.kind));
    }
    set_value(entries, value.store(text));
    Ok((rest, value.newlines))
}

/// The error for a field value at `value_start` followed by `rest`, which
/// is not a `,`, space or line end.
#[cold]
fn field_separator_error<'a>(
    value_start: &'a [u8],
    rest: &'a [u8],
    field: &[u8],
    kind: ValueKind,
) -> nom::Err<GrammarError> {
    let key = key_text_at(field, Element::FieldKey);
    match (kind, rest.first()) {
        // An unescaped quote is reported where it stands: the quote that
        // closed the string too early.
        (ValueKind::String, Some(&byte)) if !is_control(byte) => {
            let quote = value_start.len().saturating_sub(rest.len() + 1);
            nom::Err::Failure(GrammarError::new(
                value_start.get(quote..).unwrap_or(rest),
                ParseErrorKind::UnescapedQuote { key },
            ))
        }
        _ => nom::Err::Failure(GrammarError::new(
            rest,
            ParseErrorKind::ExpectedFieldSeparator {
                key,
                found: Found::at(rest),
            },
        )),
    }
}

/// `field_value = string_value | boolean | number`, chosen by the first
/// byte: `"` starts a string, `t`, `T`, `f` or `F` a boolean, anything else
/// a number.
#[inline(always)]
fn field_value<'a>(input: &'a [u8], field: &[u8], cx: &Context<'a>) -> Parsed<'a, Value<'a>> {
    match input.first() {
        Some(b'"') => string_value(input, field, cx)
            .map(|(rest, (text, newlines))| (rest, Value::string(text, newlines))),
        Some(b't' | b'T' | b'f' | b'F') => {
            boolean(input, field).map(|(rest, value)| (rest, Value::boolean(value)))
        }
        _ => number(input, field),
    }
}

/// A table of the bytes that are in `members`: one load answers whether
/// a byte is, where a test of each member or range would take several.
#[expect(
    clippy::indexing_slicing,
    reason = "only evaluated at compile time, where an out-of-bounds index fails the build"
)]
const fn byte_set(members: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < members.len() {
        table[members[i] as usize] = true;
        i += 1;
    }
    table
}

/// Whether `byte` may stand in a [`value_token`].
#[inline(always)]
fn is_value_byte(byte: u8) -> bool {
    static VALUE_BYTES: [bool; 256] =
        byte_set(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+-");
    VALUE_BYTES.get(usize::from(byte)).copied().unwrap_or(false)
}

/// `value_token = [0-9A-Za-z.+-]*`: the bytes of a number, boolean or
/// timestamp, read whole before their type is decided.
#[inline(always)]
fn value_token(input: &[u8]) -> Parsed<'_, &[u8]> {
    let count = input
        .iter()
        .take_while(|&&byte| is_value_byte(byte))
        .count();
    Ok(split(input, count))
}

/// `input` split after `count` bytes, as (rest, taken).
#[inline(always)]
fn split(input: &[u8], count: usize) -> (&[u8], &[u8]) {
    // Clamped, the split cannot fail, and costs a compare instead of the
    // checks and fallback of `split_at_checked`.
    let (taken, rest) = input.split_at(count.min(input.len()));
    (rest, taken)
}

/// A [`ParseErrorKind::InvalidFieldValue`] at `input`.
#[cold]
fn invalid_value<'a, T>(
    input: &'a [u8],
    field: &[u8],
    token: &[u8],
    problem: ValueProblem,
) -> Parsed<'a, T> {
    fail(input, move || ParseErrorKind::InvalidFieldValue {
        key: key_text_at(field, Element::FieldKey),
        value: excerpt(token),
        problem,
    })
}

/// `boolean = "t" | "T" | "true" | "True" | "TRUE" | "f" | "F" | "false" | "False" | "FALSE"`
#[inline(always)]
fn boolean<'a>(input: &'a [u8], field: &[u8]) -> Parsed<'a, bool> {
    let (rest, token) = value_token(input)?;
    match token {
        b"t" | b"T" | b"true" | b"True" | b"TRUE" => Ok((rest, true)),
        b"f" | b"F" | b"false" | b"False" | b"FALSE" => Ok((rest, false)),
        _ => invalid_value(input, field, token, ValueProblem::NotABoolean),
    }
}

/// `number = integer "i" | unsigned "u" | float`, decided by the suffix
///
/// `integer = "-"? digit+` (within `i64`), `unsigned = digit+` (within
/// `u64`), `float = "-"? (digit+ ("." digit*)? | "." digit+) ([eE] [+-]? digit+)?`
/// (finite). The whole [`value_token`] must be the number.
#[inline(always)]
fn number<'a>(input: &'a [u8], field: &[u8]) -> Parsed<'a, Value<'a>> {
    let (rest, numeral) = numeral(input);
    // The token must end where the numeral does.
    if !rest.first().is_some_and(|&byte| is_value_byte(byte)) {
        let value = match numeral.suffix() {
            b'i' => numeral.integer().map(Value::integer),
            b'u' => numeral.unsigned().map(Value::unsigned),
            _ => numeral.float().map(Value::float),
        };
        if let Ok(value) = value {
            return Ok((rest, value));
        }
    }
    number_error(input, field)
}

/// The error for the value token at `input`, which is not a number.
#[cold]
#[inline(never)]
fn number_error<'a, T>(input: &'a [u8], field: &[u8]) -> Parsed<'a, T> {
    let (_, token) = value_token(input)?;
    let numeral = match numeral(token) {
        ([], numeral) => Some(numeral),
        _ => None,
    };
    use ValueProblem::*;
    let (read, syntax, range) = match token.last() {
        None => {
            return fail(input, move || ParseErrorKind::ExpectedFieldValue {
                key: key_text_at(field, Element::FieldKey),
                found: Found::at(input),
            });
        }
        Some(b'i') => (
            numeral.map(|numeral| numeral.integer().map(drop)),
            NotAnInteger,
            IntegerOutOfRange,
        ),
        Some(b'u') => (
            numeral.map(|numeral| numeral.unsigned().map(drop)),
            NotAnUnsignedInteger,
            UnsignedOutOfRange,
        ),
        Some(_) => (
            numeral.map(|numeral| numeral.float().map(drop)),
            NotANumber,
            FloatOutOfRange,
        ),
    };
    // Only a token of the type's form can be out of its range.
    let problem = match read {
        Some(Err(NumberError::Range)) => range,
        _ => syntax,
    };
    invalid_value(input, field, token, problem)
}

/// `string_value = '"' ( '\"' | '\\' | any byte but '"' )* '"'`
///
/// `\"` is `"` and `\\` is `\`; any other backslash is kept. Line feeds and
/// other control characters are part of the string. A string with no
/// closing quote is an error at its opening quote. Returns the text and
/// the number of line feeds in it.
///
/// Out of line: the code of its loop, inlined, made the compiler keep the
/// values of every other production in memory rather than registers.
#[inline(never)]
fn string_value<'a>(
    input: &'a [u8],
    field: &[u8],
    cx: &Context<'a>,
) -> Parsed<'a, (Text<'a>, usize)> {
    let body = bounds::within(input, 1..);
    let Some(StringBody {
        len,
        escapes,
        newlines,
    }) = scan::string_body(body)
    else {
        return fail(input, move || ParseErrorKind::UnterminatedString {
            key: key_text_at(field, Element::FieldKey),
        });
    };
    if len - escapes > cx.settings.limits.max_string_length {
        return fail(input, move || ParseErrorKind::StringTooLong {
            key: key_text_at(field, Element::FieldKey),
            limit: cx.settings.limits.max_string_length,
        });
    }
    let (rest, raw) = split(body, len);
    let raw = utf8(raw, body, Element::StringValue, cx)?;
    let text = Text {
        raw,
        escaped: escapes,
    };
    Ok((bounds::within(rest, 1..), (text, newlines)))
}

/// `timestamp = "-"? digit+`, within `i64`
#[inline(always)]
fn timestamp(input: &[u8]) -> Parsed<'_, i64> {
    let (rest, numeral) = numeral(input);
    if !rest.first().is_some_and(|&byte| is_value_byte(byte)) {
        if let Ok(value) = numeral.timestamp() {
            return Ok((rest, value));
        }
    }
    timestamp_error(input)
}

/// The error for the value token at `input`, which is not a timestamp.
#[cold]
#[inline(never)]
fn timestamp_error<T>(input: &[u8]) -> Parsed<'_, T> {
    let (_, token) = value_token(input)?;
    let value = match numeral(token) {
        ([], numeral) => numeral.timestamp(),
        _ => Err(NumberError::Syntax),
    };
    match value {
        _ if token.is_empty() => fail(input, move || ParseErrorKind::ExpectedTimestamp {
            found: Found::at(input),
        }),
        Err(NumberError::Range) => fail(input, move || ParseErrorKind::TimestampOutOfRange {
            value: excerpt(token),
        }),
        _ => fail(input, move || ParseErrorKind::InvalidTimestamp {
            value: excerpt(token),
        }),
    }
}

/// `name = ( "\" escapable | "\" | byte that does not end the element )*`
///
/// The shared scanner of measurements, tag keys, tag values and field keys.
/// It stops at the first unescaped delimiter of `element` (see
/// [`crate::escape`]) or line end, and rejects control characters and
/// invalid UTF-8.
#[inline(always)]
fn name<'a>(input: &'a [u8], element: Element, cx: &Context<'a>) -> Parsed<'a, Text<'a>> {
    let stops = match element {
        Element::TagKey | Element::FieldKey => NameStops::Key,
        Element::Measurement | Element::TagValue => NameStops::Name,
        // Strings have a production of their own and never come here;
        // the arm keeps the match whole.
        Element::StringValue => NameStops::Name,
    };
    let run = cx.index.run_length(input, stops);
    let (len, escaped) = match input.get(run) {
        // One look-up settles the common case: the run ends at a
        // delimiter, a line feed or the end of the input.
        Some(&byte) if !ends_name_plainly(byte) => {
            let (len, escaped) = escaped_name_length(input, run, element);
            if let Some(&byte) = input.get(len) {
                if is_control(byte) && line_end(bounds::within(input, len..)).is_err() {
                    return control_character(input, len, element);
                }
            }
            (len, escaped)
        }
        _ => (run, 0),
    };
    let (rest, raw) = split(input, len);
    Ok((
        rest,
        Text {
            raw: utf8(raw, input, element, cx)?,
            escaped,
        },
    ))
}

/// Whether `byte`, where a name's run of ordinary bytes stops, ends the
/// name with nothing more to check: a comma, space, `=` or line feed.
#[inline(always)]
fn ends_name_plainly(byte: u8) -> bool {
    static PLAIN_ENDS: [bool; 256] = byte_set(b", =\n");
    PLAIN_ENDS.get(usize::from(byte)).copied().unwrap_or(false)
}

/// The length of the name at the start of `input` whose run of ordinary
/// bytes stops at `run` on a byte that needs a closer look (a backslash,
/// a carriage return, DEL or another control character): the rest of
/// [`name`]'s rule, with whether an escape was found.
///
/// The name ends at its first delimiter that no backslash escapes, or at
/// a control character, escaped or not (a backslash before one is an
/// ordinary byte). The first few runs between escapes are taken one at a
/// time, the cheapest way for the usual name with an escape or two. A
/// name with more goes on through the scanner's bit masks, 64 bytes at a
/// time however dense its escapes: every delimiter and the backslash are
/// escapable in every name, so the scanner's rule (a backslash escapes the
/// byte after it unless it is escaped itself) is the name's. On one line
/// of 100,000 tags of 168 bytes, dense with escapes, that parses 1.7x
/// faster than a scan per run; names with an escape or two cost the same.
///
/// Out of line, and returning two words, which come back in registers.
#[inline(never)]
fn escaped_name_length(input: &[u8], run: usize, element: Element) -> (usize, usize) {
    /// Control characters: DEL and every byte below the space.
    const CONTROLS: Stops = Stops::new(b"\x7f", 0x20);
    /// The runs between escapes scanned one at a time before the scanner
    /// takes over.
    const RUNS: usize = 3;
    let classes = element.classes();
    let mut len = run;
    let mut escaped = false;
    let mut runs = 0;
    loop {
        match input.get(len..) {
            Some([b'\\', next, ..]) if classes.escapable(*next) => {
                escaped = true;
                len += 2;
            }
            Some([b'\\', ..]) => len += 1,
            // Scanning only from a byte that does not stop the name spares
            // a scan per escape in a run of escapes.
            Some([byte, ..]) if !classes.stops(*byte) => {
                if runs == RUNS {
                    break;
                }
                runs += 1;
                len += input.get(len..).map_or(0, |rest| classes.run_length(rest));
            }
            _ => return (len, usize::from(escaped)),
        }
    }
    // The loop stopped after a whole escape or a run, on an ordinary
    // byte: nothing escapes the byte at `len`.
    let rest = bounds::within(input, len..);
    let more = scan::find_unescaped(rest, classes.delimiters(), Some(&CONTROLS), &mut false)
        .unwrap_or(rest.len());
    // An escape is a backslash before an escapable byte (one that is itself
    // escaped is a backslash, escapable, after another).
    escaped = escaped
        || bounds::within(rest, ..more)
            .windows(2)
            .any(|pair| matches!(pair, [b'\\', next] if classes.escapable(*next)));
    (len + more, usize::from(escaped))
}

/// The error for the control character at `len` in the name of `element`
/// at the start of `input`.
#[cold]
#[inline(never)]
fn control_character<T>(input: &[u8], len: usize, element: Element) -> Parsed<'_, T> {
    let (rest, _) = split(input, len);
    let byte = rest.first().copied().unwrap_or_default();
    fail(rest, move || ParseErrorKind::ControlCharacter {
        element,
        byte,
    })
}

/// What the caller of [`line()`] gives the grammar besides the input: the
/// limits of a line, and a stretch of the buffer already checked to be
/// UTF-8.
///
/// The parser validates the buffer ahead of the grammar in large blocks,
/// so that turning a token into a `&str` is a bounds check instead of a
/// second validation per token. Tokens outside the stretch (after an
/// invalid byte, or past the end of the block) are validated on their own.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Settings<'a> {
    pub(crate) checked_utf8: &'a str,
    pub(crate) limits: Limits,
}

/// What the productions of one line need besides the input: the caller's
/// [`Settings`], and the stop index of the line's names.
///
/// The index lives for one line, on the stack of [`line()`]: the parser
/// that keeps the settings between lines stays free to be shared between
/// threads.
#[derive(Debug, Default)]
pub(crate) struct Context<'a> {
    settings: Settings<'a>,
    index: StopIndex<'a>,
}

impl<'a> Context<'a> {
    /// The context of a line parsed with `settings`.
    #[inline(always)]
    fn new(settings: &Settings<'a>) -> Self {
        Context {
            settings: *settings,
            index: StopIndex::default(),
        }
    }

    /// `raw` as a `&str`, if it lies inside the checked stretch.
    #[inline(always)]
    fn utf8(&self, raw: &'a [u8]) -> Option<&'a str> {
        // Comparing addresses is safe: `raw` and the stretch both point into
        // the buffer being parsed, and `str::get` checks bounds and character
        // boundaries, so a wrong offset can only give `None`. A token before
        // the stretch wraps to an offset past its end, and an end that wraps
        // comes before the start: both make `get` return `None`.
        let text = self.settings.checked_utf8;
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
) -> Result<&'a str, nom::Err<GrammarError>> {
    if let Some(text) = ascii_prefix(input, raw.len()).or_else(|| cx.utf8(raw)) {
        return Ok(text);
    }
    std::str::from_utf8(raw).map_err(|err| {
        nom::Err::Failure(GrammarError::new(
            input.get(err.valid_up_to()..).unwrap_or(input),
            ParseErrorKind::InvalidUtf8 { element },
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldValue;

    /// Where `text` is stored, and the point's own text after storing it.
    fn stored(text: Text<'_>) -> (Span<'_>, String) {
        let mut own = String::new();
        let span = text.store(Element::Measurement, &mut own);
        (span, own)
    }

    #[test]
    fn the_byte_tables_hold_their_members() {
        for byte in 0..=255u8 {
            let value_byte = byte.is_ascii_alphanumeric() || b".+-".contains(&byte);
            assert_eq!(is_value_byte(byte), value_byte, "{byte:#x}");
            assert_eq!(
                ends_name_plainly(byte),
                b", =\n".contains(&byte),
                "{byte:#x}"
            );
        }
    }

    #[test]
    fn names_borrow_unless_escaped() {
        let cx = &Context::default();
        let (rest, plain) = name(b"plain rest", Element::Measurement, cx).unwrap();
        assert!(matches!(stored(plain), (Span::Input("plain"), own) if own.is_empty()));
        assert_eq!(rest, b" rest");
        let (_, escaped) = name(br"with\ space rest", Element::Measurement, cx).unwrap();
        assert!(
            matches!(stored(escaped), (Span::Kept { start: 0, end: 10 }, own) if own == "with space")
        );
    }

    #[test]
    fn a_number_is_the_whole_value_token() {
        let value = |input: &'static str| number(input.as_bytes(), b"k=");
        let stored = |input| {
            let (rest, value) = value(input).unwrap();
            let value = match value.store(&mut String::new()) {
                EntryValue::Float(value) => FieldValue::Float(value),
                EntryValue::Integer(value) => FieldValue::Integer(value),
                EntryValue::UInteger(value) => FieldValue::UInteger(value),
                other => panic!("{other:?}"),
            };
            (rest, value)
        };
        assert_eq!(stored("1.5,"), (&b","[..], FieldValue::Float(1.5)));
        assert_eq!(stored("-7i "), (&b" "[..], FieldValue::Integer(-7)));
        assert_eq!(stored("7u"), (&b""[..], FieldValue::UInteger(7)));
        assert_eq!(stored("1e3\n"), (&b"\n"[..], FieldValue::Float(1000.0)));
        for bad in ["1.5.3", "1x", "+1", "1e", "1ii", "1eu", "0x10", "-", "."] {
            let Err(nom::Err::Failure(err)) = value(bad) else {
                panic!("{bad} was accepted");
            };
            assert!(
                matches!(err.into_kind(&[]), ParseErrorKind::InvalidFieldValue { value, .. } if value == bad),
                "{bad}"
            );
        }
    }

    /// Where the name of `element` at the start of `input` ends, whether
    /// it holds an escape, and whether it ends at a control character, read
    /// one byte at a time from the table in `crate::escape`.
    fn naive_name(input: &[u8], element: Element) -> (usize, bool, bool) {
        let delimiters: &[u8] = match element {
            Element::TagKey | Element::FieldKey => b",= ",
            _ => b", ",
        };
        let escapable = |byte: u8| byte == b'\\' || b", =".contains(&byte);
        let (mut at, mut escaped) = (0, false);
        while let Some(&byte) = input.get(at) {
            match input.get(at + 1) {
                Some(&next)
                    if byte == b'\\'
                        && escapable(next)
                        && (next != b'=' || element != Element::Measurement) =>
                {
                    escaped = true;
                    at += 2;
                }
                _ if delimiters.contains(&byte) || is_control(byte) => {
                    return (at, escaped, is_control(byte));
                }
                _ => at += 1,
            }
        }
        (at, escaped, false)
    }

    proptest::proptest! {
        #[test]
        fn names_dense_with_escapes_end_where_a_byte_walk_ends_them(
            // Mostly escapes and ordinary bytes, so that many names run
            // past the first few escapes, with now and then an end.
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    30 => proptest::sample::select(vec![
                        &b"a"[..], b"bcdefgh", "é".as_bytes(), b"\\ ", b"\\,", b"\\=", b"\\\\", b"\\", b"\\x",
                    ]),
                    1 => proptest::sample::select(vec![&b","[..], b" ", b"=", b"\n", b"\t", b"\\\n", b"\\\t", b"\x7f"]),
                ],
                0..120,
            ),
            element in proptest::sample::select(vec![Element::Measurement, Element::TagKey, Element::TagValue, Element::FieldKey]),
        ) {
            let input = pieces.concat();
            let (end, escaped, control) = naive_name(&input, element);
            match name(&input, element, &Context::default()) {
                Ok((rest, text)) => {
                    proptest::prop_assert!(!control || line_end(rest).is_ok(), "{:?}", String::from_utf8_lossy(&input));
                    proptest::prop_assert_eq!(input.len() - rest.len(), end, "{:?}", String::from_utf8_lossy(&input));
                    proptest::prop_assert_eq!(text.escaped != 0, escaped, "{:?}", String::from_utf8_lossy(&input));
                }
                Err(_) => proptest::prop_assert!(control, "{:?}", String::from_utf8_lossy(&input)),
            }
        }
    }
}
