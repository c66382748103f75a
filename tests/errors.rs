//! Error reporting: for each way a line can be wrong, the exact
//! [`ParseErrorKind`], the 1-based physical line and byte column, and the
//! `Display` message, through both the iterator and `Points::next_into`.
//! Also positions on later lines (after blank, comment and CRLF lines and
//! inside multi-line strings), and the messages: each whole, for every way
//! a line can fail, and long names and values shortened.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::parse_both;

use lineproto::{
    Element, Found, ParseError, ParseErrorKind, ParseOptions, Precision, ValueProblem,
};

/// Every item of `input` as `Ok(measurement)` or `Err(error)`, through both
/// entry points, which must agree.
fn items(input: &[u8], options: ParseOptions) -> Vec<Result<String, ParseError>> {
    parse_both(input, options)
        .into_iter()
        .map(|r| r.map(|p| p.measurement().to_owned()))
        .collect()
}

/// The errors of `input`.
fn errors(input: &[u8]) -> Vec<ParseError> {
    errors_with(input, ParseOptions::new())
}

fn errors_with(input: &[u8], options: ParseOptions) -> Vec<ParseError> {
    items(input, options)
        .into_iter()
        .filter_map(Result::err)
        .collect()
}

/// Asserts that `input` holds exactly one error, of `kind` at
/// (`line`, `column`) with the message `message`.
fn check(input: &[u8], position: (usize, usize), kind: ParseErrorKind, message: &str) {
    check_with(input, ParseOptions::new(), position, kind, message);
}

fn check_with(
    input: &[u8],
    options: ParseOptions,
    position: (usize, usize),
    kind: ParseErrorKind,
    message: &str,
) {
    let errors = errors_with(input, options);
    let shown = String::from_utf8_lossy(input);
    assert_eq!(
        errors.len(),
        1,
        "one error expected in {shown:?}: {errors:?}"
    );
    let err = &errors[0];
    assert_eq!(err.kind(), &kind, "{shown:?}");
    assert_eq!((err.line(), err.column()), position, "{shown:?}: {err}");
    assert_eq!(err.to_string(), message, "{shown:?}");
}

fn invalid(key: &str, value: &str, problem: ValueProblem) -> ParseErrorKind {
    ParseErrorKind::InvalidFieldValue {
        key: key.into(),
        value: value.into(),
        problem,
    }
}

// ---------------------------------------------------------------------------
// One line: each kind
// ---------------------------------------------------------------------------

#[test]
fn expected_measurement() {
    check(
        b",k=v f=1",
        (1, 1),
        ParseErrorKind::ExpectedMeasurement {
            found: Found::Byte(b','),
        },
        "line 1, column 1: expected measurement, found `,`",
    );
    check(
        b"   ,k=v f=1",
        (1, 4),
        ParseErrorKind::ExpectedMeasurement {
            found: Found::Byte(b','),
        },
        "line 1, column 4: expected measurement, found `,`",
    );
}

#[test]
fn expected_tag_key() {
    check(
        b"m,=v f=1",
        (1, 3),
        ParseErrorKind::ExpectedTagKey {
            found: Found::Byte(b'='),
        },
        "line 1, column 3: expected tag key, found `=`",
    );
    check(
        b"m,k=v, f=1",
        (1, 7),
        ParseErrorKind::ExpectedTagKey {
            found: Found::Byte(b' '),
        },
        "line 1, column 7: expected tag key, found space",
    );
    check(
        b"m,",
        (1, 3),
        ParseErrorKind::ExpectedTagKey {
            found: Found::EndOfLine,
        },
        "line 1, column 3: expected tag key, found end of line",
    );
    check(
        b"m,,k=v f=1",
        (1, 3),
        ParseErrorKind::ExpectedTagKey {
            found: Found::Byte(b','),
        },
        "line 1, column 3: expected tag key, found `,`",
    );
}

#[test]
fn expected_tag_equals() {
    check(
        b"home,room Kitchen temp=21.0",
        (1, 10),
        ParseErrorKind::ExpectedTagEquals {
            key: "room".into(),
            found: Found::Byte(b' '),
        },
        "line 1, column 10: expected `=` after tag key `room`, found space",
    );
    check(
        b"m,k,l=v f=1",
        (1, 4),
        ParseErrorKind::ExpectedTagEquals {
            key: "k".into(),
            found: Found::Byte(b','),
        },
        "line 1, column 4: expected `=` after tag key `k`, found `,`",
    );
    check(
        b"m,k\r\n",
        (1, 4),
        ParseErrorKind::ExpectedTagEquals {
            key: "k".into(),
            found: Found::EndOfLine,
        },
        "line 1, column 4: expected `=` after tag key `k`, found end of line",
    );
    check(
        br"m,a\ b f=1",
        (1, 7),
        ParseErrorKind::ExpectedTagEquals {
            key: "a b".into(),
            found: Found::Byte(b' '),
        },
        "line 1, column 7: expected `=` after tag key `a b`, found space",
    );
}

#[test]
fn expected_tag_value() {
    check(
        b"m,k= f=1",
        (1, 5),
        ParseErrorKind::ExpectedTagValue {
            key: "k".into(),
            found: Found::Byte(b' '),
        },
        "line 1, column 5: expected value of tag `k`, found space",
    );
    check(
        b"m,k=",
        (1, 5),
        ParseErrorKind::ExpectedTagValue {
            key: "k".into(),
            found: Found::EndOfLine,
        },
        "line 1, column 5: expected value of tag `k`, found end of line",
    );
    check(
        b"m,k=,l=v f=1",
        (1, 5),
        ParseErrorKind::ExpectedTagValue {
            key: "k".into(),
            found: Found::Byte(b','),
        },
        "line 1, column 5: expected value of tag `k`, found `,`",
    );
}

#[test]
fn duplicate_tag_key_is_reported_at_the_repeated_key() {
    check(
        b"m,a=1,b=2,a=3 f=1",
        (1, 11),
        ParseErrorKind::DuplicateTagKey { key: "a".into() },
        "line 1, column 11: duplicate tag key `a`",
    );
    check(
        br"m,x=1,a\ b=1,a\ b=2 f=1",
        (1, 14),
        ParseErrorKind::DuplicateTagKey { key: "a b".into() },
        "line 1, column 14: duplicate tag key `a b`",
    );
    // More tags than the small-set fast path; the first repetition counts.
    let mut line = String::from("m");
    for i in 0..30 {
        line.push_str(&format!(",k{i:02}=v"));
    }
    let column = line.len() + 2;
    line.push_str(",k07=w,k03=w f=1");
    check(
        line.as_bytes(),
        (1, column),
        ParseErrorKind::DuplicateTagKey { key: "k07".into() },
        &format!("line 1, column {column}: duplicate tag key `k07`"),
    );
}

#[test]
fn expected_field_set() {
    check(
        b"m",
        (1, 2),
        ParseErrorKind::ExpectedFieldSet {
            found: Found::EndOfLine,
        },
        "line 1, column 2: expected field set, found end of line",
    );
    check(
        b"m,k=v   ",
        (1, 9),
        ParseErrorKind::ExpectedFieldSet {
            found: Found::EndOfLine,
        },
        "line 1, column 9: expected field set, found end of line",
    );
    check(
        b"m,k=v\r\n",
        (1, 6),
        ParseErrorKind::ExpectedFieldSet {
            found: Found::EndOfLine,
        },
        "line 1, column 6: expected field set, found end of line",
    );
}

#[test]
fn expected_field_key() {
    check(
        b"m =1",
        (1, 3),
        ParseErrorKind::ExpectedFieldKey {
            found: Found::Byte(b'='),
        },
        "line 1, column 3: expected field key, found `=`",
    );
    check(
        b"m f=1,",
        (1, 7),
        ParseErrorKind::ExpectedFieldKey {
            found: Found::EndOfLine,
        },
        "line 1, column 7: expected field key, found end of line",
    );
    check(
        b"m f=1,,g=2",
        (1, 7),
        ParseErrorKind::ExpectedFieldKey {
            found: Found::Byte(b','),
        },
        "line 1, column 7: expected field key, found `,`",
    );
    check(
        b"m ,f=1",
        (1, 3),
        ParseErrorKind::ExpectedFieldKey {
            found: Found::Byte(b','),
        },
        "line 1, column 3: expected field key, found `,`",
    );
}

#[test]
fn expected_field_equals() {
    check(
        b"m f 1",
        (1, 4),
        ParseErrorKind::ExpectedFieldEquals {
            key: "f".into(),
            found: Found::Byte(b' '),
        },
        "line 1, column 4: expected `=` after field key `f`, found space",
    );
    check(
        b"m f",
        (1, 4),
        ParseErrorKind::ExpectedFieldEquals {
            key: "f".into(),
            found: Found::EndOfLine,
        },
        "line 1, column 4: expected `=` after field key `f`, found end of line",
    );
    check(
        b"m f,g=1",
        (1, 4),
        ParseErrorKind::ExpectedFieldEquals {
            key: "f".into(),
            found: Found::Byte(b','),
        },
        "line 1, column 4: expected `=` after field key `f`, found `,`",
    );
}

#[test]
fn expected_field_value() {
    check(
        b"m f=",
        (1, 5),
        ParseErrorKind::ExpectedFieldValue {
            key: "f".into(),
            found: Found::EndOfLine,
        },
        "line 1, column 5: expected value of field `f`, found end of line",
    );
    check(
        b"m f= 1",
        (1, 5),
        ParseErrorKind::ExpectedFieldValue {
            key: "f".into(),
            found: Found::Byte(b' '),
        },
        "line 1, column 5: expected value of field `f`, found space",
    );
    check(
        b"m f=,g=1",
        (1, 5),
        ParseErrorKind::ExpectedFieldValue {
            key: "f".into(),
            found: Found::Byte(b','),
        },
        "line 1, column 5: expected value of field `f`, found `,`",
    );
    check(
        "m f=é".as_bytes(),
        (1, 5),
        ParseErrorKind::ExpectedFieldValue {
            key: "f".into(),
            found: Found::Byte(0xc3),
        },
        "line 1, column 5: expected value of field `f`, found byte 0xC3",
    );
    check(
        b"m f=`x`",
        (1, 5),
        ParseErrorKind::ExpectedFieldValue {
            key: "f".into(),
            found: Found::Byte(b'`'),
        },
        "line 1, column 5: expected value of field `f`, found backtick",
    );
}

#[test]
fn invalid_field_value_for_each_problem() {
    let cases = [
        ("abc", ValueProblem::NotANumber, "is not a number"),
        ("+1", ValueProblem::NotANumber, "is not a number"),
        ("1.5i", ValueProblem::NotAnInteger, "is not an integer"),
        (
            "-1u",
            ValueProblem::NotAnUnsignedInteger,
            "is not an unsigned integer",
        ),
        (
            "9223372036854775808i",
            ValueProblem::IntegerOutOfRange,
            "is out of range of a 64-bit signed integer",
        ),
        (
            "18446744073709551616u",
            ValueProblem::UnsignedOutOfRange,
            "is out of range of a 64-bit unsigned integer",
        ),
        (
            "1e400",
            ValueProblem::FloatOutOfRange,
            "is out of range of a 64-bit float",
        ),
        (
            "tru",
            ValueProblem::NotABoolean,
            "is not a boolean (expected t, T, true, True, TRUE, f, F, false, False or FALSE)",
        ),
    ];
    for (value, problem, says) in cases {
        check(
            format!("m,k=v f=1,g={value},h=2").as_bytes(),
            (1, 13),
            invalid("g", value, problem),
            &format!("line 1, column 13: invalid field value: `{value}` for field `g` {says}"),
        );
    }
    // The README's example.
    check(
        b"home,room=Kitchen temp=hot 1641024000",
        (1, 24),
        invalid("temp", "hot", ValueProblem::NotANumber),
        "line 1, column 24: invalid field value: `hot` for field `temp` is not a number",
    );
}

#[test]
fn unterminated_string() {
    check(
        b"m s=\"abc",
        (1, 5),
        ParseErrorKind::UnterminatedString { key: "s".into() },
        "line 1, column 5: invalid field value: string of field `s` has no closing quote",
    );
    check(
        b"m f=1,s=\"abc\\\"",
        (1, 9),
        ParseErrorKind::UnterminatedString { key: "s".into() },
        "line 1, column 9: invalid field value: string of field `s` has no closing quote",
    );
}

#[test]
fn unescaped_quote_is_reported_at_the_quote() {
    check(
        br#"m s="a"b""#,
        (1, 7),
        ParseErrorKind::UnescapedQuote { key: "s".into() },
        "line 1, column 7: invalid field value: unescaped `\"` in string of field `s`",
    );
    check(
        br#"m f=1,s="say "hi"" 5"#,
        (1, 14),
        ParseErrorKind::UnescapedQuote { key: "s".into() },
        "line 1, column 14: invalid field value: unescaped `\"` in string of field `s`",
    );
}

#[test]
fn expected_field_separator() {
    let cases: [(&[u8], usize, Found, &str); 6] = [
        (b"m f=1_0", 6, Found::Byte(b'_'), "`_`"),
        (b"m f=1;", 6, Found::Byte(b';'), "`;`"),
        (b"m f=1\t2", 6, Found::Byte(b'\t'), "tab"),
        (b"m f=1\rx\n", 6, Found::Byte(b'\r'), "carriage return"),
        (b"m f=true\"x\"", 9, Found::Byte(b'"'), "`\"`"),
        (b"m f=\"a\"\t", 8, Found::Byte(b'\t'), "tab"),
    ];
    for (input, column, found, name) in cases {
        check(
            input,
            (1, column),
            ParseErrorKind::ExpectedFieldSeparator {
                key: "f".into(),
                found,
            },
            &format!(
                "line 1, column {column}: expected `,`, space or end of line after value of field `f`, found {name}"
            ),
        );
    }
}

#[test]
fn expected_timestamp() {
    for (input, found, name) in [
        (&b"m f=1 ,"[..], Found::Byte(b','), "`,`"),
        (b"m f=1 \"5\"", Found::Byte(b'"'), "`\"`"),
        (b"m f=1 \t", Found::Byte(b'\t'), "tab"),
        (b"m f=1 \x00", Found::Byte(0), "byte 0x00"),
    ] {
        check(
            input,
            (1, 7),
            ParseErrorKind::ExpectedTimestamp { found },
            &format!("line 1, column 7: expected timestamp or end of line, found {name}"),
        );
    }
}

#[test]
fn invalid_timestamp() {
    for value in ["12a", "1.5", "-", "+5", "1e9"] {
        check(
            format!("m f=1 {value}").as_bytes(),
            (1, 7),
            ParseErrorKind::InvalidTimestamp {
                value: value.into(),
            },
            &format!("line 1, column 7: invalid timestamp `{value}`: expected an integer"),
        );
    }
}

#[test]
fn timestamp_out_of_range() {
    for value in ["9223372036854775808", "-9223372036854775809"] {
        check(
            format!("m f=1  {value}").as_bytes(),
            (1, 8),
            ParseErrorKind::TimestampOutOfRange {
                value: value.into(),
            },
            &format!(
                "line 1, column 8: invalid timestamp `{value}`: out of range of a 64-bit integer"
            ),
        );
    }
}

#[test]
fn timestamp_overflow_names_the_precision() {
    for (precision, value, name) in [
        (Precision::Microseconds, 9_223_372_036_854_776i64, "us"),
        (Precision::Milliseconds, -9_223_372_036_855, "ms"),
        (Precision::Seconds, 9_223_372_037, "s"),
        (Precision::Minutes, 153_722_868, "m"),
        (Precision::Hours, -2_562_048, "h"),
    ] {
        check_with(
            format!("m f=1 {value}").as_bytes(),
            ParseOptions::new().with_precision(precision),
            (1, 7),
            ParseErrorKind::TimestampOverflow { value, precision },
            &format!(
                "line 1, column 7: timestamp {value} in {name} does not fit in 64-bit nanoseconds"
            ),
        );
    }
}

#[test]
fn expected_end_of_line() {
    for (input, column, found, name) in [
        (&b"m f=1 5 6"[..], 9, Found::Byte(b'6'), "`6`"),
        (b"m f=1 5,", 8, Found::Byte(b','), "`,`"),
        (b"m f=1 5\r", 8, Found::Byte(b'\r'), "carriage return"),
        (b"m f=1 5  x\n", 10, Found::Byte(b'x'), "`x`"),
        (b"m f=1 5\t", 8, Found::Byte(b'\t'), "tab"),
    ] {
        check(
            input,
            (1, column),
            ParseErrorKind::ExpectedEndOfLine { found },
            &format!("line 1, column {column}: expected end of line after timestamp, found {name}"),
        );
    }
}

#[test]
fn control_character_in_each_element() {
    let cases: [(&[u8], usize, Element, u8, &str); 6] = [
        (
            b"m\x01 f=1",
            2,
            Element::Measurement,
            0x01,
            "control character byte 0x01 in measurement",
        ),
        (
            b"m\r f=1",
            2,
            Element::Measurement,
            b'\r',
            "control character carriage return in measurement",
        ),
        (
            b"m,k\t=v f=1",
            4,
            Element::TagKey,
            b'\t',
            "control character tab in tag key",
        ),
        (
            b"m,k=v\x7f f=1",
            6,
            Element::TagValue,
            0x7f,
            "control character byte 0x7F in tag value",
        ),
        (
            b"m f\x1b=1",
            4,
            Element::FieldKey,
            0x1b,
            "control character byte 0x1B in field key",
        ),
        (
            b"m,k=v \x00=1",
            7,
            Element::FieldKey,
            0x00,
            "control character byte 0x00 in field key",
        ),
    ];
    for (input, column, element, byte, says) in cases {
        check(
            input,
            (1, column),
            ParseErrorKind::ControlCharacter { element, byte },
            &format!("line 1, column {column}: {says}"),
        );
    }
}

#[test]
fn invalid_utf8_is_reported_at_the_first_bad_byte() {
    let cases: [(&[u8], usize, Element, &str); 6] = [
        (b"m\xff f=1", 2, Element::Measurement, "measurement"),
        (b"m,k\xc3\xa9\xff=v f=1", 6, Element::TagKey, "tag key"),
        (b"m,k=v\xc3 f=1", 6, Element::TagValue, "tag value"),
        (b"m f\xfe=1", 4, Element::FieldKey, "field key"),
        (b"m s=\"ab\xff\"", 8, Element::StringValue, "string value"),
        (b"m s=\"\xe2\x82\"", 6, Element::StringValue, "string value"),
    ];
    for (input, column, element, name) in cases {
        check(
            input,
            (1, column),
            ParseErrorKind::InvalidUtf8 { element },
            &format!("line 1, column {column}: invalid UTF-8 in {name}"),
        );
    }
}

#[test]
fn columns_count_bytes_not_characters() {
    check(
        "mé,ключ=значение f=x".as_bytes(),
        (1, 33),
        invalid("f", "x", ValueProblem::NotANumber),
        "line 1, column 33: invalid field value: `x` for field `f` is not a number",
    );
}

// ---------------------------------------------------------------------------
// Positions on later lines
// ---------------------------------------------------------------------------

#[test]
fn errors_after_blank_and_comment_lines_count_them() {
    check(
        b"\n# comment\n   \n m f=x\n",
        (4, 6),
        invalid("f", "x", ValueProblem::NotANumber),
        "line 4, column 6: invalid field value: `x` for field `f` is not a number",
    );
}

#[test]
fn errors_after_crlf_lines() {
    check(
        b"a f=1\r\n\r\n# c\r\nb f=2\r\nc f=\r\nd f=3\r\n",
        (5, 5),
        ParseErrorKind::ExpectedFieldValue {
            key: "f".into(),
            found: Found::EndOfLine,
        },
        "line 5, column 5: expected value of field `f`, found end of line",
    );
    check(
        b"a f=1\r\nm,a=1,a=2 f=1\r\n",
        (2, 7),
        ParseErrorKind::DuplicateTagKey { key: "a".into() },
        "line 2, column 7: duplicate tag key `a`",
    );
}

#[test]
fn errors_inside_a_multi_line_string_are_placed_on_their_physical_line() {
    let input = b"a f=1\nm s=\"one\ntw\xffo\"\nz f=2\n";
    check(
        input,
        (3, 3),
        ParseErrorKind::InvalidUtf8 {
            element: Element::StringValue,
        },
        "line 3, column 3: invalid UTF-8 in string value",
    );
    // The error belongs to the point that began on line 2.
    let mut points = lineproto::parse(input);
    points.next().unwrap().unwrap();
    let err = points.next().unwrap().unwrap_err();
    assert_eq!(err.line(), 3);
    assert_eq!(points.line_number(), 2);
}

#[test]
fn errors_after_a_multi_line_string_are_placed_on_their_physical_line() {
    check(
        b"m s=\"a\nb\" x\nn f=1\n",
        (2, 4),
        ParseErrorKind::InvalidTimestamp { value: "x".into() },
        "line 2, column 4: invalid timestamp `x`: expected an integer",
    );
    check(
        b"m s=\"a\n\nb\",t=\"c\"d\"\n",
        (3, 8),
        ParseErrorKind::UnescapedQuote { key: "t".into() },
        "line 3, column 8: invalid field value: unescaped `\"` in string of field `t`",
    );
    check(
        b"m s=\"a\r\nb\" 5 6\r\n",
        (2, 6),
        ParseErrorKind::ExpectedEndOfLine {
            found: Found::Byte(b'6'),
        },
        "line 2, column 6: expected end of line after timestamp, found `6`",
    );
    check(
        b"m s=\"a\nb\",\n",
        (2, 4),
        ParseErrorKind::ExpectedFieldKey {
            found: Found::EndOfLine,
        },
        "line 2, column 4: expected field key, found end of line",
    );
}

#[test]
fn errors_after_a_point_with_a_multi_line_string_count_its_lines() {
    check(
        b"m s=\"a\nb\r\n\nc\" 5\nn f=1\r\nbad\n",
        (6, 4),
        ParseErrorKind::ExpectedFieldSet {
            found: Found::EndOfLine,
        },
        "line 6, column 4: expected field set, found end of line",
    );
}

#[test]
fn an_unterminated_string_on_a_later_line() {
    let input = b"a f=1\nb s=\"x\nc f=2\n";
    check(
        input,
        (2, 5),
        ParseErrorKind::UnterminatedString { key: "s".into() },
        "line 2, column 5: invalid field value: string of field `s` has no closing quote",
    );
    let all = items(input, ParseOptions::new());
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].as_ref().unwrap(), "c");
}

#[test]
fn several_errors_in_one_buffer_each_have_their_own_line() {
    let input = b"bad\n\nm f=\r\n# x\nok f=1\nm,k f=1\nm s=\"a\nb\" 1 2\nlast";
    let found: Vec<(usize, usize)> = errors(input)
        .iter()
        .map(|e| (e.line(), e.column()))
        .collect();
    assert_eq!(found, [(1, 4), (3, 5), (6, 4), (8, 6), (9, 5)]);
    let all = items(input, ParseOptions::new());
    assert_eq!(all.len(), 6);
    assert_eq!(all[2].as_ref().unwrap(), "ok");
}

#[test]
fn an_error_on_the_last_line_without_a_line_feed() {
    check(
        b"a f=1\nb f=1\nc",
        (3, 2),
        ParseErrorKind::ExpectedFieldSet {
            found: Found::EndOfLine,
        },
        "line 3, column 2: expected field set, found end of line",
    );
}

// ---------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------

/// Inputs that fail in every way the grammar knows, each with the whole
/// message of its one error.
const BAD_LINES: &[(&[u8], &str)] = &[
    (
        b",k=v f=1",
        "line 1, column 1: expected measurement, found `,`",
    ),
    (b"m,=v f=1", "line 1, column 3: expected tag key, found `=`"),
    (
        b"m,k f=1",
        "line 1, column 4: expected `=` after tag key `k`, found space",
    ),
    (
        b"m,k= f=1",
        "line 1, column 5: expected value of tag `k`, found space",
    ),
    (b"m,a=1,a=2 f=1", "line 1, column 7: duplicate tag key `a`"),
    (
        b"m",
        "line 1, column 2: expected field set, found end of line",
    ),
    (b"m =1", "line 1, column 3: expected field key, found `=`"),
    (
        b"m f",
        "line 1, column 4: expected `=` after field key `f`, found end of line",
    ),
    (
        b"m f=",
        "line 1, column 5: expected value of field `f`, found end of line",
    ),
    (
        b"m f=x",
        "line 1, column 5: invalid field value: `x` for field `f` is not a number",
    ),
    (
        b"m f=1.5i",
        "line 1, column 5: invalid field value: `1.5i` for field `f` is not an integer",
    ),
    (
        b"m f=-1u",
        "line 1, column 5: invalid field value: `-1u` for field `f` is not an unsigned integer",
    ),
    (
        b"m f=99999999999999999999i",
        "line 1, column 5: invalid field value: `99999999999999999999i` for field `f` is out of range of a 64-bit signed integer",
    ),
    (
        b"m f=99999999999999999999u",
        "line 1, column 5: invalid field value: `99999999999999999999u` for field `f` is out of range of a 64-bit unsigned integer",
    ),
    (
        b"m f=1e999",
        "line 1, column 5: invalid field value: `1e999` for field `f` is out of range of a 64-bit float",
    ),
    (
        b"m f=tr",
        "line 1, column 5: invalid field value: `tr` for field `f` is not a boolean (expected t, T, true, True, TRUE, f, F, false, False or FALSE)",
    ),
    (
        b"m f=\"open",
        "line 1, column 5: invalid field value: string of field `f` has no closing quote",
    ),
    (
        b"m f=\"a\"b\"",
        "line 1, column 7: invalid field value: unescaped `\"` in string of field `f`",
    ),
    (
        b"m f=1;",
        "line 1, column 6: expected `,`, space or end of line after value of field `f`, found `;`",
    ),
    (
        b"m f=1 ,",
        "line 1, column 7: expected timestamp or end of line, found `,`",
    ),
    (
        b"m f=1 1a",
        "line 1, column 7: invalid timestamp `1a`: expected an integer",
    ),
    (
        b"m f=1 99999999999999999999",
        "line 1, column 7: invalid timestamp `99999999999999999999`: out of range of a 64-bit integer",
    ),
    (
        b"m f=1 1 1",
        "line 1, column 9: expected end of line after timestamp, found `1`",
    ),
    (
        b"m\x01 f=1",
        "line 1, column 2: control character byte 0x01 in measurement",
    ),
    (
        b"m\xff f=1",
        "line 1, column 2: invalid UTF-8 in measurement",
    ),
    (
        b"m f=\"\xff\"",
        "line 1, column 6: invalid UTF-8 in string value",
    ),
    (
        b"\tm f=1",
        "line 1, column 1: control character tab in measurement",
    ),
    (
        b"\r",
        "line 1, column 1: control character carriage return in measurement",
    ),
    (
        b"\x00",
        "line 1, column 1: control character byte 0x00 in measurement",
    ),
    (
        b"\"",
        "line 1, column 2: expected field set, found end of line",
    ),
    (
        b"=",
        "line 1, column 2: expected field set, found end of line",
    ),
    (
        b"m f=1\x00",
        "line 1, column 6: expected `,`, space or end of line after value of field `f`, found byte 0x00",
    ),
];

/// Every message, whole: it names the place and says in the grammar's
/// words what was expected and found, with no parser-library internals
/// and never through the catch-all kind.
#[test]
fn messages_are_exactly_as_written() {
    for &(input, expected) in BAD_LINES {
        let shown = String::from_utf8_lossy(input);
        let errors = errors(input);
        assert_eq!(errors.len(), 1, "{shown:?}: {errors:?}");
        assert_eq!(errors[0].to_string(), expected, "{shown:?}");
        assert!(
            !matches!(errors[0].kind(), ParseErrorKind::Unexpected { .. }),
            "{shown:?} gave the catch-all error: {expected}"
        );
    }
}

#[test]
fn parse_error_is_a_std_error() {
    fn takes(_: &dyn std::error::Error) {}
    let err = errors(b"m")[0].clone();
    takes(&err);
    assert!(std::error::Error::source(&err).is_none());
}

/// Asserts that `message` quotes `text` cut to 64 bytes with `…` after it.
fn assert_shortened(message: &str, long: &str) {
    let head = &long[..64];
    assert!(
        message.contains(&format!("{head}…")),
        "{message:?} should quote the first 64 bytes"
    );
    assert!(
        !message.contains(&long[..65]),
        "{message:?} should not quote more"
    );
    assert!(message.len() < 300, "{message:?} is too long");
}

#[test]
fn long_keys_and_values_are_shortened_in_messages() {
    let long_key = "k".repeat(10_000);
    let long_value = "9".repeat(10_000);

    let found = errors(format!("m,{long_key} f=1").as_bytes());
    assert!(matches!(
        found[0].kind(),
        ParseErrorKind::ExpectedTagEquals { .. }
    ));
    assert_shortened(&found[0].to_string(), &long_key);

    let found = errors(format!("m,{long_key}= f=1").as_bytes());
    assert!(matches!(
        found[0].kind(),
        ParseErrorKind::ExpectedTagValue { .. }
    ));
    assert_shortened(&found[0].to_string(), &long_key);

    let found = errors(format!("m,{long_key}=1,{long_key}=2 f=1").as_bytes());
    assert!(matches!(
        found[0].kind(),
        ParseErrorKind::DuplicateTagKey { .. }
    ));
    assert_shortened(&found[0].to_string(), &long_key);

    let found = errors(format!("m {long_key}").as_bytes());
    assert!(matches!(
        found[0].kind(),
        ParseErrorKind::ExpectedFieldEquals { .. }
    ));
    assert_shortened(&found[0].to_string(), &long_key);

    let found = errors(format!("m {long_key}=").as_bytes());
    assert!(matches!(
        found[0].kind(),
        ParseErrorKind::ExpectedFieldValue { .. }
    ));
    assert_shortened(&found[0].to_string(), &long_key);

    let found = errors(format!("m {long_key}=\"open").as_bytes());
    assert!(matches!(
        found[0].kind(),
        ParseErrorKind::UnterminatedString { .. }
    ));
    assert_shortened(&found[0].to_string(), &long_key);

    let found = errors(format!("m {long_key}=\"a\"\"").as_bytes());
    assert!(matches!(
        found[0].kind(),
        ParseErrorKind::UnescapedQuote { .. }
    ));
    assert_shortened(&found[0].to_string(), &long_key);

    let found = errors(format!("m {long_key}=1;").as_bytes());
    assert!(matches!(
        found[0].kind(),
        ParseErrorKind::ExpectedFieldSeparator { .. }
    ));
    assert_shortened(&found[0].to_string(), &long_key);

    // Both the key and the value of an invalid field value.
    let found = errors(format!("m {long_key}={long_value}x").as_bytes());
    assert!(matches!(
        found[0].kind(),
        ParseErrorKind::InvalidFieldValue { .. }
    ));
    let message = found[0].to_string();
    assert_shortened(&message, &long_key);
    assert_shortened(&message, &long_value);

    let found = errors(format!("m f=1 {long_value}x").as_bytes());
    assert!(matches!(
        found[0].kind(),
        ParseErrorKind::InvalidTimestamp { .. }
    ));
    assert_shortened(&found[0].to_string(), &long_value);

    let found = errors(format!("m f=1 {long_value}").as_bytes());
    assert!(matches!(
        found[0].kind(),
        ParseErrorKind::TimestampOutOfRange { .. }
    ));
    assert_shortened(&found[0].to_string(), &long_value);
}

/// The name an `expected `=` after field key` message quotes.
fn quoted_field_key(message: &str) -> &str {
    let (_, rest) = message
        .split_once("after field key `")
        .unwrap_or_else(|| panic!("{message:?} quotes no field key"));
    let (quoted, _) = rest
        .rsplit_once("`, found")
        .unwrap_or_else(|| panic!("{message:?} does not end its quote"));
    quoted
}

#[test]
fn shortening_never_splits_a_message_badly() {
    // Names whose 64th byte falls inside a character of two, three and
    // four bytes, and one whose character ends exactly there: each is
    // quoted as its longest prefix of at most 64 bytes that ends at a
    // character boundary, then `…`.
    let names = [
        format!("a{}", "é".repeat(100)),
        format!("aa{}", "日".repeat(40)),
        format!("a{}", "🦀".repeat(30)),
        format!("{}x", "é".repeat(32)),
        format!("{}🦀", "k".repeat(62)),
    ];
    for key in names {
        assert!(key.len() > 64);
        let cut = (0..=64).rev().find(|&i| key.is_char_boundary(i)).unwrap();
        assert!(cut > 60);
        let errors = errors(format!("m {key}").as_bytes());
        let message = errors[0].to_string();
        assert_eq!(
            quoted_field_key(&message),
            format!("{}…", &key[..cut]),
            "{message:?}"
        );
        assert!(
            !message.contains('\u{fffd}'),
            "{message:?} splits a character"
        );
    }
}

#[test]
fn short_names_are_quoted_whole() {
    let key = "k".repeat(64);
    let errors = errors(format!("m {key}").as_bytes());
    let message = errors[0].to_string();
    assert!(message.contains(&format!("`{key}`")), "{message}");
    assert!(!message.contains('…'));
}
