//! Escaping and unescaping names and string values, by the tables of
//! [`classes`](crate::classes).

use crate::bounds;
use crate::error::Element;
use crate::scan;
use crate::scan::Stops;
use crate::write::Sink;

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
    if raw.len() >= LONG && scan::unescape(raw, element.classes().escapable_stops(), out) {
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
        if classes.forbidden(*byte) {
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
            for element in crate::classes::tests::ELEMENTS {
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
}
