//! The ways in which users reach the crate: one line from a `&str`, the
//! text of a bad line, builder inputs, and the errors of each.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lineproto::{FieldValue, InvalidPoint, ParseErrorKind, ParseOptions, Point, Precision, Stream};

#[test]
fn one_line_parses_from_a_str_borrowed_or_owned() {
    let line = String::from(r#"home,room=Living\ Room temp=21.1,note="a b" 1641024000000000000"#);
    let borrowed = Point::parse_line(&line).unwrap();
    let owned: Point<'static> = line.parse().unwrap();
    assert_eq!(borrowed, owned);
    drop(borrowed);
    assert_eq!(owned.tag("room"), Some("Living Room"));
    assert_eq!(owned.field("note"), Some(FieldValue::String("a b")));
    drop(line);
    assert_eq!(owned.timestamp(), Some(1_641_024_000_000_000_000));

    // A line break at the end, and blank or comment lines after it, are
    // no second point.
    for text in ["m f=1\n", "m f=1\r\n", "m f=1\n\n# done\n", "  m f=1  "] {
        assert_eq!(
            Point::parse_line(text).unwrap().measurement(),
            "m",
            "{text:?}"
        );
    }
}

#[test]
fn one_line_reports_none_a_second_and_its_own_errors() {
    for text in ["", "\n", "# only a comment", "  \n\t\n"] {
        let err = Point::parse_line(text).unwrap_err();
        assert_eq!(err.kind(), &ParseErrorKind::NoPoint, "{text:?}");
        assert_eq!((err.line(), err.column(), err.offset()), (1, 1, 0));
    }
    let err = Point::parse_line("m f=1\n# c\n  m f=2\n").unwrap_err();
    assert_eq!(err.kind(), &ParseErrorKind::MoreThanOneLine);
    assert_eq!((err.line(), err.column(), err.offset()), (3, 1, 10));
    assert_eq!(
        err.to_string(),
        "line 3, column 1: expected one line, found another"
    );
    // A bad second line is a second line too.
    let err = Point::parse_line("m f=1\nbad").unwrap_err();
    assert_eq!(err.kind(), &ParseErrorKind::MoreThanOneLine);
    // The first line's own error comes first.
    let err = "m f=".parse::<Point<'static>>().unwrap_err();
    assert_eq!((err.line(), err.column()), (1, 5));
    assert!(matches!(
        err.kind(),
        ParseErrorKind::ExpectedFieldValue { .. }
    ));
}

#[test]
fn parse_takes_every_kind_of_bytes() {
    let text = "m f=1\nm f=2\n";
    let expected: Vec<_> = lineproto::parse(text.as_bytes()).collect();
    assert_eq!(lineproto::parse(text).collect::<Vec<_>>(), expected);
    assert_eq!(
        lineproto::parse(&text.to_owned()).collect::<Vec<_>>(),
        expected
    );
    assert_eq!(
        lineproto::parse(&text.as_bytes().to_vec()).collect::<Vec<_>>(),
        expected
    );
    assert_eq!(
        lineproto::parse(b"m f=1\nm f=2\n").collect::<Vec<_>>(),
        expected
    );
    let options = ParseOptions::new().with_precision(Precision::Seconds);
    let point = lineproto::parse_with("m f=1 2", options)
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(point.timestamp(), Some(2_000_000_000));
}

/// The text of physical line `line` of `input` (1-based), without its
/// line break: the definition `line_text` must agree with.
fn nth_line(input: &[u8], line: usize) -> &[u8] {
    let lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    let text = lines.get(line - 1).copied().unwrap_or_default();
    // A carriage return at the very end of the input is no line break.
    match text.strip_suffix(b"\r") {
        Some(before) if line < lines.len() => before,
        _ => text,
    }
}

#[test]
fn line_text_gives_each_line_before_and_after_the_item_just_returned() {
    let input = b"m f=1\r\n# note\nm s=\"two\nlines\" 5\nm f=x\n\nm f=\"open\nm f=6\r";
    let lines = input.split(|&b| b == b'\n').count();
    let mut points = lineproto::parse(input);
    let mut seen_errors = Vec::new();
    while let Some(result) = points.next() {
        let current = points.line_number();
        if let Err(err) = &result {
            seen_errors.push((err.line(), points.line_text(err.line()).to_vec()));
        }
        // Every line, earlier or later, whichever item was last returned.
        for line in 1..=lines {
            assert_eq!(
                points.line_text(line),
                nth_line(input, line),
                "{line} after {current}"
            );
        }
        assert_eq!(points.line_text(lines + 1), b"");
        assert_eq!(points.line_text(0), b"");
    }
    assert_eq!(
        seen_errors,
        [
            (5, b"m f=x".to_vec()),
            (7, b"m f=\"open".to_vec()),
            // A carriage return at the end of the input, not before a line
            // feed, is part of the line (and an error).
            (8, b"m f=6\r".to_vec())
        ]
    );
}

#[test]
fn line_text_of_an_error_on_a_later_line_of_a_multi_line_point() {
    let input = b"m s=\"a\nb\" x\nm f=1";
    let mut points = lineproto::parse(input);
    let err = points.next().unwrap().unwrap_err();
    assert_eq!((err.line(), err.column()), (2, 4));
    assert_eq!(points.line_text(err.line()), b"b\" x");
    assert_eq!(points.line_text(1), b"m s=\"a");
}

#[test]
fn errors_know_their_byte_offset() {
    let input = "\u{feff}m f=1\nm,t=é f=\"x\" oops\n";
    let err = lineproto::parse(input).nth(1).unwrap().unwrap_err();
    assert_eq!(&input[err.offset()..err.offset() + 4], "oops");
    assert_eq!(err.line(), 2);
    let line_start = input.find("m,t").unwrap();
    assert_eq!(err.offset(), line_start + err.column() - 1);
}

#[test]
fn the_builder_takes_every_integer_width_and_skips_none() {
    let point = Point::builder("m")
        .field("i8", -1i8)
        .field("i16", -2i16)
        .field("i32", -3i32)
        .field("i64", -4i64)
        .field("isize", isize::MIN)
        .field("u8", 1u8)
        .field("u16", 2u16)
        .field("u32", 3u32)
        .field("u64", u64::MAX)
        .field("usize", usize::MAX)
        .field("none", None::<i64>)
        .field("some", Some("text"))
        .field("owned", Some(String::from("own")))
        .build()
        .unwrap();
    assert_eq!(
        point.to_string(),
        format!(
            r#"m i8=-1i,i16=-2i,i32=-3i,i64=-4i,isize={}i,u8=1u,u16=2u,u32=3u,u64={}u,usize={}u,some="text",owned="own""#,
            isize::MIN,
            u64::MAX,
            usize::MAX
        )
    );
    // A point whose only fields are absent has none.
    let err = Point::builder("m")
        .field("f", None::<f64>)
        .build()
        .unwrap_err();
    assert_eq!(err, InvalidPoint::NoFields);
}

#[test]
fn the_builder_takes_times_and_reports_those_that_do_not_fit() {
    let at = |nanos: i64| {
        Point::builder("m")
            .field("f", 1.0)
            .timestamp(nanos)
            .build()
            .unwrap()
    };
    let before = UNIX_EPOCH - Duration::from_nanos(1_500);
    let point = Point::builder("m")
        .field("f", 1.0)
        .time(before)
        .build()
        .unwrap();
    assert_eq!(point, at(-1_500));
    let last = UNIX_EPOCH + Duration::from_nanos(i64::MAX as u64);
    let point = Point::builder("m")
        .field("f", 1.0)
        .time(last)
        .build()
        .unwrap();
    assert_eq!(point, at(i64::MAX));
    let first = UNIX_EPOCH - Duration::from_nanos(i64::MAX as u64 + 1);
    let point = Point::builder("m")
        .field("f", 1.0)
        .time(first)
        .build()
        .unwrap();
    assert_eq!(point, at(i64::MIN));

    for time in [
        last + Duration::from_nanos(1),
        first - Duration::from_nanos(1),
    ] {
        let err = Point::builder("m")
            .field("f", 1.0)
            .time(time)
            .build()
            .unwrap_err();
        assert_eq!(err, InvalidPoint::TimeOutOfRange { time });
        assert!(err.to_string().contains("1677 to 2262"), "{err}");
    }

    for &precision in Precision::ALL.iter() {
        let point = Point::builder("m")
            .field("f", 1.0)
            .timestamp_in(-3, precision)
            .build()
            .unwrap();
        assert_eq!(point.timestamp(), Some(precision.to_nanos(-3).unwrap()));
    }
    let err = Point::builder("m")
        .field("f", 1.0)
        .timestamp_in(i64::MIN, Precision::Hours)
        .timestamp(5)
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        InvalidPoint::TimestampOverflow {
            value: i64::MIN,
            precision: Precision::Hours
        }
    );
    // The now of a clock in seconds, the way client libraries take it.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let point = Point::builder("m")
        .field("f", 1.0)
        .timestamp_in(now, Precision::Seconds)
        .build()
        .unwrap();
    assert_eq!(point.timestamp(), Some(now * 1_000_000_000));
}

#[test]
fn invalid_points_are_plain_values() {
    fn plain<T: Clone + Eq + Send + Sync + std::error::Error + 'static>(_: &T) {}
    let err = Point::builder("m")
        .field("f", f64::INFINITY)
        .build()
        .unwrap_err();
    plain(&err);
    assert_eq!(err.clone(), err);
    assert_eq!(
        err.to_string(),
        "field `f` is inf, which line protocol cannot carry"
    );
}

#[test]
fn a_stream_is_read_in_one_loop_with_the_text_of_each_bad_line() {
    let body: &[u8] = b"m v=1\nm v=\"open\nm v=3\n";
    let mut good = 0;
    let mut bad = Vec::new();
    for item in Stream::new(body).into_owned_points() {
        match item {
            Ok(_) => good += 1,
            Err(lineproto::StreamError::Line(err)) => {
                bad.push((err.line(), err.original_line().to_owned()));
            }
            Err(lineproto::StreamError::Io(err)) => panic!("{err}"),
        }
    }
    assert_eq!(good, 2);
    assert_eq!(bad, [(2, String::from("m v=\"open"))]);
}
