//! Every rule of the accepted dialect (see the crate docs, "The dialect"),
//! each case run through both entry points: the iterator of
//! [`lineproto::parse_with`] and the reuse API [`lineproto::Points::next_into`]
//! with one reused [`Point`]. The two must agree exactly, and the parsed
//! values are checked against the values the rule promises.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::parse_both;

use lineproto::{
    Element, FieldValue, Found, ParseError, ParseErrorKind, ParseOptions, Point, PointBuilder,
    Precision, ValueProblem,
};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// [`parse_both`] with default options.
fn run(input: &[u8]) -> Vec<Result<Point<'static>, ParseError>> {
    parse_both(input, ParseOptions::new())
}

/// The single point `input` holds.
fn one(input: &[u8]) -> Point<'static> {
    one_with(input, ParseOptions::new())
}

fn one_with(input: &[u8], options: ParseOptions) -> Point<'static> {
    let mut results = parse_both(input, options);
    assert_eq!(
        results.len(),
        1,
        "one item expected from {:?}: {results:?}",
        String::from_utf8_lossy(input)
    );
    match results.remove(0) {
        Ok(point) => point,
        Err(err) => panic!(
            "{:?} should parse, got error: {err}",
            String::from_utf8_lossy(input)
        ),
    }
}

/// The single error `input` holds.
fn one_err(input: &[u8]) -> ParseError {
    one_err_with(input, ParseOptions::new())
}

fn one_err_with(input: &[u8], options: ParseOptions) -> ParseError {
    let mut results = parse_both(input, options);
    assert_eq!(
        results.len(),
        1,
        "one item expected from {:?}: {results:?}",
        String::from_utf8_lossy(input)
    );
    match results.remove(0) {
        Ok(point) => panic!(
            "{:?} should be rejected, parsed as {point:?}",
            String::from_utf8_lossy(input)
        ),
        Err(err) => err,
    }
}

/// Starts an expected point.
fn pt(measurement: &'static str) -> PointBuilder<'static> {
    Point::builder(measurement)
}

/// Asserts that `actual` equals `expected`, bit for bit (floats by `Debug`).
fn assert_point(actual: &Point<'_>, expected: &Point<'_>) {
    assert_eq!(actual, expected);
    assert_eq!(format!("{actual:?}"), format!("{expected:?}"));
}

/// The value of the single field of the single point of `m f=<value>`, a
/// number or boolean.
fn value_of(text: &str) -> FieldValue<'static> {
    let point = one(format!("m f={text}").as_bytes());
    assert_eq!(point.fields().len(), 1);
    match point.field("f") {
        Some(FieldValue::Float(value)) => FieldValue::Float(value),
        Some(FieldValue::Integer(value)) => FieldValue::Integer(value),
        Some(FieldValue::UInteger(value)) => FieldValue::UInteger(value),
        Some(FieldValue::Boolean(value)) => FieldValue::Boolean(value),
        other => panic!("m f={text} gave {other:?}"),
    }
}

/// The error kind of `m f=<value>`.
fn value_error(text: &str) -> ParseErrorKind {
    one_err(format!("m f={text}").as_bytes()).kind().clone()
}

fn invalid(text: &str, problem: ValueProblem) -> ParseErrorKind {
    ParseErrorKind::InvalidFieldValue {
        key: "f".into(),
        value: text.into(),
        problem,
    }
}

/// Whether `text` lies inside `input` (so it was borrowed, not copied).
fn inside(input: &[u8], text: &str) -> bool {
    let start = input.as_ptr() as usize;
    let end = start + input.len();
    let at = text.as_ptr() as usize;
    at >= start && at + text.len() <= end
}

/// For every point of `input`: for each of its measurement, tag keys, tag
/// values, field keys and string values (in that order), whether it lies
/// inside `input`. Computed through both entry points, which must agree.
fn borrowed(input: &[u8]) -> Vec<Vec<bool>> {
    fn flags(input: &[u8], point: &Point<'_>) -> Vec<bool> {
        let mut out = vec![inside(input, point.measurement())];
        out.extend(point.tags().map(|t| inside(input, t.key())));
        out.extend(point.tags().map(|t| inside(input, t.value())));
        out.extend(point.fields().map(|f| inside(input, f.key())));
        out.extend(
            point
                .fields()
                .filter_map(|f| f.value().as_str())
                .map(|s| inside(input, s)),
        );
        out
    }
    let via_iter: Vec<Vec<bool>> = lineproto::parse(input)
        .map(|r| flags(input, &r.unwrap()))
        .collect();
    let mut points = lineproto::parse(input);
    let mut point = Point::new();
    let mut via_reuse = Vec::new();
    while let Some(result) = points.next_into(&mut point) {
        result.unwrap();
        via_reuse.push(flags(input, &point));
    }
    assert_eq!(via_iter, via_reuse);
    via_iter
}

// ---------------------------------------------------------------------------
// Names and escapes
// ---------------------------------------------------------------------------

#[test]
fn measurement_escapes_comma_space_and_backslash() {
    let point = one(br"a\,b\ c\\d f=1");
    assert_eq!(point.measurement(), r"a,b c\d");
    assert_point(&point, &pt(r"a,b c\d").field("f", 1.0).build().unwrap());
}

#[test]
fn measurement_keeps_backslash_equals_literally() {
    assert_eq!(one(br"a\=b f=1").measurement(), r"a\=b");
    assert_eq!(one(br"a\= f=1").measurement(), r"a\=");
}

#[test]
fn measurement_may_hold_an_unescaped_equals_sign() {
    let point = one(b"a=b f=1");
    assert_eq!(point.measurement(), "a=b");
    assert_eq!(point.field("f"), Some(FieldValue::Float(1.0)));
}

#[test]
fn measurement_ends_at_unescaped_comma_and_space() {
    let point = one(b"cpu,host=a f=1");
    assert_eq!(point.measurement(), "cpu");
    assert_eq!(point.tag("host"), Some("a"));
}

#[test]
fn tag_keys_tag_values_and_field_keys_take_four_escapes() {
    let point = one(br"m,k\,\=\ \\x=v\,\=\ \\y f\,\=\ \\z=1i");
    assert_point(
        &point,
        &pt("m")
            .tag(r"k,= \x", r"v,= \y")
            .field(r"f,= \z", 1i64)
            .build()
            .unwrap(),
    );
}

#[test]
fn unescaped_equals_sign_is_part_of_a_tag_value() {
    let point = one(b"m,k=a=b==c,l== f=1");
    assert_eq!(point.tag("k"), Some("a=b==c"));
    assert_eq!(point.tag("l"), Some("="));
}

#[test]
fn backslash_before_any_other_byte_is_kept() {
    let point = one("m\\x,k\\y=v\\z\\é f\\q=\"s\\t\\n\\é\"".as_bytes());
    assert_point(
        &point,
        &pt(r"m\x")
            .tag(r"k\y", r"v\z\é")
            .field(r"f\q", r"s\t\n\é")
            .build()
            .unwrap(),
    );
    // C:\temp style paths.
    assert_eq!(
        one(br"m,path=C:\temp\dir f=1").tag("path"),
        Some(r"C:\temp\dir")
    );
}

#[test]
fn a_doubled_trailing_backslash_is_read_as_one_and_never_written() {
    let point = one(br#"m\\,k\\=v\\ f\\="s\\" 7"#);
    assert_eq!(point.measurement(), r"m\");
    assert_eq!(point.tag(r"k\"), Some(r"v\"));
    assert_eq!(point.field(r"f\"), Some(FieldValue::String(r"s\")));
    assert_eq!(point.timestamp(), Some(7));
    // Readers disagree on `\\` at the end of a name, so the writer
    // refuses what it parsed; a string value may end in a backslash.
    assert_eq!(
        point.validate(),
        Err(lineproto::InvalidPoint::TrailingBackslash {
            element: lineproto::Element::Measurement,
            text: r"m\".into()
        })
    );
    assert_eq!(
        pt("m").field("f", r"s\").build().unwrap().to_string(),
        r#"m f="s\\""#
    );
}

#[test]
fn a_single_trailing_backslash_escapes_the_delimiter_after_it() {
    // `m\ f=1` is the measurement `m f=1` with no field set.
    let err = one_err(br"m\ f=1");
    assert_eq!(
        err.kind(),
        &ParseErrorKind::ExpectedFieldSet {
            found: Found::EndOfLine
        }
    );
    // `k=v\,g=1` is one tag whose value holds a comma.
    let point = one(br"m,k=v\,g=1 f=1");
    assert_eq!(point.tag("k"), Some("v,g=1"));
}

#[test]
fn backslash_at_the_end_of_a_name_before_a_line_end_is_kept() {
    // The measurement is `m\`; nothing follows it on the line.
    let err = one_err(b"m\\\n");
    assert_eq!(
        err.kind(),
        &ParseErrorKind::ExpectedFieldSet {
            found: Found::EndOfLine
        }
    );
}

// ---------------------------------------------------------------------------
// Zero copy
// ---------------------------------------------------------------------------

#[test]
fn tokens_without_escapes_borrow_the_input() {
    let input: &[u8] = b"m,k=v,k2=v2 f=1,s=\"text\",t=\"multi\nline\" 5\n";
    assert_eq!(borrowed(input), vec![vec![true; 10]]);
}

#[test]
fn tokens_with_escapes_are_copied() {
    let input: &[u8] = br#"m\ x,k\,=v\= f\ ="s\"",g="a\\b""#;
    // measurement, tag key, tag value, field keys f and g, strings s and a\b
    assert_eq!(
        borrowed(input),
        vec![vec![false, false, false, false, true, false, false]]
    );
}

#[test]
fn backslashes_that_are_not_escapes_still_borrow() {
    let input: &[u8] = br#"m\x,k\y=C:\temp f\q="a\nb""#;
    assert_eq!(borrowed(input), vec![vec![true; 5]]);
    // A measurement `\=` is not an escape either.
    assert_eq!(borrowed(br"a\=b f=1"), vec![vec![true, true]]);
}

#[test]
fn each_token_is_copied_or_borrowed_on_its_own() {
    let input: &[u8] = br#"plain,k\ 1=plain,plain=v\ 1 f=1,g\,=2,s="x",t="y\"""#;
    // m; keys k\ 1, plain; values plain, v\ 1; field keys f, g\, , s, t;
    // strings x, y\"
    assert_eq!(
        borrowed(input),
        vec![vec![
            true, false, true, true, false, true, false, true, true, true, false
        ]]
    );
}

// ---------------------------------------------------------------------------
// Lines
// ---------------------------------------------------------------------------

#[test]
fn lines_end_with_lf_or_crlf() {
    let results = run(b"a f=1\r\nb,k=v f=2 5\r\nc s=\"x\"\r\n\r\nd f=3\n");
    let measurements: Vec<&str> = results
        .iter()
        .map(|r| r.as_ref().unwrap().measurement())
        .collect();
    assert_eq!(measurements, ["a", "b", "c", "d"]);
    assert_eq!(results[1].as_ref().unwrap().timestamp(), Some(5));
    assert_eq!(results[1].as_ref().unwrap().tag("k"), Some("v"));
    assert_eq!(
        results[2].as_ref().unwrap().field("s"),
        Some(FieldValue::String("x"))
    );
}

#[test]
fn crlf_after_every_kind_of_last_element() {
    for (input, expected) in [
        (&b"m f=1\r\n"[..], FieldValue::Float(1.0)),
        (b"m f=1i\r\n", FieldValue::Integer(1)),
        (b"m f=1u\r\n", FieldValue::UInteger(1)),
        (b"m f=true\r\n", FieldValue::Boolean(true)),
        (b"m f=\"s\"\r\n", FieldValue::String("s")),
        (b"m f=1  \r\n", FieldValue::Float(1.0)),
        (b"m f=1 9 \r\n", FieldValue::Float(1.0)),
    ] {
        let point = one(input);
        assert_eq!(point.field("f"), Some(expected), "{input:?}");
    }
}

#[test]
fn a_lone_carriage_return_is_an_error() {
    let cases: [(&[u8], ParseErrorKind); 5] = [
        (
            b"m\r f=1",
            ParseErrorKind::ControlCharacter {
                element: Element::Measurement,
                byte: b'\r',
            },
        ),
        (
            b"m,k=v\r f=1",
            ParseErrorKind::ControlCharacter {
                element: Element::TagValue,
                byte: b'\r',
            },
        ),
        (
            b"m f=1\r",
            ParseErrorKind::ExpectedFieldSeparator {
                key: "f".into(),
                found: Found::Byte(b'\r'),
            },
        ),
        (
            b"m f=1 5\r",
            ParseErrorKind::ExpectedEndOfLine {
                found: Found::Byte(b'\r'),
            },
        ),
        (
            b"\r",
            ParseErrorKind::ControlCharacter {
                element: Element::Measurement,
                byte: b'\r',
            },
        ),
    ];
    for (input, kind) in cases {
        assert_eq!(one_err(input).kind(), &kind, "{input:?}");
    }
}

#[test]
fn a_lone_carriage_return_costs_only_its_line() {
    let results = run(b"a f=1\rb f=2\nc f=3\n");
    assert_eq!(results.len(), 2);
    let err = results[0].as_ref().unwrap_err();
    assert_eq!((err.line(), err.column()), (1, 6));
    assert_eq!(results[1].as_ref().unwrap().measurement(), "c");
}

#[test]
fn a_carriage_return_inside_a_string_is_part_of_it() {
    let point = one(b"m s=\"a\rb\r\n\"\r\n");
    assert_eq!(point.field("s"), Some(FieldValue::String("a\rb\r\n")));
}

#[test]
fn comment_lines_are_skipped() {
    let results = run(
        b"# first\n   # indented\n#\n#m f=2\n# \"unterminated\nm f=1\n# \xff invalid utf-8\n#last",
    );
    assert_eq!(results.len(), 1);
    assert_point(
        results[0].as_ref().unwrap(),
        &pt("m").field("f", 1.0).build().unwrap(),
    );
}

#[test]
fn a_hash_after_the_first_byte_is_not_a_comment() {
    assert_eq!(one(b"m#x,k=#v f#=1").measurement(), "m#x");
    assert_eq!(one(b"m#x,k=#v f#=1").tag("k"), Some("#v"));
    assert_eq!(
        one(b"m#x,k=#v f#=1").field("f#"),
        Some(FieldValue::Float(1.0))
    );
}

#[test]
fn blank_lines_and_lines_of_spaces_are_skipped() {
    assert!(run(b"").is_empty());
    assert!(run(b"\n").is_empty());
    assert!(run(b"   ").is_empty());
    assert!(run(b"\n\n  \n\r\n   \r\n").is_empty());
    let results = run(b"\n\n   \n  \r\nm f=1\n\n   \n");
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].as_ref().unwrap().measurement(), "m");
}

#[test]
fn spaces_before_and_after_a_line_are_ignored() {
    assert_point(
        &one(b"   m f=1   "),
        &pt("m").field("f", 1.0).build().unwrap(),
    );
    assert_point(
        &one(b"  m f=1 5   \n"),
        &pt("m").field("f", 1.0).timestamp(5).build().unwrap(),
    );
    assert_point(
        &one(b"  m f=\"x\"  \r\n"),
        &pt("m").field("f", "x").build().unwrap(),
    );
}

#[test]
fn several_spaces_separate_elements() {
    assert_point(
        &one(b"m,k=v     f=1,g=2i      -5"),
        &pt("m")
            .tag("k", "v")
            .field("f", 1.0)
            .field("g", 2i64)
            .timestamp(-5)
            .build()
            .unwrap(),
    );
}

#[test]
fn a_tab_outside_a_string_is_an_error() {
    let cases: [(&[u8], ParseErrorKind); 7] = [
        (
            b"\tm f=1",
            ParseErrorKind::ControlCharacter {
                element: Element::Measurement,
                byte: b'\t',
            },
        ),
        (
            b"m\tf=1",
            ParseErrorKind::ControlCharacter {
                element: Element::Measurement,
                byte: b'\t',
            },
        ),
        (
            b"m,k\t=v f=1",
            ParseErrorKind::ControlCharacter {
                element: Element::TagKey,
                byte: b'\t',
            },
        ),
        (
            b"m,k=v\tf=1",
            ParseErrorKind::ControlCharacter {
                element: Element::TagValue,
                byte: b'\t',
            },
        ),
        (
            b"m \tf=1",
            ParseErrorKind::ControlCharacter {
                element: Element::FieldKey,
                byte: b'\t',
            },
        ),
        (
            b"m f=1\t5",
            ParseErrorKind::ExpectedFieldSeparator {
                key: "f".into(),
                found: Found::Byte(b'\t'),
            },
        ),
        (
            b"m f=1 5\t",
            ParseErrorKind::ExpectedEndOfLine {
                found: Found::Byte(b'\t'),
            },
        ),
    ];
    for (input, kind) in cases {
        assert_eq!(one_err(input).kind(), &kind, "{input:?}");
    }
    // ...but a tab inside a string is fine.
    assert_eq!(
        one(b"m s=\"a\tb\"").field("s"),
        Some(FieldValue::String("a\tb"))
    );
}

// ---------------------------------------------------------------------------
// String values
// ---------------------------------------------------------------------------

#[test]
fn raw_line_feeds_are_part_of_a_string_and_count_as_lines() {
    let input = b"m s=\"a\nb\",t=\"c\n\nd\" 5\nn f=1\nbad\n";
    let results = run(input);
    assert_eq!(results.len(), 3);
    assert_point(
        results[0].as_ref().unwrap(),
        &pt("m")
            .field("s", "a\nb")
            .field("t", "c\n\nd")
            .timestamp(5)
            .build()
            .unwrap(),
    );
    assert_point(
        results[1].as_ref().unwrap(),
        &pt("n").field("f", 1.0).build().unwrap(),
    );
    let err = results[2].as_ref().unwrap_err();
    assert_eq!((err.line(), err.column()), (6, 4));

    let mut points = lineproto::parse(input);
    let mut point = Point::new();
    let mut lines = Vec::new();
    while let Some(_result) = points.next_into(&mut point) {
        lines.push(points.line_number());
    }
    assert_eq!(lines, [1, 5, 6]);
}

#[test]
fn string_escapes_are_quote_and_backslash_only() {
    let point = one(br#"m s="a\"b\\c\d\\\"e\n""#);
    assert_eq!(
        point.field("s"),
        Some(FieldValue::String(r#"a"b\c\d\"e\n"#))
    );
    assert_eq!(
        one(br#"m s="\\""#).field("s"),
        Some(FieldValue::String(r"\"))
    );
    assert_eq!(one(br#"m s="""#).field("s"), Some(FieldValue::String("")));
    // Line-protocol specials need no escape inside a string.
    assert_eq!(
        one(br#"m s=", =#\ ,x=1 5" 6"#).field("s"),
        Some(FieldValue::String(r", =#\ ,x=1 5"))
    );
}

#[test]
fn an_unescaped_quote_inside_a_string_is_an_error() {
    assert_eq!(
        one_err(br#"m s="a"b" 1"#).kind(),
        &ParseErrorKind::UnescapedQuote { key: "s".into() }
    );
    assert_eq!(
        one_err(br#"m s="a"""#).kind(),
        &ParseErrorKind::UnescapedQuote { key: "s".into() }
    );
}

#[test]
fn control_characters_are_allowed_in_strings() {
    let point = one(b"m s=\"\x00\x01\x1b\t\x7f\r\x1f\"");
    assert_eq!(
        point.field("s"),
        Some(FieldValue::String("\x00\x01\x1b\t\x7f\r\x1f"))
    );
}

#[test]
fn control_characters_are_rejected_in_names_and_tag_values() {
    for byte in [0x00u8, 0x01, 0x1b, 0x1f, 0x7f] {
        let cases: [(Vec<u8>, Element); 4] = [
            (
                [b"m".as_slice(), &[byte], b" f=1"].concat(),
                Element::Measurement,
            ),
            (
                [b"m,k".as_slice(), &[byte], b"=v f=1"].concat(),
                Element::TagKey,
            ),
            (
                [b"m,k=v".as_slice(), &[byte], b" f=1"].concat(),
                Element::TagValue,
            ),
            (
                [b"m f".as_slice(), &[byte], b"=1"].concat(),
                Element::FieldKey,
            ),
        ];
        for (input, element) in cases {
            assert_eq!(
                one_err(&input).kind(),
                &ParseErrorKind::ControlCharacter { element, byte },
                "{input:?}"
            );
        }
    }
}

#[test]
fn invalid_utf8_costs_only_its_line() {
    let cases: [(&[u8], Element); 6] = [
        (b"m\xff f=1", Element::Measurement),
        (b"m,k\xc3=v f=1", Element::TagKey),
        (b"m,k=\xe2\x82 f=1", Element::TagValue),
        (b"m f\xc0\xaf=1", Element::FieldKey),
        (b"m s=\"\xff\"", Element::StringValue),
        (
            b"m s=\"ok\nthen \xed\xa0\x80 surrogate\"",
            Element::StringValue,
        ),
    ];
    for (bad, element) in cases {
        let input = [b"a f=1\n".as_slice(), bad, b"\nz f=2\n"].concat();
        let results = run(&input);
        assert_eq!(results.len(), 3, "{input:?}");
        assert_eq!(results[0].as_ref().unwrap().measurement(), "a");
        assert_eq!(
            results[1].as_ref().unwrap_err().kind(),
            &ParseErrorKind::InvalidUtf8 { element },
            "{input:?}"
        );
        assert_eq!(results[2].as_ref().unwrap().measurement(), "z");
    }
}

#[test]
fn valid_multibyte_utf8_is_accepted_everywhere() {
    let point = one("温度,部屋=台所 値=1,文=\"🦀 ü\"".as_bytes());
    assert_point(
        &point,
        &pt("温度")
            .tag("部屋", "台所")
            .field("値", 1.0)
            .field("文", "🦀 ü")
            .build()
            .unwrap(),
    );
}

// ---------------------------------------------------------------------------
// Numbers and booleans
// ---------------------------------------------------------------------------

#[test]
fn every_float_spelling_of_the_dialect_is_accepted() {
    for (text, expected) in [
        ("1", 1.0),
        ("1.", 1.0),
        (".5", 0.5),
        ("-.5", -0.5),
        ("-1.5e-3", -1.5e-3),
        ("1.e5", 1e5),
        ("1E+10", 1e10),
        ("1e10", 1e10),
        ("2.5E-2", 0.025),
        ("007", 7.0),
        ("0", 0.0),
        ("1.7976931348623157e308", f64::MAX),
        ("-1.7976931348623157e308", f64::MIN),
        ("5e-324", 5e-324),
        ("2.2250738585072014e-308", f64::MIN_POSITIVE),
    ] {
        let value = value_of(text);
        let FieldValue::Float(actual) = value else {
            panic!("{text} should be a float, got {value:?}");
        };
        assert_eq!(actual.to_bits(), expected.to_bits(), "{text}");
    }
}

#[test]
fn negative_zero_keeps_its_sign() {
    for text in ["-0", "-0.0", "-0.", "-.0", "-0e5"] {
        let FieldValue::Float(value) = value_of(text) else {
            panic!("{text} should be a float");
        };
        assert_eq!(value.to_bits(), (-0.0f64).to_bits(), "{text}");
    }
}

#[test]
fn floats_outside_the_dialect_are_rejected() {
    for text in [
        "+1", "0x10", "NaN", "nan", "inf", "Inf", "-inf", "Infinity", "1.2.3", ".", "-", "1e",
        "1e+", "e5", ".e5", "--1", "1..2", "1.5x", "-.",
    ] {
        assert_eq!(
            value_error(text),
            invalid(text, ValueProblem::NotANumber),
            "{text}"
        );
    }
    assert_eq!(
        value_error("1_0"),
        ParseErrorKind::ExpectedFieldSeparator {
            key: "f".into(),
            found: Found::Byte(b'_'),
        }
    );
}

#[test]
fn floats_that_overflow_are_rejected() {
    for text in ["1e400", "-1e400", "1.8e308", "17976931348623159e292"] {
        assert_eq!(
            value_error(text),
            invalid(text, ValueProblem::FloatOutOfRange),
            "{text}"
        );
    }
}

#[test]
fn integers_cover_exactly_i64() {
    assert_eq!(
        value_of("-9223372036854775808i"),
        FieldValue::Integer(i64::MIN)
    );
    assert_eq!(
        value_of("9223372036854775807i"),
        FieldValue::Integer(i64::MAX)
    );
    assert_eq!(value_of("0i"), FieldValue::Integer(0));
    assert_eq!(value_of("-0i"), FieldValue::Integer(0));
    assert_eq!(value_of("-42i"), FieldValue::Integer(-42));
    assert_eq!(value_of("007i"), FieldValue::Integer(7));
    for text in [
        "9223372036854775808i",
        "-9223372036854775809i",
        "99999999999999999999i",
    ] {
        assert_eq!(
            value_error(text),
            invalid(text, ValueProblem::IntegerOutOfRange),
            "{text}"
        );
    }
    for text in ["i", "-i", "+1i", "1.0i", "1e3i", "0x1i", "--1i"] {
        assert_eq!(
            value_error(text),
            invalid(text, ValueProblem::NotAnInteger),
            "{text}"
        );
    }
}

#[test]
fn unsigned_integers_cover_exactly_u64() {
    assert_eq!(value_of("0u"), FieldValue::UInteger(0));
    assert_eq!(
        value_of("18446744073709551615u"),
        FieldValue::UInteger(u64::MAX)
    );
    assert_eq!(
        value_error("18446744073709551616u"),
        invalid("18446744073709551616u", ValueProblem::UnsignedOutOfRange)
    );
    for text in ["-1u", "-0u", "+1u", "u", "1.0u", "1e3u"] {
        assert_eq!(
            value_error(text),
            invalid(text, ValueProblem::NotAnUnsignedInteger),
            "{text}"
        );
    }
}

#[test]
fn all_ten_boolean_spellings_are_accepted() {
    for text in ["t", "T", "true", "True", "TRUE"] {
        assert_eq!(value_of(text), FieldValue::Boolean(true), "{text}");
    }
    for text in ["f", "F", "false", "False", "FALSE"] {
        assert_eq!(value_of(text), FieldValue::Boolean(false), "{text}");
    }
}

#[test]
fn boolean_near_misses_are_rejected() {
    for text in [
        "tru", "TRue", "tRUE", "truee", "Fals", "fALSE", "faLse", "tt", "t1",
    ] {
        assert_eq!(
            value_error(text),
            invalid(text, ValueProblem::NotABoolean),
            "{text}"
        );
    }
    for text in ["yes", "no", "on", "y", "n"] {
        assert_eq!(
            value_error(text),
            invalid(text, ValueProblem::NotANumber),
            "{text}"
        );
    }
}

// ---------------------------------------------------------------------------
// Tag set and field set
// ---------------------------------------------------------------------------

#[test]
fn empty_names_and_values_are_rejected() {
    let cases: [(&[u8], ParseErrorKind); 6] = [
        (
            b",k=v f=1",
            ParseErrorKind::ExpectedMeasurement {
                found: Found::Byte(b','),
            },
        ),
        (
            b"m,=v f=1",
            ParseErrorKind::ExpectedTagKey {
                found: Found::Byte(b'='),
            },
        ),
        (
            b"m,k= f=1",
            ParseErrorKind::ExpectedTagValue {
                key: "k".into(),
                found: Found::Byte(b' '),
            },
        ),
        (
            b"m,k=,l=v f=1",
            ParseErrorKind::ExpectedTagValue {
                key: "k".into(),
                found: Found::Byte(b','),
            },
        ),
        (
            b"m =1",
            ParseErrorKind::ExpectedFieldKey {
                found: Found::Byte(b'='),
            },
        ),
        (
            b"m f=",
            ParseErrorKind::ExpectedFieldValue {
                key: "f".into(),
                found: Found::EndOfLine,
            },
        ),
    ];
    for (input, kind) in cases {
        assert_eq!(one_err(input).kind(), &kind, "{input:?}");
    }
    // An empty string value is a value.
    assert_eq!(one(b"m f=\"\"").field("f"), Some(FieldValue::String("")));
}

#[test]
fn trailing_commas_are_rejected() {
    let cases: [(&[u8], ParseErrorKind); 5] = [
        (
            b"m,k=v, f=1",
            ParseErrorKind::ExpectedTagKey {
                found: Found::Byte(b' '),
            },
        ),
        (
            b"m, f=1",
            ParseErrorKind::ExpectedTagKey {
                found: Found::Byte(b' '),
            },
        ),
        (
            b"m f=1,",
            ParseErrorKind::ExpectedFieldKey {
                found: Found::EndOfLine,
            },
        ),
        (
            b"m f=1, 5",
            ParseErrorKind::ExpectedFieldKey {
                found: Found::Byte(b' '),
            },
        ),
        (
            b"m f=1,\r\n",
            ParseErrorKind::ExpectedFieldKey {
                found: Found::EndOfLine,
            },
        ),
    ];
    for (input, kind) in cases {
        assert_eq!(one_err(input).kind(), &kind, "{input:?}");
    }
}

#[test]
fn a_repeated_tag_key_is_an_error() {
    assert_eq!(
        one_err(b"m,a=1,b=2,a=3 f=1").kind(),
        &ParseErrorKind::DuplicateTagKey { key: "a".into() }
    );
    // Keys are compared unescaped.
    assert_eq!(
        one_err(br"m,a\ b=1,a\ b=2 f=1").kind(),
        &ParseErrorKind::DuplicateTagKey { key: "a b".into() }
    );
    // Many tags (more than the small-set fast path).
    let mut line = String::from("m");
    for i in 0..40 {
        line.push_str(&format!(",k{i}=v"));
    }
    line.push_str(",k17=w f=1");
    assert_eq!(
        one_err(line.as_bytes()).kind(),
        &ParseErrorKind::DuplicateTagKey { key: "k17".into() }
    );
    // Escaped keys, unescaped into the point's own text, in sets of every
    // size the check treats its own way: a repeat is found among them,
    // and a key that only looks alike is not one.
    for count in [20, 100, 800] {
        let options = ParseOptions::new().with_max_tags(2 * count + 1);
        let mut line = String::from("m");
        for i in 0..count {
            line.push_str(&format!(r",k\ {i}=v,k\={i}=v"));
        }
        for (last, repeated) in [
            (r"k\ 17", Some("k 17")),
            (r"k\=17", Some("k=17")),
            (r"k\,17", None),
        ] {
            let line = format!("{line},{last}=w f=1");
            match repeated {
                Some(key) => assert_eq!(
                    one_err_with(line.as_bytes(), options).kind(),
                    &ParseErrorKind::DuplicateTagKey { key: key.into() },
                    "{count} tags"
                ),
                None => assert_eq!(one_with(line.as_bytes(), options).tag("k,17"), Some("w")),
            }
        }
    }
}

#[test]
fn a_repeated_field_key_is_kept() {
    let point = one(b"m f=1,g=2i,f=\"x\"");
    let fields: Vec<(&str, FieldValue<'_>)> =
        point.fields().map(|f| (f.key(), f.value())).collect();
    assert_eq!(
        fields,
        [
            ("f", FieldValue::Float(1.0)),
            ("g", FieldValue::Integer(2)),
            ("f", FieldValue::String("x")),
        ]
    );
    assert_eq!(point.field("f"), Some(FieldValue::String("x")));
}

#[test]
fn tags_and_fields_keep_their_order() {
    let point = one(b"m,z=1,a=2,m=3 y=1,b=2,x=3");
    let tags: Vec<&str> = point.tags().map(|t| t.key()).collect();
    let fields: Vec<&str> = point.fields().map(|f| f.key()).collect();
    assert_eq!(tags, ["z", "a", "m"]);
    assert_eq!(fields, ["y", "b", "x"]);
}

#[test]
fn a_missing_field_set_is_an_error() {
    for (input, found) in [
        (&b"m"[..], Found::EndOfLine),
        (b"m,k=v", Found::EndOfLine),
        (b"m ", Found::EndOfLine),
        (b"m,k=v   \r\n", Found::EndOfLine),
        (b"m\n", Found::EndOfLine),
        (b"m,k=v,l=w\nn f=1", Found::EndOfLine),
    ] {
        let results = run(input);
        assert_eq!(
            results[0].as_ref().unwrap_err().kind(),
            &ParseErrorKind::ExpectedFieldSet { found },
            "{input:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------

#[test]
fn timestamps_cover_exactly_i64() {
    for (text, expected) in [
        ("0", 0),
        ("-0", 0),
        ("-5", -5),
        ("1641024000000000000", 1_641_024_000_000_000_000),
        ("9223372036854775807", i64::MAX),
        ("-9223372036854775808", i64::MIN),
        ("0001", 1),
    ] {
        let point = one(format!("m f=1 {text}").as_bytes());
        assert_eq!(point.timestamp(), Some(expected), "{text}");
    }
    for text in [
        "9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999",
    ] {
        assert_eq!(
            one_err(format!("m f=1 {text}").as_bytes()).kind(),
            &ParseErrorKind::TimestampOutOfRange { value: text.into() },
            "{text}"
        );
    }
    for text in ["1.5", "-", "+5", "1e9", "--1", "12a", "abc", "0x10"] {
        assert_eq!(
            one_err(format!("m f=1 {text}").as_bytes()).kind(),
            &ParseErrorKind::InvalidTimestamp { value: text.into() },
            "{text}"
        );
    }
}

#[test]
fn a_line_without_a_timestamp_has_none() {
    // The reused point must not keep the previous line's timestamp.
    let results = run(b"m f=1 5\nm f=2\nm f=3 -7\nm f=4");
    let times: Vec<Option<i64>> = results
        .iter()
        .map(|r| r.as_ref().unwrap().timestamp())
        .collect();
    assert_eq!(times, [Some(5), None, Some(-7), None]);
}

#[test]
fn timestamps_are_scaled_by_the_precision() {
    for &precision in Precision::ALL {
        let unit = precision.nanos_per_unit();
        let options = ParseOptions::new().with_precision(precision);
        assert_eq!(
            one_with(b"m f=1 7", options).timestamp(),
            Some(7 * unit),
            "{precision}"
        );
        assert_eq!(
            one_with(b"m f=1 -7", options).timestamp(),
            Some(-7 * unit),
            "{precision}"
        );
        assert_eq!(
            one_with(b"m f=1 0", options).timestamp(),
            Some(0),
            "{precision}"
        );
        // The largest and smallest values that still fit.
        let max = i64::MAX / unit;
        let min = i64::MIN / unit;
        assert_eq!(
            one_with(format!("m f=1 {max}").as_bytes(), options).timestamp(),
            Some(max * unit),
            "{precision}"
        );
        assert_eq!(
            one_with(format!("m f=1 {min}").as_bytes(), options).timestamp(),
            Some(min * unit),
            "{precision}"
        );
        if unit > 1 {
            for value in [max + 1, min - 1, i64::MAX, i64::MIN] {
                assert_eq!(
                    one_err_with(format!("m f=1 {value}").as_bytes(), options).kind(),
                    &ParseErrorKind::TimestampOverflow { value, precision },
                    "{precision} {value}"
                );
            }
        }
    }
}

#[test]
fn a_timestamp_that_overflows_when_scaled_costs_only_its_line() {
    let options = ParseOptions::new().with_precision(Precision::Seconds);
    let results = parse_both(b"m f=1 1\nm f=1 9223372037\nm f=1 2\n", options);
    assert_eq!(results.len(), 3);
    assert_eq!(
        results[0].as_ref().unwrap().timestamp(),
        Some(1_000_000_000)
    );
    assert_eq!(
        results[1].as_ref().unwrap_err().kind(),
        &ParseErrorKind::TimestampOverflow {
            value: 9_223_372_037,
            precision: Precision::Seconds
        }
    );
    assert_eq!(
        results[2].as_ref().unwrap().timestamp(),
        Some(2_000_000_000)
    );
}

#[test]
fn the_default_time_fills_only_lines_without_a_timestamp_and_is_not_scaled() {
    for &precision in Precision::ALL {
        let options = ParseOptions::new()
            .with_precision(precision)
            .with_default_time(42);
        let results = parse_both(b"m f=1\nm f=2 3\nm f=3\n", options);
        let times: Vec<Option<i64>> = results
            .iter()
            .map(|r| r.as_ref().unwrap().timestamp())
            .collect();
        assert_eq!(
            times,
            [Some(42), Some(3 * precision.nanos_per_unit()), Some(42)],
            "{precision}"
        );
    }
    // Even a default time that would overflow if scaled is used as given.
    let options = ParseOptions::new()
        .with_precision(Precision::Hours)
        .with_default_time(i64::MAX);
    assert_eq!(one_with(b"m f=1", options).timestamp(), Some(i64::MAX));
    let options = ParseOptions::new().with_default_time(i64::MIN);
    assert_eq!(one_with(b"m f=1", options).timestamp(), Some(i64::MIN));
}

#[test]
fn text_after_the_timestamp_is_an_error() {
    let cases: [(&[u8], ParseErrorKind); 4] = [
        (
            b"m f=1 5 x",
            ParseErrorKind::ExpectedEndOfLine {
                found: Found::Byte(b'x'),
            },
        ),
        (
            b"m f=1 5 6",
            ParseErrorKind::ExpectedEndOfLine {
                found: Found::Byte(b'6'),
            },
        ),
        (
            b"m f=1 5,",
            ParseErrorKind::ExpectedEndOfLine {
                found: Found::Byte(b','),
            },
        ),
        (
            b"m f=1 5x",
            ParseErrorKind::InvalidTimestamp { value: "5x".into() },
        ),
    ];
    for (input, kind) in cases {
        assert_eq!(one_err(input).kind(), &kind, "{input:?}");
    }
}

// ---------------------------------------------------------------------------
// Recovery
// ---------------------------------------------------------------------------

#[test]
fn an_unterminated_string_is_reported_at_its_opening_quote() {
    let results = run(b"a s=\"open\nb f=1\nc f=2");
    assert_eq!(results.len(), 3);
    let err = results[0].as_ref().unwrap_err();
    assert_eq!(
        err.kind(),
        &ParseErrorKind::UnterminatedString { key: "s".into() }
    );
    assert_eq!((err.line(), err.column()), (1, 5));
    assert_point(
        results[1].as_ref().unwrap(),
        &pt("b").field("f", 1.0).build().unwrap(),
    );
    assert_point(
        results[2].as_ref().unwrap(),
        &pt("c").field("f", 2.0).build().unwrap(),
    );
}

#[test]
fn an_unterminated_string_at_the_end_of_the_input_is_an_error() {
    for input in [&b"m s=\""[..], b"m s=\"abc", b"m s=\"abc\\\"", b"m s=\"a\\"] {
        assert_eq!(
            one_err(input).kind(),
            &ParseErrorKind::UnterminatedString { key: "s".into() },
            "{input:?}"
        );
    }
}

#[test]
fn a_bad_line_does_not_cost_the_good_lines_around_it() {
    let input = b"a f=1\nb f=oops\nc f=2\nd,k f=3\ne f=4\n";
    let results = run(input);
    let summary: Vec<Result<&str, usize>> = results
        .iter()
        .map(|r| match r {
            Ok(point) => Ok(point.measurement()),
            Err(err) => Err(err.line()),
        })
        .collect();
    assert_eq!(summary, [Ok("a"), Err(2), Ok("c"), Err(4), Ok("e")]);
}

#[test]
fn the_reused_point_holds_no_leftovers_from_wider_lines() {
    let results = run(b"m,a=1,b=2 f=1,g=2,h=\"x\" 5\nn h=3\nbad\no,c=3 i=4i\n");
    assert_eq!(results.len(), 4);
    assert_point(
        results[1].as_ref().unwrap(),
        &pt("n").field("h", 3.0).build().unwrap(),
    );
    assert_point(
        results[3].as_ref().unwrap(),
        &pt("o").tag("c", "3").field("i", 4i64).build().unwrap(),
    );
}

#[test]
fn blank_and_comment_lines_may_be_indented_with_tabs() {
    let results = parse_both(
        b"\t# comment\n \t \n\t\nm v=1\n\tm v=2\n",
        ParseOptions::new(),
    );
    assert_eq!(results.len(), 2);
    let point = results[0].as_ref().unwrap();
    assert_eq!(point.field("v"), Some(FieldValue::Float(1.0)));
    let err = results[1].as_ref().unwrap_err();
    assert_eq!((err.line(), err.column()), (5, 1));
    assert!(matches!(
        err.kind(),
        ParseErrorKind::ControlCharacter { byte: b'\t', .. }
    ));
}
