//! Arbitrary bytes through the parser: the iterator and `next_into` agree
//! (the iterator's points with escapes keep their entries and text in one
//! block of their own, `next_into`'s in a list and a string: copies, tags
//! sorted in place and detached copies agree too), errors lie inside the
//! input, limits hold, and every point that parses is written back and
//! parses back to the same point (or, for a measurement starting with a
//! byte-order mark, is refused by the writer).
#![no_main]

use libfuzzer_sys::fuzz_target;
use lineproto::{FieldValue, InvalidPoint, ParseError, ParseOptions, Point, Precision};

fuzz_target!(|data: &[u8]| {
    let mut reused = lineproto::parse(data);
    let mut point = Point::new();
    for result in lineproto::parse(data) {
        let again = reused.next_into(&mut point).expect("next_into ended early");
        match (result, again) {
            (Ok(parsed), Ok(())) => {
                assert!(same(&parsed, &point), "{parsed:?} != {point:?}");
                assert!(
                    same(&parsed.clone(), &point),
                    "a copy of {parsed:?} differs"
                );
                let (mut sorted, mut sorted_again) = (parsed.clone(), point.clone());
                sorted.sort_tags();
                sorted_again.sort_tags();
                assert!(
                    same(&sorted, &sorted_again),
                    "{sorted:?} != {sorted_again:?}"
                );
                assert!(
                    same(&parsed.clone().into_owned(), &point),
                    "detached {parsed:?} differs"
                );
                written_back(&parsed);
            }
            (Err(err), Err(again)) => {
                assert_eq!(err, again);
                inside(data, &err);
            }
            (a, b) => panic!("iterator gave {a:?}, next_into gave {b:?}"),
        }
    }
    assert!(reused.next_into(&mut point).is_none(), "next_into went on");

    // Tight limits: never a point over them, every error inside the input.
    let tight = ParseOptions::new()
        .with_max_line_length(24)
        .with_max_tags(2)
        .with_max_fields(2)
        .with_max_string_length(4);
    for result in lineproto::parse_with(data, tight) {
        match result {
            Ok(p) => assert!(p.tags().len() <= 2 && p.fields().len() <= 2 && short(&p)),
            Err(err) => inside(data, &err),
        }
    }
});

/// The error's line and column lie inside the input.
fn inside(data: &[u8], err: &ParseError) {
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let (line, column) = (err.line(), err.column());
    assert!(
        (1..=lines.len()).contains(&line),
        "{err} outside {} lines",
        lines.len()
    );
    let length = lines[line - 1].len();
    assert!(
        (1..=length + 1).contains(&column),
        "{err} outside a line of {length} bytes"
    );
}

/// Written in nanoseconds, `point` parses back as the same point; or, for
/// a measurement that starts with a byte-order mark (which a line past the
/// first may hold) or a name or tag value that ends in a backslash (which
/// the parser reads from `\\`), the writer refuses it.
fn written_back(point: &Point<'_>) {
    let mut out = Vec::new();
    let trailing_backslash = point.measurement().ends_with('\\')
        || point
            .tags()
            .any(|tag| tag.key().ends_with('\\') || tag.value().ends_with('\\'))
        || point.fields().any(|field| field.key().ends_with('\\'));
    if point.measurement().starts_with('\u{feff}') || trailing_backslash {
        let refused = point.write_to_vec(&mut out, Precision::Nanoseconds);
        assert!(
            matches!(
                refused,
                Err(InvalidPoint::ByteOrderMarkMeasurement { .. }
                    | InvalidPoint::TrailingBackslash { .. })
            ),
            "{point:?}: {refused:?}"
        );
        assert!(out.is_empty(), "a refused point wrote {out:?}");
        return;
    }
    point
        .write_to_vec(&mut out, Precision::Nanoseconds)
        .unwrap_or_else(|err| panic!("{point:?} parsed but cannot be written: {err}"));
    assert_eq!(
        format!("{point}\n").as_bytes(),
        out,
        "Display differs from the writer"
    );
    let mut back = lineproto::parse_with(&out, ParseOptions::new().without_limits());
    let again = back
        .next()
        .expect("written line is not a point")
        .expect("written line is bad");
    assert!(back.next().is_none(), "one point written as several lines");
    assert!(
        same(point, &again),
        "{point:?} written as {out:?} reads back as {again:?}"
    );
}

fn short(point: &Point<'_>) -> bool {
    point
        .fields()
        .all(|f| f.value().as_str().is_none_or(|s| s.len() <= 4))
}

/// Equality with floats compared by their bits (so `-0` is not `0`).
fn same(a: &Point<'_>, b: &Point<'_>) -> bool {
    a.measurement() == b.measurement()
        && a.tags().eq(b.tags())
        && a.timestamp() == b.timestamp()
        && a.fields().len() == b.fields().len()
        && a.fields().zip(b.fields()).all(|(x, y)| {
            x.key() == y.key()
                && match (x.value(), y.value()) {
                    (FieldValue::Float(x), FieldValue::Float(y)) => x.to_bits() == y.to_bits(),
                    (x, y) => x == y,
                }
        })
}
