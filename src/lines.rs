//! The parser's entry points: the lines of a buffer, one point at a time.

use std::iter::FusedIterator;

use crate::bounds;
use crate::error::{Found, ParseError, ParseErrorKind};
use crate::grammar::{self, Settings};
use crate::options::ParseOptions;
use crate::point::{Entry, Point};
use crate::stream::OpenEnd;

/// Parses a buffer of line protocol with nanosecond timestamps.
///
/// Returns an iterator with one item per line that is not blank or a
/// comment: the point, or the error that stopped that line. A bad line
/// does not stop the others.
///
/// ```
/// let input = b"# sensors\nhome,room=Kitchen temp=21.0 1641024000000000000\n\nhome temp=oops\n";
/// let results: Vec<_> = lineproto::parse(input).collect();
/// assert_eq!(results.len(), 2);
/// assert_eq!(results[0].as_ref().unwrap().tag("room"), Some("Kitchen"));
/// let err = results[1].as_ref().unwrap_err();
/// assert_eq!((err.line(), err.column()), (4, 11));
/// ```
///
/// The input may be anything that is bytes: a `&[u8]`, a `Vec<u8>`, a
/// `&str` or a `String`.
///
/// ```
/// let body = String::from("m f=1\n");
/// assert_eq!(lineproto::parse(&body).count(), 1);
/// assert_eq!(lineproto::parse("m f=1").count(), 1);
/// assert_eq!(lineproto::parse(&vec![b'm', b' ', b'f', b'=', b'1']).count(), 1);
/// ```
#[must_use]
pub fn parse<I: AsRef<[u8]> + ?Sized>(input: &I) -> Points<'_> {
    parse_with(input, ParseOptions::new())
}

/// Parses a buffer of line protocol with the given options.
///
/// ```
/// use lineproto::{ParseOptions, Precision};
/// let options = ParseOptions::new().with_precision(Precision::Milliseconds);
/// let point = lineproto::parse_with(b"m v=1 1500", options).next().unwrap()?;
/// assert_eq!(point.timestamp(), Some(1_500_000_000));
/// # Ok::<(), lineproto::ParseError>(())
/// ```
#[must_use]
pub fn parse_with<I: AsRef<[u8]> + ?Sized>(input: &I, options: ParseOptions) -> Points<'_> {
    let input = input.as_ref();
    let origin = input.len() - without_byte_order_mark(input).len();
    Points {
        offset: origin,
        origin,
        ..Points::new(input, options)
    }
}

/// The UTF-8 encoding of U+FEFF, the byte-order mark some editors put at
/// the start of a file; skipped at the start of an input.
pub(crate) const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// `input` without a byte-order mark at its start.
pub(crate) fn without_byte_order_mark(input: &[u8]) -> &[u8] {
    input.strip_prefix(BYTE_ORDER_MARK).unwrap_or(input)
}

/// The points of a buffer, line by line; made by [`parse`] and
/// [`parse_with`].
///
/// As an [`Iterator`] it yields a fresh [`Point`] per line. In hot loops,
/// [`Points::next_into`] parses into a point the caller keeps, reusing its
/// memory.
///
/// Lines end with LF or CRLF; a string value may hold a raw LF, so a point
/// can span several physical lines. Line numbers count physical lines,
/// blank and comment lines included. After a bad line, parsing goes on
/// after the first LF that follows the error's position.
///
/// ```
/// let input = "m s=\"two\nlines\"\nm v=\nm v=3\n";
/// let mut points = lineproto::parse(input);
/// let first = points.next().unwrap()?;
/// assert_eq!(first.field("s").and_then(|v| v.as_str()), Some("two\nlines"));
/// let err = points.next().unwrap().unwrap_err();
/// assert_eq!(err.line(), 3); // the string took up lines 1 and 2
/// assert_eq!(points.next().unwrap()?.to_string(), "m v=3");
/// assert!(points.next().is_none());
/// # Ok::<(), lineproto::ParseError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Points<'a> {
    input: &'a [u8],
    /// Offset of the next unread byte.
    offset: usize,
    /// The physical line number at `offset`.
    line: usize,
    /// The line number on which the last returned item began.
    last_line: usize,
    /// The offset of the start of physical line `last_line`.
    last_start: usize,
    /// Where the input's first line starts: after a byte-order mark.
    origin: usize,
    /// The physical line number at `origin`.
    first_line: usize,
    /// The offset of the input's first byte in the whole input, for a
    /// stream's buffer.
    base: usize,
    options: ParseOptions,
    /// What the grammar needs besides the input: the limits of a line, and
    /// a stretch of the input known to be UTF-8, ending at `utf8_end`.
    /// Kept here rather than rebuilt from the options for every line; the
    /// grammar copies it into each line's context, beside the line's stop
    /// index.
    settings: Settings<'a>,
    utf8_end: usize,
    /// How far the input has been prefetched.
    prefetched: usize,
    /// Where the iterator parses the tags and fields of each point before
    /// handing them out in a list of their exact size.
    scratch: Vec<Entry<'a>>,
    /// Whether `scratch` has been sized to a point it held.
    scratch_sized: bool,
    /// Where the iterator unescapes the names and strings of each point
    /// before handing them out in a string of their exact size.
    scratch_text: String,
    /// Where the lines parsed end: no line that starts at or after it is
    /// parsed, though one that starts before it is parsed whole. The end
    /// of the input but for a piece of the input ([`Points::piece`]).
    stop: usize,
    /// `None` when the input ends where the data ends; for a stream's
    /// buffer, after which the data may go on, the rules for a line that
    /// reaches the end of the buffer and what they found (see
    /// [`OpenEnd`]): an item that may go on past the end is not returned,
    /// and the iteration stops before it.
    open_end: Option<OpenEnd>,
}

/// How far ahead of the grammar the input is checked for UTF-8 at a time:
/// far enough to amortise the call, near enough to stay in cache.
const UTF8_BLOCK: usize = 64 * 1024;

impl<'a> Points<'a> {
    fn new(input: &'a [u8], options: ParseOptions) -> Self {
        Points {
            input,
            offset: 0,
            line: 1,
            last_line: 0,
            last_start: 0,
            origin: 0,
            first_line: 1,
            base: 0,
            options,
            settings: Settings {
                checked_utf8: "",
                limits: options.limits(),
            },
            utf8_end: 0,
            prefetched: 0,
            scratch: Vec::new(),
            scratch_sized: false,
            scratch_text: String::new(),
            stop: usize::MAX,
            open_end: None,
        }
    }

    /// Parses the lines of `input` that start from `start`, at or after
    /// the start of physical line `line`, and before `stop`: a piece of
    /// the input, parsed as [`parse_with`] parses the whole when `start`
    /// is where a line of the whole begins. The last line may go on past
    /// `stop`; [`offset`](Self::offset) then tells where the line after it
    /// begins.
    #[cfg(any(test, feature = "rayon"))]
    pub(crate) fn piece(
        input: &'a [u8],
        options: ParseOptions,
        (start, line): (usize, usize),
        stop: usize,
    ) -> Self {
        let whole = parse_with(input, options);
        let start = start.max(whole.origin);
        Points {
            offset: start,
            line,
            last_start: start,
            prefetched: start,
            stop,
            ..whole
        }
    }

    /// Parses `input`, the data of a stream from its physical line `line`
    /// on, `base` bytes from the stream's start, which may end in the
    /// middle of a line unless `complete`.
    pub(crate) fn resume(
        input: &'a [u8],
        options: ParseOptions,
        (line, base): (usize, usize),
        complete: bool,
    ) -> Self {
        Points {
            line,
            first_line: line,
            base,
            open_end: (!complete).then(OpenEnd::default),
            // A stream's data has just been read into its buffer, and is
            // in cache: nothing to prefetch.
            prefetched: input.len(),
            ..Points::new(input, options)
        }
    }

    /// The physical line number at [`offset`](Self::offset).
    pub(crate) fn next_line_number(&self) -> usize {
        self.line
    }

    /// What the rules for the end of a stream's buffer found, for an
    /// input that is such a buffer.
    pub(crate) fn open_end(&self) -> Option<OpenEnd> {
        self.open_end
    }

    /// Checks the next block of input from `start` for UTF-8, once the
    /// grammar has passed the end of the last block.
    fn check_utf8_from(&mut self, start: usize) {
        if start < self.utf8_end {
            return;
        }
        let end = start.saturating_add(UTF8_BLOCK).min(self.input.len());
        let block = bounds::within(self.input, start..end);
        // The vectorised validator checks non-ASCII text several times
        // faster than the standard library's (which skips ASCII quickly
        // but takes multi-byte characters one at a time).
        let valid = match simdutf8::compat::from_utf8(block) {
            Ok(text) => text,
            Err(err) => block
                .get(..err.valid_up_to())
                .and_then(|prefix| simdutf8::compat::from_utf8(prefix).ok())
                .unwrap_or_default(),
        };
        self.settings.checked_utf8 = valid;
        // Past an invalid byte, the next line checks again from its start.
        self.utf8_end = start + valid.len().max(1);
    }

    /// Parses the next point into `point`, replacing what it held but
    /// keeping the capacity of its list of tags and fields.
    ///
    /// Returns `None` at the end of the input, `Some(Err(..))` for a bad
    /// line (after which `point` holds no meaningful value) and
    /// `Some(Ok(()))` when `point` holds the next point. Once the list has
    /// grown to the widest line, parsing input without escape sequences
    /// allocates nothing.
    ///
    /// ```
    /// use lineproto::Point;
    ///
    /// let input = b"cpu,host=a usage=0.5 1\ncpu,host=b usage=0.7 2\n";
    /// let mut points = lineproto::parse(input);
    /// let mut point = Point::new();
    /// let mut total = 0.0;
    /// while let Some(result) = points.next_into(&mut point) {
    ///     result?;
    ///     total += point.field("usage").and_then(|v| v.as_f64()).unwrap_or(0.0);
    /// }
    /// assert_eq!(total, 1.2);
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use = "a bad line is reported only through the returned result"]
    pub fn next_into(&mut self, point: &mut Point<'a>) -> Option<Result<(), ParseError>> {
        if let Some(end) = &mut self.open_end {
            end.begin_item();
        }
        // Prefetch a block of UTF-8 checks ahead of the line, a cache line
        // at a time as the lines go by.
        let ahead = self.offset.saturating_add(UTF8_BLOCK).min(self.input.len());
        while self.prefetched < ahead {
            crate::scan::prefetch(self.input, self.prefetched);
            self.prefetched += 64;
        }
        loop {
            let start = self.offset;
            if start >= self.stop {
                return None;
            }
            let rest = self.input.get(start..).filter(|rest| !rest.is_empty())?;
            let limit = self.settings.limits.max_line_length;
            // Blank and comment lines may be indented with spaces and tabs;
            // a point may be indented with spaces only.
            let blank = rest
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count();
            if blank > limit {
                // Too long whatever follows: a blank or comment line counts
                // towards the limit too, so a stream need not keep it.
                return Some(Err(self.line_too_long(start, start.saturating_add(limit))));
            }
            let after_blank = bounds::within(rest, blank..);
            if after_blank.is_empty() {
                match &mut self.open_end {
                    None => self.offset = self.input.len(),
                    Some(end) => end.stall_line(),
                }
                return None;
            }
            if let Ok((after, ())) = grammar::line_end(after_blank) {
                self.advance_to(start, self.input.len() - after.len());
                continue;
            }
            if let Some(end) = &mut self.open_end {
                if end.waits_for_line_break(after_blank) {
                    return None;
                }
            }
            if after_blank.first() == Some(&b'#') {
                let end = self.next_line_start(self.input.len() - after_blank.len());
                let ended = self
                    .input
                    .get(..end)
                    .is_some_and(|read| read.ends_with(b"\n"));
                // The comment's length, its line feed aside.
                if end - start - usize::from(ended) > limit {
                    return Some(Err(self.line_too_long(start, start.saturating_add(limit))));
                }
                if let (Some(end), false) = (&mut self.open_end, ended) {
                    end.stall_line();
                    return None;
                }
                self.advance_to(start, end);
                continue;
            }
            // Most lines are not indented: nothing to skip again.
            let content = if blank == 0 {
                rest
            } else {
                grammar::spaces(rest).map_or(rest, |(content, _)| content)
            };

            point.clear();
            let result = self.parse_line(start, content, point)?;
            return Some(result);
        }
    }

    /// Parses the line at `start` whose content (after leading spaces) is
    /// `content` into `point`, and moves past it; `None`, moving nowhere,
    /// when the input is incomplete and the line may go on past its end.
    fn parse_line(
        &mut self,
        start: usize,
        content: &'a [u8],
        point: &mut Point<'a>,
    ) -> Option<Result<(), ParseError>> {
        // The grammar sees at most `max_line_length` bytes from the start of
        // the line; a line that does not end inside that view is too long.
        let view_end = start
            .saturating_add(self.settings.limits.max_line_length)
            .min(self.input.len());
        let truncated = view_end < self.input.len();
        let content_start = self.input.len() - content.len();
        let view = bounds::within(self.input, content_start..view_end);
        self.check_utf8_from(start);
        match grammar::line(view, point, self.options.precision(), &self.settings) {
            Ok((after, newlines_in_strings)) => {
                let end = view_end - after.len();
                let ended_with_lf = self
                    .input
                    .get(..end)
                    .is_some_and(|read| read.ends_with(b"\n"));
                if truncated && end == view_end && !ended_with_lf {
                    return Some(Err(self.line_too_long(start, view_end)));
                }
                if let (Some(end), false) = (&mut self.open_end, ended_with_lf) {
                    end.stall_line();
                    return None;
                }
                self.last_line = self.line;
                self.last_start = start;
                self.offset = end;
                self.line += newlines_in_strings + usize::from(ended_with_lf);
                if point.timestamp().is_none() {
                    point.set_timestamp(self.options.default_time());
                }
                Some(Ok(()))
            }
            Err(nom::Err::Error(err) | nom::Err::Failure(err)) => {
                let position = err.remaining().map_or(content_start, |remaining| {
                    view_end.saturating_sub(remaining)
                });
                // An error is the line's own only if the line ends (a line
                // feed) inside the view after it and it is not a string
                // whose closing quote may lie past the limit; otherwise the
                // line is longer than the limit and that is the error.
                let line_ends_in_view = view
                    .get(position.saturating_sub(content_start)..)
                    .is_some_and(|rest| rest.contains(&b'\n'));
                if truncated && (!line_ends_in_view || err.is_unterminated_string()) {
                    return Some(Err(self.line_too_long(start, view_end)));
                }
                if let Some(end) = &mut self.open_end {
                    let after = bounds::within(self.input, position..);
                    let at = position.saturating_sub(start);
                    if !end.error_is_final(err.is_unterminated_string(), after, at) {
                        return None;
                    }
                }
                let at = bounds::within(self.input, position..);
                let kind = err.into_kind(at);
                Some(Err(self.error(start, position, kind)))
            }
            Err(nom::Err::Incomplete(_)) => Some(Err(self.error(
                start,
                content_start,
                ParseErrorKind::Unexpected {
                    found: Found::at(content),
                },
            ))),
        }
    }

    /// The error of a line starting at `start` that is still going at
    /// `limit_end`, and moves past the physical line it starts on.
    ///
    /// The error is placed on that physical line: where the limit is
    /// crossed when the line itself is that long, or at its line feed when
    /// string values carried the point on over later lines. Parsing goes
    /// on after that line feed, so lines that a stray quote pulled into the
    /// point are parsed as lines of their own.
    fn line_too_long(&mut self, start: usize, limit_end: usize) -> ParseError {
        let limit = self.options.max_line_length();
        let position = self
            .input
            .get(start..limit_end)
            .and_then(|line| line.iter().position(|&b| b == b'\n'))
            .map_or(limit_end, |lf| start + lf);
        self.error(start, position, ParseErrorKind::LineTooLong { limit })
    }

    /// The physical line (1-based) on which the last point or error returned
    /// began; 0 before the first.
    ///
    /// ```
    /// let mut points = lineproto::parse(b"\n# comment\nm v=1\n");
    /// points.next();
    /// assert_eq!(points.line_number(), 3);
    /// ```
    #[must_use]
    pub fn line_number(&self) -> usize {
        self.last_line
    }

    /// How many bytes of the input have been read.
    ///
    /// ```
    /// let mut points = lineproto::parse(b"m f=1\nm f=2\n");
    /// points.next();
    /// assert_eq!(points.offset(), 6);
    /// ```
    #[must_use]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The text of physical line `line` (a number as in
    /// [`ParseError::line`] and [`Points::line_number`]), without its line
    /// break: empty if the input has no such line. For showing the line of
    /// an error.
    ///
    /// The line of the item just returned, and the lines after it, are
    /// found from where that item began; an earlier line costs a walk from
    /// the start of the input.
    ///
    /// ```
    /// let input = "m f=1\nm f=x\r\nm f=3";
    /// let mut points = lineproto::parse(input);
    /// while let Some(result) = points.next() {
    ///     if let Err(err) = result {
    ///         assert_eq!(points.line_text(err.line()), b"m f=x");
    ///     }
    /// }
    /// assert_eq!(points.line_text(1), b"m f=1");
    /// assert_eq!(points.line_text(4), b"");
    /// ```
    #[must_use]
    pub fn line_text(&self, line: usize) -> &'a [u8] {
        let (mut number, mut at) = if self.last_line > 0 && line >= self.last_line {
            (self.last_line, self.last_start)
        } else {
            (self.first_line, self.origin)
        };
        if line < number {
            return &[];
        }
        let input: &'a [u8] = self.input;
        while number < line {
            let rest = bounds::within(input, at..);
            match rest.iter().position(|&b| b == b'\n') {
                Some(lf) => {
                    at += lf + 1;
                    number += 1;
                }
                None => return &[],
            }
        }
        self.line_text_at(at)
    }

    /// Where the line of the item just returned begins, for
    /// [`line_text_at`](Self::line_text_at) once the iterator has moved on.
    #[cfg(feature = "arrow")]
    pub(crate) fn line_start(&self) -> usize {
        self.last_start
    }

    /// The text of the physical line that begins at `start`, without its
    /// line break.
    pub(crate) fn line_text_at(&self, start: usize) -> &'a [u8] {
        let input: &'a [u8] = self.input;
        let rest = bounds::within(input, start..);
        match rest.iter().position(|&b| b == b'\n') {
            // A carriage return before the line feed belongs to the line
            // break; one at the very end of the input is the line's.
            Some(lf) => {
                let text = bounds::within(rest, ..lf);
                text.strip_suffix(b"\r").unwrap_or(text)
            }
            None => rest,
        }
    }

    /// Places `kind`, found at `position` in the line starting at `start`,
    /// by physical line and column, and moves past the line.
    fn error(&mut self, start: usize, position: usize, kind: ParseErrorKind) -> ParseError {
        self.last_line = self.line;
        self.last_start = start;
        let position = position.max(start);
        let before = bounds::within(self.input, start..position);
        let (line, column) = match before.iter().rposition(|&b| b == b'\n') {
            Some(last_lf) => (
                self.line + before.iter().filter(|&&b| b == b'\n').count(),
                before.len() - last_lf,
            ),
            None => (self.line, before.len() + 1),
        };
        let end = self.next_line_start(position);
        if let Some(open_end) = &mut self.open_end {
            open_end.note_error_line(bounds::within(self.input, ..end).ends_with(b"\n"));
        }
        self.advance_to(start, end);
        ParseError::new(line, column, self.base + position, kind)
    }

    /// The offset just after the first LF at or after `from`, or the end.
    fn next_line_start(&self, from: usize) -> usize {
        let rest = bounds::within(self.input, from..);
        match rest.iter().position(|&b| b == b'\n') {
            Some(lf) => from + lf + 1,
            None => self.input.len(),
        }
    }

    /// Moves from `start` to `end`, counting the line feeds passed.
    fn advance_to(&mut self, start: usize, end: usize) {
        let passed = bounds::within(self.input, start..end);
        self.line += passed.iter().filter(|&&b| b == b'\n').count();
        self.offset = end;
    }
}

impl<'a> Iterator for Points<'a> {
    type Item = Result<Point<'a>, ParseError>;

    /// Parses each point into a list and a string the iterator keeps,
    /// then hands out its tags and fields, and the text it unescaped (if
    /// any), in one allocation of their exact size: a list for a point
    /// without such text, one block holding both for a point with it.
    fn next(&mut self) -> Option<Self::Item> {
        let mut point = Point::with_lists(
            std::mem::take(&mut self.scratch),
            std::mem::take(&mut self.scratch_text),
        );
        let result = self.next_into(&mut point);
        if let Some(Ok(())) = result {
            if !point.has_own_text() {
                let (mut working, text) = point.take_lists();
                point.put_list(self.exact_list(&mut working));
                self.keep_working(working, text);
            } else if let Some((entries, text)) = point.pack() {
                // The text's spans keep their offsets in the block. (Only
                // entries and text of more than `isize::MAX` bytes together
                // would have none, and keep the working list and text.)
                self.keep_working(entries, text);
            }
            return Some(Ok(point));
        }
        let (entries, text) = point.take_lists();
        self.keep_working(entries, text);
        match result {
            Some(Err(err)) => Some(Err(err)),
            _ => None,
        }
    }
}

impl<'a> Points<'a> {
    /// Keeps `entries` and `text`, emptied, to parse the next point into.
    #[inline(always)]
    fn keep_working(&mut self, mut entries: Vec<Entry<'a>>, mut text: String) {
        entries.clear();
        text.clear();
        self.scratch = entries;
        self.scratch_text = text;
    }

    /// The entries of `working` in a list of their exact size, leaving in
    /// `working` a list to parse the next point into.
    fn exact_list(&mut self, working: &mut Vec<Entry<'a>>) -> Vec<Entry<'a>> {
        let len = working.len();
        if working.capacity() == len {
            // Lines of one shape: the working list is already of the exact
            // size, so it is handed out and replaced.
            self.scratch_sized = true;
            return std::mem::replace(working, Vec::with_capacity(len));
        }
        let exact = working.to_vec();
        if !self.scratch_sized {
            // The working list grew by doubling for the first point;
            // sizing it to that point once lets lines of one shape take
            // the path above. After that it is kept, so that it never
            // grows again for lines no wider than any before.
            self.scratch_sized = true;
            *working = Vec::with_capacity(len);
        }
        exact
    }
}

impl FusedIterator for Points<'_> {}

impl<'a> Point<'a> {
    /// Parses one line of line protocol, its timestamp in nanoseconds (see
    /// [`parse_with`] for other precisions and many lines). A line break
    /// at its end is allowed; a second line with a point on it is an error
    /// ([`ParseErrorKind::MoreThanOneLine`]), and so is a line with none
    /// ([`ParseErrorKind::NoPoint`]).
    ///
    /// `str::parse` does the same into a point that owns its text
    /// ([`FromStr`](std::str::FromStr)).
    ///
    /// ```
    /// use lineproto::{ParseErrorKind, Point};
    ///
    /// let point = Point::parse_line("home,room=Kitchen temp=21.5 1641024000000000000\n")?;
    /// assert_eq!(point.tag("room"), Some("Kitchen"));
    ///
    /// let owned: Point<'static> = "home temp=22".parse()?;
    /// assert_eq!(owned.measurement(), "home");
    ///
    /// let err = Point::parse_line("m f=1\nm f=2").unwrap_err();
    /// assert_eq!((err.line(), err.kind()), (2, &ParseErrorKind::MoreThanOneLine));
    /// assert_eq!(Point::parse_line("").unwrap_err().kind(), &ParseErrorKind::NoPoint);
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The line's [`ParseError`], or one of the two above.
    pub fn parse_line(line: &'a str) -> Result<Point<'a>, ParseError> {
        let mut points = parse(line);
        let point = match points.next() {
            Some(result) => result?,
            None => return Err(ParseError::new(1, 1, 0, ParseErrorKind::NoPoint)),
        };
        if points.next().is_some() {
            return Err(ParseError::new(
                points.last_line,
                1,
                points.last_start,
                ParseErrorKind::MoreThanOneLine,
            ));
        }
        Ok(point)
    }
}

/// Parses one line into a point that owns its text, as
/// [`Point::parse_line`] does.
///
/// ```
/// let point: lineproto::Point<'static> = "m f=1i".parse()?;
/// assert_eq!(point.field("f").and_then(|v| v.as_i64()), Some(1));
/// # Ok::<(), lineproto::ParseError>(())
/// ```
impl std::str::FromStr for Point<'static> {
    type Err = ParseError;

    fn from_str(line: &str) -> Result<Self, ParseError> {
        Point::parse_line(line).map(Point::into_owned)
    }
}
