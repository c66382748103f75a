//! The one definition of which bytes are special in which element.
//!
//! The parser scans with these tables and unescapes with [`unescape_into`]; the
//! writer escapes with [`escape_into`]. Both read the same tables, so they
//! cannot disagree about what needs a backslash.
//!
//! | element | ends it unescaped | `\` escapes |
//! |---|---|---|
//! | measurement | `,` space | `,` space `\` |
//! | tag key, field key | `,` `=` space | `,` `=` space `\` |
//! | tag value | `,` space | `,` `=` space `\` |
//! | string field value | `"` | `"` `\` |
//!
//! A backslash before any other byte is an ordinary byte and is kept.

use std::fmt;

use crate::bounds;
use crate::scan::{self, Stops};

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

/// The byte ends the parser's fast scan: an unescaped delimiter of the
/// element, a backslash, or (outside strings) a control byte.
const STOP: u8 = 1;
/// The byte becomes itself when a backslash stands before it.
const ESCAPABLE: u8 = 2;
/// The byte may not stand in the element at all (control bytes in names
/// and tag values).
const FORBIDDEN: u8 = 4;

/// A 256-entry table of [`STOP`], [`ESCAPABLE`] and [`FORBIDDEN`] flags,
/// and the same [`STOP`] bytes as the scanner's [`Stops`].
pub(crate) struct ByteClasses {
    table: [u8; 256],
    stops: Stops,
    /// The delimiters alone: the bytes that end the element unescaped.
    delimiters: Stops,
    /// The bytes a backslash escapes, the backslash among them.
    escapable: Stops,
}

impl ByteClasses {
    #[expect(
        clippy::indexing_slicing,
        reason = "only evaluated at compile time, where an out-of-bounds index fails the build"
    )]
    const fn new(delimiters: &[u8], escapable: &[u8], control_stops: bool) -> Self {
        let mut table = [0u8; 256];
        let mut byte = 0;
        while byte < 256 {
            if control_stops && is_control(byte as u8) {
                table[byte] |= STOP | FORBIDDEN;
            }
            byte += 1;
        }
        let mut i = 0;
        while i < delimiters.len() {
            table[delimiters[i] as usize] |= STOP;
            i += 1;
        }
        let mut i = 0;
        while i < escapable.len() {
            table[escapable[i] as usize] |= ESCAPABLE;
            i += 1;
        }
        table[b'\\' as usize] |= STOP | ESCAPABLE;

        // The scanner's form of the same stops: the backslash, the
        // delimiters, and with control bytes every byte up to the space
        // (which covers a space delimiter) and DEL.
        let mut needles = [b'\\'; 4];
        let mut count = 1;
        let mut i = 0;
        while i < delimiters.len() {
            if !(control_stops && delimiters[i] == b' ') {
                needles[count] = delimiters[i];
                count += 1;
            }
            i += 1;
        }
        if control_stops {
            needles[count] = 0x7f;
            count += 1;
        }
        let stops = Stops::new(
            needles.split_at(count).0,
            if control_stops { 0x21 } else { 0 },
        );
        // Checked while the crate compiles: the table and the scanner
        // agree on every byte.
        let mut byte = 0;
        while byte < 256 {
            assert!(
                stops.contains(byte as u8) == (table[byte] & STOP != 0),
                "the scanner's stops differ from the table"
            );
            byte += 1;
        }
        // The escapable bytes and the backslash, as the scanner takes them.
        let mut escapes = [b'\\'; 4];
        let mut i = 0;
        while i < escapable.len() {
            escapes[i + 1] = escapable[i];
            i += 1;
        }
        ByteClasses {
            table,
            stops,
            delimiters: Stops::new(delimiters, 0),
            escapable: Stops::new(escapes.split_at(escapable.len() + 1).0, 0),
        }
    }

    /// Whether the bytes a backslash escapes are exactly those of `stops`.
    #[expect(
        clippy::indexing_slicing,
        reason = "only evaluated at compile time, where an out-of-bounds index fails the build"
    )]
    const fn escapes_are(&self, stops: &Stops) -> bool {
        let mut byte = 0;
        while byte < 256 {
            if (self.table[byte] & ESCAPABLE != 0) != stops.contains(byte as u8) {
                return false;
            }
            byte += 1;
        }
        true
    }

    /// The length of the run at the start of `bytes` in which no byte
    /// stops the scan: the offset of the first byte that does, or the
    /// length of `bytes`.
    #[inline(always)]
    pub(crate) fn run_length(&self, bytes: &[u8]) -> usize {
        scan::run_length(bytes, &self.stops)
    }

    /// The bytes that end the element where no backslash escapes them.
    #[inline(always)]
    pub(crate) fn delimiters(&self) -> &Stops {
        &self.delimiters
    }

    /// The length of the run at the start of `bytes` in which no byte
    /// needs care from the writer (see [`ByteClasses::needs_care`]).
    #[inline(always)]
    fn plain_run_length(&self, bytes: &[u8]) -> usize {
        run_until(bytes, |byte| self.needs_care(byte))
    }

    /// Whether no byte of `bytes` needs care from the writer: one look-up
    /// per byte, folded without a branch, so a short name is settled in a
    /// few instructions before it is copied whole.
    #[inline(always)]
    pub(crate) fn is_plain(&self, bytes: &[u8]) -> bool {
        bytes
            .iter()
            .fold(0, |flags, &byte| flags | self.flags(byte))
            & (ESCAPABLE | FORBIDDEN)
            == 0
    }

    /// Whether the scan of this element must look at `byte`.
    #[inline(always)]
    pub(crate) fn stops(&self, byte: u8) -> bool {
        self.flags(byte) & STOP != 0
    }

    /// Whether `\` followed by `byte` is an escape in this element.
    #[inline(always)]
    pub(crate) fn escapable(&self, byte: u8) -> bool {
        self.flags(byte) & ESCAPABLE != 0
    }

    /// Whether the writer must look at `byte`: it needs a backslash, or it
    /// may not be written at all.
    #[inline(always)]
    fn needs_care(&self, byte: u8) -> bool {
        self.flags(byte) & (ESCAPABLE | FORBIDDEN) != 0
    }

    #[inline(always)]
    fn flags(&self, byte: u8) -> u8 {
        // A u8 index into a 256-entry table is always in bounds.
        self.table.get(usize::from(byte)).copied().unwrap_or(0)
    }
}

static MEASUREMENT: ByteClasses = ByteClasses::new(b", ", b", ", true);
static KEY: ByteClasses = ByteClasses::new(b",= ", b",= ", true);
static TAG_VALUE: ByteClasses = ByteClasses::new(b", ", b",= ", true);

// The parser scans names through a `StopIndex`, whose stops must be the
// names' own; checked while the crate compiles.
const _: () = assert!(
    MEASUREMENT.stops.same_as(&scan::NAME_STOPS)
        && TAG_VALUE.stops.same_as(&scan::NAME_STOPS)
        && KEY.stops.same_as(&scan::KEY_STOPS),
    "the stop index's stops differ from the names'"
);

// The scanner finds a string value's end and counts its escapes with
// the escapable bytes of strings as its own; checked while the crate
// compiles.
const _: () = assert!(
    STRING_VALUE.escapes_are(&scan::STRING_ESCAPABLE),
    "the scanner's escapes of strings differ from the table's"
);
static STRING_VALUE: ByteClasses = ByteClasses::new(b"\"\n", b"\"", false);

// The scanner's tests and fuzz target unescape with the escapable bytes
// of every element; checked against the tables while the crate compiles.
#[cfg(any(test, feature = "fuzzing"))]
const _: () = {
    let [measurement, keys, strings] = scan::ELEMENT_ESCAPES;
    assert!(
        MEASUREMENT.escapes_are(&measurement)
            && KEY.escapes_are(&keys)
            && TAG_VALUE.escapes_are(&keys)
            && STRING_VALUE.escapes_are(&strings),
        "the scanner's tests unescape with other bytes than the tables"
    );
};

impl Element {
    /// The byte classes of this element.
    pub(crate) fn classes(self) -> &'static ByteClasses {
        match self {
            Element::Measurement => &MEASUREMENT,
            Element::TagKey | Element::FieldKey => &KEY,
            Element::TagValue => &TAG_VALUE,
            Element::StringValue => &STRING_VALUE,
        }
    }
}

/// The length of the run at the start of `bytes` in which no byte is
/// `found`: the offset of the first that is, or the length of `bytes`.
///
/// Looks at eight bytes per turn of the loop while eight remain, which
/// spares the end-of-input test of every byte; on the TSBS benchmark that
/// made the whole parse 8% faster than a plain `position`.
#[inline(always)]
fn run_until(bytes: &[u8], found: impl Fn(u8) -> bool) -> usize {
    let mut len = 0;
    while let Some(block) = bytes.get(len..).and_then(<[u8]>::first_chunk::<8>) {
        if let Some(at) = block.iter().position(|&byte| found(byte)) {
            return len + at;
        }
        len += 8;
    }
    let rest = bounds::within(bytes, len..);
    len + rest
        .iter()
        .position(|&byte| found(byte))
        .unwrap_or(rest.len())
}

/// Whether `byte` is a control character: 0x00-0x1F or 0x7F.
#[inline(always)]
pub(crate) const fn is_control(byte: u8) -> bool {
    byte < 0x20 || byte == 0x7f
}

/// Appends `raw`, a token the parser has scanned, to `out` without the
/// escapes of `element`.
///
/// Only escapes whose second byte is special in `element` are removed; any
/// other backslash stays. Tokens of 64 bytes or more (strings of prose
/// with quotes and paths in them, long names) go to the scanner's
/// [`scan::unescape`], which packs 16 bytes at a time whatever their
/// escapes; on the escape-heavy benchmark set, with an escape every ten
/// bytes of its strings, that parses 1.15x faster than copying run by
/// run. Shorter tokens, whose escapes are few, are copied run by run.
pub(crate) fn unescape_into(raw: &str, element: Element, out: &mut String) {
    /// Tokens at least this long are unescaped 16 bytes at a time.
    const LONG: usize = 64;
    if raw.len() >= LONG && scan::unescape(raw, &element.classes().escapable, out) {
        return;
    }
    unescape_by_runs(raw, element, out);
}

/// [`unescape_into`] run by run: the runs between backslashes, which the
/// scanner finds 16 bytes at a time, are copied whole.
fn unescape_by_runs(raw: &str, element: Element, out: &mut String) {
    /// The scanner's stops for a backslash alone.
    const BACKSLASH: Stops = Stops::new(b"\\", 0);
    let classes = element.classes();
    out.reserve(raw.len());
    let mut rest = raw;
    loop {
        let at = scan::run_length(rest.as_bytes(), &BACKSLASH);
        // A backslash is ASCII, so the run before it ends on a character
        // boundary.
        let (run, from_backslash) = rest.split_at_checked(at).unwrap_or((rest, ""));
        out.push_str(run);
        let [_, next, ..] = from_backslash.as_bytes() else {
            out.push_str(from_backslash);
            return;
        };
        if classes.escapable(*next) {
            // Every escapable byte is ASCII, so it is a whole character.
            out.push(char::from(*next));
            rest = bounds::within_str(from_backslash, 2..);
        } else {
            out.push('\\');
            rest = bounds::within_str(from_backslash, 1..);
        }
    }
}

/// `raw` without the escapes of `element`, in a new string (see
/// [`unescape_into`]).
#[cfg(test)]
pub(crate) fn unescape(raw: &str, element: Element) -> String {
    let mut out = String::new();
    unescape_into(raw, element, &mut out);
    out
}

/// Where the writer puts bytes: a buffer, or nowhere when it only checks.
pub(crate) trait Sink {
    /// Appends `bytes`.
    fn extend(&mut self, bytes: &[u8]);
    /// Appends `byte`.
    fn push(&mut self, byte: u8);
}

impl Sink for Vec<u8> {
    #[inline(always)]
    fn extend(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    #[inline(always)]
    fn push(&mut self, byte: u8) {
        Vec::push(self, byte);
    }
}

/// A [`Sink`] that drops everything: writing into it only checks.
pub(crate) struct Discard;

impl Sink for Discard {
    #[inline(always)]
    fn extend(&mut self, _bytes: &[u8]) {}

    #[inline(always)]
    fn push(&mut self, _byte: u8) {}
}

/// Appends `value` to `out`, escaped for `element`, or returns the first
/// byte that may not stand in `element` (a control byte in a name or tag
/// value), having written part of it.
///
/// Special bytes get a backslash. A backslash is doubled only where the
/// parser would otherwise read it as an escape: before a special byte,
/// before another backslash, and at the end (where the delimiter follows).
/// Any other backslash is written as it is, so text such as `C:\temp` stays
/// readable by every line-protocol reader.
#[inline]
pub(crate) fn escape_into(value: &str, element: Element, out: &mut impl Sink) -> Result<(), u8> {
    let classes = element.classes();
    let mut rest = value.as_bytes();
    // Copy runs of ordinary bytes whole; stop only where a byte needs care.
    loop {
        let at = classes.plain_run_length(rest);
        let (run, special) = rest.split_at_checked(at).unwrap_or((rest, &[]));
        out.extend(run);
        let [byte, after @ ..] = special else {
            return Ok(());
        };
        if classes.flags(*byte) & FORBIDDEN != 0 {
            return Err(*byte);
        }
        let needs_backslash = if *byte == b'\\' {
            // A backslash is read as an escape before a special byte or
            // another backslash, and at the end, where a delimiter follows.
            after.first().is_none_or(|&next| classes.escapable(next))
        } else {
            true
        };
        if needs_backslash {
            out.push(b'\\');
        }
        out.push(*byte);
        rest = after;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(value: &str, element: Element) -> String {
        let mut out = Vec::new();
        escape_into(value, element, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn each_element_escapes_its_own_specials() {
        assert_eq!(escaped("a b,c=d", Element::Measurement), r"a\ b\,c=d");
        assert_eq!(escaped("a b,c=d", Element::TagKey), r"a\ b\,c\=d");
        assert_eq!(escaped("a b,c=d", Element::TagValue), r"a\ b\,c\=d");
        assert_eq!(escaped("a b,c=d", Element::FieldKey), r"a\ b\,c\=d");
        assert_eq!(escaped(r#"a b,"c"#, Element::StringValue), r#"a b,\"c"#);
    }

    #[test]
    fn backslashes_are_doubled_only_where_they_would_be_read_as_escapes() {
        assert_eq!(escaped(r"C:\temp", Element::TagValue), r"C:\temp");
        assert_eq!(escaped(r"a\", Element::TagValue), r"a\\");
        assert_eq!(escaped(r"a\\b", Element::TagValue), r"a\\\b");
        assert_eq!(escaped(r"a\,b", Element::TagValue), r"a\\\,b");
        assert_eq!(escaped(r"a\=b", Element::Measurement), r"a\=b");
        assert_eq!(escaped(r#"\"#, Element::StringValue), r"\\");
        assert_eq!(escaped(r#"\n"#, Element::StringValue), r"\n");
    }

    #[test]
    fn unescape_removes_only_escapes_of_the_element() {
        assert_eq!(
            unescape(r"a\ b\,c\=d\\e\x", Element::TagKey),
            r"a b,c=d\e\x"
        );
        assert_eq!(unescape(r"a\ b\,c\=d", Element::Measurement), r"a b,c\=d");
        assert_eq!(unescape(r#"a\"b\\c\n"#, Element::StringValue), r#"a"b\c\n"#);
        assert_eq!(unescape(r"trailing\", Element::TagValue), r"trailing\");
    }

    /// `raw` without the escapes of `element`, by the table in the
    /// module's docs, one character at a time.
    fn unescaped_by_the_dialect(raw: &str, element: Element) -> String {
        let escapable: &[char] = match element {
            Element::Measurement => &[',', ' ', '\\'],
            Element::TagKey | Element::TagValue | Element::FieldKey => &[',', '=', ' ', '\\'],
            Element::StringValue => &['"', '\\'],
        };
        let mut out = String::new();
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            match chars.peek() {
                Some(next) if c == '\\' && escapable.contains(next) => {
                    out.push(*next);
                    chars.next();
                }
                _ => out.push(c),
            }
        }
        out
    }

    proptest::proptest! {
        /// Tokens of every length, short ones copied run by run and long
        /// ones packed 16 bytes at a time, appended to earlier text.
        #[test]
        fn unescaping_follows_the_dialect(
            chars in proptest::collection::vec(proptest::sample::select(vec!['a', 'b', '\\', '\\', '"', ',', '=', ' ', 'é', '東', '🌡']), 0..400),
        ) {
            let raw: String = chars.into_iter().collect();
            for element in ELEMENTS {
                let mut out = String::from("before ");
                unescape_into(&raw, element, &mut out);
                proptest::prop_assert_eq!(
                    out,
                    format!("before {}", unescaped_by_the_dialect(&raw, element)),
                    "{:?}", element
                );
            }
        }
    }

    fn run_length_by_table(classes: &ByteClasses, bytes: &[u8]) -> usize {
        bytes
            .iter()
            .position(|&b| classes.stops(b))
            .unwrap_or(bytes.len())
    }

    const ELEMENTS: [Element; 5] = [
        Element::Measurement,
        Element::TagKey,
        Element::TagValue,
        Element::FieldKey,
        Element::StringValue,
    ];

    #[test]
    fn the_block_scan_finds_every_stop_byte_at_every_offset() {
        for element in ELEMENTS {
            let classes = element.classes();
            for byte in 0..=255u8 {
                for len in 0..20 {
                    for at in 0..len {
                        let mut bytes = vec![b'a'; len];
                        bytes[at] = byte;
                        let expected = if classes.stops(byte) { at } else { len };
                        assert_eq!(
                            classes.run_length(&bytes),
                            expected,
                            "{element} {byte:#x} at {at} of {len}"
                        );
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn the_block_scan_agrees_with_the_table(bytes in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::prelude::any::<u8>(),
                proptest::sample::select(b" ,=\\\"\n\r\t\x7fa0".to_vec()),
            ],
            0..40,
        )) {
            for element in ELEMENTS {
                let classes = element.classes();
                proptest::prop_assert_eq!(
                    classes.run_length(&bytes),
                    run_length_by_table(classes, &bytes)
                );
            }
        }
    }

    #[test]
    fn tables_stop_where_the_grammar_needs_to_look() {
        let m = Element::Measurement.classes();
        assert!(m.stops(b',') && m.stops(b' ') && m.stops(b'\\') && m.stops(b'\t'));
        assert!(!m.stops(b'=') && !m.stops(b'a') && !m.stops(0xc3));
        let v = Element::TagValue.classes();
        assert!(!v.stops(b'=') && v.escapable(b'='));
        let s = Element::StringValue.classes();
        assert!(s.stops(b'"') && s.stops(b'\n') && !s.stops(b'\r') && !s.stops(b' '));
    }
}
