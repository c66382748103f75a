//! One buffer parsed on every core (the `rayon` feature).
//!
//! [`Parallel`] cuts a buffer into pieces at line feeds and parses the
//! pieces on rayon's thread pool, each on one thread, with exactly the
//! results of parsing the buffer whole with [`parse_with`](crate::parse_with):
//! the same points and errors, in the same order, with the same line
//! numbers and columns.
//!
//! A cut right after a line feed is most often where a line begins, but
//! not always: a string value may hold a raw line feed, and a bad line
//! goes on to the first line feed after its error. So each piece is
//! parsed as if a line began at its start, up to the last line that
//! begins before the next piece, however far past it that line goes; a
//! piece whose predecessor stopped past its start began inside a line,
//! and is parsed again from where the predecessor stopped. Those pieces
//! are parsed again all at once, then (all at once again) any still out
//! of step and those that started where one of them stopped, and any
//! left one by one, in order; no piece is parsed more than four times,
//! and input without such lines across the cuts pays nothing for them.
//! A piece that starts at its cut first checks whether its first line
//! reads better from the end of the string the cut may be inside of, so
//! that even input made so that a parse begun inside a string never gets
//! back in step (each closing quote read as an opening one) is most
//! often parsed once: 1.2 to 1.9 times as fast on two threads as on one,
//! on 256 MiB of three such inputs. Whatever the input, the results are
//! those of the whole; the time is linear in its length for a given
//! line limit ([`ParseOptions::with_max_line_length`], 16 MiB by
//! default), as a piece's last line, or a guess's first, may run that far
//! past the piece.
//!
//! The closure given to [`Parallel::map`] is handed each piece's points
//! on the thread that parses it; what it returns for a piece that is
//! parsed again is dropped. It should compute its result and nothing
//! else, as a closure handed to rayon's `map` does.
//!
//! ```
//! use lineproto::parallel::Parallel;
//! use lineproto::Point;
//!
//! let body = b"cpu,host=a usage=0.5 1\ncpu,host=b usage=0.7 2\ncpu usage=oops 3\n";
//! // Each piece sums its usage and counts its bad lines on its thread.
//! let sums = Parallel::new().map(body, |points| {
//!     let (mut sum, mut bad, mut point) = (0.0, 0, Point::new());
//!     while let Some(result) = points.next_into(&mut point) {
//!         match result {
//!             Ok(()) => sum += point.field("usage").and_then(|v| v.as_f64()).unwrap_or(0.0),
//!             Err(_) => bad += 1,
//!         }
//!     }
//!     (sum, bad)
//! });
//! let (sum, bad) = sums.iter().fold((0.0, 0), |(s, b), &(sum, bad)| (s + sum, b + bad));
//! assert_eq!((sum, bad), (1.2, 1));
//! ```

use rayon::iter::{IndexedParallelIterator, IntoParallelIterator, ParallelIterator};

use crate::error::ParseError;
use crate::lines::Points;
use crate::options::ParseOptions;
use crate::pieces::{self, Pool};
use crate::point::Point;

/// The fewest bytes in a piece when [`Parallel`] chooses how many: a
/// smaller piece costs more to hand to a thread than to parse.
const PIECE_BYTES: usize = 256 * 1024;

/// The pieces [`Parallel`] makes for each thread of the pool when it
/// chooses how many: more than one, so that a thread done early takes
/// a piece from a slower one.
const PIECES_PER_THREAD: usize = 4;

/// Parses one buffer in pieces on rayon's thread pool (the global pool,
/// or the one the call runs in): the parse options, and how many pieces.
///
/// ```
/// use lineproto::parallel::Parallel;
/// use lineproto::{ParseOptions, Precision};
///
/// let parallel = Parallel::new()
///     .with_parse_options(ParseOptions::new().with_precision(Precision::Seconds))
///     .with_pieces(8);
/// let points = parallel.parse_owned(b"m v=1 1\nm v=2 2\n");
/// assert_eq!(points[1].as_ref().unwrap().timestamp(), Some(2_000_000_000));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Parallel {
    options: ParseOptions,
    pieces: Option<usize>,
}

impl Parallel {
    /// Parsing with the default options ([`ParseOptions::new`]), in as
    /// many pieces as suit the pool and the input: four for each thread,
    /// none under 256 KiB.
    ///
    /// ```
    /// let owned = lineproto::parallel::Parallel::new().parse_owned(b"m v=1\n");
    /// assert_eq!(owned.len(), 1);
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Parallel::default()
    }

    /// Parses with `options`, as [`parse_with`](crate::parse_with) does.
    ///
    /// ```
    /// use lineproto::parallel::Parallel;
    /// use lineproto::{ParseOptions, Precision};
    ///
    /// let options = ParseOptions::new().with_precision(Precision::Milliseconds);
    /// let owned = Parallel::new().with_parse_options(options).parse_owned(b"m v=1 5\n");
    /// assert_eq!(owned[0].as_ref().unwrap().timestamp(), Some(5_000_000));
    /// ```
    #[must_use]
    pub fn with_parse_options(mut self, options: ParseOptions) -> Self {
        self.options = options;
        self
    }

    /// Cuts the input into up to `pieces` pieces (at least one, at most
    /// 65,536), each after the first line feed at or after a `pieces`th of
    /// the input: fewer where lines are longer than a piece.
    ///
    /// ```
    /// use lineproto::parallel::Parallel;
    ///
    /// let body = b"m v=1\nm v=2\nm v=3\nm v=4\n";
    /// let lines_per_piece = Parallel::new().with_pieces(2).map(body, |points| points.count());
    /// assert_eq!(lines_per_piece, vec![2, 2]);
    /// ```
    #[must_use]
    pub fn with_pieces(mut self, pieces: usize) -> Self {
        self.pieces = Some(pieces.max(1));
        self
    }

    /// Parses `input` in pieces on the pool, handing each piece's points
    /// to `run` on the thread that parses it: `run`'s results, one per
    /// piece, in the order of the pieces. Together the pieces' points are
    /// the results of [`parse_with`](crate::parse_with) in order, with
    /// their line numbers; a piece may hold none.
    ///
    /// `run` may also be handed the points of a piece cut inside a line,
    /// before that piece is parsed again from where its line begins; what
    /// it returns then is dropped (see the [module docs](self)). It must
    /// read the points it is handed, not put other ones in their place:
    /// where they stop tells where the next piece begins.
    ///
    /// ```
    /// use lineproto::parallel::Parallel;
    ///
    /// // The cut falls after the line feed before `d`, inside the string:
    /// // the second piece is parsed again from the line after the string's.
    /// let body = b"m s=\"a\nb\nc\nd\" 1\nm v=2\n";
    /// let lines = Parallel::new().with_pieces(2).map(body, |points| {
    ///     points.filter_map(Result::ok).map(|point| point.to_string()).collect::<Vec<_>>()
    /// });
    /// assert_eq!(lines, vec![vec!["m s=\"a\nb\nc\nd\" 1"], vec!["m v=2"]]);
    /// ```
    pub fn map<'a, R, I>(&self, input: &'a I, run: impl Fn(&mut Points<'a>) -> R + Sync) -> Vec<R>
    where
        R: Send,
        I: AsRef<[u8]> + ?Sized,
    {
        let input = input.as_ref();
        let starts = starts(input, self.pieces);
        pieces::parse_pieces(&Rayon, input, self.options, &starts, true, &run)
    }

    /// Parses `input` on the pool into owned points: the results of
    /// [`parse_with`](crate::parse_with), each point made owned (see
    /// [`Point::into_owned`]), in order.
    ///
    /// ```
    /// use lineproto::parallel::Parallel;
    ///
    /// let results = Parallel::new().parse_owned(b"m v=1\nm v=\nm v=3\n");
    /// assert_eq!(results.len(), 3);
    /// assert_eq!(results[1].as_ref().unwrap_err().line(), 2);
    /// assert_eq!(results[2].as_ref().unwrap().to_string(), "m v=3");
    /// ```
    pub fn parse_owned<I: AsRef<[u8]> + ?Sized>(
        &self,
        input: &I,
    ) -> Vec<Result<Point<'static>, ParseError>> {
        let pieces = self.map(input.as_ref(), |points| {
            points
                .map(|result| result.map(Point::into_owned))
                .collect::<Vec<_>>()
        });
        let mut all = Vec::with_capacity(pieces.iter().map(Vec::len).sum());
        for piece in pieces {
            all.extend(piece);
        }
        all
    }
}

/// Where the pieces of `input` start: `pieces` of them, or as many as
/// the pool's threads take four each of, each at least [`PIECE_BYTES`].
pub(crate) fn starts(input: &[u8], pieces: Option<usize>) -> Vec<usize> {
    let pieces = pieces.unwrap_or_else(|| {
        let most = input.len() / PIECE_BYTES;
        (rayon::current_num_threads() * PIECES_PER_THREAD).min(most)
    });
    pieces::cuts(input, pieces)
}

/// Rayon's pool, each piece a task of its own.
pub(crate) struct Rayon;

impl Pool for Rayon {
    fn map<T: Send, R: Send>(&self, items: Vec<T>, run: &(dyn Fn(T) -> R + Sync)) -> Vec<R> {
        items.into_par_iter().with_max_len(1).map(run).collect()
    }
}
