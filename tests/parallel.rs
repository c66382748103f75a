//! A parallel parse yields exactly what the whole-buffer parser yields, in
//! order, with the same line numbers, however many pieces it cuts the
//! input into, and wherever a cut falls inside a line.
#![cfg(feature = "rayon")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use lineproto::parallel::Parallel;
use lineproto::{ParseError, ParseOptions, Point};
use proptest::prelude::*;

type Results = Vec<Result<Point<'static>, ParseError>>;

fn whole(input: &[u8], options: ParseOptions) -> Results {
    lineproto::parse_with(input, options)
        .map(|r| r.map(Point::into_owned))
        .collect()
}

/// Each result of `points` with the line number the iterator gives for it.
fn described(points: &mut lineproto::Points<'_>) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    while let Some(result) = points.next() {
        out.push((
            points.line_number(),
            format!("{:?}", result.map(Point::into_owned)),
        ));
    }
    out
}

/// Each piece's results, as `described` gives them, through `map`, then
/// one after the other.
fn through_map(input: &[u8], options: ParseOptions, pieces: usize) -> Vec<(usize, String)> {
    Parallel::new()
        .with_parse_options(options)
        .with_pieces(pieces)
        .map(input, described)
        .concat()
}

/// The whole parse's results, as `described` gives them.
fn whole_with_lines(input: &[u8], options: ParseOptions) -> Vec<(usize, String)> {
    described(&mut lineproto::parse_with(input, options))
}

/// Lines that put cuts inside lines: strings with raw line feeds (closed,
/// never closed, with escaped quotes), an error before a string with a
/// line feed, quotes in names, comments, blank and CRLF lines.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("home,room=Living\\ Room temp=21.1,co=0i 1641024000".to_owned()),
        Just("m s=\"multi\nline\nstring\",n=1i 5".to_owned()),
        Just("m s=\"\n\n\n\"".to_owned()),
        Just("m s=\"open string\nm v=1".to_owned()),
        Just("m f=1x,s=\"a\nm v=2\n\"".to_owned()),
        Just("m,t=\"x f=\"y\n\" 3".to_owned()),
        Just("m f=\"esc \\\" \n \\\\\" 9".to_owned()),
        Just("m f=1\r".to_owned()),
        Just("   # a \"comment".to_owned()),
        Just("\t".to_owned()),
        Just(String::new()),
        Just("m f=bad".to_owned()),
        Just("\u{feff}m v=1".to_owned()),
        Just("x".repeat(70)),
        "[a-z]{1,5}(,[a-z]{1,3}=[a-z0-9 \\\\,=\"]{1,4}){0,3} [a-z]{1,3}=[0-9]{1,3}(i|u|\\.5)?( [0-9]{1,4})?",
        "[ -~\n]{0,30}",
    ]
}

fn input() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec((line(), any::<bool>()), 0..16),
        any::<bool>(),
    )
        .prop_map(|(lines, byte_order_mark)| {
            let mut text = String::new();
            if byte_order_mark {
                text.push('\u{feff}');
            }
            for (line, crlf) in &lines {
                text.push_str(line);
                text.push_str(if *crlf { "\r\n" } else { "\n" });
            }
            text.into_bytes()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// 1 to 64 pieces, and a cut after every line feed (as many pieces as
    /// bytes), on generated lines.
    #[test]
    fn the_parallel_parse_equals_the_whole_buffer(
        input in input(),
        pieces in 1usize..=64,
        max_line in prop_oneof![Just(usize::MAX), 8usize..64],
    ) {
        let options = ParseOptions::new().with_max_line_length(max_line);
        let expected = whole_with_lines(&input, options);
        let text = String::from_utf8_lossy(&input).into_owned();
        prop_assert_eq!(&through_map(&input, options, pieces), &expected, "{:?}", text);
        prop_assert_eq!(&through_map(&input, options, input.len().max(1)), &expected, "{:?}", text);
        let owned = Parallel::new().with_parse_options(options).with_pieces(pieces).parse_owned(&input);
        prop_assert_eq!(format!("{owned:?}"), format!("{:?}", whole(&input, options)), "{:?}", text);
    }

    /// Any bytes at all, cut after every line feed.
    #[test]
    fn the_parallel_parse_of_any_bytes_equals_the_whole_buffer(
        input in proptest::collection::vec(
            prop_oneof![Just(b'\n'), Just(b'"'), Just(b' '), Just(b'='), Just(b'\\'), any::<u8>()],
            0..200,
        ),
        pieces in 1usize..=64,
    ) {
        let options = ParseOptions::new();
        let expected = whole_with_lines(&input, options);
        prop_assert_eq!(&through_map(&input, options, pieces), &expected);
        prop_assert_eq!(&through_map(&input, options, input.len().max(1)), &expected);
    }
}

/// A body of many lines, each with a string holding line feeds, so that
/// every cut falls inside a string: every piece but the first is parsed
/// again, and the results are still the whole parse's.
#[test]
fn cuts_inside_every_string_give_the_whole_parse() {
    let mut body = String::new();
    for i in 0..2_000 {
        body.push_str(&format!("m,n={i} s=\"{}\" {i}\n", "line\n".repeat(40)));
    }
    let input = body.as_bytes();
    let expected = whole_with_lines(input, ParseOptions::new());
    assert_eq!(expected.len(), 2_000);
    for pieces in [2, 7, 64, 1_000] {
        assert_eq!(
            through_map(input, ParseOptions::new(), pieces),
            expected,
            "{pieces} pieces"
        );
    }
}

/// With the pieces it chooses, on an input of several pieces per thread.
#[test]
fn the_default_pieces_give_the_whole_parse() {
    let mut body = String::new();
    for i in 0..200_000 {
        body.push_str(&format!(
            "cpu,host=h{} usage={}.5,s=\"x\ny\" {i}\n",
            i % 7,
            i % 100
        ));
        if i % 1_000 == 0 {
            body.push_str("bad line\n");
        }
    }
    let input = body.as_bytes();
    assert!(input.len() > 8 * 256 * 1024);
    let results = Parallel::new().parse_owned(input);
    assert_eq!(
        format!("{results:?}"),
        format!("{:?}", whole(input, ParseOptions::new()))
    );
    let pieces = Parallel::new().map(input, |points| points.count());
    assert!(pieces.len() > 1, "{} pieces", pieces.len());
    assert_eq!(pieces.iter().sum::<usize>(), 200_000 + 200);
}

/// A piece that begins inside a line is handed to the closure too, and
/// what the closure made of it is dropped: the results are one per piece
/// as the whole parse divides the input.
#[test]
fn a_piece_cut_inside_a_string_holds_no_points() {
    let body = b"m s=\"a\nb\nc\nd\" 1\nm v=2\n";
    let counts = Parallel::new()
        .with_pieces(4)
        .map(body, |points| points.count());
    assert_eq!(counts.iter().sum::<usize>(), 2);
    assert_eq!(counts.first(), Some(&1));
    assert_eq!(counts.last(), Some(&1));
}
