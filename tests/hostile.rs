//! Hostile input: huge tokens, huge counts, pathological escapes and lines
//! of nothing but delimiters. Each test checks what the parser returns (the
//! error, its position and the limit it names, or the parsed values), not
//! how long it takes; `benches/codec.rs` (`adversarial`) measures the speed.
//!
//! The last tests hold inputs found by fuzzing (`fuzz/`), as minimised.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{self, Read};

use common::parse_both;
use lineproto::{
    FieldValue, Found, ParseError, ParseErrorKind, ParseOptions, Point, Precision, Stream,
    ValueProblem,
};

type Results = Vec<Result<Point<'static>, ParseError>>;

fn error(result: &Result<Point<'static>, ParseError>) -> (usize, usize, ParseErrorKind) {
    let err = result.as_ref().unwrap_err();
    (err.line(), err.column(), err.kind().clone())
}

fn problem(result: &Result<Point<'static>, ParseError>) -> ValueProblem {
    match error(result).2 {
        ParseErrorKind::InvalidFieldValue { problem, .. } => problem,
        other => panic!("not an invalid field value: {other:?}"),
    }
}

fn float(result: &Result<Point<'static>, ParseError>) -> f64 {
    let point = result.as_ref().unwrap();
    point.field("f").and_then(|value| value.as_f64()).unwrap()
}

/// A reader that hands out one byte per read.
struct OneByte<'a>(&'a [u8]);

impl Read for OneByte<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some((first, rest)) = self.0.split_first() else {
            return Ok(0);
        };
        let Some(slot) = buf.first_mut() else {
            return Ok(0);
        };
        *slot = *first;
        self.0 = rest;
        Ok(1)
    }
}

/// Every result of a [`Stream`] over `reader`.
fn stream(reader: impl Read, options: ParseOptions) -> Results {
    let mut stream = Stream::with_options(reader, options);
    let mut results = Vec::new();
    while let Some(chunk) = stream.next_chunk().unwrap() {
        results.extend(chunk.map(|result| result.map(Point::into_owned)));
    }
    results
}

/// `input` after `count` copies of `unit`.
fn repeated(unit: &[u8], count: usize, then: &[u8]) -> Vec<u8> {
    let mut bytes = unit.repeat(count);
    bytes.extend_from_slice(then);
    bytes
}

#[test]
fn ten_megabytes_of_backslashes_are_a_measurement_without_fields() {
    // `\\` is one backslash, so this is a measurement of five million
    // backslashes, and then the line ends.
    let results = parse_both(&vec![b'\\'; 10_000_000], ParseOptions::new());
    assert_eq!(results.len(), 1);
    let expected = ParseErrorKind::ExpectedFieldSet {
        found: Found::EndOfLine,
    };
    assert_eq!(error(&results[0]), (1, 10_000_001, expected.clone()));

    let results = parse_both(&repeated(b"\\", 10_000_000, b" f=1"), ParseOptions::new());
    let point = results[0].as_ref().unwrap();
    assert_eq!(point.measurement().len(), 5_000_000);
    assert!(point.measurement().bytes().all(|b| b == b'\\'));
    assert_eq!(point.field("f"), Some(FieldValue::Float(1.0)));

    // One more backslash escapes the space: the field set becomes part of
    // the measurement.
    let results = parse_both(&repeated(b"\\", 10_000_001, b" f=1"), ParseOptions::new());
    assert_eq!(error(&results[0]), (1, 10_000_006, expected));
}

/// `m,t0=v0,t1=v1,...` with `count` tags and the field `f=1`.
fn many_tags(count: usize) -> Vec<u8> {
    let mut line = b"m".to_vec();
    for i in 0..count {
        line.extend_from_slice(format!(",t{i}=v{i}").as_bytes());
    }
    line.extend_from_slice(b" f=1");
    line
}

#[test]
fn a_line_of_100_000_tags_is_refused_by_default_and_parses_with_the_limit_raised() {
    let mut input = many_tags(100_000);
    input.extend_from_slice(b"\nnext f=2\n");

    let results = parse_both(&input, ParseOptions::new());
    assert_eq!(results.len(), 2);
    // Reported at the key of the first tag over the limit.
    let column = many_tags(1024).len() - b" f=1".len() + 2;
    assert_eq!(
        error(&results[0]),
        (1, column, ParseErrorKind::TooManyTags { limit: 1024 })
    );
    assert_eq!(results[1].as_ref().unwrap().measurement(), "next");

    let options = ParseOptions::new().with_max_tags(100_000);
    let results = parse_both(&input, options);
    let point = results[0].as_ref().unwrap();
    assert_eq!(point.tags().len(), 100_000);
    for (i, tag) in point.tags().enumerate() {
        assert_eq!(
            (tag.key(), tag.value()),
            (&*format!("t{i}"), &*format!("v{i}"))
        );
    }
    assert_eq!(point.field("f"), Some(FieldValue::Float(1.0)));
    assert_eq!(results[1].as_ref().unwrap().measurement(), "next");

    // A repeated key after 100,000 distinct ones is still found.
    let mut input = many_tags(100_000);
    input.truncate(input.len() - b" f=1".len());
    input.extend_from_slice(b",t0=again f=1");
    let results = parse_both(&input, ParseOptions::new().with_max_tags(100_001));
    assert!(matches!(
        error(&results[0]).2,
        ParseErrorKind::DuplicateTagKey { .. }
    ));
}

#[test]
fn a_line_of_100_000_fields_is_refused_by_default_and_parses_with_the_limit_raised() {
    let mut input = b"m ".to_vec();
    for i in 0..100_000 {
        input.extend_from_slice(format!("f{i}={i}i,").as_bytes());
    }
    input.pop();
    let results = parse_both(&input, ParseOptions::new());
    assert!(matches!(
        error(&results[0]),
        (1, _, ParseErrorKind::TooManyFields { limit: 1024 })
    ));

    let results = parse_both(&input, ParseOptions::new().with_max_fields(100_000));
    let point = results[0].as_ref().unwrap();
    assert_eq!(point.fields().len(), 100_000);
    for (i, field) in point.fields().enumerate() {
        assert_eq!(field.key(), format!("f{i}"));
        assert_eq!(
            field.value(),
            FieldValue::Integer(i64::try_from(i).unwrap())
        );
    }
}

#[test]
fn a_long_line_of_strings_with_line_feeds_streams_as_it_parses() {
    // Every read brings line feeds and quotes, none of which ends the
    // line: a stream that parsed the line again on each would take time
    // in the square of its length.
    let mut input = b"m ".to_vec();
    for i in 0..20_000 {
        input.extend_from_slice(format!("f{i}=\"a\nb \\\" c\",").as_bytes());
    }
    input.extend_from_slice(b"z=1i 17");
    let options = ParseOptions::new().with_max_fields(20_001);
    let results = parse_both(&input, options);
    assert_eq!(results.len(), 1);
    let point = results[0].as_ref().unwrap();
    assert_eq!(point.fields().len(), 20_001);
    assert_eq!(point.field("f19999"), Some(FieldValue::String("a\nb \" c")));
    assert_eq!(point.timestamp(), Some(17));
    assert_eq!(stream(OneByte(&input), options), results);
    assert_eq!(stream(&input[..], options), results);
}

#[test]
fn a_50_megabyte_string_is_refused_by_default_and_parses_with_the_limits_lifted() {
    let mut input = b"m s=\"".to_vec();
    input.resize(input.len() + 50_000_000, b'x');
    input.extend_from_slice(b"\"\nnext f=2\n");

    // The line-length limit (16 MiB) is reached first.
    let results = parse_both(&input, ParseOptions::new());
    assert_eq!(results.len(), 2);
    let limit = ParseOptions::DEFAULT_MAX_LINE_LENGTH;
    assert_eq!(
        error(&results[0]),
        (1, limit + 1, ParseErrorKind::LineTooLong { limit })
    );
    assert_eq!(results[1].as_ref().unwrap().measurement(), "next");

    // With only the line limit raised, the string limit (64 KiB) refuses
    // it, at its opening quote.
    let options = ParseOptions::new().with_max_line_length(64 << 20);
    let results = parse_both(&input, options);
    let kind = ParseErrorKind::StringTooLong {
        key: "s".into(),
        limit: ParseOptions::DEFAULT_MAX_STRING_LENGTH,
    };
    assert_eq!(error(&results[0]), (1, 5, kind));

    let results = parse_both(&input, ParseOptions::new().without_limits());
    let value = results[0].as_ref().unwrap().field("s").unwrap().as_str();
    let value = value.unwrap();
    assert_eq!(value.len(), 50_000_000);
    assert!(value.bytes().all(|b| b == b'x'));
    assert_eq!(results[1].as_ref().unwrap().measurement(), "next");
}

#[test]
fn numbers_with_a_million_digits_are_out_of_range_or_exact() {
    let ones = repeated(b"1", 1_000_000, b"");
    let line = |prefix: &[u8], suffix: &[u8]| [prefix, &ones, suffix].concat();
    let parse = |input: &[u8]| parse_both(input, ParseOptions::new());

    assert_eq!(
        problem(&parse(&line(b"m f=", b""))[0]),
        ValueProblem::FloatOutOfRange
    );
    assert_eq!(
        problem(&parse(&line(b"m f=-", b""))[0]),
        ValueProblem::FloatOutOfRange
    );
    assert_eq!(
        problem(&parse(&line(b"m f=", b"i"))[0]),
        ValueProblem::IntegerOutOfRange
    );
    assert_eq!(
        problem(&parse(&line(b"m f=", b"u"))[0]),
        ValueProblem::UnsignedOutOfRange
    );
    assert!(matches!(
        error(&parse(&line(b"m f=1 ", b""))[0]),
        (1, 7, ParseErrorKind::TimestampOutOfRange { .. })
    ));

    // A million leading zeros do not change a value.
    let zeros = repeated(b"0", 1_000_000, b"");
    let results = parse(&[b"m f=".as_slice(), &zeros, b"7"].concat());
    assert_eq!(float(&results[0]), 7.0);
    let results = parse(&[b"m f=".as_slice(), &zeros, b"7i"].concat());
    assert_eq!(
        results[0].as_ref().unwrap().field("f"),
        Some(FieldValue::Integer(7))
    );
    let results = parse(&[b"m f=1 ".as_slice(), &zeros, b"7"].concat());
    assert_eq!(results[0].as_ref().unwrap().timestamp(), Some(7));

    // A value below the smallest subnormal rounds to zero, as IEEE 754 says.
    let results = parse(&[b"m f=0.".as_slice(), &zeros, b"1"].concat());
    assert_eq!(float(&results[0]).to_bits(), 0.0_f64.to_bits());
}

/// A float token whose mantissa and exponent are both huge but whose value
/// is ordinary must read as that value or be refused: never as another
/// number. (`str::parse::<f64>` reads exponents from 655,360 up as if they
/// were about 655,360, so `0.000…1e655360` with 655,359 zeros reads as 0.)
#[test]
fn a_huge_mantissa_with_a_huge_exponent_is_its_value_or_an_error() {
    for digits in [655_359, 655_360, 1_000_000] {
        let zeros = "0".repeat(digits - 1);
        let cases = [
            // 10^(digits-1) × 10^-digits
            (format!("m f=1{zeros}e-{digits}"), 0.1),
            // 10^-digits × 10^digits
            (format!("m f=0.{zeros}1e{digits}"), 1.0),
        ];
        for (input, value) in cases {
            let results = parse_both(input.as_bytes(), ParseOptions::new());
            match &results[0] {
                Ok(_) => assert_eq!(float(&results[0]), value, "{digits} digits"),
                Err(err) => assert!(
                    matches!(err.kind(), ParseErrorKind::InvalidFieldValue { .. }),
                    "{err}"
                ),
            }
        }
    }
}

#[test]
fn a_point_after_a_million_blank_lines_is_on_line_1_000_001() {
    let options = ParseOptions::new();
    let input = repeated(b"\n", 1_000_000, b"m f=1\nm f=oops\n");
    let mut points = lineproto::parse_with(&input, options);
    let point = points.next().unwrap().unwrap();
    assert_eq!(points.line_number(), 1_000_001);
    assert_eq!(point.field("f"), Some(FieldValue::Float(1.0)));
    let err = points.next().unwrap().unwrap_err();
    assert_eq!((err.line(), err.column()), (1_000_002, 5));
    assert!(points.next().is_none());

    // Blank lines of every kind, and comments, count the same.
    let input = repeated(b"\n  \n\r\n  \r\n# c\n", 200_000, b"m f=oops\n");
    let results = parse_both(&input, options);
    assert_eq!(results.len(), 1);
    assert_eq!(error(&results[0]).0, 1_000_001);
    assert_eq!(stream(&input[..], options), results);
}

#[test]
fn runs_of_escaped_backslashes_and_quotes_in_strings() {
    // `\\\"` is an escaped backslash and an escaped quote: `\"`.
    let input = repeated(b"\\\\\\\"", 100_000, b"\"");
    let input = [b"m s=\"".as_slice(), &input].concat();
    let results = parse_both(&input, ParseOptions::new());
    let kind = ParseErrorKind::StringTooLong {
        key: "s".into(),
        limit: 64 * 1024,
    };
    assert_eq!(error(&results[0]), (1, 5, kind));
    let results = parse_both(&input, ParseOptions::new().with_max_string_length(200_000));
    let value = results[0].as_ref().unwrap().field("s").unwrap().as_str();
    assert_eq!(value, Some(&*"\\\"".repeat(100_000)));

    // Before a quote, an even run of backslashes ends the string; an odd
    // one escapes the quote, and the string is left open.
    for run in 0..=12 {
        let input = format!(r#"m s="a{}",t=1i"#, "\\".repeat(run));
        let results = parse_both(input.as_bytes(), ParseOptions::new());
        if run % 2 == 0 {
            let point = results[0].as_ref().unwrap();
            let expected = format!("a{}", "\\".repeat(run / 2));
            assert_eq!(point.field("s").unwrap().as_str(), Some(&*expected));
            assert_eq!(point.field("t"), Some(FieldValue::Integer(1)));
        } else {
            assert_eq!(
                error(&results[0]),
                (1, 5, ParseErrorKind::UnterminatedString { key: "s".into() }),
                "{input}"
            );
        }
    }

    // Whatever mix of backslashes and quotes a string holds, the writer's
    // line reads back as the same string.
    let mut text = String::new();
    for i in 0..2_000_u32 {
        text.push(if i.count_ones() % 2 == 0 { '\\' } else { '"' });
        text.push_str(&"\\".repeat((i % 5) as usize));
    }
    let point = Point::builder("m")
        .field("s", text.as_str())
        .build()
        .unwrap();
    let mut out = Vec::new();
    point
        .write_to_vec(&mut out, Precision::Nanoseconds)
        .unwrap();
    let results = parse_both(&out, ParseOptions::new());
    assert_eq!(results[0].as_ref().unwrap(), &point);
}

#[test]
fn lines_of_only_delimiters_are_errors_of_their_own_lines() {
    let input = b",,,,\n====\n\"\"\"\"\n\\\\\\\\\n, = \" \\\n=,\n\"\n\\\n,\n=\n   \nm f=1\n";
    let results = parse_both(input, ParseOptions::new());
    let eol = Found::EndOfLine;
    let expected = [
        (
            1,
            1,
            ParseErrorKind::ExpectedMeasurement {
                found: Found::Byte(b','),
            },
        ),
        (2, 5, ParseErrorKind::ExpectedFieldSet { found: eol }),
        (3, 5, ParseErrorKind::ExpectedFieldSet { found: eol }),
        (4, 5, ParseErrorKind::ExpectedFieldSet { found: eol }),
        (
            5,
            1,
            ParseErrorKind::ExpectedMeasurement {
                found: Found::Byte(b','),
            },
        ),
        (6, 3, ParseErrorKind::ExpectedTagKey { found: eol }),
        (7, 2, ParseErrorKind::ExpectedFieldSet { found: eol }),
        (8, 2, ParseErrorKind::ExpectedFieldSet { found: eol }),
        (
            9,
            1,
            ParseErrorKind::ExpectedMeasurement {
                found: Found::Byte(b','),
            },
        ),
        (10, 2, ParseErrorKind::ExpectedFieldSet { found: eol }),
    ];
    assert_eq!(results.len(), expected.len() + 1);
    for (result, expected) in results.iter().zip(expected) {
        assert_eq!(error(result), expected);
    }
    // Line 11 is blank; the point after it is on line 12 and parses.
    let mut points = lineproto::parse(input);
    let point = points.by_ref().flatten().next().unwrap();
    assert_eq!((points.line_number(), point.measurement()), (12, "m"));

    // A megabyte of them in one line is one error, and the next line is
    // parsed as usual.
    let input = repeated(b", =\"\\", 200_000, b"\nm f=1\n");
    let results = parse_both(&input, ParseOptions::new());
    assert_eq!(results.len(), 2);
    assert_eq!(
        error(&results[0]),
        (
            1,
            1,
            ParseErrorKind::ExpectedMeasurement {
                found: Found::Byte(b',')
            }
        )
    );
    assert_eq!(results[1].as_ref().unwrap().measurement(), "m");
    assert_eq!(stream(&input[..], ParseOptions::new()), results);
}

/// Found by the `stream` fuzz target: a bad line exactly as long as the
/// line-length limit (counting its line feed) whose error lies at that line
/// feed. `parse_with` reported it as the next line being too long and
/// skipped that line; the stream reported both lines' own errors.
#[test]
fn fuzz_a_bad_line_exactly_at_the_length_limit_keeps_its_error() {
    let input = b"6027600\no";
    let options = ParseOptions::new().with_max_line_length(8);
    let eol = Found::EndOfLine;
    let expected = [
        (1, 8, ParseErrorKind::ExpectedFieldSet { found: eol }),
        (2, 2, ParseErrorKind::ExpectedFieldSet { found: eol }),
    ];
    let via_stream = stream(OneByte(input), options);
    let stream_errors: Vec<_> = via_stream.iter().map(error).collect();
    assert_eq!(stream_errors, expected);
    let results = parse_both(input, options);
    let errors: Vec<_> = results.iter().map(error).collect();
    assert_eq!(errors, expected);
}

/// Found by the `stream` fuzz target: a blank line of spaces ending in CRLF,
/// longer than the line-length limit, read in small pieces. `parse_with`
/// skips it as blank; the stream reported it as too long.
#[test]
fn fuzz_a_stream_skips_a_long_blank_crlf_line_like_the_whole_buffer() {
    for (input, limit) in [(&b"\r\n"[..], 0), (b"  \r\nm f=1\n", 2)] {
        let options = ParseOptions::new().with_max_line_length(limit);
        let whole = parse_both(input, options);
        assert_eq!(whole.len(), usize::from(limit > 0));
        assert_eq!(stream(OneByte(input), options), whole, "{input:?}");
    }
}
