//! Where a line ends, found without parsing it: for a stream waiting for
//! the rest of a long line.
//!
//! A line ends at its first line feed outside a string value. A string
//! value opens only with a quote right after the `=` of a field (after the
//! first unescaped space, which ends the measurement and tag set), and
//! closes at the next quote that no backslash escapes; everywhere else a
//! quote is an ordinary byte. [`Skim`] follows that much of the grammar
//! and keeps its place between reads, so each byte of a long line is
//! looked at once however many reads bring it, where parsing the line
//! again after every read would cost its length each time. It jumps from
//! one byte that matters to the next with the scanner
//! ([`scan::find_unescaped`], [`scan::run_length`]).
//!
//! The grammar places strings where the skim does for as long as the line
//! is valid, so the skim never finds an end that the grammar does not:
//! a parse it calls for settles the line. After an error the grammar ends
//! the line at the next line feed. Where a parse has found the error, the
//! stream skims on from it ([`Skim::for_stall`]), so that line feed ends
//! the line. An error in bytes read after the last parse the skim does
//! not see: when a string opens after it, the skim waits for a line feed
//! after that string instead. That costs a wait for more input on such a
//! bad line, never a different result, and a stream parses anyway at the
//! end of its input or when the line passes the length limit.

use crate::scan::{self, Stops};
use crate::stream::Stall;

/// The part of the line the skim has reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// Spaces and tabs before the line's content.
    Indent,
    /// The measurement and the tag set, up to the first unescaped space.
    Names,
    /// Spaces before the field set.
    Separator,
    /// A field key, up to its `=`.
    Key,
    /// Right after a field's `=`.
    ValueStart,
    /// A number or a boolean.
    Value,
    /// A string value, up to its closing quote.
    String,
    /// Right after a string's closing quote.
    AfterString,
    /// A comment, the timestamp, or the bytes after an error: the next
    /// line feed ends the line.
    Rest,
    /// The line has ended.
    Ended,
}

/// A line feed alone.
const LINE_FEED: Stops = Stops::new(b"\n", 0);
/// A space alone.
const SPACE: Stops = Stops::new(b" ", 0);
/// What ends a field key: its `=`, or (an error) a space or a comma.
const KEY_END: Stops = Stops::new(b"= ,", 0);
/// What ends a number or boolean.
const VALUE_END: Stops = Stops::new(b", \n", 0);
/// A quote alone.
const QUOTE: Stops = Stops::new(b"\"", 0);

/// How far a stream has skimmed the line at the start of its buffer, and
/// what it has seen; see the [module docs](self).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Skim {
    place: Place,
    /// How many bytes of the line have been skimmed.
    skimmed: usize,
    /// Whether the byte at `skimmed` is escaped by a backslash before it.
    escaped: bool,
}

impl Default for Skim {
    fn default() -> Self {
        Skim {
            place: Place::Indent,
            skimmed: 0,
            escaped: false,
        }
    }
}

impl Skim {
    /// A skim of a line a parse stalled on: from its start, or after the
    /// error it found, where the next line feed ends the line.
    pub(crate) fn for_stall(stall: Stall) -> Skim {
        match stall {
            Stall::Line => Skim::default(),
            Stall::Error { at } => Skim {
                place: Place::Rest,
                skimmed: at,
                escaped: false,
            },
        }
    }

    /// Whether the line has ended: the skim found its line feed (it then
    /// skims no further).
    pub(crate) fn has_ended(&self) -> bool {
        self.place == Place::Ended
    }

    /// Skims `line`, the line from its start as far as it has been read,
    /// on from where the last call stopped; `true` once a line feed ends
    /// the line.
    pub(crate) fn ended(&mut self, line: &[u8]) -> bool {
        while let Some(rest) = line.get(self.skimmed..).filter(|rest| !rest.is_empty()) {
            if self.place == Place::Ended {
                break;
            }
            self.step(rest);
        }
        self.has_ended()
    }

    /// Moves on through `rest` (not empty): to the next byte that changes
    /// the place, or to the end of `rest`.
    fn step(&mut self, rest: &[u8]) {
        let first = rest.first().copied().unwrap_or(b'\n');
        match self.place {
            Place::Indent => match first {
                b' ' | b'\t' => self.skimmed += 1,
                b'#' => self.go(1, Place::Rest),
                b'\n' => self.go(1, Place::Ended),
                _ => self.place = Place::Names,
            },
            Place::Names => match self.find(rest, &SPACE, Some(&LINE_FEED)) {
                Some(b'\n') => self.place = Place::Ended,
                Some(_) => self.place = Place::Separator,
                None => {}
            },
            Place::Separator => match first {
                b' ' => self.skimmed += 1,
                b'\n' => self.go(1, Place::Ended),
                _ => self.place = Place::Key,
            },
            Place::Key => match self.find(rest, &KEY_END, Some(&LINE_FEED)) {
                Some(b'=') => self.place = Place::ValueStart,
                Some(b'\n') => self.place = Place::Ended,
                Some(_) => self.place = Place::Rest,
                None => {}
            },
            Place::ValueStart => match first {
                b'"' => self.go(1, Place::String),
                _ => self.place = Place::Value,
            },
            Place::Value => {
                let run = scan::run_length(rest, &VALUE_END);
                self.place = match rest.get(run) {
                    Some(b',') => Place::Key,
                    Some(b' ') => Place::Rest,
                    Some(_) => Place::Ended,
                    None => Place::Value,
                };
                self.skimmed += (run + 1).min(rest.len());
            }
            Place::String => {
                if self.find(rest, &QUOTE, None).is_some() {
                    self.place = Place::AfterString;
                }
            }
            Place::AfterString => match first {
                b',' => self.go(1, Place::Key),
                b'\n' => self.go(1, Place::Ended),
                // A space starts the timestamp; anything else is an error.
                _ => self.place = Place::Rest,
            },
            Place::Rest => {
                let run = scan::run_length(rest, &LINE_FEED);
                if run < rest.len() {
                    self.place = Place::Ended;
                }
                self.skimmed += (run + 1).min(rest.len());
            }
            Place::Ended => {}
        }
    }

    /// Moves `count` bytes on, to `place`.
    fn go(&mut self, count: usize, place: Place) {
        self.skimmed += count;
        self.place = place;
    }

    /// Moves past the first byte of `rest` that is one of `targets` and
    /// not escaped, or one of `always`, and returns it; or to the end of
    /// `rest`, keeping whether the byte after it is escaped.
    fn find(&mut self, rest: &[u8], targets: &Stops, always: Option<&Stops>) -> Option<u8> {
        match scan::find_unescaped(rest, targets, always, &mut self.escaped) {
            Some(at) => {
                self.escaped = false;
                self.skimmed += at + 1;
                rest.get(at).copied()
            }
            None => {
                self.skimmed += rest.len();
                None
            }
        }
    }
}

/// Whether a skim of `input` fed in pieces of `piece` bytes ends its
/// first line before the parser does, when the line starts with content:
/// a skim that did would call for parses that settle nothing. For the
/// `stream` fuzz target.
#[cfg(feature = "fuzzing")]
pub fn disagreement(input: &[u8], piece: usize) -> Option<String> {
    // The parser, like a stream, drops one byte-order mark first; the
    // skim starts after it. (Dropping it here and parsing the rest would
    // let the parser drop a second one that the skim reads as a name.)
    let mut points = crate::parse_with(input, crate::ParseOptions::new().without_limits());
    let input = crate::lines::without_byte_order_mark(input);
    let mark = points.offset();
    if matches!(
        input.first(),
        None | Some(b' ' | b'\t' | b'#' | b'\n' | b'\r')
    ) {
        return None;
    }
    let _ = points.next();
    let parsed = points.offset() - mark;
    let mut skim = Skim::default();
    let mut read = 0;
    while read < input.len() {
        read = (read + piece.max(1)).min(input.len());
        if skim.ended(input.get(..read).unwrap_or_default()) {
            return (skim.skimmed < parsed)
                .then(|| format!("skim ended at {}, parser at {parsed}", skim.skimmed));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the skim says the first line of `input` ends (after its line
    /// feed), fed in pieces of `piece` bytes.
    fn skimmed_end(input: &[u8], piece: usize) -> Option<usize> {
        let mut skim = Skim::default();
        let mut read = 0;
        loop {
            read = (read + piece.max(1)).min(input.len());
            if skim.ended(input.get(..read).unwrap_or_default()) {
                return Some(skim.skimmed);
            }
            if read == input.len() {
                return None;
            }
        }
    }

    /// Where the parser ends the first line of `input`, which starts with
    /// the line's content (no blank line or comment before it): the offset
    /// after the first point or error.
    fn parsed_end(input: &[u8]) -> usize {
        let mut points = crate::parse_with(input, crate::ParseOptions::new().without_limits());
        let _ = points.next();
        points.offset()
    }

    /// Found by the `stream` fuzz target: a second byte-order mark starts
    /// a name for the skim and for the parser alike.
    #[cfg(feature = "fuzzing")]
    #[test]
    fn a_second_byte_order_mark_is_part_of_the_line() {
        let input = b"\xef\xbb\xbf\xef\xbb\xbf \n\n\n\" f\xd8";
        for piece in 1..=input.len() {
            assert_eq!(disagreement(input, piece), None, "reads of {piece}");
        }
    }

    #[test]
    fn lines_end_at_the_first_line_feed_outside_strings() {
        for (input, end) in [
            (&b"m f=1\nm f=2\n"[..], Some(6)),
            (b"m f=\"a\nb\"\nnext", Some(10)),
            (b"m f=\"a\\\"\nb\",g=\"\\\\\"\nnext", Some(19)),
            (br#"m"x,t="v f=1 5"#, None),
            (b"m\"x,t=\"v f=1\nnext", Some(13)),
            (b"  # a comment with \"quotes\n", Some(27)),
            (b"\t\n", Some(2)),
            (b"m\\ \\\n", Some(5)),
            (b"m f=\"x\"y\nz\"\n", Some(9)),
            (b"m f=1 17\"\n", Some(10)),
            (b"m,t=1 f=", None),
            (b"m f=\"", None),
            (b"m f=\"\\", None),
        ] {
            for piece in [1, 2, 3, 64, 1000] {
                assert_eq!(
                    skimmed_end(input, piece),
                    end,
                    "{input:?} in pieces of {piece}"
                );
            }
        }
    }

    /// A line of elements the grammar accepts, with strings holding line
    /// feeds, quotes and backslashes, and escapes in every name, or with
    /// one element broken.
    fn line() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let name = proptest::collection::vec(
            prop_oneof![
                Just(&b"a"[..]),
                Just(&b"\\ "[..]),
                Just(&b"\\,"[..]),
                Just(&b"\\="[..]),
                Just(&b"\\\\"[..]),
                Just(&b"\""[..]),
                Just(&b"\\"[..]),
            ],
            1..6,
        )
        .prop_map(|parts| {
            let name = parts.concat();
            // A lone backslash at the end would escape what follows.
            if name.ends_with(b"\\") && !name.ends_with(b"\\\\") {
                [name.as_slice(), b"a"].concat()
            } else {
                name
            }
        });
        let string = proptest::collection::vec(
            prop_oneof![
                Just(&b"x"[..]),
                Just(&b"\n"[..]),
                Just(&b"\\\""[..]),
                Just(&b"\\\\"[..]),
                Just(&b"\\n"[..]),
                Just(&b" ,="[..]),
            ],
            0..6,
        )
        .prop_map(|parts| [&b"\""[..], &parts.concat(), b"\""].concat());
        let value = prop_oneof![
            Just(b"1".to_vec()),
            Just(b"-2i".to_vec()),
            Just(b"t".to_vec()),
            string
        ];
        let field =
            (name.clone(), value).prop_map(|(key, value)| [key, b"=".to_vec(), value].concat());
        let tag = (name.clone(), name.clone())
            .prop_map(|(key, value)| [key, b"=".to_vec(), value].concat());
        (
            name,
            proptest::collection::vec(tag, 0..3),
            proptest::collection::vec(field, 1..4),
            proptest::option::of(Just(b" 17".to_vec())),
            proptest::collection::vec((any::<usize>(), any::<u8>()), 0..2),
        )
            .prop_map(|(measurement, tags, fields, timestamp, breaks)| {
                let mut line = measurement;
                for tag in tags {
                    line.push(b',');
                    line.extend(tag);
                }
                line.push(b' ');
                line.extend(fields.join(&b","[..]));
                line.extend(timestamp.unwrap_or_default());
                // Some lines get a byte overwritten anywhere.
                for (at, byte) in breaks {
                    let len = line.len();
                    if let Some(slot) = line.get_mut(at % len) {
                        *slot = byte;
                    }
                }
                line.extend(b"\nnext f=1\n");
                line
            })
    }

    proptest::proptest! {
        #[test]
        fn the_skim_never_ends_a_line_before_the_parser_does(
            input in line(),
            piece in 1usize..80,
        ) {
            // The first byte must be the line's content, not a blank or
            // comment line the parser would skip.
            proptest::prop_assume!(!matches!(input.first(), Some(b' ' | b'\t' | b'#' | b'\n' | b'\r')));
            let parsed = parsed_end(&input);
            let skimmed = skimmed_end(&input, piece);
            // A skim may wait for a later line feed after an error, but
            // never ends a line before the parser does.
            if let Some(end) = skimmed {
                proptest::prop_assert!(end >= parsed, "{:?}: skimmed {}, parsed {}", String::from_utf8_lossy(&input), end, parsed);
            }
            // A line the parser reads as a point ends where the skim says.
            if crate::parse(&input).next().is_some_and(|first| first.is_ok()) {
                proptest::prop_assert_eq!(skimmed, Some(parsed), "{:?}", String::from_utf8_lossy(&input));
            }
        }

        #[test]
        fn any_bytes_end_no_earlier_than_the_parser_ends_them(
            input in proptest::collection::vec(proptest::sample::select(b"ab =,\"\\\n\t#1".to_vec()), 1..60),
            piece in 1usize..20,
        ) {
            proptest::prop_assume!(!matches!(input.first(), Some(b' ' | b'\t' | b'#' | b'\n' | b'\r')));
            let parsed = parsed_end(&input);
            if let Some(skimmed) = skimmed_end(&input, piece) {
                proptest::prop_assert!(skimmed >= parsed, "{:?}: skimmed {}, parsed {}", String::from_utf8_lossy(&input), skimmed, parsed);
            }
        }
    }
}
