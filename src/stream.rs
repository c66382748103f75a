//! Parsing a stream with memory bounded by the longest line.

use std::cell::Cell;
use std::collections::VecDeque;
use std::io::{self, Read};

use crate::error::ParseError;
use crate::lines::{BYTE_ORDER_MARK, LineTexts, Points, Stall};
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
    buffer: Vec<u8>,
    progress: Progress,
    end_of_input: bool,
    /// How many bytes the next read asks for (see [`Stream::read_more`]).
    request: usize,
    /// Whether the start of the input, where a byte-order mark is skipped,
    /// has been read.
    started: bool,
    options: ParseOptions,
    /// How far the line at the start of the buffer, which could not be
    /// parsed yet, has been skimmed for its end, since the parse that
    /// stalled on it.
    skim: Option<Skim>,
}

/// How far the chunks handed out have got, written by the chunk and read
/// by the stream when it is asked for the next one.
#[derive(Debug)]
struct Progress {
    /// Bytes of the buffer fully parsed.
    consumed: Cell<usize>,
    /// The physical line number at `consumed`.
    line: Cell<usize>,
    /// The rest of the current line, up to its line feed, is to be skipped
    /// (it was too long).
    skip_line: Cell<bool>,
    /// The line at the end of the buffer could not be parsed yet, and what
    /// settles it.
    stall: Cell<Option<Stall>>,
}

impl<R: Read> Stream<R> {
    /// A stream over `reader` with the default [`ParseOptions`].
    #[must_use]
    pub fn new(reader: R) -> Self {
        Stream::with_options(reader, ParseOptions::new())
    }

    /// A stream over `reader` with `options`.
    #[must_use]
    pub fn with_options(reader: R, options: ParseOptions) -> Self {
        Stream {
            reader,
            buffer: Vec::new(),
            progress: Progress {
                consumed: Cell::new(0),
                line: Cell::new(1),
                skip_line: Cell::new(false),
                stall: Cell::new(None),
            },
            end_of_input: false,
            request: FIRST_READ_SIZE,
            started: false,
            options,
            skim: None,
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
    /// The reader's error. The stream can be asked again after an error of
    /// kind [`io::ErrorKind::Interrupted`] or `WouldBlock`.
    pub fn next_chunk(&mut self) -> io::Result<Option<Chunk<'_>>> {
        let consumed = self.progress.consumed.replace(0);
        self.buffer.drain(..consumed.min(self.buffer.len()));
        if self.progress.skip_line.get() {
            self.skip_rest_of_line()?;
        }
        if self.end_of_input && self.buffer.is_empty() {
            return Ok(None);
        }
        if !self.end_of_input {
            self.read_more()?;
        }
        if !self.started {
            self.skip_byte_order_mark()?;
        }
        // A line that could not be parsed yet (it starts the buffer) is
        // parsed again only once the skim finds its end in the bytes read
        // since, or they settle it otherwise (the end of the input, or the
        // line passing the limit), so that a long line costs time in
        // proportion to its length, not to its length times the number of
        // reads. The skim keeps its place from read to read; it starts
        // anew for the stall of each parse, at the line's start, or at its
        // error, after which any line feed ends the line.
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
            self.progress.stall.set(stall);
        } else {
            self.skim = None;
        }
        let first_line = self.progress.line.get();
        let points = Points::resume(&self.buffer, self.options, first_line, self.end_of_input);
        Ok(Some(Chunk {
            points,
            progress: &self.progress,
            texts: LineTexts::new(&self.buffer),
            first_line,
            resting,
        }))
    }

    /// The physical line number the stream has reached: one more than the
    /// lines fully read so far.
    #[must_use]
    pub fn line_number(&self) -> usize {
        self.progress.line.get()
    }

    /// The bytes the stream's buffer takes up: at most the line-length
    /// limit plus two reads (128 KiB), whatever the size of the input.
    #[must_use]
    pub fn buffer_capacity(&self) -> usize {
        self.buffer.capacity()
    }

    /// An iterator of owned points: every name and string is copied, so
    /// the points outlive the stream and can be sent to other threads.
    ///
    /// ```
    /// let body: &[u8] = b"m v=1\nm v=2\n";
    /// let points: Vec<lineproto::Point<'static>> = lineproto::Stream::new(body)
    ///     .into_owned_points()
    ///     .map(|item| item.unwrap().unwrap())
    ///     .collect();
    /// assert_eq!(points.len(), 2);
    /// ```
    #[must_use]
    pub fn into_owned_points(self) -> OwnedPoints<R> {
        OwnedPoints {
            stream: self,
            ready: VecDeque::new(),
            room: (0, 0),
        }
    }

    /// Appends at least one read's worth of input to the buffer, or notes
    /// the end of the input.
    ///
    /// The room a read is given must be zeroed first, so a read costs the
    /// room it asks for, whatever it returns. A reader that returns little
    /// at a time (a socket, a pipe, a reader of single bytes) is asked for
    /// twice what it last gave, at least [`MIN_READ_SIZE`] bytes; one that
    /// fills the room is so asked for more, up to [`READ_SIZE`].
    fn read_more(&mut self) -> io::Result<()> {
        let filled = self.buffer.len();
        self.buffer.resize(filled + self.request, 0);
        let read = loop {
            match self
                .reader
                .read(self.buffer.get_mut(filled..).unwrap_or_default())
            {
                Ok(read) => break Ok(read),
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => break Err(err),
            }
        };
        let read = read.inspect_err(|_| self.buffer.truncate(filled))?;
        self.buffer.truncate(filled + read);
        self.end_of_input = read == 0;
        self.request = read.saturating_mul(2).clamp(MIN_READ_SIZE, READ_SIZE);
        Ok(())
    }

    /// Drops a byte-order mark at the start of the input, reading until
    /// there are enough bytes to tell.
    fn skip_byte_order_mark(&mut self) -> io::Result<()> {
        while !self.end_of_input
            && self.buffer.len() < BYTE_ORDER_MARK.len()
            && BYTE_ORDER_MARK.starts_with(&self.buffer)
        {
            self.read_more()?;
        }
        if self.buffer.starts_with(BYTE_ORDER_MARK) {
            self.buffer.drain(..BYTE_ORDER_MARK.len());
        }
        self.started = true;
        Ok(())
    }

    /// Drops input up to and including the next line feed, reading as
    /// needed, for a line that was too long.
    fn skip_rest_of_line(&mut self) -> io::Result<()> {
        loop {
            if let Some(lf) = self.buffer.iter().position(|&b| b == b'\n') {
                self.buffer.drain(..=lf);
                self.progress.line.set(self.progress.line.get() + 1);
                self.progress.skip_line.set(false);
                return Ok(());
            }
            self.buffer.clear();
            if self.end_of_input {
                self.progress.skip_line.set(false);
                return Ok(());
            }
            self.read_more()?;
        }
    }
}

/// The complete lines a [`Stream`] has in its buffer; made by
/// [`Stream::next_chunk`].
///
/// Works like [`Points`]: an iterator of points borrowing the stream's
/// buffer, and [`Chunk::next_into`] for parsing into a point the caller
/// keeps.
#[derive(Debug)]
pub struct Chunk<'s> {
    points: Points<'s>,
    progress: &'s Progress,
    texts: LineTexts<'s>,
    first_line: usize,
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
        self.record_progress();
        result
    }

    /// Tells the stream how far the chunk has got.
    fn record_progress(&self) {
        self.progress.consumed.set(self.points.offset());
        self.progress.line.set(self.points.next_line_number());
        self.progress.skip_line.set(self.points.unfinished_line());
        self.progress.stall.set(self.points.stall());
    }

    /// The physical line on which the last point or error returned began.
    #[must_use]
    pub fn line_number(&self) -> usize {
        self.points.line_number()
    }

    /// The text of physical line `line` (a number as in [`ParseError::line`]),
    /// without its line feed, for showing the line of an error: empty if
    /// the line is not in this chunk. Asking for lines in increasing order
    /// reads the chunk once.
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
    pub fn line_text(&mut self, line: usize) -> &'s [u8] {
        match line.checked_sub(self.first_line) {
            Some(index) => self.texts.text(index + 1),
            None => &[],
        }
    }
}

impl<'s> Iterator for Chunk<'s> {
    type Item = Result<Point<'s>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.resting {
            return None;
        }
        let item = self.points.next();
        self.record_progress();
        item
    }
}

/// A [`Stream`] as an iterator of owned points; made by
/// [`Stream::into_owned_points`].
///
/// Each item is the reader's error, or the line's point or parse error.
#[derive(Debug)]
pub struct OwnedPoints<R> {
    stream: Stream<R>,
    ready: VecDeque<Result<Point<'static>, ParseError>>,
    /// The room the point each chunk is parsed into grew to in earlier
    /// chunks (entries, bytes of text), given to it from the start.
    room: (usize, usize),
}

impl<R: Read> Iterator for OwnedPoints<R> {
    type Item = io::Result<Result<Point<'static>, ParseError>>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(Ok(item));
            }
            match self.stream.next_chunk() {
                Ok(Some(mut chunk)) => {
                    // One point parsed into and detached from, so that
                    // each point handed out costs only its own list and
                    // text.
                    let mut point = Point::with_room(self.room);
                    while let Some(result) = chunk.next_into(&mut point) {
                        self.ready.push_back(result.map(|()| point.detached()));
                    }
                    self.room = point.room();
                }
                Ok(None) => return None,
                Err(err) => return Some(Err(err)),
            }
        }
    }
}
