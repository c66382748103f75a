//! A stream yields exactly what the whole-buffer parser yields, with the
//! same line numbers, however its reads split the input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "common/split_reader.rs"]
mod split_reader;

use std::io::{self, Read};

use lineproto::{FieldValue, ParseError, ParseErrorKind, ParseOptions, Point, Stream, StreamError};
use proptest::prelude::*;
use split_reader::SplitReader;

type Results = Vec<Result<Point<'static>, ParseError>>;

fn whole(input: &[u8], options: ParseOptions) -> Results {
    lineproto::parse_with(input, options)
        .map(|r| r.map(Point::into_owned))
        .collect()
}

/// The stream's results, through the chunk iterator and through
/// `Chunk::next_into`, which must agree.
fn streamed(input: &[u8], sizes: &[usize], options: ParseOptions) -> Results {
    streamed_to_the_end(input, sizes, options).0
}

/// [`streamed`], and the stream's `line_number()` once the input is
/// exhausted (the same both ways).
fn streamed_to_the_end(input: &[u8], sizes: &[usize], options: ParseOptions) -> (Results, usize) {
    let reader = || SplitReader::new(input, sizes);
    let mut via_iterator = Vec::new();
    let mut stream = Stream::with_options(reader(), options);
    while let Some(chunk) = stream.next_chunk().unwrap() {
        via_iterator.extend(chunk.map(|r| r.map(Point::into_owned)));
    }
    let end_line = stream.line_number();
    let mut via_reuse = Vec::new();
    let mut stream = Stream::with_options(reader(), options);
    while let Some(mut chunk) = stream.next_chunk().unwrap() {
        let mut point = Point::new();
        while let Some(result) = chunk.next_into(&mut point) {
            via_reuse.push(result.map(|()| point.clone().into_owned()));
        }
    }
    assert_eq!(format!("{via_iterator:?}"), format!("{via_reuse:?}"));
    assert_eq!(stream.line_number(), end_line);
    (via_iterator, end_line)
}

/// The async stream over the same reads, each after a wait: its items
/// and, once the input is exhausted, its line number.
#[cfg(feature = "tokio")]
fn streamed_async(input: &[u8], sizes: &[usize], options: ParseOptions) -> (Results, usize) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let reader = SplitReader::new(input, sizes);
        let mut stream = lineproto::AsyncStream::with_options(reader, options);
        let mut items = Vec::new();
        while let Some(chunk) = stream.next_chunk().await.unwrap() {
            items.extend(chunk.map(|r| r.map(Point::into_owned)));
        }
        (items, stream.line_number())
    })
}

/// Lines that exercise every way a line can end or go wrong.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("home,room=Living\\ Room temp=21.1,co=0i 1641024000".to_owned()),
        Just("m s=\"multi\nline\nstring\",n=1i 5".to_owned()),
        Just("m s=\"open string".to_owned()),
        Just("m f=1\r".to_owned()),
        Just("   # a comment".to_owned()),
        Just("\t".to_owned()),
        Just(String::new()),
        Just("m f=bad".to_owned()),
        Just("m,t=a,t=b f=1".to_owned()),
        Just("m f=\"esc \\\" \\\\\" 9".to_owned()),
        Just("m f=1 99999999999999999999".to_owned()),
        "[a-z]{1,5}(,[a-z]{1,3}=[a-z0-9 \\\\,=]{1,4}){0,3} [a-z]{1,3}=[0-9]{1,3}(i|u|\\.5)?( [0-9]{1,4})?",
        "[ -~]{0,30}",
        Just("x".repeat(70)),
        Just("\u{feff}m v=1".to_owned()),
        Just(" ".repeat(70)),
        Just(format!("  # {}", "c".repeat(70))),
        Just("m s=\"stray".to_owned()),
        Just("m s=\"closing\" 1".to_owned()),
    ]
}

/// An input of generated lines.
#[derive(Clone, Debug)]
struct Input {
    bytes: Vec<u8>,
    /// The physical line number of its last line (0 if it has none): one
    /// per line generated, and one more per line feed inside a line.
    last_line: usize,
    /// Whether a line feed ends the last line.
    final_lf: bool,
}

fn input() -> impl Strategy<Value = Input> {
    (
        proptest::collection::vec((line(), any::<bool>()), 0..12),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(lines, final_lf, byte_order_mark)| {
            let mut text = String::new();
            if byte_order_mark {
                text.push('\u{feff}');
            }
            for (i, (line, crlf)) in lines.iter().enumerate() {
                text.push_str(line);
                if i + 1 < lines.len() || final_lf {
                    text.push_str(if *crlf { "\r\n" } else { "\n" });
                }
            }
            Input {
                bytes: text.into_bytes(),
                last_line: lines
                    .iter()
                    .map(|(line, _)| 1 + line.matches('\n').count())
                    .sum(),
                final_lf: final_lf && !lines.is_empty(),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn the_stream_equals_the_whole_buffer(
        input in input(),
        sizes in proptest::collection::vec(1usize..40, 1..6),
        max_line in prop_oneof![Just(usize::MAX), 8usize..64],
    ) {
        let options = ParseOptions::new().with_max_line_length(max_line);
        let expected = whole(&input.bytes, options);
        let (actual, end_line) = streamed_to_the_end(&input.bytes, &sizes, options);
        prop_assert_eq!(format!("{actual:?}"), format!("{expected:?}"), "{:?}", String::from_utf8_lossy(&input.bytes));
        // At the end the stream stands on the line after the last one it
        // read whole: past the last line if a line feed ends it, on it if
        // not (on line 1 for an empty input).
        let expected_end = if input.final_lf { input.last_line + 1 } else { input.last_line.max(1) };
        prop_assert_eq!(end_line, expected_end, "{:?}", String::from_utf8_lossy(&input.bytes));
        // The async stream, over the same reads, yields the same.
        #[cfg(feature = "tokio")]
        {
            let (items, async_end) = streamed_async(&input.bytes, &sizes, options);
            prop_assert_eq!(format!("{items:?}"), format!("{actual:?}"), "{:?}", String::from_utf8_lossy(&input.bytes));
            prop_assert_eq!(async_end, end_line);
        }
    }
}

#[test]
fn one_byte_reads_give_every_line_number() {
    let input = b"a v=1\n\n# c\nb v=oops\nc s=\"x\ny\" 1\r\nd v=2";
    let expected = whole(input, ParseOptions::new());
    assert_eq!(streamed(input, &[1], ParseOptions::new()), expected);
    assert_eq!(expected.len(), 4);
    assert_eq!(expected[1].as_ref().unwrap_err().line(), 4);
    #[cfg(feature = "tokio")]
    assert_eq!(
        streamed_async(input, &[1], ParseOptions::new()),
        (expected, 7)
    );
}

/// A `next_chunk` future dropped while its read waits loses nothing: the
/// next call reads on where the dropped one was.
#[cfg(feature = "tokio")]
#[test]
fn an_async_read_dropped_while_it_waits_loses_nothing() {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    let input = b"m v=1\nm s=\"two\nlines\"\nm v=oops\n".repeat(50);
    let mut stream = lineproto::AsyncStream::new(SplitReader::new(&input, &[7, 1, 300]));
    let mut context = Context::from_waker(Waker::noop());
    let (mut items, mut dropped) = (Vec::new(), 0);
    loop {
        // Each call is polled once, and dropped if its read waits (the
        // reader waits before every read).
        let next = std::pin::pin!(stream.next_chunk());
        match next.poll(&mut context) {
            Poll::Ready(Ok(Some(chunk))) => items.extend(chunk.map(|r| r.map(Point::into_owned))),
            Poll::Ready(Ok(None)) => break,
            Poll::Ready(Err(err)) => panic!("{err}"),
            Poll::Pending => dropped += 1,
        }
    }
    assert!(dropped > 10, "{dropped} futures dropped");
    assert_eq!(
        format!("{items:?}"),
        format!("{:?}", whole(&input, ParseOptions::new()))
    );
}

#[test]
fn a_reader_that_gives_little_is_asked_for_little() {
    // Each read must first zero the room it offers, so a stream that kept
    // offering 64 KiB to a reader giving a few bytes at a time spent 64 KiB
    // of work per few bytes. Short lines read a few bytes at a time need
    // only a small buffer.
    let input = b"home,room=Kitchen temp=21.1,hum=35.9 1641024000\n".repeat(200);
    for size in [1, 7, 100] {
        let mut stream = Stream::new(SplitReader::new(&input, &[size]));
        let (mut largest, mut points) = (0, 0);
        while let Some(chunk) = stream.next_chunk().unwrap() {
            points += chunk.map(Result::unwrap).count();
            largest = largest.max(stream.buffer_capacity());
        }
        assert_eq!(points, 200);
        assert!(
            largest <= 16 * 1024,
            "reads of {size}: a buffer of {largest} bytes"
        );
    }
}

/// Streams `input` and asserts that the buffer never took more than the
/// line limit and two reads of 64 KiB.
fn assert_buffer_stays_bounded(input: &[u8], options: ParseOptions) {
    let mut stream = Stream::with_options(input, options);
    let mut largest = 0;
    while let Some(chunk) = stream.next_chunk().unwrap() {
        chunk.for_each(drop);
        largest = largest.max(stream.buffer_capacity());
    }
    let bound = options.max_line_length() + 2 * 64 * 1024;
    assert!(largest <= bound, "{largest} > {bound}");
}

#[test]
fn a_line_over_the_limit_is_skipped_and_memory_stays_bounded() {
    // One 10 MB line between two good ones, with a 1 KiB limit: the stream
    // reports the long line and never holds more than a read past it.
    let mut input = b"a v=1\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 10_000_000));
    input.extend(b" v=2\nb v=3\n");
    let options = ParseOptions::new().with_max_line_length(1024);
    assert_buffer_stays_bounded(&input, options);
    let results = streamed(&input, &[100_000], options);
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert_eq!((err.line(), err.column()), (2, 1025));
    assert_eq!(err.kind(), &ParseErrorKind::LineTooLong { limit: 1024 });
    assert_eq!(results[2].as_ref().unwrap().measurement(), "b");
}

#[test]
fn owned_points_outlive_the_stream_and_cross_threads() {
    let input: &[u8] = b"m v=1\nm v=bad\nm v=3\n";
    let items: Vec<_> = Stream::new(input).into_owned_points().collect();
    let handle = std::thread::spawn(move || items);
    let items = handle.join().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(
        items[2].as_ref().unwrap().field("v"),
        Some(FieldValue::Float(3.0))
    );
    match &items[1] {
        Err(StreamError::Line(err)) => {
            assert_eq!((err.line(), err.column()), (2, Some(5)));
            assert_eq!(err.original_line(), "m v=bad");
            assert_eq!(
                err.to_string(),
                "line 2, column 5: invalid field value: `bad` for field `v` is not a number"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn owned_points_report_reader_errors_in_the_same_loop() {
    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }
    let mut points = Stream::new(Failing).into_owned_points();
    match points.next() {
        Some(Err(StreamError::Io(err))) => assert_eq!(err.to_string(), "disk on fire"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_reader_comes_back_and_errors_know_their_offset_in_the_stream() {
    let input: &[u8] = b"\xEF\xBB\xBFm v=1\n# note\nm v=x\nm v=3\n";
    let mut stream = Stream::new(io::Cursor::new(input));
    let mut offsets = Vec::new();
    while let Some(chunk) = stream.next_chunk().unwrap() {
        offsets.extend(chunk.filter_map(Result::err).map(|err| err.offset()));
    }
    assert_eq!(offsets, [20]);
    assert_eq!(input[offsets[0]], b'x');
    assert_eq!(stream.get_ref().position(), input.len() as u64);
    let reader = stream.into_inner();
    assert_eq!(reader.into_inner(), input);
}

#[test]
fn reader_errors_are_returned() {
    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }
    let mut stream = Stream::new(Failing);
    assert_eq!(stream.next_chunk().unwrap_err().to_string(), "disk on fire");
}

/// A reader that fails every third read, and gives a few bytes otherwise:
/// the stream returns each error, and asked again goes on where it was,
/// losing nothing, whether blocking or async.
#[test]
fn a_stream_asked_again_after_a_reader_error_loses_nothing() {
    struct Flaky<'a> {
        data: &'a [u8],
        reads: usize,
    }
    impl Flaky<'_> {
        fn give(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.reads += 1;
            if self.reads % 3 == 0 {
                return Err(io::Error::new(io::ErrorKind::WouldBlock, "not yet"));
            }
            let n = 5.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }
    impl Read for Flaky<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.give(buf)
        }
    }
    let input = b"\xEF\xBB\xBFm v=1\nm s=\"a\nb\" 2\nm v=oops\nm v=4".repeat(20);
    let expected = format!("{:?}", whole(&input, ParseOptions::new()));
    let mut stream = Stream::new(Flaky {
        data: &input,
        reads: 0,
    });
    let (mut items, mut errors) = (Vec::new(), 0);
    loop {
        match stream.next_chunk() {
            Ok(Some(chunk)) => items.extend(chunk.map(|r| r.map(Point::into_owned))),
            Ok(None) => break,
            Err(err) => {
                assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
                errors += 1;
            }
        }
    }
    assert!(errors > 20, "{errors} errors");
    assert_eq!(format!("{items:?}"), expected);

    #[cfg(feature = "tokio")]
    {
        impl tokio::io::AsyncRead for Flaky<'_> {
            fn poll_read(
                mut self: std::pin::Pin<&mut Self>,
                _: &mut std::task::Context<'_>,
                buf: &mut tokio::io::ReadBuf<'_>,
            ) -> std::task::Poll<io::Result<()>> {
                let read = self.give(buf.initialize_unfilled());
                std::task::Poll::Ready(read.map(|n| buf.advance(n)))
            }
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (items, errors) = runtime.block_on(async {
            let mut stream = lineproto::AsyncStream::new(Flaky {
                data: &input,
                reads: 0,
            });
            let (mut items, mut errors) = (Vec::new(), 0);
            loop {
                match stream.next_chunk().await {
                    Ok(Some(chunk)) => items.extend(chunk.map(|r| r.map(Point::into_owned))),
                    Ok(None) => break,
                    Err(_) => errors += 1,
                }
            }
            (items, errors)
        });
        assert!(errors > 20, "{errors} errors");
        assert_eq!(format!("{items:?}"), expected);
    }
}

#[test]
fn a_byte_order_mark_is_skipped_at_the_start_only() {
    let input = "\u{feff}home,room=Kitchen temp=21.0 1\nhome temp=x 2\n\u{feff}m v=1 3\n";
    let expected = whole(input.as_bytes(), ParseOptions::new());
    assert_eq!(expected[0].as_ref().unwrap().measurement(), "home");
    // Columns of the first line count from after the mark.
    let input_error = "\u{feff}m v=x\n";
    let err = whole(input_error.as_bytes(), ParseOptions::new())
        .remove(0)
        .unwrap_err();
    assert_eq!((err.line(), err.column()), (1, 5));
    // Anywhere else it is text.
    assert_eq!(expected[2].as_ref().unwrap().measurement(), "\u{feff}m");
    for sizes in [&[1][..], &[2], &[1, 2], &[3], &[4096]] {
        assert_eq!(
            streamed(input.as_bytes(), sizes, ParseOptions::new()),
            expected
        );
        let streamed_error = streamed(input_error.as_bytes(), sizes, ParseOptions::new());
        assert_eq!((streamed_error[0].as_ref().unwrap_err().column()), 5);
    }
    // A mark cut short is not one.
    let results = whole(b"\xEF\xBBm v=1\n", ParseOptions::new());
    assert!(results[0].is_err());
    assert_eq!(
        streamed(b"\xEF\xBBm v=1\n", &[1], ParseOptions::new()),
        results
    );
    assert!(whole(b"\xEF\xBB\xBF", ParseOptions::new()).is_empty());
    assert!(streamed(b"\xEF\xBB\xBF", &[1], ParseOptions::new()).is_empty());
}

#[test]
fn a_stray_quote_costs_only_its_own_line() {
    // An unclosed quote on line 1 pairs with a quote far below, making a
    // point longer than the limit: it is reported on line 1 and every good
    // line it swallowed is still parsed.
    let limit = 64 * 1024;
    let mut input = b"m s=\"no closing quote\n".to_vec();
    let good_lines = 10_000;
    for i in 0..good_lines {
        input.extend(format!("cpu,host=h{i} usage=0.5 {i}\n").as_bytes());
    }
    input.extend(b"m s=\"closes it\" 1\n");
    assert!(input.len() > 2 * limit);
    let options = ParseOptions::new().with_max_line_length(limit);
    let expected = whole(&input, options);
    assert_eq!(expected.len(), 1 + good_lines + 1);
    let err = expected[0].as_ref().unwrap_err();
    assert_eq!(
        (err.line(), err.column(), err.kind()),
        (1, 22, &ParseErrorKind::LineTooLong { limit })
    );
    assert!(expected[1..].iter().all(Result::is_ok));
    assert_eq!(expected[1].as_ref().unwrap().tag("host"), Some("h0"));
    for sizes in [&[1000][..], &[65_536], &[7, 100_000]] {
        assert_eq!(streamed(&input, sizes, options), expected);
    }
}

#[test]
fn long_blank_and_comment_lines_are_too_long_and_never_held_whole() {
    // Blank and comment lines count towards the limit: a stream need not
    // keep 2 MB of spaces waiting for what follows them.
    for filler in [&b" "[..], b"\t", b"# comment "] {
        let mut input = b"a v=1\n".to_vec();
        let mut line = filler.to_vec();
        while line.len() < 2_000_000 {
            line.extend_from_slice(if filler.starts_with(b"#") {
                b"x"
            } else {
                filler
            });
        }
        input.extend(&line);
        input.extend(b"\nb v=2\n");
        let options = ParseOptions::new().with_max_line_length(1024);
        let expected = whole(&input, options);
        assert_eq!(expected.len(), 3);
        let err = expected[1].as_ref().unwrap_err();
        assert_eq!(
            (err.line(), err.column(), err.kind()),
            (2, 1025, &ParseErrorKind::LineTooLong { limit: 1024 })
        );
        assert_eq!(expected[2].as_ref().unwrap().measurement(), "b");
        assert_buffer_stays_bounded(&input, options);
        for sizes in [&[65_536][..], &[4_096, 7]] {
            assert_eq!(streamed(&input, sizes, options), expected);
        }
    }
}

#[test]
fn a_long_line_read_in_small_pieces_is_parsed_whole() {
    // The stream parses a pending line again only when a read brings what
    // can finish it; the results are those of the whole buffer however the
    // reads fall.
    let mut input = b"m,t=".to_vec();
    input.extend(std::iter::repeat_n(b'\\', 200_000));
    input.extend(b"x f=1 1\nm s=\"");
    input.extend(std::iter::repeat_n(b'y', 100_000));
    input.extend(b"\nstill in the string\n\" 2\nm v=3 3\n");
    // Escaped quotes do not end a string; a quote after an even run of
    // backslashes does.
    input.extend(b"m s=\"");
    for _ in 0..50_000 {
        input.extend(br#"\\\" "#);
    }
    input.extend(br#"\\\\" 4"#);
    input.push(b'\n');
    let options = ParseOptions::new().without_limits();
    let expected = whole(&input, options);
    assert_eq!(expected.len(), 4, "{expected:?}");
    assert!(expected.iter().all(Result::is_ok), "{expected:?}");
    assert_eq!(expected[3].as_ref().unwrap().timestamp(), Some(4));
    for sizes in [&[1_000][..], &[4_096, 1], &[65_536]] {
        assert_eq!(streamed(&input, sizes, options), expected);
    }
}

/// The parser's types can move to another thread (and those without
/// interior state can be shared), so a server may parse on a worker
/// thread and hand the points over: a change that loses this fails to
/// compile here.
#[test]
fn parsers_and_points_cross_threads() {
    fn sendable<T: Send>() {}
    fn shareable<T: Send + Sync>() {}
    shareable::<lineproto::Points<'static>>();
    shareable::<Point<'static>>();
    shareable::<ParseError>();
    shareable::<ParseOptions>();
    shareable::<lineproto::Batch<'static>>();
    sendable::<Stream<std::fs::File>>();
    sendable::<lineproto::OwnedPoints<std::fs::File>>();
}

/// A reader that gives its parts, each in as few reads as the room asked
/// for allows, and then has nothing yet (`WouldBlock`), as a socket whose
/// peer has sent all it will for now.
struct Live<'a> {
    parts: &'a [&'a [u8]],
    given: usize,
}

impl Read for Live<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some((part, rest)) = self.parts.split_first() else {
            return Err(io::ErrorKind::WouldBlock.into());
        };
        let left = &part[self.given..];
        let len = left.len().min(buf.len());
        buf[..len].copy_from_slice(&left[..len]);
        self.given += len;
        if self.given == part.len() {
            (self.parts, self.given) = (rest, 0);
        }
        Ok(len)
    }
}

/// The items a stream over `parts` gives before its reader has nothing
/// more: what a server gets from a peer that waits for an answer.
fn given_before_waiting(
    parts: &[&[u8]],
    options: ParseOptions,
) -> Vec<Result<String, ParseErrorKind>> {
    let mut stream = Stream::with_options(Live { parts, given: 0 }, options);
    let mut given = Vec::new();
    loop {
        match stream.next_chunk() {
            Ok(Some(chunk)) => given.extend(chunk.map(|result| {
                result
                    .map(|point| point.to_string())
                    .map_err(|err| err.kind().clone())
            })),
            Ok(None) => panic!("the input has no end"),
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => return given,
            Err(err) => panic!("{err}"),
        }
    }
}

#[test]
fn a_line_is_given_as_soon_as_its_line_feed_is_read() {
    // A long line split over reads, with line feeds inside strings.
    let strings: String = (0..5_000).map(|i| format!("f{i}=\"a\nb\",")).collect();
    let line = format!("m {strings}z=1i\n");
    let (head, tail) = line.as_bytes().split_at(line.len() / 2);
    let options = ParseOptions::new().with_max_fields(5_001);
    let given = given_before_waiting(&[head, tail, b"m f=2\n"], options);
    assert_eq!(given.len(), 2);
    assert!(matches!(&given[0], Ok(point) if point.ends_with("z=1i")));
    assert_eq!(given[1], Ok("m f=2".to_owned()));

    // An error before the end of what has been read, with a string
    // opening after it: the error's line ends at the next line feed,
    // inside what would have been that string.
    let given = given_before_waiting(&[b"m f=1x,g=\"oops", b"\nm f=2\n"], ParseOptions::new());
    assert!(
        matches!(given.as_slice(), [Err(ParseErrorKind::InvalidFieldValue { .. }), Ok(point)] if point == "m f=2"),
        "{given:?}"
    );
}

/// The buffer stays within the line limit and two reads however the line
/// lengths fall, lines near the limit and past it included: growing by
/// doubling alone would take it to twice the limit.
#[test]
fn the_buffer_never_outgrows_the_limit_and_two_reads() {
    const LIMIT: usize = 1 << 20;
    let bound = LIMIT + 128 * 1024;
    let options = ParseOptions::new()
        .with_max_line_length(LIMIT)
        .with_max_string_length(usize::MAX);
    for length in [LIMIT - 100, LIMIT - 1, LIMIT + 1, 3 * LIMIT, LIMIT / 2 + 1] {
        let input = format!("m s=\"{}\"\nm v=1\n", "x".repeat(length - 7));
        let mut stream = Stream::with_options(input.as_bytes(), options);
        let mut largest = 0;
        let mut results = 0;
        while let Some(chunk) = stream.next_chunk().unwrap() {
            results += chunk.count();
            largest = largest.max(stream.buffer_capacity());
        }
        assert_eq!(results, 2, "{length}");
        assert!(largest <= bound, "{length}: {largest} > {bound}");
    }
}
