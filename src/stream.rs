//! Parsing a stream with memory bounded by the longest line.

use std::collections::VecDeque;
use std::io::{self, Read};

use crate::batch::LineError;
use crate::error::ParseError;
use crate::lines::{BYTE_ORDER_MARK, Points};
use crate::options::ParseOptions;
use crate::point::Point;
use crate::skim::Skim;

/// The most a read asks for.
const READ_SIZE: usize = 64 * 1024;

/// The least a read asks for.
const MIN_READ_SIZE: usize = 256;

/// What the first read asks for; reads that fill their room double it.
const FIRST_READ_SIZE: usize = 4 * 1024;

/// Line protocol read from an [`io::Read`] (a file, a socket, a request
/// body), parsed with memory bounded by the longest line rather than the
/// input.
///
/// The stream reads its input into a buffer of its own and hands it out
/// chunk by chunk: each [`Chunk`] parses the complete lines the buffer
/// holds, borrowing names and strings from the buffer as the in-memory
/// parser does. A line longer than
/// [`ParseOptions::with_max_line_length`] (16 MiB by default) is an error
/// of that line; the stream skips it and goes on, so the buffer never
/// grows past the limit and one read.
///
/// For every input and however the reads split it, a stream yields exactly
/// the points and errors of [`parse_with`](crate::parse_with) on the whole
/// input, with the same line numbers. A line that the buffer holds only in
/// part is parsed again only once a read brings what can end it (a line
/// feed, or the quote that closes an open string), so a long line costs
/// time in proportion to its length, however small the reads.
///
/// ```
/// use lineproto::Stream;
///
/// let body: &[u8] = b"home,room=Kitchen temp=21.0 1\nhome temp=bad 2\nhome,room=Kitchen temp=22.5 3\n";
/// let mut stream = Stream::new(body);
/// let (mut points, mut errors) = (0, 0);
/// while let Some(chunk) = stream.next_chunk()? {
///     for result in chunk {
///         match result {
///             Ok(point) => points += usize::from(point.tag("room") == Some("Kitchen")),
///             Err(err) => errors += usize::from(err.line() == 2),
///         }
///     }
/// }
/// assert_eq!((points, errors), (2, 1));
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// [`Stream::into_owned_points`] turns the stream into a plain iterator of
/// owned points, at the cost of copying every name and string.
#[derive(Debug)]
pub struct Stream<R> {
    reader: R,
    state: StreamState,
}

/// A stream without its reader: the buffer, where the chunks handed out
/// have got, and what the next chunk waits for. [`Stream`] reads into it
/// from an [`io::Read`], [`AsyncStream`](crate::AsyncStream) from an
/// asynchronous reader; both hand out the chunks it makes, so both yield
/// exactly the same items.
#[derive(Debug)]
pub(crate) struct StreamState {
    buffer: Vec<u8>,
    /// The bytes of the input before the buffer's first.
    drained: usize,
    progress: Progress,
    end_of_input: bool,
    /// How many bytes the next read asks for (see [`StreamState::room`]).
    request: usize,
    /// Whether the start of the input, where a byte-order mark is skipped,
    /// has been read.
    started: bool,
    options: ParseOptions,
    /// How far the line at the start of the buffer, which could not be
    /// parsed yet, has been skimmed for its end, since the parse that
    /// stalled on it.
    skim: Option<Skim>,
    /// What making the next chunk has got to.
    phase: Phase,
    /// The length of the buffer before the room of a read that has not
    /// come back: the read was abandoned (its error returned, or its
    /// future dropped) if the state is stepped before it is filled.
    reading: Option<usize>,
}

/// What making the next chunk has got to: each phase may wait for a read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// The bytes the last chunk parsed are still in the buffer.
    Begin,
    /// The rest of a line that was too long is being skipped.
    SkipLine,
    /// One read of new input is due.
    Read,
    /// The start of the input is being checked for a byte-order mark.
    ByteOrderMark,
}

/// What [`StreamState::step`] asks of its reader, or has made.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Read into [`StreamState::room`], then report with
    /// [`StreamState::filled`].
    Read,
    /// The next chunk is ready ([`StreamState::chunk`]).
    Chunk,
    /// The input is exhausted.
    End,
}

/// How far the chunks handed out have got, written by the chunk and read
/// by the stream when it is asked for the next one.
#[derive(Debug)]
struct Progress {
    /// Bytes of the buffer fully parsed.
    consumed: usize,
    /// The physical line number at `consumed`.
    line: usize,
    /// The rest of the current line, up to its line feed, is to be skipped
    /// (it was too long).
    skip_line: bool,
    /// The line at the end of the buffer could not be parsed yet, and what
    /// settles it.
    stall: Option<Stall>,
}

impl Progress {
    /// Where `points`, over the stream's buffer, has got.
    fn of(points: &Points<'_>) -> Self {
        let end = points.open_end().unwrap_or_default();
        Progress {
            consumed: points.offset(),
            line: points.next_line_number(),
            skip_line: end.unfinished_line,
            stall: end.stall,
        }
    }
}

/// The rules for a line that reaches the end of a stream's buffer, where
/// the data may go on, applied by the parser of that buffer; and what
/// they found, for the stream to act on.
///
/// A line that may go on past the buffer is not parsed yet: the parser
/// stops before it, and the stall says what will settle it. An error is
/// final only if the bytes still to come cannot change it.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct OpenEnd {
    /// Why the parser stopped before the end of the buffer's data, at a
    /// line that may go on past it, if it did.
    stall: Option<Stall>,
    /// The last error's line goes on past the end of the buffer: the rest
    /// of it, up to its line feed, is still to be skipped.
    unfinished_line: bool,
}

/// Why the parser of a stream's buffer stopped at a line before the end of
/// its data: what settles the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stall {
    /// The line has not ended: its first line feed outside a string value
    /// ends it.
    Line,
    /// The line has an error `at` bytes from its start, final once a line
    /// feed follows it.
    Error { at: usize },
}

impl OpenEnd {
    /// A new item is asked for: the last stall is settled.
    #[inline(always)]
    pub(crate) fn begin_item(&mut self) {
        self.stall = None;
    }

    /// The line at the end of the buffer (blank, a comment or a point) has
    /// no line feed yet: it waits for one.
    #[inline(always)]
    pub(crate) fn stall_line(&mut self) {
        self.stall = Some(Stall::Line);
    }

    /// Whether `rest`, the content of the last line of the buffer after
    /// its indentation, may be the first half of a blank line's CRLF, and
    /// so waits for the next byte.
    #[inline(always)]
    pub(crate) fn waits_for_line_break(&mut self, rest: &[u8]) -> bool {
        let waits = rest == b"\r";
        if waits {
            self.stall_line();
        }
        waits
    }

    /// Whether an error `at` bytes from its line's start, `after` being the
    /// buffer from the error on, is final: not a string that may yet
    /// close, and a line feed ends the line within the buffer. If it is
    /// not, the stall says what will settle it.
    pub(crate) fn error_is_final(
        &mut self,
        unterminated_string: bool,
        after: &[u8],
        at: usize,
    ) -> bool {
        if unterminated_string {
            self.stall_line();
            return false;
        }
        if !after.contains(&b'\n') {
            self.stall = Some(Stall::Error { at });
            return false;
        }
        true
    }

    /// Notes whether the line of the error just reported ended within the
    /// buffer (`ended`): if not, the stream skips the rest of it.
    pub(crate) fn note_error_line(&mut self, ended: bool) {
        self.unfinished_line = !ended;
    }
}

impl<R: Read> Stream<R> {
    /// A stream over `reader` with the default [`ParseOptions`].
    ///
    /// ```
    /// use lineproto::{Point, Stream};
    ///
    /// let body: &[u8] = b"\xEF\xBB\xBFm v=1\nm v=2\n"; // the byte-order mark is skipped
    /// let points: Vec<Point<'static>> =
    ///     Stream::new(body).into_owned_points().collect::<Result<_, _>>()?;
    /// assert_eq!(points.len(), 2);
    /// assert_eq!(points[0].measurement(), "m");
    /// # Ok::<(), lineproto::StreamError>(())
    /// ```
    #[must_use]
    pub fn new(reader: R) -> Self {
        Stream::with_options(reader, ParseOptions::new())
    }

    /// A stream over `reader` with `options`.
    ///
    /// ```
    /// use lineproto::{ParseOptions, Precision, Stream};
    ///
    /// let body: &[u8] = b"m v=1 1700000000\n";
    /// let options = ParseOptions::new().with_precision(Precision::Seconds);
    /// let mut points = Stream::with_options(body, options).into_owned_points();
    /// assert_eq!(points.next().unwrap()?.timestamp(), Some(1_700_000_000_000_000_000));
    /// # Ok::<(), lineproto::StreamError>(())
    /// ```
    #[must_use]
    pub fn with_options(reader: R, options: ParseOptions) -> Self {
        Stream {
            reader,
            state: StreamState::new(options),
        }
    }

    /// Reads more input and returns the lines now available, or `None` when
    /// the input is exhausted.
    ///
    /// A chunk stops before a line that may go on past what has been read;
    /// the next chunk starts with that line. A chunk may hold no line at
    /// all while a long line is being read.
    ///
    /// # Errors
    ///
    /// The reader's error. A read that is interrupted
    /// ([`io::ErrorKind::Interrupted`]) is tried again; after any other
    /// error (`WouldBlock` from a non-blocking reader, say) the stream can
    /// be asked again and goes on where it was.
    ///
    /// ```
    /// use std::io::Read;
    ///
    /// // Two reads, the first ending in the middle of a line.
    /// let reader = (&b"cpu usa"[..]).chain(&b"ge=0.5\ncpu usage=0.7\n"[..]);
    /// let mut stream = lineproto::Stream::new(reader);
    /// let mut per_chunk = Vec::new();
    /// while let Some(chunk) = stream.next_chunk()? {
    ///     per_chunk.push(chunk.count());
    /// }
    /// assert_eq!(per_chunk[0], 0); // no complete line yet
    /// assert_eq!(per_chunk.iter().sum::<usize>(), 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn next_chunk(&mut self) -> io::Result<Option<Chunk<'_>>> {
        loop {
            match self.state.step() {
                Step::Read => {
                    let room = self.state.room();
                    let read = loop {
                        match self.reader.read(room) {
                            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                            read => break read,
                        }
                    };
                    self.state.filled(read?);
                }
                Step::Chunk => return Ok(Some(self.state.chunk())),
                Step::End => return Ok(None),
            }
        }
    }

    /// The physical line number the stream has reached: one more than the
    /// lines fully read so far.
    ///
    /// ```
    /// let mut stream = lineproto::Stream::new(&b"m f=1\n\nm f=2\n"[..]);
    /// while let Some(chunk) = stream.next_chunk()? {
    ///     chunk.for_each(drop);
    /// }
    /// assert_eq!(stream.line_number(), 4);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn line_number(&self) -> usize {
        self.state.line_number()
    }

    /// The reader.
    ///
    /// ```
    /// let stream = lineproto::Stream::new(std::io::Cursor::new(b"m f=1\n"));
    /// assert_eq!(stream.get_ref().position(), 0);
    /// ```
    #[must_use]
    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    /// The reader, to be changed. Reading from it directly takes bytes
    /// the stream will not see.
    ///
    /// ```
    /// let mut stream = lineproto::Stream::new(std::io::Cursor::new(b"m f=1\n"));
    /// stream.get_mut().set_position(0);
    /// ```
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.reader
    }

    /// The reader back. Bytes the stream has read from it but not parsed
    /// yet are dropped.
    ///
    /// ```
    /// let body: &[u8] = b"m f=1\n";
    /// let mut stream = lineproto::Stream::new(body);
    /// while let Some(chunk) = stream.next_chunk()? {
    ///     chunk.for_each(drop);
    /// }
    /// let rest: &[u8] = stream.into_inner();
    /// assert!(rest.is_empty());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn into_inner(self) -> R {
        self.reader
    }

    /// The bytes the stream's buffer takes up: at most the line-length
    /// limit plus two reads (128 KiB), whatever the size of the input.
    ///
    /// ```
    /// use lineproto::{ParseOptions, Stream};
    ///
    /// let body = "m v=1\n".repeat(200_000); // 1.2 MB
    /// let options = ParseOptions::new().with_max_line_length(1024);
    /// let mut stream = Stream::with_options(body.as_bytes(), options);
    /// let mut largest = 0;
    /// while let Some(chunk) = stream.next_chunk()? {
    ///     chunk.for_each(drop);
    ///     largest = largest.max(stream.buffer_capacity());
    /// }
    /// assert!(largest <= 1024 + 128 * 1024);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn buffer_capacity(&self) -> usize {
        self.state.buffer_capacity()
    }

    /// The stream in one loop: an iterator of owned points, or errors
    /// with the text of their line. Every name and string is copied, so
    /// the points outlive the stream and can be sent to other threads.
    ///
    /// ```
    /// let body: &[u8] = b"m v=1\nm v=2\n";
    /// let mut total = 0.0;
    /// for item in lineproto::Stream::new(body).into_owned_points() {
    ///     let point = item?;
    ///     total += point.field("v").and_then(|v| v.as_f64()).unwrap_or(0.0);
    /// }
    /// assert_eq!(total, 3.0);
    /// # Ok::<(), lineproto::StreamError>(())
    /// ```
    #[must_use]
    pub fn into_owned_points(self) -> OwnedPoints<R> {
        OwnedPoints {
            stream: self,
            ready: VecDeque::new(),
            room: (0, 0),
        }
    }
}

impl StreamState {
    pub(crate) fn new(options: ParseOptions) -> Self {
        StreamState {
            buffer: Vec::new(),
            drained: 0,
            progress: Progress {
                consumed: 0,
                line: 1,
                skip_line: false,
                stall: None,
            },
            end_of_input: false,
            request: FIRST_READ_SIZE,
            started: false,
            options,
            skim: None,
            phase: Phase::Begin,
            reading: None,
        }
    }

    /// The physical line number reached: one more than the lines fully
    /// read so far.
    pub(crate) fn line_number(&self) -> usize {
        self.progress.line
    }

    pub(crate) fn buffer_capacity(&self) -> usize {
        self.buffer.capacity()
    }

    /// Goes on making the next chunk: drops what the last chunk parsed,
    /// skips the rest of a line that was too long, reads once (unless the
    /// input has ended), skips a byte-order mark at the start; any of
    /// these may ask for a read first.
    pub(crate) fn step(&mut self) -> Step {
        if let Some(filled) = self.reading.take() {
            self.buffer.truncate(filled);
        }
        loop {
            match self.phase {
                Phase::Begin => {
                    let consumed = std::mem::take(&mut self.progress.consumed);
                    self.drain(consumed);
                    self.phase = Phase::SkipLine;
                }
                Phase::SkipLine => {
                    if !self.progress.skip_line {
                        self.phase = Phase::Read;
                        continue;
                    }
                    if let Some(lf) = self.buffer.iter().position(|&b| b == b'\n') {
                        self.drain(lf + 1);
                        self.progress.line += 1;
                        self.progress.skip_line = false;
                        continue;
                    }
                    self.drain(self.buffer.len());
                    if self.end_of_input {
                        self.progress.skip_line = false;
                        continue;
                    }
                    return Step::Read;
                }
                Phase::Read => {
                    if self.end_of_input && self.buffer.is_empty() {
                        self.phase = Phase::Begin;
                        return Step::End;
                    }
                    if !self.end_of_input {
                        return Step::Read;
                    }
                    self.phase = Phase::ByteOrderMark;
                }
                Phase::ByteOrderMark => {
                    if !self.started {
                        if !self.end_of_input
                            && self.buffer.len() < BYTE_ORDER_MARK.len()
                            && BYTE_ORDER_MARK.starts_with(&self.buffer)
                        {
                            return Step::Read;
                        }
                        if self.buffer.starts_with(BYTE_ORDER_MARK) {
                            self.drain(BYTE_ORDER_MARK.len());
                        }
                        self.started = true;
                    }
                    self.phase = Phase::Begin;
                    return Step::Chunk;
                }
            }
        }
    }

    /// The room for the read [`step`](Self::step) asked for, at the end of
    /// the buffer.
    ///
    /// The room must be zeroed first, so a read costs the room it asks
    /// for, whatever it returns. A reader that returns little at a time (a
    /// socket, a pipe, a reader of single bytes) is asked for twice what
    /// it last gave, at least [`MIN_READ_SIZE`] bytes; one that fills the
    /// room is so asked for more, up to [`READ_SIZE`].
    pub(crate) fn room(&mut self) -> &mut [u8] {
        let filled = self.buffer.len();
        let needed = filled + self.request;
        if needed > self.buffer.capacity() {
            // Grow by doubling, as a `Vec` does, but never past the line
            // limit and two reads: doubling alone takes a buffer that holds
            // a line near the limit to twice the limit.
            let bound = self.options.max_line_length().saturating_add(2 * READ_SIZE);
            let target = self
                .buffer
                .capacity()
                .saturating_mul(2)
                .min(bound)
                .max(needed);
            self.buffer.reserve_exact(target - filled);
        }
        self.buffer.resize(needed, 0);
        self.reading = Some(filled);
        self.buffer.get_mut(filled..).unwrap_or_default()
    }

    /// Takes the `read` bytes the reader put at the start of the
    /// [`room`](Self::room); 0 is the end of the input.
    pub(crate) fn filled(&mut self, read: usize) {
        let Some(filled) = self.reading.take() else {
            return;
        };
        let read = read.min(self.buffer.len().saturating_sub(filled));
        self.buffer.truncate(filled + read);
        self.end_of_input = read == 0;
        self.request = read.saturating_mul(2).clamp(MIN_READ_SIZE, READ_SIZE);
        if self.phase == Phase::Read {
            self.phase = Phase::ByteOrderMark;
        }
    }

    /// The chunk [`step`](Self::step) made ready.
    ///
    /// A line that could not be parsed yet (it starts the buffer) is
    /// parsed again only once the skim finds its end in the bytes read
    /// since, or they settle it otherwise (the end of the input, or the
    /// line passing the limit), so that a long line costs time in
    /// proportion to its length, not to its length times the number of
    /// reads. The skim keeps its place from read to read; it starts anew
    /// for the stall of each parse, at the line's start, or at its error,
    /// after which any line feed ends the line.
    pub(crate) fn chunk(&mut self) -> Chunk<'_> {
        let stall = self.progress.stall.take();
        let resting = match stall {
            Some(stall)
                if !self.end_of_input && self.buffer.len() <= self.options.max_line_length() =>
            {
                let skim = self.skim.get_or_insert_with(|| Skim::for_stall(stall));
                !skim.ended(&self.buffer)
            }
            _ => false,
        };
        if resting {
            self.progress.stall = stall;
        } else {
            self.skim = None;
        }
        let points = Points::resume(
            &self.buffer,
            self.options,
            (self.progress.line, self.drained),
            self.end_of_input,
        );
        Chunk {
            points,
            progress: &mut self.progress,
            resting,
        }
    }

    /// Drops the first `count` bytes of the buffer, read and done with.
    fn drain(&mut self, count: usize) {
        let count = count.min(self.buffer.len());
        self.buffer.drain(..count);
        self.drained += count;
    }
}

/// The complete lines a [`Stream`] has in its buffer; made by
/// [`Stream::next_chunk`].
///
/// Works like [`Points`]: an iterator of points borrowing the stream's
/// buffer, and [`Chunk::next_into`] for parsing into a point the caller
/// keeps.
///
/// ```
/// let body: &[u8] = b"m v=1\nm v=2\n";
/// let mut stream = lineproto::Stream::new(body);
/// let mut lines = Vec::new();
/// while let Some(chunk) = stream.next_chunk()? {
///     for point in chunk {
///         lines.push(point?.to_string());
///     }
/// }
/// assert_eq!(lines, ["m v=1", "m v=2"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Chunk<'s> {
    points: Points<'s>,
    progress: &'s mut Progress,
    /// The end of the unfinished line at the start of the buffer has not
    /// been read yet: this chunk holds no line.
    resting: bool,
}

impl<'s> Chunk<'s> {
    /// Parses the next point into `point`, as [`Points::next_into`] does.
    ///
    /// ```
    /// let mut stream = lineproto::Stream::new(&b"m v=1\nm v=2\n"[..]);
    /// let mut total = 0.0;
    /// while let Some(mut chunk) = stream.next_chunk()? {
    ///     let mut point = lineproto::Point::new();
    ///     while let Some(result) = chunk.next_into(&mut point) {
    ///         result.unwrap();
    ///         total += point.field("v").and_then(|v| v.as_f64()).unwrap_or(0.0);
    ///     }
    /// }
    /// assert_eq!(total, 3.0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use = "a bad line is reported only through the returned result"]
    pub fn next_into(&mut self, point: &mut Point<'s>) -> Option<Result<(), ParseError>> {
        if self.resting {
            return None;
        }
        let result = self.points.next_into(point);
        *self.progress = Progress::of(&self.points);
        result
    }

    /// The physical line on which the last point or error returned began.
    ///
    /// ```
    /// use std::io::Read;
    ///
    /// // The second point arrives in a later read, and so in a later chunk.
    /// let reader = (&b"# sensors\nm v=1\n\nm v"[..]).chain(&b"=2\n"[..]);
    /// let mut stream = lineproto::Stream::new(reader);
    /// let mut lines = Vec::new();
    /// while let Some(mut chunk) = stream.next_chunk()? {
    ///     while chunk.next().is_some() {
    ///         lines.push(chunk.line_number());
    ///     }
    /// }
    /// assert_eq!(lines, [2, 4]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn line_number(&self) -> usize {
        self.points.line_number()
    }

    /// The text of physical line `line` (a number as in
    /// [`ParseError::line`]), without its line break, for showing the line
    /// of an error: empty if the line is not in this chunk. As
    /// [`Points::line_text`], the line of the item just returned is found
    /// from where it began.
    ///
    /// ```
    /// let mut stream = lineproto::Stream::new(&b"m v=1\nm v=x\n"[..]);
    /// while let Some(mut chunk) = stream.next_chunk()? {
    ///     while let Some(result) = chunk.next() {
    ///         if let Err(err) = result {
    ///             assert_eq!(chunk.line_text(err.line()), b"m v=x");
    ///         }
    ///     }
    /// }
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use]
    pub fn line_text(&self, line: usize) -> &'s [u8] {
        self.points.line_text(line)
    }

    /// The parser of the chunk, for its lines' numbers and texts.
    #[cfg(feature = "arrow")]
    pub(crate) fn points(&self) -> &Points<'s> {
        &self.points
    }
}

impl<'s> Iterator for Chunk<'s> {
    type Item = Result<Point<'s>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.resting {
            return None;
        }
        let item = self.points.next();
        *self.progress = Progress::of(&self.points);
        item
    }
}

/// A [`Stream`] as an iterator of owned points; made by
/// [`Stream::into_owned_points`].
///
/// Each item is a point, or a [`StreamError`]: a line that could not be
/// parsed (with its text), after which the iteration goes on, or the
/// reader's error.
///
/// ```
/// use lineproto::{Stream, StreamError};
///
/// let body: &[u8] = b"cpu usage=0.5\ncpu usage=bad\ncpu usage=0.7\n";
/// let mut items = Stream::new(body).into_owned_points();
/// assert_eq!(items.next().unwrap()?.to_string(), "cpu usage=0.5");
/// assert!(matches!(items.next(), Some(Err(StreamError::Line(err))) if err.line() == 2));
/// assert_eq!(items.next().unwrap()?.to_string(), "cpu usage=0.7");
/// assert!(items.next().is_none());
/// # Ok::<(), StreamError>(())
/// ```
#[derive(Debug)]
pub struct OwnedPoints<R> {
    stream: Stream<R>,
    ready: VecDeque<Result<Point<'static>, LineError>>,
    /// The room the point each chunk is parsed into grew to in earlier
    /// chunks (entries, bytes of text), given to it from the start.
    room: (usize, usize),
}

impl<R: Read> Iterator for OwnedPoints<R> {
    type Item = Result<Point<'static>, StreamError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(item.map_err(StreamError::Line));
            }
            match self.stream.next_chunk() {
                Ok(Some(mut chunk)) => {
                    // One point parsed into and detached from, so that
                    // each point handed out costs only its own list and
                    // text.
                    let mut point = Point::with_room(self.room);
                    while let Some(result) = chunk.next_into(&mut point) {
                        self.ready.push_back(match result {
                            Ok(()) => Ok(point.detached()),
                            Err(err) => Err(LineError::from_parse_error(
                                &err,
                                chunk.line_text(err.line()),
                            )),
                        });
                    }
                    self.room = point.room();
                }
                Ok(None) => return None,
                Err(err) => return Some(Err(StreamError::Io(err))),
            }
        }
    }
}

impl<R> OwnedPoints<R> {
    /// The stream, to ask for its [`line_number`](Stream::line_number) or
    /// its reader.
    ///
    /// ```
    /// let body: &[u8] = b"m v=1\n";
    /// let mut points = lineproto::Stream::new(body).into_owned_points();
    /// points.next();
    /// assert_eq!(points.stream().line_number(), 2);
    /// ```
    #[must_use]
    pub fn stream(&self) -> &Stream<R> {
        &self.stream
    }
}

/// What [`OwnedPoints`] yields in place of a point: a line that could not
/// be parsed, or the reader's error.
///
/// ```
/// use lineproto::{Stream, StreamError};
///
/// let body: &[u8] = b"m v=1\nm v=oops\n";
/// for item in Stream::new(body).into_owned_points() {
///     match item {
///         Ok(point) => assert_eq!(point.measurement(), "m"),
///         Err(StreamError::Line(err)) => {
///             assert_eq!(err.line(), 2);
///             assert_eq!(err.original_line(), "m v=oops");
///         }
///         Err(StreamError::Io(err)) => return Err(err),
///     }
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// A line could not be parsed: its number, column, text (cut to 256
    /// bytes) and what was wrong. The stream goes on after it.
    #[error(transparent)]
    Line(LineError),
    /// The reader failed. The stream can be asked again after an error of
    /// kind [`io::ErrorKind::WouldBlock`].
    #[error("reading failed: {0}")]
    Io(#[from] io::Error),
}
