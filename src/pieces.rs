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
//! A piece that starts at its cut (the first each thread takes up; the
//! others start where the piece before stopped) first guesses whether the
//! cut is inside a string value: if the line at the cut is bad and the
//! line after the end of the string the cut would be inside of is good,
//! it starts there. The guess costs a line or two, and whatever it
//! guesses, the piece before decides.
//!
//! The pieces parsed again are first those whose start moved, all at
//! once, each from where the piece before stopped; then, all at once, the
//! pieces still out of step and those that started where one of them had
//! stopped, each from where the piece before stopped if that one is in
//! step, else from the end of the string its cut would be inside of; last,
//! any piece still out of step, in order, once the piece before it has
//! settled. No piece is parsed more than four times. Most inputs need
//! none of these passes: a piece that begins inside a string is most
//! often back in step within a line or two (the parse that began in the
//! string fails at its closing quote and goes on after the next line
//! feed, which ends a line of the whole), and the pieces after it start
//! where it stopped. Inputs made so that a parse begun inside a string
//! never gets back in step (each closing quote read as an opening one)
//! are caught by the guess when their text reads as bad lines, and by the
//! pass from the ends of strings when it does not; they parse 1.2 to 1.9
//! times as fast on two threads as on one (256 MiB of three such inputs).
//! An input that beat both would be parsed again in order, on one thread.
//! The results are the whole's whatever the input; the work is linear in
//! its length for a given line limit, as a piece's last line, or a
//! guess's first, may run up to that limit past the piece.

use std::sync::OnceLock;

use crate::lines::Points;
use crate::options::ParseOptions;
use crate::point::Point;

/// How the pieces of a round are run: one after the other, or on a
/// thread pool; either way the results come back in the order given.
pub(crate) trait Pool {
    fn map<T: Send, R: Send>(&self, items: Vec<T>, run: &(dyn Fn(T) -> R + Sync)) -> Vec<R>;
}

/// The pieces one after the other on the calling thread.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) struct InOrder;

#[cfg(any(test, feature = "fuzzing"))]
impl Pool for InOrder {
    fn map<T: Send, R: Send>(&self, items: Vec<T>, run: &(dyn Fn(T) -> R + Sync)) -> Vec<R> {
        items.into_iter().map(run).collect()
    }
}

/// What parsing one piece gave: where it started (and the physical line
/// there), where it stopped (and the line there), and what `run` made of
/// its points.
struct Piece<R> {
    start: (usize, usize),
    end: (usize, usize),
    result: R,
}

/// The most pieces a buffer is cut into: each costs a little bookkeeping
/// (where it starts, stops and what its line feeds are), so this bounds
/// it at a few MiB whatever is asked for.
pub(crate) const MOST_PIECES: usize = 1 << 16;

/// Up to `count` piece starts for `input` (at most [`MOST_PIECES`], and
/// no more than its bytes): 0, then the first byte after a line feed at
/// or after each `count`th of its length. Each byte is looked at once.
pub(crate) fn cuts(input: &[u8], count: usize) -> Vec<usize> {
    let mut starts = vec![0];
    let count = count.clamp(1, MOST_PIECES).min(input.len().max(1));
    let mut looked = 0;
    for piece in 1..count {
        let from = (input.len() / count)
            .saturating_mul(piece)
            .saturating_sub(1)
            .max(looked);
        let Some(rest) = input.get(from..) else {
            break;
        };
        let Some(lf) = rest.iter().position(|&b| b == b'\n') else {
            break;
        };
        let start = from + lf + 1;
        if start >= input.len() {
            break;
        }
        if starts.last().is_some_and(|&last| start > last) {
            starts.push(start);
        }
        looked = start;
    }
    starts
}

/// How far back a piece that cannot start where its predecessor stopped
/// looks for a piece that has stopped, to learn its line number from.
const LOOK_BACK: usize = 64;

/// The physical line numbers at the cuts, found as the pieces that start
/// at their cuts need them: from the nearest piece before that has
/// stopped where the next begins, and the line feeds of the pieces
/// between, each piece's counted once. A piece with no such piece within
/// [`LOOK_BACK`] pieces before it takes the line numbers of every cut,
/// made once. The work is bounded by the input's length and
/// [`LOOK_BACK`] steps per piece.
struct CutLines<'i> {
    input: &'i [u8],
    starts: &'i [usize],
    /// The line feeds of each piece, from its cut to the next.
    counts: Vec<OnceLock<usize>>,
    every: OnceLock<Vec<usize>>,
}

impl<'i> CutLines<'i> {
    fn new(input: &'i [u8], starts: &'i [usize]) -> Self {
        CutLines {
            input,
            starts,
            counts: starts.iter().map(|_| OnceLock::new()).collect(),
            every: OnceLock::new(),
        }
    }

    /// The line feeds from cut `at` to the next cut (or the end).
    fn count(&self, at: usize) -> usize {
        let Some(slot) = self.counts.get(at) else {
            return 0;
        };
        *slot.get_or_init(|| {
            let start = self.starts.get(at).copied().unwrap_or(self.input.len());
            let end = self.starts.get(at + 1).copied().unwrap_or(self.input.len());
            line_feeds(self.input.get(start..end).unwrap_or_default())
        })
    }

    /// The line number at cut `at`, given where the pieces of the first
    /// round that have stopped did.
    fn at(&self, at: usize, ends: &[OnceLock<(usize, usize)>]) -> usize {
        let mut between = 0;
        for before in (0..at).rev().take(LOOK_BACK) {
            let next_cut = self.starts.get(before + 1).copied();
            if let Some(&(end, line)) = ends.get(before).and_then(OnceLock::get) {
                if Some(end) == next_cut {
                    return line + between;
                }
            }
            between += self.count(before);
        }
        if at <= LOOK_BACK {
            return 1 + between;
        }
        let every = self.every.get_or_init(|| {
            let mut line = 1;
            (0..self.starts.len())
                .map(|cut| {
                    let here = line;
                    line += self.count(cut);
                    here
                })
                .collect()
        });
        every.get(at).copied().unwrap_or(1)
    }
}

/// How many line feeds `bytes` holds: counted 32 bytes at a time into
/// byte-wide counters, which the compiler turns into vector compares and
/// adds, and summed every 255 blocks before they can overflow.
fn line_feeds(bytes: &[u8]) -> usize {
    const BLOCK: usize = 32;
    let mut total = 0;
    let mut blocks = bytes.chunks_exact(BLOCK);
    let mut counts = [0u8; BLOCK];
    let mut pending = 0;
    for block in &mut blocks {
        for (count, &byte) in counts.iter_mut().zip(block) {
            *count += u8::from(byte == b'\n');
        }
        pending += 1;
        if pending == 255 {
            total += counts
                .iter()
                .map(|&count| usize::from(count))
                .sum::<usize>();
            counts = [0; BLOCK];
            pending = 0;
        }
    }
    total += counts
        .iter()
        .map(|&count| usize::from(count))
        .sum::<usize>();
    total + blocks.remainder().iter().filter(|&&b| b == b'\n').count()
}

/// Parses the lines that begin from `start` (on physical line `line`)
/// before `stop` through `run`, and then any `run` left.
fn parse_piece<'a, R>(
    input: &'a [u8],
    options: ParseOptions,
    (start, stop): ((usize, usize), usize),
    run: &(impl Fn(&mut Points<'a>) -> R + ?Sized),
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

/// The pieces, after the first, that do not start where the piece
/// before stopped.
fn out_of_step<R>(pieces: &[Piece<R>]) -> Vec<usize> {
    pieces
        .windows(2)
        .enumerate()
        .filter(|(_, pair)| match pair {
            [before, piece] => piece.start.0 != before.end.0,
            _ => false,
        })
        .map(|(at, _)| at + 1)
        .collect()
}

/// Which pieces are out of step with the piece before them, or started
/// where one that is (or was chained from one) stopped, rather than at
/// their cuts.
fn suspects<R>(pieces: &[Piece<R>], starts: &[usize]) -> Vec<bool> {
    let mut suspect = vec![false; pieces.len()];
    for at in 1..pieces.len() {
        let (Some(before), Some(piece)) = (pieces.get(at - 1), pieces.get(at)) else {
            continue;
        };
        let chained = starts.get(at).is_some_and(|&cut| piece.start.0 != cut);
        let after_suspect = suspect.get(at - 1) == Some(&true);
        if let Some(slot) = suspect.get_mut(at) {
            *slot = piece.start.0 != before.end.0 || (after_suspect && chained);
        }
    }
    suspect
}

/// Where a piece cut at `cut` (on line `line`) most likely begins its
/// first line: at the cut, unless the line there is bad and the line
/// after the end of a string the cut would be inside of is good, as when
/// the cut falls inside a string value whose text reads as bad lines. A
/// guess, which costs a line or two: the piece before decides where the
/// piece begins.
fn likely_start(
    input: &[u8],
    options: ParseOptions,
    (cut, line): (usize, usize),
    stop: usize,
) -> (usize, usize) {
    let good = |start| {
        let mut points = Points::piece(input, options, start, stop);
        matches!(points.next_into(&mut Point::new()), Some(Ok(())))
    };
    if cut == 0 || good((cut, line)) {
        return (cut, line);
    }
    let after = past_open_string(input, cut, stop).and_then(|end| {
        let lines = line_feeds(input.get(cut..end)?);
        Some((end, line + lines))
    });
    match after {
        Some(after) if good(after) => after,
        _ => (cut, line),
    }
}

/// Where the line across `cut` ends if `cut` is inside a string value:
/// after the first line feed after the first quote from `cut` on that no
/// backslash escapes, both before `stop`; `None` if there is none.
fn past_open_string(input: &[u8], cut: usize, stop: usize) -> Option<usize> {
    let piece = input.get(cut..stop.min(input.len()))?;
    let mut from = 0;
    let quote = loop {
        let quote = from + piece.get(from..)?.iter().position(|&b| b == b'"')?;
        let backslashes = piece
            .get(..quote)?
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        if backslashes % 2 == 0 {
            break quote;
        }
        from = quote + 1;
    };
    let line_feed = quote + piece.get(quote..)?.iter().position(|&b| b == b'\n')?;
    Some(cut + line_feed + 1)
}

/// Parses `input` in the pieces that begin at `starts` (ascending, the
/// first 0, each other right after a line feed) on `pool`, handing each
/// piece's points to `run`: the results of the pieces as parsing the
/// whole would divide it, in order. `run` may also be handed a piece that
/// began inside a line; what it makes of it is dropped. With `chain`, a
/// piece whose predecessor has been parsed when its turn comes starts
/// where the predecessor stopped instead of at its cut: a pool runs its
/// pieces mostly in order on each thread, so only the pieces each thread
/// takes up first start at their cuts.
pub(crate) fn parse_pieces<'a, R: Send>(
    pool: &impl Pool,
    input: &'a [u8],
    options: ParseOptions,
    starts: &[usize],
    chain: bool,
    run: &(dyn Fn(&mut Points<'a>) -> R + Sync),
) -> Vec<R> {
    let stops: Vec<usize> = starts
        .iter()
        .skip(1)
        .copied()
        .chain(std::iter::once(usize::MAX))
        .collect();
    let one = |job: ((usize, usize), usize)| parse_piece(input, options, job, run);
    // Where each piece of the first round stopped, once it has: with
    // `chain`, a piece whose predecessor has stopped starts there, where
    // a line begins if the predecessor began at one.
    let ends: Vec<OnceLock<(usize, usize)>> = starts.iter().map(|_| OnceLock::new()).collect();
    let lines = CutLines::new(input, starts);
    let jobs = starts.iter().zip(&stops).enumerate().collect();
    let mut pieces = pool.map(jobs, &|(at, (&cut, &stop))| {
        let after = at.checked_sub(1).and_then(|before| ends.get(before)?.get());
        let start = match after {
            Some(&end) if chain => end,
            _ => likely_start(input, options, (cut, lines.at(at, &ends)), stop),
        };
        let piece = one((start, stop));
        if let Some(end) = ends.get(at) {
            // Each piece is parsed once in this round: the slot is empty.
            let _ = end.set(piece.end);
        }
        piece
    });
    let moved = out_of_step(&pieces);
    let again = moved
        .iter()
        .filter_map(|&at| Some((pieces.get(at - 1)?.end, *stops.get(at)?)))
        .collect();
    for (at, piece) in moved.into_iter().zip(pool.map(again, &one)) {
        if let Some(slot) = pieces.get_mut(at) {
            *slot = piece;
        }
    }
    // The pieces still out of step, and those chained from them, which
    // stopped where a parse begun out of step did: each parsed again from
    // where the piece before stopped if that one is in step, or else from
    // where the line across its cut ends if the cut is inside a string
    // value, as most often it is (a guess, checked by the pass in order).
    let suspect = suspects(&pieces, starts);
    let (again, jobs): (Vec<usize>, Vec<_>) = (1..pieces.len())
        .filter(|&at| suspect.get(at) == Some(&true))
        .filter_map(|at| {
            let stop = *stops.get(at)?;
            let start = if suspect.get(at - 1) == Some(&false) {
                pieces.get(at - 1)?.end
            } else {
                let cut = *starts.get(at)?;
                let end = past_open_string(input, cut, stop)?;
                (end, lines.at(at, &ends) + line_feeds(input.get(cut..end)?))
            };
            (start != pieces.get(at)?.start).then_some((at, (start, stop)))
        })
        .unzip();
    for (at, piece) in again.into_iter().zip(pool.map(jobs, &one)) {
        if let Some(slot) = pieces.get_mut(at) {
            *slot = piece;
        }
    }
    // In order, so that each piece is checked against a settled one.
    for at in 1..pieces.len() {
        let (Some(before), Some(piece), Some(&stop)) =
            (pieces.get(at - 1), pieces.get(at), stops.get(at))
        else {
            continue;
        };
        if piece.start.0 != before.end.0 {
            let piece = one((before.end, stop));
            if let Some(slot) = pieces.get_mut(at) {
                *slot = piece;
            }
        }
    }
    pieces.into_iter().map(|piece| piece.result).collect()
}

/// Each result of a parse, as text: the point or the error, with the
/// line number the iterator gives for it.
#[cfg(any(test, feature = "fuzzing"))]
fn described(points: &mut Points<'_>) -> Vec<String> {
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

/// The starts of pieces cut after the line feeds of `input` that `picks`
/// chooses, by their order, cycling: 0, then each byte after a chosen
/// line feed but the end.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn picked_starts(input: &[u8], picks: &[bool]) -> Vec<usize> {
    let line_feeds = (0..input.len()).filter(|&at| input.get(at) == Some(&b'\n'));
    std::iter::once(0)
        .chain(
            line_feeds
                .zip(picks.iter().cycle())
                .filter(|&(_, &pick)| pick)
                .map(|(at, _)| at + 1),
        )
        .filter(|&at| at == 0 || at < input.len())
        .collect()
}

/// Where parsing `input` in pieces cut after the line feeds `picks`
/// chooses (by their order, cycling), one after the other, each at its
/// cut and each where the one before stopped, differs from parsing it
/// whole; `None` if it does not.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn disagreement(input: &[u8], options: ParseOptions, picks: &[bool]) -> Option<String> {
    let starts = picked_starts(input, picks);
    let whole = described(&mut crate::parse_with(input, options));
    for chain in [false, true] {
        let pieces: Vec<String> =
            parse_pieces(&InOrder, input, options, &starts, chain, &described)
                .into_iter()
                .flatten()
                .collect();
        if pieces != whole {
            return Some(format!(
                "pieces at {starts:?} (chained: {chain}) gave {pieces:?}, the whole {whole:?}"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn results(points: &mut Points<'_>) -> Vec<String> {
        described(points)
    }

    /// The results of the pieces one after the other: each piece
    /// started at its cut (the pieces a pool runs at once), and each
    /// started where the one before stopped, which must agree.
    fn piecewise(input: &[u8], options: ParseOptions, starts: &[usize]) -> Vec<String> {
        let at_cuts: Vec<String> = parse_pieces(&InOrder, input, options, starts, false, &results)
            .into_iter()
            .flatten()
            .collect();
        let chained: Vec<String> = parse_pieces(&InOrder, input, options, starts, true, &results)
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(at_cuts, chained);
        at_cuts
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
            prop_assert_eq!(disagreement(input, options, &picks), None);
            let whole = results(&mut crate::parse_with(input, options));
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

    proptest! {
        /// The line feeds counted block by block are those counted one by
        /// one, across the 255 blocks after which the counters are summed.
        #[test]
        fn line_feeds_are_counted_as_bytes(
            bytes in proptest::collection::vec(prop_oneof![Just(b'\n'), any::<u8>()], 0..20_000),
        ) {
            prop_assert_eq!(line_feeds(&bytes), bytes.iter().filter(|&&b| b == b'\n').count());
        }
    }

    #[test]
    fn line_feeds_fill_every_counter_to_the_brim() {
        let bytes = vec![b'\n'; 32 * 255 * 3 + 7];
        assert_eq!(line_feeds(&bytes), bytes.len());
    }

    /// With no piece stopped, the line number at each cut comes from the
    /// counts of the pieces before it, through the table of every cut
    /// past [`LOOK_BACK`] pieces; with pieces stopped where the next
    /// begins, from their ends.
    #[test]
    fn line_numbers_at_cuts_count_the_line_feeds_before() {
        let input = "m v=1\n\nm v=2\n".repeat(100);
        let input = input.as_bytes();
        let starts: Vec<usize> = std::iter::once(0)
            .chain(
                (0..input.len())
                    .filter(|&at| input.get(at) == Some(&b'\n'))
                    .map(|at| at + 1),
            )
            .filter(|&at| at < input.len())
            .collect();
        assert_eq!(starts.len(), 300);
        let nothing_stopped: Vec<OnceLock<(usize, usize)>> =
            starts.iter().map(|_| OnceLock::new()).collect();
        let lines = CutLines::new(input, &starts);
        for at in [299, 0, 1, 64, 65, 200] {
            assert_eq!(lines.at(at, &nothing_stopped), at + 1, "cut {at}");
        }
        // A piece that stopped at the next cut, claiming line 1000 there:
        // the cuts after it count from it.
        let stopped: Vec<OnceLock<(usize, usize)>> =
            starts.iter().map(|_| OnceLock::new()).collect();
        let _ = stopped[10].set((starts[11], 1_000));
        let lines = CutLines::new(input, &starts);
        assert_eq!(lines.at(11, &stopped), 1_000);
        assert_eq!(lines.at(20, &stopped), 1_009);
        assert_eq!(lines.at(100, &stopped), 101);
    }

    /// Asking for more pieces than the input has bytes, or than
    /// [`MOST_PIECES`], costs no more than looking at each byte once.
    #[test]
    fn cuts_are_bounded_whatever_is_asked() {
        assert_eq!(cuts(b"m v=1\n", usize::MAX), vec![0]);
        let lines = b"m v=1\n".repeat(100_000);
        let starts = cuts(&lines, usize::MAX);
        assert_eq!(starts.len(), MOST_PIECES);
        assert!(starts.windows(2).all(|pair| pair[0] < pair[1]));
        let one_line = [vec![b'x'; 1 << 20], b"\nm v=1\n".to_vec()].concat();
        assert_eq!(cuts(&one_line, 1 << 20), vec![0, (1 << 20) + 1]);
    }

    #[test]
    fn cuts_fall_after_line_feeds() {
        let input = b"aaaa\nbbbb\ncccc\ndddd\n";
        assert_eq!(cuts(input, 4), vec![0, 5, 10, 15]);
        assert_eq!(cuts(input, 3), vec![0, 10, 15]);
        assert_eq!(cuts(input, 1), vec![0]);
        assert_eq!(cuts(b"", 8), vec![0]);
        assert_eq!(cuts(b"no line feed", 8), vec![0]);
    }
}
