//! Property tests: arbitrary valid points survive writing and parsing
//! unchanged; the crate's escaping agrees with a naive, character-by-character
//! oracle written here; `Display` is the written line; timestamps written at
//! a coarser precision come back floored (checked against `i128`
//! arithmetic); `Precision` conversions match an `i128` oracle; arbitrary
//! bytes never panic the parser and every error points inside the input;
//! and the builder refuses exactly what could not round-trip.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::parse_both;

use lineproto::{
    Element, FieldInput, FieldValue, InvalidPoint, NonFinite, ParseErrorKind, ParseOptions, Point,
    Precision, WriteError,
};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;

// ---------------------------------------------------------------------------
// A naive, obviously correct model of the escaping rules
// ---------------------------------------------------------------------------

/// The elements of a line, as the oracle sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum El {
    Measurement,
    Key,
    TagValue,
    Str,
}

impl El {
    /// The characters a backslash escapes in this element (besides the
    /// backslash itself).
    fn specials(self) -> &'static [char] {
        match self {
            El::Measurement => &[',', ' '],
            El::Key | El::TagValue => &[',', '=', ' '],
            El::Str => &['"'],
        }
    }

    fn escapes(self, c: char) -> bool {
        c == '\\' || self.specials().contains(&c)
    }
}

/// The writer's documented escaping: a backslash before each special
/// character; a backslash doubled only where the reader would take it as
/// an escape (before a special character, before another backslash, at the
/// end).
fn oracle_escape(text: &str, el: El) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '\\' {
            match chars.get(i + 1) {
                None => out.push_str("\\\\"),
                Some(&next) if el.escapes(next) => out.push_str("\\\\"),
                Some(_) => out.push('\\'),
            }
        } else if el.specials().contains(&c) {
            out.push('\\');
            out.push(c);
        } else {
            out.push(c);
        }
    }
    out
}

/// The escaping of writers that double every backslash.
fn oracle_escape_all(text: &str, el: El) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if el.escapes(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The reader's rule: a backslash before a special character or another
/// backslash stands for that character; any other backslash is itself.
fn oracle_unescape(raw: &str, el: El) -> String {
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            if let Some(&next) = chars.get(i + 1) {
                if el.escapes(next) {
                    out.push(next);
                    i += 2;
                    continue;
                }
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

fn is_control(c: char) -> bool {
    (c as u32) < 0x20 || c as u32 == 0x7f
}

fn floor_div(a: i128, b: i128) -> i128 {
    let q = a / b;
    if a % b != 0 && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Characters for names and tag values: the special ones often, plus
/// letters and any non-control Unicode.
fn name_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => select(vec![',', '=', ' ', '\\', '"', '#']),
        3 => proptest::char::range('a', 'z'),
        1 => select(vec!['é', 'ß', '日', '🦀', '\u{85}', '\u{2028}', '\u{feff}', '\u{a0}']),
        1 => any::<char>().prop_filter("no control characters", |c| !is_control(*c)),
    ]
}

/// A non-empty name or tag value the writer takes: one that ends in a
/// backslash (which readers disagree on) gets a letter after it.
fn name() -> impl Strategy<Value = String> {
    proptest::collection::vec(name_char(), 1..10).prop_map(|chars| {
        let mut name = String::from_iter(chars);
        if name.ends_with('\\') {
            name.push('x');
        }
        name
    })
}

/// Whether a name or tag value of `point` ends in a backslash, which the
/// parser reads (from `\\\\`) and the writer refuses.
fn has_trailing_backslash(point: &Point<'_>) -> bool {
    let ends = |text: &str| text.ends_with('\\');
    ends(point.measurement())
        || point.tags().any(|tag| ends(tag.key()) || ends(tag.value()))
        || point.fields().any(|field| ends(field.key()))
}

/// A measurement: a name that does not start with `#` (a comment) or
/// U+FEFF (a byte-order mark, skipped at the start of the input).
fn measurement() -> impl Strategy<Value = String> {
    name().prop_filter("a leading # makes a comment", |m| {
        !m.starts_with('#') && !m.starts_with('\u{feff}')
    })
}

/// Characters for string values: anything, control characters included.
fn string_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => select(vec![',', '=', ' ', '\\', '"', '#', '\n', '\r', '\t', '\0', '\u{7f}']),
        2 => proptest::char::range('a', 'z'),
        2 => any::<char>(),
    ]
}

fn string_value() -> impl Strategy<Value = String> {
    proptest::collection::vec(string_char(), 0..16).prop_map(String::from_iter)
}

/// Finite floats over the whole range, with the edges made likely.
fn float() -> impl Strategy<Value = f64> {
    use proptest::num::f64 as f;
    prop_oneof![
        4 => f::POSITIVE | f::NEGATIVE | f::NORMAL | f::SUBNORMAL | f::ZERO,
        1 => select(vec![
            0.0,
            -0.0,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            f64::EPSILON,
            1e16,
            9_999_999_999_999_998.0,
            1e-5,
            9.999_999_999_999_999e-6,
            0.1,
            1.0 / 3.0,
            123_456_789_012_345.67,
        ]),
        1 => any::<i64>().prop_map(|i| i as f64),
        1 => (-1000i32..1000).prop_map(|i| f64::from(i) / 8.0),
    ]
}

fn int() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => any::<i64>(),
        1 => select(vec![i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX]),
    ]
}

fn uint() -> impl Strategy<Value = u64> {
    prop_oneof![
        3 => any::<u64>(),
        1 => select(vec![0, 1, u64::MAX - 1, u64::MAX]),
    ]
}

fn field_value() -> impl Strategy<Value = FieldInput<'static>> {
    prop_oneof![
        float().prop_map(|v| FieldInput::Value(FieldValue::Float(v))),
        int().prop_map(|v| FieldInput::Value(FieldValue::Integer(v))),
        uint().prop_map(|v| FieldInput::Value(FieldValue::UInteger(v))),
        any::<bool>().prop_map(|v| FieldInput::Value(FieldValue::Boolean(v))),
        string_value().prop_map(FieldInput::String),
    ]
}

/// Timestamps over the whole `i64` range, with the edges made likely.
fn timestamp() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => any::<i64>(),
        1 => select(vec![i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX]),
        1 => -10_000_000_000_000i64..10_000_000_000_000,
        1 => (0i64..10_000_000_000_000).prop_map(|d| i64::MAX - d),
    ]
}

/// The parts of a valid point.
#[derive(Clone, Debug)]
struct Parts {
    measurement: String,
    tags: Vec<(String, String)>,
    fields: Vec<(String, FieldInput<'static>)>,
    timestamp: Option<i64>,
}

impl Parts {
    fn build(&self) -> Result<Point<'static>, InvalidPoint> {
        let mut builder = Point::builder(self.measurement.clone());
        for (key, value) in &self.tags {
            builder = builder.tag(key.clone(), value.clone());
        }
        for (key, value) in &self.fields {
            builder = builder.field(key.clone(), value.clone());
        }
        if let Some(ts) = self.timestamp {
            builder = builder.timestamp(ts);
        }
        builder.build()
    }
}

fn parts() -> impl Strategy<Value = Parts> {
    (
        measurement(),
        proptest::collection::vec((name(), name()), 0..4),
        proptest::collection::vec((name(), field_value()), 1..5),
        proptest::option::of(timestamp()),
    )
        .prop_map(|(measurement, tags, fields, timestamp)| {
            // Tag keys must be unique: keep the first of each.
            let mut seen = Vec::new();
            let tags = tags
                .into_iter()
                .filter(|(key, _)| {
                    if seen.contains(key) {
                        false
                    } else {
                        seen.push(key.clone());
                        true
                    }
                })
                .collect();
            Parts {
                measurement,
                tags,
                fields,
                timestamp,
            }
        })
}

fn point() -> impl Strategy<Value = Point<'static>> {
    parts().prop_map(|parts| parts.build().unwrap())
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// `cases` cases; failures are kept in `proptest-regressions/` at the crate
/// root (proptest cannot place them beside a file under `tests/` itself).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/roundtrip.txt",
        ))),
        ..ProptestConfig::default()
    }
}

/// Asserts equality, floats bit for bit (`Debug` tells `-0.0` from `0.0`).
fn same(actual: &Point<'_>, expected: &Point<'_>) -> Result<(), TestCaseError> {
    prop_assert_eq!(actual, expected);
    prop_assert_eq!(format!("{actual:?}"), format!("{expected:?}"));
    Ok(())
}

fn written(point: &Point<'_>, precision: Precision) -> Vec<u8> {
    let mut out = Vec::new();
    point.write_to_vec(&mut out, precision).unwrap();
    out
}

/// Whether `text` lies inside `input`.
fn inside(input: &[u8], text: &str) -> bool {
    let start = input.as_ptr() as usize;
    let at = text.as_ptr() as usize;
    at >= start && at + text.len() <= start + input.len()
}

/// A raw token of `el`: plain characters, escapes and backslashes before
/// ordinary characters, in any order; every backslash is followed by
/// something inside the token, so the token ends where the oracle says.
fn raw_token(el: El, min: usize) -> impl Strategy<Value = String> {
    let plain = move || {
        let base = if el == El::Str {
            string_char().boxed()
        } else {
            name_char().boxed()
        };
        // An unescaped `=` is an ordinary character of a tag value.
        base.prop_filter("not special in this element", move |&c| {
            !el.escapes(c) || (el == El::TagValue && c == '=')
        })
    };
    let atom = prop_oneof![
        3 => plain().prop_map(String::from),
        1 => select(el.specials()).prop_map(|c| format!("\\{c}")),
        1 => Just(String::from("\\\\")),
        1 => plain().prop_map(|c| format!("\\{c}")),
    ];
    proptest::collection::vec(atom, min..8).prop_map(|atoms| atoms.concat())
}

// ---------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn written_points_parse_back_equal(point in point()) {
        let line = written(&point, Precision::Nanoseconds);
        prop_assert_eq!(line.last(), Some(&b'\n'));
        let results = parse_both(&line, ParseOptions::new());
        prop_assert_eq!(results.len(), 1, "{:?}", String::from_utf8_lossy(&line));
        let parsed = results[0].as_ref().map_err(|e| {
            TestCaseError::fail(format!("{e} in {:?}", String::from_utf8_lossy(&line)))
        })?;
        same(parsed, &point)?;
    }

    #[test]
    fn many_points_in_one_buffer_parse_back_in_order(
        points in proptest::collection::vec(point(), 1..8),
        crlf in any::<bool>(),
    ) {
        let mut buffer = Vec::new();
        for point in &points {
            point.write_to_vec(&mut buffer, Precision::Nanoseconds).unwrap();
            if crlf {
                buffer.pop();
                buffer.extend_from_slice(b"\r\n");
            }
        }
        let results = parse_both(&buffer, ParseOptions::new());
        prop_assert_eq!(results.len(), points.len());
        for (result, point) in results.iter().zip(&points) {
            same(result.as_ref().unwrap(), point)?;
        }
    }

    #[test]
    fn display_is_the_written_line(point in point()) {
        let line = written(&point, Precision::Nanoseconds);
        let text = String::from_utf8(line).unwrap();
        prop_assert_eq!(format!("{point}\n"), text.clone());

        let mut via_io = Vec::new();
        point.write_to(&mut via_io, Precision::Nanoseconds).unwrap();
        prop_assert_eq!(String::from_utf8(via_io).unwrap(), text.clone());

        let mut via_fmt = String::new();
        point.write_to_fmt(&mut via_fmt, Precision::Nanoseconds).unwrap();
        prop_assert_eq!(via_fmt, text);
    }

    #[test]
    fn field_values_display_as_written(value in field_value()) {
        let point = Point::builder("m").field("f", value.clone()).build().unwrap();
        prop_assert_eq!(point.to_string(), format!("m f={value}"));
    }

    #[test]
    fn coarser_precision_floors_the_timestamp(
        point in point(),
        ts in timestamp(),
        precision in select(Precision::ALL.to_vec()),
    ) {
        let mut point = point;
        point.set_timestamp(Some(ts));
        let unit = i128::from(precision.nanos_per_unit());
        let floored = floor_div(i128::from(ts), unit);

        let mut line = Vec::new();
        let result = point.write_to_vec(&mut line, precision);
        // The timestamp read back is the start of the unit `ts` falls in;
        // when that instant is before i64::MIN nanoseconds the writer must
        // refuse the point and write nothing.
        let Ok(expected) = i64::try_from(floored * unit) else {
            prop_assert!(
                matches!(result, Err(InvalidPoint::TimestampOutOfRange { nanos, precision: p }) if nanos == ts && p == precision),
                "{result:?}"
            );
            prop_assert!(line.is_empty());
            return Ok(());
        };
        prop_assert!(result.is_ok(), "{result:?}");
        let text = String::from_utf8(line.clone()).unwrap();
        let expected_suffix = format!(" {floored}\n");
        prop_assert!(text.ends_with(&expected_suffix), "{text:?}");

        let results = parse_both(&line, ParseOptions::new().with_precision(precision));
        prop_assert_eq!(results.len(), 1);
        let parsed = results[0].as_ref().unwrap();
        prop_assert_eq!(parsed.timestamp(), Some(expected));
        let mut expected_point = point.clone();
        expected_point.set_timestamp(Some(expected));
        same(parsed, &expected_point)?;
    }
}

#[test]
fn timestamps_whose_unit_starts_before_i64_min_are_refused() {
    // Near i64::MIN the unit a timestamp falls in can start before i64::MIN
    // nanoseconds; such a line could not be read back, so the writer must
    // refuse it, and write every other one so that it reads back.
    for &precision in Precision::ALL {
        for ts in [
            i64::MIN,
            i64::MIN + 1,
            -9_223_372_036_000_000_000,
            -9_223_372_035_000_000_000,
        ] {
            let point = Point::builder("m")
                .field("f", 1.0)
                .timestamp(ts)
                .build()
                .unwrap();
            let mut line = Vec::new();
            let result = point.write_to_vec(&mut line, precision);
            let unit = i128::from(precision.nanos_per_unit());
            let start_of_unit = floor_div(i128::from(ts), unit) * unit;
            if start_of_unit < i128::from(i64::MIN) {
                assert!(
                    matches!(result, Err(InvalidPoint::TimestampOutOfRange { .. })),
                    "{precision}: {ts} gave {result:?}"
                );
                assert!(line.is_empty());
            } else {
                result.unwrap();
                let results = parse_both(&line, ParseOptions::new().with_precision(precision));
                assert_eq!(
                    results[0].as_ref().unwrap().timestamp(),
                    i64::try_from(start_of_unit).ok()
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Escaping against the naive oracle
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn the_oracle_is_its_own_inverse(text in string_value(), el in select(vec![El::Measurement, El::Key, El::TagValue, El::Str])) {
        prop_assert_eq!(oracle_unescape(&oracle_escape(&text, el), el), text.clone());
        prop_assert_eq!(oracle_unescape(&oracle_escape_all(&text, el), el), text);
    }

    #[test]
    fn the_writer_escapes_like_the_oracle(
        m in measurement(),
        key in name(),
        value in name(),
        field_key in name(),
        text in string_value(),
    ) {
        let point = Point::builder(m.as_str())
            .tag(key.as_str(), value.as_str())
            .field(field_key.as_str(), text.as_str())
            .build()
            .unwrap();
        let expected = format!(
            "{},{}={} {}=\"{}\"\n",
            oracle_escape(&m, El::Measurement),
            oracle_escape(&key, El::Key),
            oracle_escape(&value, El::TagValue),
            oracle_escape(&field_key, El::Key),
            oracle_escape(&text, El::Str),
        );
        let line = written(&point, Precision::Nanoseconds);
        prop_assert_eq!(String::from_utf8(line.clone()).unwrap(), expected);

        let results = parse_both(&line, ParseOptions::new());
        let parsed = results[0].as_ref().unwrap();
        prop_assert_eq!(parsed.measurement(), m.as_str());
        prop_assert_eq!(parsed.tag(&key), Some(value.as_str()));
        prop_assert_eq!(parsed.field(&field_key), Some(FieldValue::String(text.as_str())));
    }

    #[test]
    fn lines_of_writers_that_double_every_backslash_parse(
        m in measurement(),
        key in name(),
        value in name(),
        field_key in name(),
        text in string_value(),
    ) {
        let line = format!(
            "{},{}={} {}=\"{}\"",
            oracle_escape_all(&m, El::Measurement),
            oracle_escape_all(&key, El::Key),
            oracle_escape_all(&value, El::TagValue),
            oracle_escape_all(&field_key, El::Key),
            oracle_escape_all(&text, El::Str),
        );
        let results = parse_both(line.as_bytes(), ParseOptions::new());
        prop_assert_eq!(results.len(), 1);
        let parsed = results[0].as_ref().map_err(|e| TestCaseError::fail(format!("{e} in {line:?}")))?;
        prop_assert_eq!(parsed.measurement(), m.as_str());
        prop_assert_eq!(parsed.tags().len(), 1);
        prop_assert_eq!(parsed.tags().next().unwrap().key(), key.as_str());
        prop_assert_eq!(parsed.tags().next().unwrap().value(), value.as_str());
        prop_assert_eq!(parsed.fields().len(), 1);
        prop_assert_eq!(parsed.fields().next().map(|field| field.key()), Some(field_key.as_str()));
        prop_assert_eq!(parsed.fields().next().map(|field| field.value()), Some(FieldValue::String(text.as_str())));
    }

    #[test]
    fn the_reader_unescapes_like_the_oracle(
        m in raw_token(El::Measurement, 1)
            .prop_filter("comment or byte-order mark", |m| !m.starts_with('#') && !m.starts_with('\u{feff}')),
        key in raw_token(El::Key, 1),
        value in raw_token(El::TagValue, 1),
        field_key in raw_token(El::Key, 1),
        text in raw_token(El::Str, 0),
    ) {
        let line = format!("{m},{key}={value} {field_key}=\"{text}\"\n");
        let input = line.as_bytes();
        let results = lineproto::parse(input).collect::<Vec<_>>();
        prop_assert_eq!(results.len(), 1);
        let parsed = results[0].as_ref().map_err(|e| TestCaseError::fail(format!("{e} in {line:?}")))?;
        let tag = parsed.tags().next().unwrap();
        let field = parsed.fields().next().unwrap();
        let string = field.value().as_str().unwrap();
        let checks = [
            (parsed.measurement(), &m, El::Measurement),
            (tag.key(), &key, El::Key),
            (tag.value(), &value, El::TagValue),
            (field.key(), &field_key, El::Key),
            (string, &text, El::Str),
        ];
        for (actual, raw, el) in checks {
            let expected = oracle_unescape(raw, el);
            prop_assert_eq!(actual, expected.as_str(), "{:?} in {:?}", el, line);
            // Zero copy: borrowed exactly when nothing was unescaped.
            if !raw.is_empty() {
                prop_assert_eq!(inside(input, actual), expected.len() == raw.len(), "{:?} {:?}", el, raw);
            }
        }
        // Parsing the same line again from a fresh point gives the same.
        let again = parse_both(input, ParseOptions::new());
        same(again[0].as_ref().unwrap(), parsed)?;
    }
}

// ---------------------------------------------------------------------------
// Precision against an i128 oracle
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn to_nanos_matches_i128(value in timestamp(), precision in select(Precision::ALL.to_vec())) {
        let exact = i128::from(value) * i128::from(precision.nanos_per_unit());
        match (precision.to_nanos(value), i64::try_from(exact)) {
            (Ok(nanos), Ok(expected)) => prop_assert_eq!(nanos, expected),
            (Err(err), Err(_)) => {
                prop_assert_eq!(err.value(), value);
                prop_assert_eq!(err.precision(), precision);
            }
            (got, _) => prop_assert!(false, "{precision} {value}: got {got:?}, exact {exact}"),
        }
    }

    #[test]
    fn from_nanos_floors_like_i128(nanos in timestamp(), precision in select(Precision::ALL.to_vec())) {
        let expected = floor_div(i128::from(nanos), i128::from(precision.nanos_per_unit()));
        prop_assert_eq!(i128::from(precision.from_nanos(nanos)), expected);
        // The instant lies inside the unit it is written as.
        let start = expected * i128::from(precision.nanos_per_unit());
        prop_assert!(start <= i128::from(nanos));
        prop_assert!(i128::from(nanos) < start + i128::from(precision.nanos_per_unit()));
    }

    #[test]
    fn parsed_timestamps_are_scaled_like_i128(value in timestamp(), precision in select(Precision::ALL.to_vec())) {
        let line = format!("m f=1 {value}");
        let results = parse_both(line.as_bytes(), ParseOptions::new().with_precision(precision));
        let exact = i128::from(value) * i128::from(precision.nanos_per_unit());
        match (&results[0], i64::try_from(exact)) {
            (Ok(point), Ok(expected)) => prop_assert_eq!(point.timestamp(), Some(expected)),
            (Err(err), Err(_)) => prop_assert_eq!(
                err.kind(),
                &ParseErrorKind::TimestampOverflow { value, precision }
            ),
            (got, _) => prop_assert!(false, "{precision} {value}: got {got:?}, exact {exact}"),
        }
    }
}

#[test]
fn written_values_take_their_canonical_forms() {
    let point = Point::builder("m")
        .field("t", true)
        .field("f", false)
        .field("i", -7i64)
        .field("u", 7u64)
        .field("x", 21.0)
        .field("y", -0.0)
        .field("z", 1.5e300)
        .field("w", 5e-324)
        .field("s", "a\\b\"c")
        .timestamp(-1)
        .build()
        .unwrap();
    assert_eq!(
        String::from_utf8(written(&point, Precision::Nanoseconds)).unwrap(),
        "m t=true,f=false,i=-7i,u=7u,x=21,y=-0,z=1.5e300,w=5e-324,s=\"a\\b\\\"c\" -1\n"
    );
    assert_eq!(
        String::from_utf8(written(&point, Precision::Seconds)).unwrap(),
        "m t=true,f=false,i=-7i,u=7u,x=21,y=-0,z=1.5e300,w=5e-324,s=\"a\\b\\\"c\" -1\n"
    );
}

#[test]
fn precision_names_round_trip() {
    for &precision in Precision::ALL {
        assert_eq!(precision.to_string().parse::<Precision>(), Ok(precision));
    }
    for name in Precision::ACCEPTED_NAMES {
        let precision: Precision = name.parse().unwrap();
        assert!(Precision::ALL.contains(&precision));
    }
}

// ---------------------------------------------------------------------------
// Arbitrary input
// ---------------------------------------------------------------------------

/// Bytes that make up line protocol, so random input often gets far into a
/// line, with anything else mixed in.
fn lp_bytes() -> impl Strategy<Value = Vec<u8>> {
    let fragment = prop_oneof![
        4 => select(vec![
            &b"m"[..], b"f=1", b" ", b",", b"=", b"\\", b"\"", b"#", b"\n", b"\r\n", b"\r",
            b"\t", b"t", b"1i", b"2u", b"1.5", b"-", b"e", b"\xff", "é".as_bytes(), b"\x00",
            b"k=v", b"123", b"  ", b"\"s\"", b"\\ ", b"\\,", b"\\=", b"\\\\", b"\\\"",
        ])
        .prop_map(<[u8]>::to_vec),
        1 => any::<u8>().prop_map(|b| vec![b]),
    ];
    proptest::collection::vec(fragment, 0..40).prop_map(|parts| parts.concat())
}

/// Checks every invariant of parsing `input`; returns how many items it had.
fn check_arbitrary(input: &[u8]) -> Result<usize, TestCaseError> {
    let physical: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    let results = parse_both(input, ParseOptions::new());
    let mut last_line = 0;
    for result in &results {
        match result {
            Ok(point) if has_trailing_backslash(point) => {
                prop_assert!(
                    matches!(
                        point.validate(),
                        Err(InvalidPoint::TrailingBackslash { .. })
                    ),
                    "{point:?}"
                );
            }
            Ok(point) => {
                // Every other parsed point is valid line protocol and reads
                // back as itself.
                prop_assert!(point.validate().is_ok(), "{point:?}");
                let line = written(point, Precision::Nanoseconds);
                let again = parse_both(&line, ParseOptions::new());
                prop_assert_eq!(again.len(), 1);
                same(again[0].as_ref().unwrap(), point)?;
            }
            Err(err) => {
                prop_assert!(err.line() >= 1 && err.column() >= 1, "{err}");
                // Every error says what was expected, never the catch-all.
                prop_assert!(
                    !matches!(err.kind(), ParseErrorKind::Unexpected { .. }),
                    "{err} in {input:?}"
                );
                prop_assert!(err.line() <= physical.len(), "{err} in {input:?}");
                let len = physical[err.line() - 1].len();
                prop_assert!(err.column() <= len + 1, "{err} in {input:?}");
                prop_assert!(err.line() >= last_line, "{err} goes backwards in {input:?}");
                last_line = err.line();
                let prefix = format!("line {}, column {}: ", err.line(), err.column());
                prop_assert!(err.to_string().starts_with(&prefix), "{err}");
            }
        }
    }
    // Each item but the first starts on a later physical line than the
    // previous one began on, so there are never more items than lines.
    prop_assert!(results.len() <= physical.len());
    Ok(results.len())
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn arbitrary_line_protocol_like_bytes_never_panic(input in lp_bytes()) {
        check_arbitrary(&input)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..128)) {
        check_arbitrary(&input)?;
    }

    #[test]
    fn valid_lines_with_noise_after_them_cost_only_their_line(
        point in point(),
        noise in lp_bytes(),
    ) {
        // A good line, a line of noise (no LF, no quote, so it cannot run
        // into the next line), the good line again: whatever the noise
        // does, the last line parses as the point.
        let noise: Vec<u8> = noise.into_iter().filter(|&b| b != b'\n' && b != b'"').collect();
        let mut input = written(&point, Precision::Nanoseconds);
        input.extend_from_slice(&noise);
        input.push(b'\n');
        point.write_to_vec(&mut input, Precision::Nanoseconds).unwrap();
        let results = parse_both(&input, ParseOptions::new());
        check_arbitrary(&input)?;
        let last = results.last().unwrap();
        same(last.as_ref().unwrap(), &point)?;
    }
}

// ---------------------------------------------------------------------------
// The builder refuses what cannot round-trip
// ---------------------------------------------------------------------------

#[test]
fn builder_refuses_empty_names() {
    let err = Point::builder("").field("f", 1.0).build().unwrap_err();
    assert!(matches!(err, InvalidPoint::EmptyMeasurement), "{err:?}");
    assert_eq!(err.to_string(), "the measurement name is empty");

    let err = Point::builder("m")
        .tag("", "v")
        .field("f", 1.0)
        .build()
        .unwrap_err();
    assert!(matches!(err, InvalidPoint::EmptyTagKey), "{err:?}");

    let err = Point::builder("m")
        .tag("k", "")
        .field("f", 1.0)
        .build()
        .unwrap_err();
    assert!(
        matches!(err, InvalidPoint::EmptyTagValue { ref key } if key == "k"),
        "{err:?}"
    );

    let err = Point::builder("m").field("", 1.0).build().unwrap_err();
    assert!(matches!(err, InvalidPoint::EmptyFieldKey), "{err:?}");
}

#[test]
fn builder_refuses_a_measurement_that_makes_a_comment() {
    let err = Point::builder("#m").field("f", 1.0).build().unwrap_err();
    assert!(
        matches!(err, InvalidPoint::CommentMeasurement { ref measurement } if measurement == "#m"),
        "{err:?}"
    );
    // A `#` anywhere else is fine and reads back.
    for m in ["m#", " #", "\\#", "a#b"] {
        let point = Point::builder(m).field("f", 1.0).build().unwrap();
        let line = written(&point, Precision::Nanoseconds);
        let results = parse_both(&line, ParseOptions::new());
        assert_eq!(results[0].as_ref().unwrap(), &point, "{m:?}");
    }
}

#[test]
fn builder_refuses_a_measurement_that_starts_with_a_byte_order_mark() {
    let err = Point::builder("\u{feff}m")
        .field("f", 1.0)
        .build()
        .unwrap_err();
    assert!(
        matches!(err, InvalidPoint::ByteOrderMarkMeasurement { ref measurement } if measurement == "\u{feff}m"),
        "{err:?}"
    );
    // As the first line of a body it would read back as `m`.
    let line = "\u{feff}m f=1\n";
    let point = lineproto::parse(line.as_bytes()).next().unwrap().unwrap();
    assert_eq!(point.measurement(), "m");
    // Anywhere else in a measurement it is text, and reads back.
    let point = Point::builder("m\u{feff}").field("f", 1.0).build().unwrap();
    let line = written(&point, Precision::Nanoseconds);
    let results = parse_both(&line, ParseOptions::new());
    assert_eq!(results[0].as_ref().unwrap(), &point);
}

/// A point built with `text` as each name and as the tag value, one at a
/// time, with the element it stands in.
fn built_with_in_each_name(text: &str) -> [(Result<Point<'_>, InvalidPoint>, Element); 4] {
    [
        (
            Point::builder(text).field("f", 1.0).build(),
            Element::Measurement,
        ),
        (
            Point::builder("m").tag(text, "v").field("f", 1.0).build(),
            Element::TagKey,
        ),
        (
            Point::builder("m").tag("k", text).field("f", 1.0).build(),
            Element::TagValue,
        ),
        (
            Point::builder("m").field(text, 1.0).build(),
            Element::FieldKey,
        ),
    ]
}

#[test]
fn builder_refuses_control_characters_in_names_and_tag_values() {
    for byte in [0x00u8, b'\t', b'\n', b'\r', 0x1b, 0x1f, 0x7f] {
        let bad = format!("a{}b", char::from(byte));
        let cases = built_with_in_each_name(&bad);
        for (result, element) in cases {
            let err = result.unwrap_err();
            match err {
                InvalidPoint::ControlCharacter {
                    element: e,
                    ref text,
                    byte: b,
                } => {
                    assert_eq!(e, element);
                    assert_eq!(text, &bad);
                    assert_eq!(b, byte);
                }
                other => panic!("{element}: expected ControlCharacter, got {other:?}"),
            }
        }
        // ...but a string value may hold it.
        let point = Point::builder("m").field("s", bad.clone()).build().unwrap();
        let line = written(&point, Precision::Nanoseconds);
        let results = parse_both(&line, ParseOptions::new());
        assert_eq!(results[0].as_ref().unwrap(), &point);
    }
}

#[test]
fn builder_refuses_non_finite_floats() {
    for value in [f64::NAN, -f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let err = Point::builder("m").field("x", value).build().unwrap_err();
        match err {
            InvalidPoint::NonFiniteFloat { ref key, value: v } => {
                assert_eq!(key, "x");
                let expected = if value.is_nan() {
                    NonFinite::NaN
                } else if value > 0.0 {
                    NonFinite::Infinity
                } else {
                    NonFinite::NegativeInfinity
                };
                assert_eq!(v, expected);
                assert_eq!(v.to_string(), value.to_string());
            }
            other => panic!("expected NonFiniteFloat, got {other:?}"),
        }
    }
    let err = Point::builder("m")
        .field("x", f32::NAN)
        .build()
        .unwrap_err();
    assert!(matches!(err, InvalidPoint::NonFiniteFloat { .. }));
}

#[test]
fn builder_refuses_a_point_without_fields() {
    let err = Point::builder("m").build().unwrap_err();
    assert!(matches!(err, InvalidPoint::NoFields), "{err:?}");
    let err = Point::builder("m")
        .tag("k", "v")
        .timestamp(1)
        .build()
        .unwrap_err();
    assert!(matches!(err, InvalidPoint::NoFields), "{err:?}");
}

#[test]
fn builder_refuses_duplicate_tag_keys() {
    let err = Point::builder("m")
        .tag("a", "1")
        .tag("b", "2")
        .tag("a", "3")
        .field("f", 1.0)
        .build()
        .unwrap_err();
    assert!(
        matches!(err, InvalidPoint::DuplicateTagKey { ref key } if key == "a"),
        "{err:?}"
    );
    // An owned key (kept in the point's own text) repeats a borrowed one,
    // in small and large tag sets.
    for count in [3, 100, 2000] {
        let mut builder = Point::builder("m");
        for i in 0..count {
            builder = builder.tag(format!("k{i}"), "v");
        }
        let err = builder.tag("k1", "w").field("f", 1.0).build().unwrap_err();
        assert!(
            matches!(err, InvalidPoint::DuplicateTagKey { ref key } if key == "k1"),
            "{count}: {err:?}"
        );
    }
    // Repeated field keys are kept, as the parser keeps them.
    let point = Point::builder("m")
        .field("f", 1.0)
        .field("f", 2i64)
        .build()
        .unwrap();
    let line = written(&point, Precision::Nanoseconds);
    let results = parse_both(&line, ParseOptions::new());
    assert_eq!(results[0].as_ref().unwrap(), &point);
}

#[test]
fn writing_an_invalid_point_writes_nothing() {
    let mut out = b"kept".to_vec();
    let err = Point::new()
        .write_to_vec(&mut out, Precision::Nanoseconds)
        .unwrap_err();
    assert!(matches!(err, InvalidPoint::EmptyMeasurement), "{err:?}");
    assert_eq!(out, b"kept");

    let mut io_out = Vec::new();
    let err = Point::new()
        .write_to(&mut io_out, Precision::Seconds)
        .unwrap_err();
    assert!(
        matches!(err, WriteError::Invalid(InvalidPoint::EmptyMeasurement)),
        "{err:?}"
    );
    assert!(io_out.is_empty());

    let mut text = String::new();
    let err = Point::new()
        .write_to_fmt(&mut text, Precision::Seconds)
        .unwrap_err();
    assert_eq!(err.invalid_point(), Some(&InvalidPoint::EmptyMeasurement));
    assert!(text.is_empty());
}

#[test]
fn a_failing_writer_is_an_io_error_not_an_invalid_point() {
    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let point = Point::builder("m").field("f", 1.0).build().unwrap();
    let err = point.write_to(Broken, Precision::Seconds).unwrap_err();
    assert!(
        matches!(err, WriteError::Io(ref io) if io.to_string() == "disk full"),
        "{err:?}"
    );
    assert_eq!(err.invalid_point(), None);
    assert_eq!(err.to_string(), "writing failed: disk full");
}

/// A name or tag value ending in a backslash has no spelling that every
/// reader reads back the same, so the writer refuses it in every element
/// it would be escaped in; a string value may end in one.
#[test]
fn the_writer_refuses_a_trailing_backslash_in_names_and_tag_values() {
    for text in [r"C:\", r"a\\", r"\", r"x\ \"] {
        let text = text.to_owned();
        assert!(text.ends_with('\\'), "{text:?}");
        let cases = built_with_in_each_name(&text);
        for (result, element) in cases {
            assert_eq!(
                result.unwrap_err(),
                InvalidPoint::TrailingBackslash {
                    element,
                    text: text.clone()
                },
                "{text:?} as {element}"
            );
        }
        let point = Point::builder("m")
            .field("s", text.clone())
            .build()
            .unwrap();
        let line = written(&point, Precision::Nanoseconds);
        assert_eq!(
            parse_both(&line, ParseOptions::new())[0].as_ref().unwrap(),
            &point
        );
    }
    // A backslash anywhere else in a name is written, and reads back.
    let point = Point::builder(r"C:\temp\x")
        .tag(r"k\,", r"v\ w")
        .field(r"f\=", 1.0)
        .build()
        .unwrap();
    let line = written(&point, Precision::Nanoseconds);
    assert_eq!(
        parse_both(&line, ParseOptions::new())[0].as_ref().unwrap(),
        &point
    );
    // The parser reads a doubled backslash at the end as one, as the
    // dialect says; such a point cannot be written back.
    let parsed = lineproto::parse(br"m\\ f=1").next().unwrap().unwrap();
    assert_eq!(parsed.measurement(), r"m\");
    assert!(matches!(
        parsed.validate(),
        Err(InvalidPoint::TrailingBackslash {
            element: Element::Measurement,
            ..
        })
    ));
}

/// Characters for names the builder may refuse: the usual ones plus
/// control characters, with empty names possible.
fn any_name() -> impl Strategy<Value = String> {
    let c = prop_oneof![
        6 => name_char(),
        1 => select(vec!['\0', '\t', '\n', '\r', '\u{1b}', '\u{7f}']),
    ];
    proptest::collection::vec(c, 0..6).prop_map(String::from_iter)
}

fn any_float() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => float(),
        1 => select(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY]),
    ]
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn builder_accepts_exactly_what_round_trips(
        m in any_name(),
        tags in proptest::collection::vec((any_name(), any_name()), 0..3),
        fields in proptest::collection::vec((any_name(), any_float()), 0..3),
    ) {
        let refused_text = |s: &str| s.chars().any(is_control) || s.ends_with('\\');
        let mut tag_keys: Vec<&str> = tags.iter().map(|(k, _)| k.as_str()).collect();
        tag_keys.sort_unstable();
        let duplicate_tags = tag_keys.windows(2).any(|w| w[0] == w[1]);
        let valid = !m.is_empty()
            && !m.starts_with('#')
            && !m.starts_with('\u{feff}')
            && !refused_text(&m)
            && tags.iter().all(|(k, v)| !k.is_empty() && !v.is_empty() && !refused_text(k) && !refused_text(v))
            && !duplicate_tags
            && !fields.is_empty()
            && fields.iter().all(|(k, v)| !k.is_empty() && !refused_text(k) && v.is_finite());

        let mut builder = Point::builder(m.as_str());
        for (k, v) in &tags {
            builder = builder.tag(k.as_str(), v.as_str());
        }
        for (k, v) in &fields {
            builder = builder.field(k.as_str(), *v);
        }
        match builder.build() {
            Ok(point) => {
                prop_assert!(valid, "built {point:?}");
                let line = written(&point, Precision::Nanoseconds);
                let results = parse_both(&line, ParseOptions::new());
                prop_assert_eq!(results.len(), 1);
                same(results[0].as_ref().unwrap(), &point)?;
            }
            Err(err) => prop_assert!(!valid, "refused a valid point: {err}"),
        }
    }
}
