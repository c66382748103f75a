//! One buffer parsed in pieces cut at line feeds, each piece on its own,
//! with exactly the results of parsing it whole: the core of a parallel
//! parse.
//!
//! A piece starts right after a line feed, where a line of the whole
//! begins unless that line feed is inside a string value, or inside a bad
//! line whose error comes after it. Each piece is parsed as if a line
//! began at its start, on to the last line that begins before the next
//! piece's start, however far past it that line goes; where the parse
//! stops is where the line after it begins. Where the piece before
//! stopped past a piece's start, that piece began in the middle of a line
//! and is parsed again from where the piece before stopped.
//!
//! The pieces parsed again in one round are all those whose start moved,
//! each from where the piece before stopped in the round before; rounds
//! go on until every piece starts where the one before it stops. The
//! first piece whose start moved follows pieces that are settled, so it
//! is settled in its round, and the rounds end. Most inputs need no
//! second round. An input that needs one for every piece, a long string
//! with line feeds across each cut, is parsed about twice over, each time
//! in pieces: the second round starts each piece where its line truly
//! begins, and its end is where the first round found it.

use crate::lines::Points;
use crate::options::ParseOptions;
use crate::point::Point;

/// What parsing one piece gave: where it started (and the physical line
/// there), where it stopped (and the line there), and what `run` made of
/// its points.
#[derive(Debug)]
pub(crate) struct Piece<R> {
    start: (usize, usize),
    end: (usize, usize),
    result: R,
}

/// Up to `count` piece starts for `input`: 0, then the start of the line
/// after the first line feed at or after each `count`th of its length.
pub(crate) fn cuts(input: &[u8], count: usize) -> Vec<usize> {
    let mut starts = vec![0];
    let count = count.max(1);
    for piece in 1..count {
        let from = (input.len() / count).saturating_mul(piece);
        let Some(rest) = input.get(from..) else {
            break;
        };
        let Some(lf) = rest.iter().position(|&b| b == b'\n') else {
            break;
        };
        let start = from + lf + 1;
        if start < input.len() && starts.last().is_some_and(|&last| start > last) {
            starts.push(start);
        }
    }
    starts
}

/// The physical line number at each of `starts`, counting the line feeds
/// of the pieces before.
fn line_numbers(input: &[u8], starts: &[usize]) -> Vec<usize> {
    let mut lines = Vec::with_capacity(starts.len());
    let (mut line, mut at) = (1, 0);
    for &start in starts {
        let passed = input.get(at..start).unwrap_or_default();
        line += passed.iter().filter(|&&b| b == b'\n').count();
        lines.push(line);
        at = start;
    }
    lines
}

/// Parses the lines that begin from `start` (on physical line `line`)
/// before `stop` through `run`, and then any `run` left.
fn parse_piece<'a, R>(
    input: &'a [u8],
    options: ParseOptions,
    start: (usize, usize),
    stop: usize,
    run: &impl Fn(&mut Points<'a>) -> R,
) -> Piece<R> {
    let mut points = Points::piece(input, options, start, stop);
    let result = run(&mut points);
    let mut rest = Point::new();
    while points.next_into(&mut rest).is_some() {}
    Piece {
        start,
        end: (points.offset(), points.next_line_number()),
        result,
    }
}

/// Parses `input` in the pieces that begin at `starts` (ascending, the
/// first 0, each other right after a line feed) through `run`, which is
/// handed each piece's points: the results of the pieces as parsing the
/// whole would divide it, in order. `map` runs a round's pieces, in any
/// order or at once, and gives back each one's result in the order given.
pub(crate) fn parse_pieces<'a, R>(
    input: &'a [u8],
    options: ParseOptions,
    starts: &[usize],
    run: impl Fn(&mut Points<'a>) -> R,
    map: impl Fn(
        Vec<((usize, usize), usize)>,
        &dyn Fn((usize, usize), usize) -> Piece<R>,
    ) -> Vec<Piece<R>>,
) -> Vec<R> {
    let lines = line_numbers(input, starts);
    let stops: Vec<usize> = starts
        .iter()
        .skip(1)
        .copied()
        .chain(std::iter::once(usize::MAX))
        .collect();
    let one = |start: (usize, usize), stop: usize| parse_piece(input, options, start, stop, &run);
    let first: Vec<((usize, usize), usize)> = starts
        .iter()
        .zip(&lines)
        .zip(&stops)
        .map(|((&start, &line), &stop)| ((start, line), stop))
        .collect();
    let mut pieces = map(first, &one);
    // Each round settles at least the first piece that moved: no more
    // rounds than pieces.
    for _ in 0..pieces.len() {
        let moved: Vec<usize> = (1..pieces.len())
            .filter(|&at| match (pieces.get(at - 1), pieces.get(at)) {
                (Some(before), Some(piece)) => piece.start.0 != before.end.0,
                _ => false,
            })
            .collect();
        if moved.is_empty() {
            break;
        }
        let again: Vec<((usize, usize), usize)> = moved
            .iter()
            .filter_map(|&at| {
                let before = pieces.get(at - 1)?;
                Some((before.end, *stops.get(at)?))
            })
            .collect();
        for (at, piece) in moved.into_iter().zip(map(again, &one)) {
            if let Some(slot) = pieces.get_mut(at) {
                *slot = piece;
            }
        }
    }
    pieces.into_iter().map(|piece| piece.result).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Each result of a parse, as text: the point written back, or the
    /// error with its place, and the line number the iterator gives.
    fn results(points: &mut Points<'_>) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(result) = points.next() {
            let item = match result {
                Ok(point) => format!("{point:?}"),
                Err(err) => format!("error {err:?}"),
            };
            out.push(format!("{} {item}", points.line_number()));
        }
        out
    }

    /// The pieces one after the other, sequentially.
    fn in_order<R>(
        jobs: Vec<((usize, usize), usize)>,
        one: &dyn Fn((usize, usize), usize) -> Piece<R>,
    ) -> Vec<Piece<R>> {
        jobs.into_iter()
            .map(|(start, stop)| one(start, stop))
            .collect()
    }

    fn piecewise(input: &[u8], options: ParseOptions, starts: &[usize]) -> Vec<String> {
        parse_pieces(input, options, starts, results, in_order)
            .into_iter()
            .flatten()
            .collect()
    }

    /// Lines that make pieces start in the middle of lines: strings with
    /// raw line feeds and quotes, bad lines whose error comes before a
    /// string, quotes in names, comments, blank and CRLF lines.
    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("m,t=a f=1i 10".to_owned()),
            Just("m s=\"a\nb\nc\" 2".to_owned()),
            Just("m s=\"\n\",g=2".to_owned()),
            Just("m f=1x,s=\"a\nb\"".to_owned()),
            Just("m,t=\"q f=\"x\n\"".to_owned()),
            Just("m s=\"esc \\\" \n still\"".to_owned()),
            Just("m s=\"never closed\n".to_owned()),
            Just("# c \"\n".to_owned()),
            Just(String::new()),
            Just("  \t".to_owned()),
            Just("m f=2\r".to_owned()),
            Just("bad".to_owned()),
            "[a-z\" =,\\\\\n]{0,12}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// Parsing in pieces cut at any line feeds gives what parsing the
        /// whole gives, in order, with the same line numbers.
        #[test]
        fn pieces_cut_at_any_line_feed_parse_as_the_whole(
            lines in proptest::collection::vec(line(), 0..24),
            bom in any::<bool>(),
            picks in proptest::collection::vec(any::<bool>(), 0..64),
        ) {
            let mut input = String::new();
            if bom {
                input.push('\u{feff}');
            }
            input.push_str(&lines.join("\n"));
            let input = input.as_bytes();
            let options = ParseOptions::new();
            let whole = results(&mut crate::parse_with(input, options));
            let line_feeds = input
                .iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'\n')
                .map(|(at, _)| at + 1);
            let starts: Vec<usize> = std::iter::once(0)
                .chain(line_feeds.zip(picks.iter().cycle()).filter(|&(_, &pick)| pick).map(|(at, _)| at))
                .filter(|&at| at == 0 || at < input.len())
                .collect();
            prop_assert_eq!(&piecewise(input, options, &starts), &whole);
            for count in [1, 2, 3, 7, 64] {
                prop_assert_eq!(&piecewise(input, options, &cuts(input, count)), &whole);
            }
        }
    }

    #[test]
    fn a_string_across_every_cut_is_parsed_again_from_its_line() {
        let input = b"m s=\"one\ntwo\nthree\" 1\nm f=2\nm s=\"\n\n\"\n";
        let whole = results(&mut crate::parse(input));
        let every: Vec<usize> = std::iter::once(0)
            .chain(
                input
                    .iter()
                    .enumerate()
                    .filter(|&(at, &b)| b == b'\n' && at + 1 < input.len())
                    .map(|(at, _)| at + 1),
            )
            .collect();
        assert_eq!(every.len(), 7);
        assert_eq!(whole.len(), 3);
        assert_eq!(piecewise(input, ParseOptions::new(), &every), whole);
    }

    #[test]
    fn cuts_fall_after_line_feeds() {
        let input = b"aaaa\nbbbb\ncccc\ndddd\n";
        assert_eq!(cuts(input, 4), vec![0, 10, 15]);
        assert_eq!(cuts(input, 1), vec![0]);
        assert_eq!(cuts(b"", 8), vec![0]);
        assert_eq!(cuts(b"no line feed", 8), vec![0]);
    }
}
