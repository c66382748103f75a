//! The one definition of which bytes are special in which element.
//!
//! The parser scans with these tables and unescapes with
//! [`unescape_into`](crate::escape::unescape_into); the writer escapes with
//! [`escape_into`](crate::escape::escape_into). Both read the same tables,
//! so they cannot disagree about what needs a backslash.
//!
//! | element | ends it unescaped | `\` escapes |
//! |---|---|---|
//! | measurement | `,` space | `,` space `\` |
//! | tag key, field key | `,` `=` space | `,` `=` space `\` |
//! | tag value | `,` space | `,` `=` space `\` |
//! | string field value | `"` | `"` `\` |
//!
//! A backslash before any other byte is an ordinary byte and is kept.

use crate::bounds;
use crate::error::Element;
use crate::scan::{self, Stops};

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
    pub(crate) fn plain_run_length(&self, bytes: &[u8]) -> usize {
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

    /// Whether `byte` may not stand in this element at all.
    #[inline(always)]
    pub(crate) fn forbidden(&self, byte: u8) -> bool {
        self.flags(byte) & FORBIDDEN != 0
    }

    /// The bytes a backslash escapes, the backslash among them, as the
    /// scanner takes them.
    #[inline(always)]
    pub(crate) fn escapable_stops(&self) -> &Stops {
        &self.escapable
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn run_length_by_table(classes: &ByteClasses, bytes: &[u8]) -> usize {
        bytes
            .iter()
            .position(|&b| classes.stops(b))
            .unwrap_or(bytes.len())
    }

    /// Every element.
    pub(crate) const ELEMENTS: [Element; 5] = [
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
