//! The limits of `ParseOptions`: each is an error of its line only, placed
//! where the limit is crossed, and the next line is parsed as usual.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
#[path = "common/points.rs"]
mod points;

use common::parse_both;
use points::dialect_docs;

use lineproto::{ParseError, ParseErrorKind, ParseOptions, Point};

fn error(result: &Result<Point<'static>, ParseError>) -> (usize, usize, ParseErrorKind) {
    let err = result.as_ref().unwrap_err();
    (err.line(), err.column(), err.kind().clone())
}

/// The default limits, as the docs state them: a line, tags, fields and a
/// string each parse at the limit and are an error one over it, and
/// `without_limits` lifts each.
#[test]
fn the_defaults_are_documented_values() {
    let sentence = "A line may be at most 16 MiB long, hold at most 1,024 tags and 1,024 fields, and string values at most 64 KiB (unescaped)";
    assert!(
        dialect_docs().contains(sentence),
        "the docs no longer say {sentence:?}"
    );
    let line_limit = 16 * 1024 * 1024;
    let max_tags = 1024;
    let max_fields = 1024;
    let string_limit = 64 * 1024;
    let lifted = ParseOptions::new().without_limits();

    // A line of `len` bytes with its line feed, most of them a field key.
    // (16 MiB take a while to parse in a debug build: each line is parsed
    // once, through the iterator only.)
    let line = |len: usize| format!("m {}=1\n", "k".repeat(len - 5));
    let parse = |input: &str, options| {
        lineproto::parse_with(input.as_bytes(), options)
            .map(|result| result.map(|point| point.fields().map(|f| f.key().len()).sum::<usize>()))
            .collect::<Vec<_>>()
    };
    let at = line(line_limit);
    assert_eq!(at.len(), line_limit);
    assert_eq!(parse(&at, ParseOptions::new()), [Ok(line_limit - 5)]);
    let over = line(line_limit + 1);
    let results = parse(&over, ParseOptions::new());
    let err = results[0].as_ref().unwrap_err();
    assert_eq!(
        (results.len(), err.line(), err.column(), err.kind()),
        (
            1,
            1,
            line_limit + 1,
            &ParseErrorKind::LineTooLong { limit: line_limit }
        )
    );
    assert_eq!(parse(&over, lifted), [Ok(line_limit - 4)]);

    // Tags `t0=v` to `t{n-1}=v`; the first over the limit is reported at
    // its key.
    let tags = |n: usize| {
        let tags: String = (0..n).map(|i| format!(",t{i}=v")).collect();
        format!("m{tags} f=1")
    };
    let at = tags(max_tags);
    let results = parse_both(at.as_bytes(), ParseOptions::new());
    assert_eq!(results[0].as_ref().unwrap().tags().len(), max_tags);
    let over = tags(max_tags + 1);
    let results = parse_both(over.as_bytes(), ParseOptions::new());
    let column = over.find(&format!(",t{max_tags}=")).unwrap() + 2;
    assert_eq!(
        error(&results[0]),
        (1, column, ParseErrorKind::TooManyTags { limit: max_tags })
    );
    assert_eq!(
        parse_both(over.as_bytes(), lifted)[0]
            .as_ref()
            .unwrap()
            .tags()
            .len(),
        max_tags + 1
    );

    // Fields `f0=1` to `f{n-1}=1`.
    let fields = |n: usize| {
        let fields: Vec<String> = (0..n).map(|i| format!("f{i}=1")).collect();
        format!("m {}", fields.join(","))
    };
    let at = fields(max_fields);
    let results = parse_both(at.as_bytes(), ParseOptions::new());
    assert_eq!(results[0].as_ref().unwrap().fields().len(), max_fields);
    let over = fields(max_fields + 1);
    let results = parse_both(over.as_bytes(), ParseOptions::new());
    let column = over.find(&format!(",f{max_fields}=")).unwrap() + 2;
    assert_eq!(
        error(&results[0]),
        (
            1,
            column,
            ParseErrorKind::TooManyFields { limit: max_fields }
        )
    );
    assert_eq!(
        parse_both(over.as_bytes(), lifted)[0]
            .as_ref()
            .unwrap()
            .fields()
            .len(),
        max_fields + 1
    );

    // A string of `len` quotes, each written `\"`: twice as long written
    // as unescaped, and the unescaped length counts.
    let string = |len: usize| format!("m s=\"{}\"", "\\\"".repeat(len));
    let at = string(string_limit);
    let results = parse_both(at.as_bytes(), ParseOptions::new());
    let value = results[0].as_ref().unwrap().field("s").unwrap();
    assert_eq!(value.as_str().map(str::len), Some(string_limit));
    let over = string(string_limit + 1);
    let results = parse_both(over.as_bytes(), ParseOptions::new());
    assert_eq!(
        error(&results[0]),
        (
            1,
            5,
            ParseErrorKind::StringTooLong {
                key: "s".into(),
                limit: string_limit
            }
        )
    );
    let results = parse_both(over.as_bytes(), lifted);
    let value = results[0].as_ref().unwrap().field("s").unwrap();
    assert_eq!(value.as_str().map(str::len), Some(string_limit + 1));
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
