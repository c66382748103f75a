//! The parser against another implementation: the `influxdb-line-protocol`
//! crate (the parser of InfluxDB IOx, a port of the Go parser's rules).
//!
//! Generated lines cover the grammar both crates read: measurements, tags
//! and fields with every escape, non-ASCII text, all five value types,
//! optional timestamps, several spaces between elements, blank and comment
//! lines, CRLF endings, lines mutated at one character, and noise lines of
//! printable ASCII (some with a few non-ASCII and control characters). Each line is parsed on its own by both crates, and the first
//! item each gives is compared: both skip the line, or both accept it with
//! the same measurement, tags (keys, values, order), fields (keys, types,
//! values, floats by their bits) and timestamp, or both reject it.
//!
//! Every disagreement must be explained by [`classify`] as one or more
//! [`Dialect`] choices, each a rule of the crate docs ("The dialect") in
//! which the two crates differ; anything else fails the test as a bug,
//! with the line. Each choice is checked for what it claims: a rule that
//! makes lineproto ignore part of a line is checked by removing that part
//! and comparing again, and a rule that makes lineproto reject a line is
//! checked against what the reference read in it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use influxdb_line_protocol as reference;
use lineproto::{Element, Found, ParseErrorKind, ValueProblem};
#[path = "common/points.rs"]
mod points;

use points::{Parsed, Value, dialect_docs, parsed_of};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;

// ---------------------------------------------------------------------------
// What each crate made of a line
// ---------------------------------------------------------------------------

impl Parsed {
    /// The names of `element` in the point.
    fn names(&self, element: Element) -> Vec<&str> {
        match element {
            Element::Measurement => vec![self.measurement.as_str()],
            Element::TagKey => self.tags.iter().map(|(k, _)| k.as_str()).collect(),
            Element::TagValue => self.tags.iter().map(|(_, v)| v.as_str()).collect(),
            Element::FieldKey => self.fields.iter().map(|(k, _)| k.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    /// Every name and tag value of the point.
    fn all_names(&self) -> Vec<&str> {
        [
            Element::Measurement,
            Element::TagKey,
            Element::TagValue,
            Element::FieldKey,
        ]
        .into_iter()
        .flat_map(|element| self.names(element))
        .collect()
    }

    /// The point with `_` after every name and tag value that ends with a
    /// backslash (see [`mark_trailing_backslashes`]).
    fn with_trailing_backslashes_marked(&self) -> Parsed {
        let mark = |name: &String| {
            if name.ends_with('\\') {
                format!("{name}_")
            } else {
                name.clone()
            }
        };
        Parsed {
            measurement: mark(&self.measurement),
            tags: self.tags.iter().map(|(k, v)| (mark(k), mark(v))).collect(),
            fields: self
                .fields
                .iter()
                .map(|(k, v)| (mark(k), v.clone()))
                .collect(),
            timestamp: self.timestamp,
        }
    }
}

/// What a crate made of one line: nothing (a blank or comment line), a
/// point, or an error.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome<E> {
    Skipped,
    Accepted(Parsed),
    Rejected(E),
}

/// lineproto's outcome; an error by its kind (positions are not compared:
/// the reference has none).
type Ours = Outcome<ParseErrorKind>;

/// The reference's errors: the one some rules turn on, and the others by
/// their message.
#[derive(Clone, Debug, PartialEq, Eq)]
enum TheirError {
    EndsWithBackslash,
    Other(String),
}

type Theirs = Outcome<TheirError>;

/// `line` without its line ending (LF or CRLF), if any.
fn body(line: &str) -> &str {
    line.strip_suffix("\r\n")
        .or_else(|| line.strip_suffix('\n'))
        .unwrap_or(line)
}

/// lineproto's outcome for `line`.
///
/// A line that holds a raw LF (inside a string value) may give lineproto
/// further items after an error, since "Parsing goes on after the first LF
/// that follows the error's position"; those are remains of the same
/// generated line, and only the first item is compared.
fn run_ours(line: &str) -> Ours {
    let mut items = lineproto::parse(line.as_bytes());
    let first = items.next();
    let more = items.count();
    let outcome = match first {
        None => Outcome::Skipped,
        Some(Err(err)) => Outcome::Rejected(err.kind().clone()),
        Some(Ok(point)) => Outcome::Accepted(parsed_of(&point)),
    };
    assert!(
        more == 0 || (matches!(outcome, Outcome::Rejected(_)) && body(line).contains('\n')),
        "lineproto gave {} items for the one line {line:?}",
        more + 1
    );
    outcome
}

/// The reference's outcome for `line`.
///
/// The reference splits lines before parsing them, by a heuristic over
/// quotes and `=`; a line that holds a raw LF (inside a string value) may
/// be split by it, and only the first piece is compared.
fn run_theirs(line: &str) -> Theirs {
    let mut items = reference::parse_lines(line);
    let first = items.next();
    let more = items.count();
    assert!(
        more == 0 || body(line).contains('\n'),
        "the reference gave {} items for the one line {line:?}",
        more + 1
    );
    match first {
        None => Outcome::Skipped,
        Some(Err(reference::Error::EndsWithBackslash)) => {
            Outcome::Rejected(TheirError::EndsWithBackslash)
        }
        Some(Err(err)) => Outcome::Rejected(TheirError::Other(err.to_string())),
        Some(Ok(line)) => Outcome::Accepted(Parsed {
            measurement: line.series.measurement.to_string(),
            tags: line
                .series
                .tag_set
                .iter()
                .flatten()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            fields: line
                .field_set
                .iter()
                .map(|(k, v)| {
                    let value = match v {
                        reference::FieldValue::F64(v) => Value::Float(v.to_bits()),
                        reference::FieldValue::I64(v) => Value::Integer(*v),
                        reference::FieldValue::U64(v) => Value::UInteger(*v),
                        reference::FieldValue::Boolean(v) => Value::Boolean(*v),
                        reference::FieldValue::String(v) => Value::String(v.to_string()),
                    };
                    (k.to_string(), value)
                })
                .collect(),
            timestamp: line.timestamp,
        }),
    }
}

/// Both crates skip the line, or accept it as the same point, or reject it.
fn agree(ours: &Ours, theirs: &Theirs) -> bool {
    match (ours, theirs) {
        (Outcome::Skipped, Outcome::Skipped) | (Outcome::Rejected(_), Outcome::Rejected(_)) => true,
        (Outcome::Accepted(a), Outcome::Accepted(b)) => a == b,
        _ => false,
    }
}

/// lineproto's outcome is the same for two spellings of a line: the same
/// point, or nothing, or an error (of whatever kind: what is found at the
/// place of an error may differ).
fn same_for_lineproto(a: &Ours, b: &Ours) -> bool {
    match (a, b) {
        (Outcome::Rejected(_), Outcome::Rejected(_)) => true,
        _ => a == b,
    }
}

// ---------------------------------------------------------------------------
// The dialect choices in which the crates differ
// ---------------------------------------------------------------------------

/// A documented choice of lineproto's dialect that the reference does not
/// make. Each cites the sentence of the crate docs ("The dialect", at the
/// top of `src/lib.rs`) it relies on; [`Dialect::rule`] returns that
/// sentence, and a test checks that the docs still hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Dialect {
    /// "A UTF-8 byte-order mark (`EF BB BF`) at the very start of the
    /// input, of a buffer given to [`parse`] or of a [`Stream`], is
    /// skipped". The reference reads it as part of the measurement.
    ByteOrderMarkSkipped,
    /// "Lines end with LF or CRLF". The reference splits lines at LF only
    /// and rejects the carriage return left at the end.
    CrlfEndsALine,
    /// "Spaces before the measurement and after the last element are
    /// ignored." The reference ignores them too when it parses a line, but
    /// it finds the ends of lines before that, by a heuristic that counts
    /// `=` and `,` from the first space of a line on and takes a `"` after
    /// more `=` than `,` for the start of a string value: after leading
    /// spaces, a `"` in a tag value or field key can hide the line feed
    /// that ends the line, or a string's own `"` be taken for its end.
    LeadingSpacesIgnored,
    /// "Spaces before the measurement and after the last element are
    /// ignored." The reference rejects spaces after the last field when no
    /// timestamp follows.
    TrailingSpacesIgnored,
    /// "Elements are separated by one or more spaces; any other tab outside
    /// a string value is an error." (and only spaces before the measurement
    /// are ignored). The reference skips tabs before the measurement.
    LeadingTabRejected,
    /// The float row of the value table: "`1`, `1.`, `.5`, `-1.5e-3`,
    /// `1E+10` | float | `-?(digits(.digits?)?\|.digits)([eE][+-]?digits)?`".
    /// The reference wants digits on both sides of a decimal point.
    FloatWithBareDecimalPoint,
    /// "Tag keys, tag values and field keys take the escapes `\,`, `\=`,
    /// `\ ` and `\\`" (and "`\,`, `\ ` and `\\` are escapes in it", the
    /// measurement), so a name may end with an escaped backslash, as the
    /// writer's rule says: it doubles a backslash "at the end of a name".
    /// The reference rejects a name or tag value that ends with a
    /// backslash.
    NameEndsWithBackslash,
    /// "**Tags.** No trailing comma, and no key twice in one line." The
    /// reference accepts a repeated tag key.
    DuplicateTagKeyRejected,
    /// "**Fields.** At least one; no trailing comma." The reference
    /// ignores a comma after the first field when no field follows it.
    TrailingCommaInFieldsRejected,
    /// "Names and tag values must not be empty and must not hold control
    /// characters (0x00-0x1F, 0x7F) or invalid UTF-8." The reference
    /// accepts them (but NUL in a measurement, and tab and LF, which end
    /// its names).
    ControlCharacterRejected,
    /// "a value that overflows to infinity is an error". The reference
    /// reads such a float as infinity.
    InfiniteFloatRejected,
    /// "keys end at an unescaped `,`, `=` or space". The reference ends
    /// tag keys and field keys at `=` and space only, so an unescaped `,`
    /// is part of its key.
    CommaEndsKey,
}

impl Dialect {
    /// The sentence of the crate docs the choice relies on, as the docs
    /// write it (without line breaks).
    fn rule(self) -> &'static str {
        match self {
            Dialect::ByteOrderMarkSkipped => {
                "A UTF-8 byte-order mark (`EF BB BF`) at the very start of the input, of a buffer given to [`parse`] or of a [`Stream`], is skipped"
            }
            Dialect::CrlfEndsALine => "Lines end with LF or CRLF",
            Dialect::LeadingSpacesIgnored | Dialect::TrailingSpacesIgnored => {
                "Spaces before the measurement and after the last element are ignored."
            }
            Dialect::LeadingTabRejected => {
                "Elements are separated by one or more spaces; any other tab outside a string value is an error."
            }
            Dialect::FloatWithBareDecimalPoint => {
                r"| `1`, `1.`, `.5`, `-1.5e-3`, `1E+10` | float | `-?(digits(.digits?)?\|.digits)([eE][+-]?digits)?`"
            }
            Dialect::NameEndsWithBackslash => {
                r"Tag keys, tag values and field keys take the escapes `\,`, `\=`, `\ ` and `\\`"
            }
            Dialect::DuplicateTagKeyRejected => {
                "**Tags.** No trailing comma, and no key twice in one line."
            }
            Dialect::TrailingCommaInFieldsRejected => {
                "**Fields.** At least one; no trailing comma."
            }
            Dialect::ControlCharacterRejected => {
                "Names and tag values must not be empty and must not hold control characters (0x00-0x1F, 0x7F) or invalid UTF-8."
            }
            Dialect::InfiniteFloatRejected => "a value that overflows to infinity is an error",
            Dialect::CommaEndsKey => "keys end at an unescaped `,`, `=` or space",
        }
    }

    const ALL: [Dialect; 12] = [
        Dialect::ByteOrderMarkSkipped,
        Dialect::CrlfEndsALine,
        Dialect::LeadingSpacesIgnored,
        Dialect::TrailingSpacesIgnored,
        Dialect::LeadingTabRejected,
        Dialect::FloatWithBareDecimalPoint,
        Dialect::NameEndsWithBackslash,
        Dialect::DuplicateTagKeyRejected,
        Dialect::TrailingCommaInFieldsRejected,
        Dialect::ControlCharacterRejected,
        Dialect::InfiniteFloatRejected,
        Dialect::CommaEndsKey,
    ];
}

/// The verdict on one line.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Verdict {
    /// The crates agree.
    Agree,
    /// The crates disagree, as these dialect choices explain (outermost
    /// first).
    Dialect(Vec<Dialect>),
    /// A disagreement nothing in the dialect explains.
    Bug(String),
}

impl Verdict {
    /// This verdict, found on a line that `dialect` turned `line` into;
    /// `relevant` is whether that made a difference to the reference.
    fn after(self, dialect: Dialect, relevant: bool, line: &str) -> Verdict {
        match self {
            Verdict::Agree => Verdict::Dialect(vec![dialect]),
            Verdict::Dialect(mut rest) => {
                if relevant {
                    rest.insert(0, dialect);
                }
                Verdict::Dialect(rest)
            }
            Verdict::Bug(why) => Verdict::Bug(format!("{why}\n  (from {line:?} by {dialect:?})")),
        }
    }
}

/// A check of one dialect choice: the verdict if the choice explains the
/// disagreement on the line, `None` if it does not apply.
type Rule = fn(&str, &Ours, &Theirs) -> Option<Verdict>;

/// Explains a disagreement between lineproto (`ours`) and the reference
/// (`theirs`) on `line`, or calls it a bug.
fn classify(line: &str, ours: &Ours, theirs: &Theirs) -> Verdict {
    if agree(ours, theirs) {
        return Verdict::Agree;
    }
    let rules: [Rule; 12] = [
        byte_order_mark,
        crlf,
        leading_spaces,
        trailing_spaces,
        leading_tab,
        bare_decimal_point,
        name_ends_with_backslash,
        duplicate_tag_key,
        trailing_comma_in_fields,
        control_character,
        infinite_float,
        comma_ends_key,
    ];
    rules
        .iter()
        .find_map(|rule| rule(line, ours, theirs))
        .unwrap_or_else(|| {
            Verdict::Bug(format!(
                "the crates disagree on {line:?}\n  lineproto: {ours:?}\n  reference: {theirs:?}"
            ))
        })
}

/// For a choice by which lineproto reads `line` as it reads `rest`: it
/// does (a line it read differently would be a bug of its own), and the
/// crates' disagreement on `rest` is explained in turn.
fn ignored_by_lineproto(
    dialect: Dialect,
    line: &str,
    rest: &str,
    ours: &Ours,
    theirs: &Theirs,
) -> Option<Verdict> {
    if rest == line {
        return None;
    }
    let (ours_rest, theirs_rest) = (run_ours(rest), run_theirs(rest));
    if !same_for_lineproto(ours, &ours_rest) {
        return None;
    }
    let relevant = *theirs != theirs_rest;
    Some(classify(rest, &ours_rest, &theirs_rest).after(dialect, relevant, line))
}

/// The line ending of `line` ("\n", "\r\n" or "").
fn ending(line: &str) -> &str {
    &line[body(line).len()..]
}

fn byte_order_mark(line: &str, ours: &Ours, theirs: &Theirs) -> Option<Verdict> {
    let rest = line.strip_prefix('\u{feff}')?;
    ignored_by_lineproto(Dialect::ByteOrderMarkSkipped, line, rest, ours, theirs)
}

fn crlf(line: &str, ours: &Ours, theirs: &Theirs) -> Option<Verdict> {
    let rest = format!("{}\n", line.strip_suffix("\r\n")?);
    ignored_by_lineproto(Dialect::CrlfEndsALine, line, &rest, ours, theirs)
}

fn leading_spaces(line: &str, ours: &Ours, theirs: &Theirs) -> Option<Verdict> {
    let rest = line.trim_start_matches(' ');
    ignored_by_lineproto(Dialect::LeadingSpacesIgnored, line, rest, ours, theirs)
}

fn trailing_spaces(line: &str, ours: &Ours, theirs: &Theirs) -> Option<Verdict> {
    let rest = format!("{}{}", body(line).trim_end_matches(' '), ending(line));
    ignored_by_lineproto(Dialect::TrailingSpacesIgnored, line, &rest, ours, theirs)
}

/// lineproto rejects the tab; the reference reads the line as it reads the
/// line without its leading spaces and tabs.
fn leading_tab(line: &str, ours: &Ours, theirs: &Theirs) -> Option<Verdict> {
    let rest = line.trim_start_matches([' ', '\t']);
    let lead = &line[..line.len() - rest.len()];
    if !lead.contains('\t')
        || !matches!(
            ours,
            Outcome::Rejected(ParseErrorKind::ControlCharacter { byte: b'\t', .. })
        )
    {
        return None;
    }
    let (ours_rest, theirs_rest) = (run_ours(rest), run_theirs(rest));
    if theirs_rest != *theirs {
        return None;
    }
    Some(classify(rest, &ours_rest, &theirs_rest).after(Dialect::LeadingTabRejected, true, line))
}

/// `line` with `.5` and `-.5` after a `=` spelled `0.5` and `-0.5`, and
/// `1.` and `-1.` after a `=` (not followed by a digit) spelled `1.0` and
/// `-1.0`.
fn spell_out_decimal_points(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    for (i, c) in line.char_indices() {
        if c == '.' {
            let (before, after) = (&line[..i], &line[i + 1..]);
            let digit_after = after.starts_with(|c: char| c.is_ascii_digit());
            if digit_after && (before.ends_with('=') || before.ends_with("=-")) {
                out.push_str("0.");
                continue;
            }
            let sign = before.trim_end_matches(|c: char| c.is_ascii_digit());
            if sign.len() < before.len()
                && !digit_after
                && (sign.ends_with('=') || sign.ends_with("=-"))
            {
                out.push_str(".0");
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn bare_decimal_point(line: &str, ours: &Ours, theirs: &Theirs) -> Option<Verdict> {
    let rest = spell_out_decimal_points(line);
    ignored_by_lineproto(
        Dialect::FloatWithBareDecimalPoint,
        line,
        &rest,
        ours,
        theirs,
    )
}

/// Where [`mark_trailing_backslashes`] stands in a line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Start,
    Measurement,
    TagKey,
    TagValue,
    Gap,
    FieldKey,
    FieldValue,
    StringValue,
    Timestamp,
}

impl Place {
    /// The bytes that end a name here (the end of the line too).
    fn ends(self) -> &'static [char] {
        match self {
            Place::Measurement | Place::TagValue => &[',', ' ', '\r', '\n'],
            Place::TagKey | Place::FieldKey => &['=', ',', ' ', '\r', '\n'],
            _ => &[],
        }
    }
}

/// `line` with `_` after every escaped backslash (`\\`) that ends a name
/// or tag value, found by following the line's elements as the dialect
/// describes them.
fn mark_trailing_backslashes(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 8);
    let mut place = Place::Start;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        place = match (place, c) {
            (Place::Start, ' ' | '\u{feff}') | (Place::Gap, ' ') => place,
            (Place::Start, _) => Place::Measurement,
            (Place::Gap, _) => Place::FieldKey,
            _ => place,
        };
        if c == '\\' && place != Place::Timestamp {
            if let Some(next) = next {
                out.push(c);
                out.push(next);
                i += 2;
                if next == '\\'
                    && place
                        .ends()
                        .iter()
                        .any(|end| chars.get(i).is_none_or(|c| c == end))
                {
                    out.push('_');
                }
                continue;
            }
        }
        place = match (place, c) {
            (Place::Measurement | Place::TagValue, ',') => Place::TagKey,
            (Place::Measurement | Place::TagValue, ' ') => Place::Gap,
            (Place::TagKey, '=') => Place::TagValue,
            (Place::FieldKey, '=') => Place::FieldValue,
            (Place::FieldValue, '"') if chars[i - 1] == '=' => Place::StringValue,
            (Place::FieldValue, ',') => Place::FieldKey,
            (Place::FieldValue, ' ') => Place::Timestamp,
            (Place::StringValue, '"') => Place::FieldValue,
            (place, _) => place,
        };
        out.push(c);
        i += 1;
    }
    out
}

/// The reference rejects what lineproto read as a name ending with a
/// backslash; with `_` after each such backslash, the crates must read the
/// same point.
fn name_ends_with_backslash(line: &str, ours: &Ours, theirs: &Theirs) -> Option<Verdict> {
    let (Outcome::Accepted(point), Outcome::Rejected(TheirError::EndsWithBackslash)) =
        (ours, theirs)
    else {
        return None;
    };
    if !point.all_names().iter().any(|name| name.ends_with('\\')) {
        return None;
    }
    let rest = mark_trailing_backslashes(line);
    let (ours_rest, theirs_rest) = (run_ours(&rest), run_theirs(&rest));
    if ours_rest != Outcome::Accepted(point.with_trailing_backslashes_marked()) {
        return None;
    }
    Some(classify(&rest, &ours_rest, &theirs_rest).after(
        Dialect::NameEndsWithBackslash,
        true,
        line,
    ))
}

fn duplicate_tag_key(_: &str, ours: &Ours, theirs: &Theirs) -> Option<Verdict> {
    let (Outcome::Rejected(ParseErrorKind::DuplicateTagKey { key }), Outcome::Accepted(point)) =
        (ours, theirs)
    else {
        return None;
    };
    let repeated = point
        .tags
        .iter()
        .enumerate()
        .any(|(i, (k, _))| quotes(key, k, "") && point.tags[..i].iter().any(|(j, _)| j == k));
    repeated.then(|| Verdict::Dialect(vec![Dialect::DuplicateTagKeyRejected]))
}

/// The byte offset in `line` of lineproto's first error.
fn error_offset(line: &str) -> Option<usize> {
    let err = lineproto::parse(line.as_bytes()).next()?.err()?;
    let mark = if line.starts_with('\u{feff}') { 3 } else { 0 };
    (err.line() == 1).then(|| mark + err.column() - 1)
}

/// lineproto rejects a comma with no field after it; the reference reads
/// the line as it reads it without that comma.
fn trailing_comma_in_fields(line: &str, ours: &Ours, theirs: &Theirs) -> Option<Verdict> {
    let (
        Outcome::Rejected(ParseErrorKind::ExpectedFieldKey {
            found: Found::Byte(b' ') | Found::EndOfLine,
        }),
        Outcome::Accepted(_),
    ) = (ours, theirs)
    else {
        return None;
    };
    let comma = error_offset(line)?.checked_sub(1)?;
    if line.as_bytes().get(comma) != Some(&b',') {
        return None;
    }
    let rest = format!("{}{}", &line[..comma], &line[comma + 1..]);
    let (ours_rest, theirs_rest) = (run_ours(&rest), run_theirs(&rest));
    if theirs_rest != *theirs {
        return None;
    }
    Some(classify(&rest, &ours_rest, &theirs_rest).after(
        Dialect::TrailingCommaInFieldsRejected,
        true,
        line,
    ))
}

fn control_character(_: &str, ours: &Ours, theirs: &Theirs) -> Option<Verdict> {
    let (
        Outcome::Rejected(ParseErrorKind::ControlCharacter { element, byte }),
        Outcome::Accepted(point),
    ) = (ours, theirs)
    else {
        return None;
    };
    let control = char::from(*byte);
    (control.is_ascii_control()
        && point
            .names(*element)
            .iter()
            .any(|name| name.contains(control)))
    .then(|| Verdict::Dialect(vec![Dialect::ControlCharacterRejected]))
}

fn infinite_float(_: &str, ours: &Ours, theirs: &Theirs) -> Option<Verdict> {
    let (
        Outcome::Rejected(ParseErrorKind::InvalidFieldValue {
            key,
            problem: ValueProblem::FloatOutOfRange,
            ..
        }),
        Outcome::Accepted(point),
    ) = (ours, theirs)
    else {
        return None;
    };
    point
        .fields
        .iter()
        .any(|(k, v)| {
            quotes(key, k, "")
                && matches!(v, Value::Float(bits) if f64::from_bits(*bits).is_infinite())
        })
        .then(|| Verdict::Dialect(vec![Dialect::InfiniteFloatRejected]))
}

fn comma_ends_key(_: &str, ours: &Ours, theirs: &Theirs) -> Option<Verdict> {
    let Outcome::Accepted(point) = theirs else {
        return None;
    };
    let comma = Found::Byte(b',');
    // The key before the comma (empty where the comma stands first).
    let (element, key) = match ours {
        Outcome::Rejected(ParseErrorKind::ExpectedTagKey { found }) if *found == comma => {
            (Element::TagKey, "")
        }
        Outcome::Rejected(ParseErrorKind::ExpectedFieldKey { found }) if *found == comma => {
            (Element::FieldKey, "")
        }
        Outcome::Rejected(ParseErrorKind::ExpectedTagEquals { key, found }) if *found == comma => {
            (Element::TagKey, key.as_str())
        }
        Outcome::Rejected(ParseErrorKind::ExpectedFieldEquals { key, found })
            if *found == comma =>
        {
            (Element::FieldKey, key.as_str())
        }
        _ => return None,
    };
    point
        .names(element)
        .iter()
        .any(|name| quotes(key, name, ","))
        .then(|| Verdict::Dialect(vec![Dialect::CommaEndsKey]))
}

/// Whether `name` is what an error message quotes as `quoted`: the name
/// itself, or its first 64 bytes and `…` when it is longer (see
/// `ParseErrorKind`), followed by `then`.
fn quotes(quoted: &str, name: &str, then: &str) -> bool {
    match quoted.strip_suffix('…') {
        Some(head) => name.len() > 64 && name.starts_with(head),
        None => name
            .strip_prefix(quoted)
            .is_some_and(|rest| rest.starts_with(then)),
    }
}

/// The verdict on `line`, parsed by both crates.
fn verdict(line: &str) -> Verdict {
    classify(line, &run_ours(line), &run_theirs(line))
}

// ---------------------------------------------------------------------------
// Generated lines
// ---------------------------------------------------------------------------

/// A piece of a name or tag value. `escapes` are the escapes of the
/// element, `literal` what it may hold unescaped besides letters.
fn name_piece(
    escapes: &'static [&'static str],
    literal: &'static [&'static str],
) -> BoxedStrategy<String> {
    prop_oneof![
        120 => "[a-zA-Z0-9_]{1,4}",
        25 => select(&["é", "日本", "🦀", "Ω", "\u{a0}", "ß"][..]).prop_map(str::to_owned),
        30 => select(escapes).prop_map(str::to_owned),
        // An escaped backslash that may end the name.
        3 => Just(r"\\".to_owned()),
        12 => select(literal).prop_map(str::to_owned),
        // A backslash before a byte it does not escape is kept.
        8 => select(&[r"\a", r"\é", r#"\""#, r"\#", r"\."][..]).prop_map(str::to_owned),
        1 => select(&["\u{1}", "\u{7f}", "\r", "\\\t", "\u{1b}"][..]).prop_map(str::to_owned),
    ]
    .boxed()
}

fn name(
    escapes: &'static [&'static str],
    literal: &'static [&'static str],
) -> BoxedStrategy<String> {
    proptest::collection::vec(name_piece(escapes, literal), 1..4)
        .prop_map(|pieces| pieces.concat())
        .boxed()
}

fn measurement() -> BoxedStrategy<String> {
    name(&[r"\,", r"\ ", r"\\a"], &["=", r"\=", "\"", "#", "-", "'"])
}

fn key() -> BoxedStrategy<String> {
    prop_oneof![
        60 => name(&[r"\,", r"\=", r"\ ", r"\\a"], &["\"", "#", "-", "'"]),
        // An unescaped comma.
        1 => ("[a-z]{1,3}", "[a-z]{0,3}").prop_map(|(a, b)| format!("{a},{b}")),
    ]
    .boxed()
}

fn tag_value() -> BoxedStrategy<String> {
    name(&[r"\,", r"\=", r"\ ", r"\\a"], &["=", "\"", "#", "-", "'"])
}

fn float() -> BoxedStrategy<String> {
    let finite = || {
        prop::num::f64::POSITIVE
            | prop::num::f64::NEGATIVE
            | prop::num::f64::NORMAL
            | prop::num::f64::SUBNORMAL
            | prop::num::f64::ZERO
    };
    prop_oneof![
        4 => finite().prop_map(|f| format!("{f}")),
        4 => finite().prop_map(|f| format!("{f:e}")),
        2 => finite().prop_map(|f| format!("{f:E}")),
        4 => "-?[0-9]{1,20}",
        4 => "-?[0-9]{1,10}\\.[0-9]{1,20}",
        4 => "-?[0-9]{1,3}(\\.[0-9]{1,3})?[eE][+-]?[0-9]{1,3}",
        2 => "-?[0-9]{0,30}\\.?[0-9]{0,30}[eE]-?[0-9]{1,4}",
        1 => "-?\\.[0-9]{1,5}([eE][0-9]{1,2})?",
        1 => "-?[0-9]{1,5}\\.([eE][0-9]{1,2})?",
        1 => "[0-9]{1,3}[eE]-?[0-9]{3,25}",
        2 => select(&[
            "9007199254740993",
            "0.1",
            "-0",
            "-0.0",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.9999999",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "4.9e-324",
            "1e-400",
            "0.30000000000000001665334536937734810635447502136230468750000001",
            "123456789012345678901234567890e-10",
            "1e99999999999999999999",
            "1e-99999999999999999999",
            "00.5",
            "1E+10",
            "+1",
            "1e",
            "1.5.5",
        ][..]).prop_map(str::to_owned),
    ]
    .boxed()
}

fn string_value() -> BoxedStrategy<String> {
    let piece = prop_oneof![
        10 => "[a-zA-Z0-9 ,=]{1,6}",
        4 => select(&[
            r#"\""#, r"\\", r"\n", r"\a", "é", "日本", "🦀", "\t", "\r", "\u{1}", "'", "#",
        ][..]).prop_map(str::to_owned),
        1 => Just("\n".to_owned()),
    ];
    proptest::collection::vec(piece, 0..4)
        .prop_map(|pieces| format!("\"{}\"", pieces.concat()))
        .boxed()
}

fn field_value() -> BoxedStrategy<String> {
    prop_oneof![
        24 => float(),
        6 => any::<i64>().prop_map(|v| format!("{v}i")),
        6 => "-?[0-9]{1,4}i",
        6 => any::<u64>().prop_map(|v| format!("{v}u")),
        6 => "[0-9]{1,4}u",
        2 => select(&[
            "9223372036854775807i",
            "-9223372036854775808i",
            "-0i",
            "007i",
            "18446744073709551615u",
            "0u",
            "00u",
        ][..]).prop_map(str::to_owned),
        // Near misses.
        2 => prop_oneof![
            "-?[0-9]{19,20}i",
            "[0-9]{20,21}u",
            select(&[
                "9223372036854775808i",
                "-9223372036854775809i",
                "18446744073709551616u",
                "-1u",
                "1.5i",
                "1e3i",
                "tRUE",
                "yes",
                "truE",
                "fals",
                "-t",
                "inf",
                "-inf",
                "NaN",
                "Infinity",
                "0x10",
                "1_000",
            ][..]).prop_map(str::to_owned),
        ],
        12 => select(&["t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"][..])
            .prop_map(str::to_owned),
        16 => string_value(),
    ]
    .boxed()
}

fn timestamp() -> BoxedStrategy<String> {
    prop_oneof![
        6 => any::<i64>().prop_map(|t| t.to_string()),
        6 => "-?[0-9]{1,6}",
        1 => "[0-9]{19,20}",
        1 => select(&[
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "-9223372036854775809",
            "-0",
            "00012",
        ][..]).prop_map(str::to_owned),
    ]
    .boxed()
}

/// One space mostly, sometimes more.
fn spaces() -> BoxedStrategy<&'static str> {
    prop_oneof![8 => Just(" "), 1 => Just("  "), 1 => Just("   ")].boxed()
}

/// A line built from the grammar, with its line ending.
fn structured_line() -> BoxedStrategy<String> {
    let tags = (
        proptest::collection::vec((key(), tag_value()), 0..4),
        prop::bool::weighted(0.03),
    )
        .prop_map(|(mut tags, repeat)| {
            if repeat && !tags.is_empty() {
                let key = tags[0].0.clone();
                tags.push((key, "again".to_owned()));
            }
            tags.iter()
                .map(|(k, v)| format!(",{k}={v}"))
                .collect::<String>()
        });
    let fields = (
        proptest::collection::vec((key(), field_value()), 1..4),
        prop::bool::weighted(0.03),
    )
        .prop_map(|(mut fields, repeat)| {
            // A field key twice: both crates keep every occurrence.
            if repeat {
                let key = fields[0].0.clone();
                fields.push((key, "1i".to_owned()));
            }
            fields
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        });
    let start = prop_oneof![
        40 => Just(""),
        4 => Just("  "),
        1 => Just("\t"),
        1 => Just(" \t"),
        1 => Just("\u{feff}"),
    ];
    let end = prop_oneof![
        12 => Just(""),
        1 => Just(" "),
        1 => Just("  "),
    ];
    let ending = prop_oneof![6 => Just("\n"), 2 => Just(""), 2 => Just("\r\n")];
    (
        (start, measurement(), tags, spaces(), fields),
        (
            proptest::option::weighted(0.5, (spaces(), timestamp())),
            end,
            ending,
        ),
    )
        .prop_map(
            |((start, measurement, tags, gap, fields), (timestamp, end, ending))| {
                let timestamp = timestamp
                    .map(|(gap, t)| format!("{gap}{t}"))
                    .unwrap_or_default();
                format!("{start}{measurement}{tags}{gap}{fields}{timestamp}{end}{ending}")
            },
        )
        .boxed()
}

/// A structured line (without raw line feeds) with one character replaced
/// by (or one deleted, or one inserted before it) a byte that matters to
/// the grammar.
fn mutated_line() -> BoxedStrategy<String> {
    (
        structured_line().prop_filter("one physical line", |line| !body(line).contains('\n')),
        any::<prop::sample::Index>(),
        select(
            &[
                ",", "=", " ", "\"", "\\", ".", "i", "u", "e", "-", "#", "t", "", "  ", "\t",
            ][..],
        ),
        any::<bool>(),
    )
        .prop_map(|(line, index, with, insert)| {
            let body = body(&line);
            let chars: Vec<char> = body.chars().collect();
            if chars.is_empty() {
                return line;
            }
            let at = index.index(chars.len());
            let mut out: String = chars[..at].iter().collect();
            out.push_str(with);
            let keep = if insert { at } else { at + 1 };
            out.extend(&chars[keep..]);
            out.push_str(ending(&line));
            out
        })
        .boxed()
}

fn noise_line() -> BoxedStrategy<String> {
    (
        prop_oneof![
            "[ -~]{0,40}",
            "[a-z0-9=, .\"\\\\#tTfFiue+-]{0,30}",
            "[a-z0-9=, .\"\\\\#é日\u{1}\t-]{0,30}",
        ],
        select(&["\n", "\r\n", ""][..]),
    )
        .prop_map(|(text, ending)| format!("{text}{ending}"))
        .boxed()
}

fn blank_or_comment_line() -> BoxedStrategy<String> {
    (
        select(
            &[
                "",
                "   ",
                "\t",
                " \t ",
                "# a comment",
                "  # indented",
                "#",
                "\t# tab",
            ][..],
        ),
        select(&["\n", "\r\n", ""][..]),
    )
        .prop_map(|(text, ending)| format!("{text}{ending}"))
        .boxed()
}

fn line() -> BoxedStrategy<String> {
    prop_oneof![
        12 => structured_line(),
        3 => mutated_line(),
        2 => noise_line(),
        1 => blank_or_comment_line(),
    ]
    .boxed()
}

/// 2048 cases; failures are kept in `proptest-regressions/` at the crate
/// root (proptest cannot place them beside a file under `tests/` itself).
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 2048,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/differential.txt",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_disagreement_with_the_reference_is_a_dialect_choice(
        lines in proptest::collection::vec(line(), 1..6),
    ) {
        for line in &lines {
            if let Verdict::Bug(why) = verdict(line) {
                prop_assert!(false, "{}", why);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Each choice, on a line where it is the only difference
// ---------------------------------------------------------------------------

fn assert_verdict(line: &str, expected: &[Dialect]) {
    assert_eq!(
        verdict(line),
        Verdict::Dialect(expected.to_vec()),
        "{line:?}:\n  lineproto: {:?}\n  reference: {:?}",
        run_ours(line),
        run_theirs(line)
    );
}

#[test]
fn a_byte_order_mark_is_skipped() {
    assert_verdict(
        "\u{feff}cpu,host=a usage=1.5 10\n",
        &[Dialect::ByteOrderMarkSkipped],
    );
    // The reference reads `\u{feff}` as a measurement, lineproto a comment.
    assert_verdict("\u{feff}# a comment\n", &[Dialect::ByteOrderMarkSkipped]);
}

#[test]
fn crlf_ends_a_line() {
    assert_verdict("cpu usage=1.5 10\r\n", &[Dialect::CrlfEndsALine]);
    assert_verdict("  \r\n", &[Dialect::CrlfEndsALine]);
}

#[test]
fn leading_spaces_are_ignored() {
    // After leading spaces, the reference counts the `=` in the tag set: a
    // `"` in a field key or in a tag value opens a string for it, which
    // runs on past the line feed ...
    assert_verdict(" cpu,a=b=c \"k=1\n", &[Dialect::LeadingSpacesIgnored]);
    assert_verdict("  cpu,a==\"x usage=1\n", &[Dialect::LeadingSpacesIgnored]);
    // ... or the opening quote of a string value closes it, and the line
    // feed inside the string ends the line.
    assert_verdict("  cpu,a== \"=\"\n\"\n", &[Dialect::LeadingSpacesIgnored]);
}

#[test]
fn trailing_spaces_are_ignored() {
    assert_verdict("cpu usage=1.5  \n", &[Dialect::TrailingSpacesIgnored]);
}

#[test]
fn a_leading_tab_is_rejected() {
    assert_verdict("\tcpu usage=1.5\n", &[Dialect::LeadingTabRejected]);
}

#[test]
fn a_bare_decimal_point_is_a_float() {
    assert_verdict(
        "cpu a=1.,b=.5,c=-.5e1,d=2.e3\n",
        &[Dialect::FloatWithBareDecimalPoint],
    );
}

#[test]
fn a_name_may_end_with_a_backslash() {
    assert_verdict(
        r"cpu\\,dir=C:\\ path\\=1",
        &[Dialect::NameEndsWithBackslash],
    );
}

#[test]
fn a_repeated_tag_key_is_rejected() {
    assert_verdict(
        "cpu,host=a,host=b usage=1\n",
        &[Dialect::DuplicateTagKeyRejected],
    );
}

#[test]
fn a_trailing_comma_in_the_fields_is_rejected() {
    assert_verdict("cpu usage=1,\n", &[Dialect::TrailingCommaInFieldsRejected]);
    assert_verdict(
        "cpu usage=1, 10\n",
        &[Dialect::TrailingCommaInFieldsRejected],
    );
    // After a second field, the reference rejects it too.
    assert_eq!(verdict("cpu usage=1,idle=2,\n"), Verdict::Agree);
}

#[test]
fn control_characters_are_rejected_in_names() {
    assert_verdict(
        "cpu,host=a\u{1} usage=1\n",
        &[Dialect::ControlCharacterRejected],
    );
    assert_verdict("cp\ru usage=1\n", &[Dialect::ControlCharacterRejected]);
    // A tab after a backslash: the reference keeps both in the name.
    assert_verdict("cpu u\\\tsage=1\n", &[Dialect::ControlCharacterRejected]);
}

#[test]
fn an_infinite_float_is_rejected() {
    assert_verdict("cpu usage=1e999\n", &[Dialect::InfiniteFloatRejected]);
}

#[test]
fn a_comma_ends_a_key() {
    assert_verdict("cpu,ho,st=a usage=1\n", &[Dialect::CommaEndsKey]);
    assert_verdict("cpu us,age=1\n", &[Dialect::CommaEndsKey]);
    assert_verdict("cpu,,host=a usage=1\n", &[Dialect::CommaEndsKey]);
    assert_verdict("cpu a=1,,b=2\n", &[Dialect::CommaEndsKey]);
}

/// A line may take several choices; each is listed (outermost first) if
/// taking it away changes what the reference makes of the line.
#[test]
fn choices_combine() {
    assert_verdict(
        "cpu,host=a usage=1.  \r\n",
        &[
            Dialect::CrlfEndsALine,
            Dialect::TrailingSpacesIgnored,
            Dialect::FloatWithBareDecimalPoint,
        ],
    );
    assert_verdict(
        "\u{feff}cpu,host=a,host=b usage=1\n",
        &[
            Dialect::ByteOrderMarkSkipped,
            Dialect::DuplicateTagKeyRejected,
        ],
    );
    // Here the reference's error stays the same without the mark.
    assert_verdict(
        "\u{feff}cpu usage=1.\n",
        &[Dialect::FloatWithBareDecimalPoint],
    );
}

#[test]
fn the_crates_agree_on_the_shared_grammar() {
    for line in [
        "cpu,host=server\\ 1,region=us\\,west usage=0.5,count=3i,total=7u,ok=T,msg=\"a \\\"b\\\" c\\\\\" -12\n",
        "m\\ e\\,s,k\\=1=v=1 f\\ k=-1.5e-3 1\n",
        "日本,é=🦀 ß=\"Ω\nΩ\"\n",
        "m f=1E+10   9223372036854775807   \n",
        "   # comment\n",
        "m,k=v f=1 99999999999999999999\n",
        "m f=1\n",
    ] {
        assert_eq!(verdict(line), Verdict::Agree, "{line:?}");
    }
}

#[test]
fn an_unexplained_difference_is_a_bug() {
    // A float off by one unit in the last place, a string unescaped
    // differently, a dropped tag: nothing in the dialect explains them.
    let line = "cpu,host=a usage=0.1,msg=\"x\\\\y\"";
    let Outcome::Accepted(theirs) = run_theirs(line) else {
        panic!("the reference rejects {line:?}");
    };
    let mut wrong = theirs.clone();
    wrong.fields[0].1 = Value::Float(0.1f64.to_bits() + 1);
    let mut unescaped = theirs.clone();
    unescaped.fields[1].1 = Value::String("x\\\\y".to_owned());
    let mut dropped = theirs.clone();
    dropped.tags.clear();
    for ours in [wrong, unescaped, dropped] {
        let verdict = classify(
            line,
            &Outcome::Accepted(ours),
            &Outcome::Accepted(theirs.clone()),
        );
        assert!(matches!(verdict, Verdict::Bug(_)), "{verdict:?}");
    }
    // A rejection that the reference's reading does not bear out.
    let verdict = classify(
        line,
        &Outcome::Rejected(ParseErrorKind::DuplicateTagKey { key: "host".into() }),
        &Outcome::Accepted(theirs),
    );
    assert!(matches!(verdict, Verdict::Bug(_)), "{verdict:?}");
}

/// Each choice cites a sentence the crate docs still hold.
#[test]
fn every_choice_cites_the_docs() {
    let dialect = dialect_docs();
    for choice in Dialect::ALL {
        assert!(
            dialect.contains(choice.rule()),
            "{choice:?} cites {:?}, which the dialect section does not hold",
            choice.rule()
        );
    }
}
