//! The limits of `ParseOptions`: each is an error of its line only, placed
//! where the limit is crossed, and the next line is parsed as usual.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::parse_both;

use lineproto::{ParseError, ParseErrorKind, ParseOptions, Point};

fn error(result: &Result<Point<'static>, ParseError>) -> (usize, usize, ParseErrorKind) {
    let err = result.as_ref().unwrap_err();
    (err.line(), err.column(), err.kind().clone())
}

#[test]
fn the_defaults_are_documented_values() {
    let options = ParseOptions::default();
    assert_eq!(options.max_line_length(), 16 * 1024 * 1024);
    assert_eq!(options.max_tags(), 1024);
    assert_eq!(options.max_fields(), 1024);
    assert_eq!(options.max_string_length(), 64 * 1024);
    let lifted = options.without_limits();
    assert_eq!(lifted.max_line_length(), usize::MAX);
    assert_eq!(lifted.max_string_length(), usize::MAX);
}

#[test]
fn a_line_at_the_length_limit_parses_and_one_byte_more_does_not() {
    // "m f=1 12345\n" is 12 bytes with its line feed.
    let options = ParseOptions::new().with_max_line_length(12);
    let results = parse_both(b"m f=1 12345\nm f=1 123456\nm f=2\n", options);
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().unwrap().timestamp(), Some(12345));
    assert_eq!(
        error(&results[1]),
        (2, 13, ParseErrorKind::LineTooLong { limit: 12 })
    );
    assert_eq!(
        results[2]
            .as_ref()
            .unwrap()
            .field("f")
            .and_then(|v| v.as_f64()),
        Some(2.0)
    );
}

#[test]
fn a_line_cut_by_the_limit_is_never_read_as_a_shorter_line() {
    // Cut after "m f=1 1", the view would be a valid line with timestamp 1.
    let options = ParseOptions::new().with_max_line_length(7);
    let results = parse_both(b"m f=1 123\nm f=9", options);
    assert_eq!(
        error(&results[0]),
        (1, 8, ParseErrorKind::LineTooLong { limit: 7 })
    );
    assert_eq!(
        results[1]
            .as_ref()
            .unwrap()
            .field("f")
            .and_then(|v| v.as_f64()),
        Some(9.0)
    );
    // The last line of the input may end exactly at the limit.
    let results = parse_both(b"m f=1 123", options.with_max_line_length(9));
    assert_eq!(results[0].as_ref().unwrap().timestamp(), Some(123));
}

#[test]
fn a_string_closed_past_the_limit_makes_the_line_too_long() {
    let options = ParseOptions::new().with_max_line_length(10);
    let results = parse_both(b"m s=\"abcdefghijklmnop\"\nm f=1\n", options);
    assert_eq!(
        error(&results[0]),
        (1, 11, ParseErrorKind::LineTooLong { limit: 10 })
    );
    assert!(results[1].is_ok());
    // A crlf cut between its two bytes is not a lone carriage return.
    let options = options.with_max_line_length(9);
    let results = parse_both(b"m f=1 12\r\nm f=1\n", options);
    assert_eq!(
        error(&results[0]),
        (1, 10, ParseErrorKind::LineTooLong { limit: 9 })
    );
    assert!(results[1].is_ok());
}

#[test]
fn a_syntax_error_is_reported_as_itself_only_if_its_line_ends_within_the_limit() {
    let options = ParseOptions::new().with_max_line_length(10);
    let results = parse_both(b"m f=x\nm f=x and much more text\nm f=1\n", options);
    assert!(
        matches!(
            error(&results[0]),
            (1, 5, ParseErrorKind::InvalidFieldValue { .. })
        ),
        "{:?}",
        results[0]
    );
    assert_eq!(
        error(&results[1]),
        (2, 11, ParseErrorKind::LineTooLong { limit: 10 })
    );
    assert!(results[2].is_ok());
}

#[test]
fn a_multi_line_point_counts_all_its_bytes() {
    let input = b"m s=\"a\nb\" 1\nm f=1\n";
    assert!(
        parse_both(input, ParseOptions::new().with_max_line_length(12))
            .iter()
            .all(Result::is_ok)
    );
    // Too long: reported on the line where the point starts, at its line
    // feed, and parsing goes on with the next physical line, whatever it
    // holds.
    let results = parse_both(input, ParseOptions::new().with_max_line_length(11));
    assert_eq!(
        error(&results[0]),
        (1, 7, ParseErrorKind::LineTooLong { limit: 11 })
    );
    assert_eq!(results.len(), 3);
    assert_eq!(results[1].as_ref().unwrap_err().line(), 2);
    assert!(results[2].is_ok());
}

#[test]
fn tags_over_the_limit_are_an_error_at_the_first_extra_tag() {
    let options = ParseOptions::new().with_max_tags(2);
    let results = parse_both(b"m,a=1,b=2 f=1\nm,a=1,b=2,c=3 f=1\n", options);
    assert_eq!(results[0].as_ref().unwrap().tags().len(), 2);
    assert_eq!(
        error(&results[1]),
        (2, 11, ParseErrorKind::TooManyTags { limit: 2 })
    );
    assert_eq!(
        results[1].as_ref().unwrap_err().to_string(),
        "line 2, column 11: more than 2 tags in one line"
    );
}

#[test]
fn fields_over_the_limit_are_an_error_at_the_first_extra_field() {
    let options = ParseOptions::new().with_max_fields(2);
    let results = parse_both(b"m a=1,b=2\nm a=1,b=2,c=3 4\n", options);
    assert_eq!(results[0].as_ref().unwrap().fields().len(), 2);
    assert_eq!(
        error(&results[1]),
        (2, 11, ParseErrorKind::TooManyFields { limit: 2 })
    );
}

#[test]
fn strings_over_the_limit_are_an_error_at_their_opening_quote() {
    let options = ParseOptions::new().with_max_string_length(3);
    // Escapes count once, unescaped: `a\"b` is three bytes.
    let results = parse_both(b"m s=\"abc\",t=\"a\\\"b\"\nm n=1,s=\"abcd\"\n", options);
    assert_eq!(
        results[0]
            .as_ref()
            .unwrap()
            .field("t")
            .and_then(|v| v.as_str()),
        Some("a\"b")
    );
    assert_eq!(
        error(&results[1]),
        (
            2,
            9,
            ParseErrorKind::StringTooLong {
                key: "s".into(),
                limit: 3
            }
        )
    );
    assert_eq!(
        results[1].as_ref().unwrap_err().kind().to_string(),
        "invalid field value: string of field `s` is longer than the limit of 3 bytes"
    );
}

#[test]
fn the_default_string_limit_is_64_kib() {
    let at_limit = format!("m s=\"{}\"", "x".repeat(64 * 1024));
    assert!(parse_both(at_limit.as_bytes(), ParseOptions::new())[0].is_ok());
    let over = format!("m s=\"{}\"", "x".repeat(64 * 1024 + 1));
    assert!(matches!(
        error(&parse_both(over.as_bytes(), ParseOptions::new())[0]).2,
        ParseErrorKind::StringTooLong { limit: 65536, .. }
    ));
}

#[test]
fn blank_and_comment_lines_count_towards_the_line_limit() {
    let options = ParseOptions::new().with_max_line_length(8);
    // At the limit they are skipped as ever; past it, they are too long.
    let input = b"        \n# 345678\n         \n  # 45678\r\nm f=1\n";
    let results = parse_both(input, options);
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(
        error(&results[0]),
        (3, 9, ParseErrorKind::LineTooLong { limit: 8 })
    );
    assert_eq!(
        error(&results[1]),
        (4, 9, ParseErrorKind::LineTooLong { limit: 8 })
    );
    assert!(results[2].is_ok());
}
