//! Line protocol read from an asynchronous reader (the `tokio` feature).

use std::future::poll_fn;
use std::io;
use std::pin::Pin;

use tokio::io::{AsyncRead, ReadBuf};

use crate::options::ParseOptions;
use crate::stream::{Chunk, Step, StreamState};

/// Line protocol read from a [`tokio::io::AsyncRead`] (a socket, a
/// request body, a decompressor), parsed as it arrives with memory
/// bounded by the longest line: [`Stream`](crate::Stream) for async code.
///
/// It keeps the same buffer and hands out the same [`Chunk`]s as
/// [`Stream`](crate::Stream), so for every input and however the reads
/// split it, it yields exactly the points and errors of
/// [`parse_with`](crate::parse_with) on the whole input, with the same line
/// numbers, under the same line-length limit; a long line is parsed
/// again only once a read brings what can end it.
///
/// An HTTP body that comes as a stream of `Bytes` (hyper's and axum's)
/// becomes an `AsyncRead` through `tokio_util::io::StreamReader`.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use lineproto::AsyncStream;
///
/// let body: &[u8] = b"home,room=Kitchen temp=21.0 1\nhome temp=bad 2\n";
/// let mut stream = AsyncStream::new(body);
/// let (mut points, mut errors) = (0, 0);
/// while let Some(chunk) = stream.next_chunk().await? {
///     for result in chunk {
///         match result {
///             Ok(_) => points += 1,
///             Err(err) => errors += usize::from(err.line() == 2),
///         }
///     }
/// }
/// assert_eq!((points, errors), (1, 1));
/// # Ok::<(), std::io::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct AsyncStream<R> {
    reader: R,
    state: StreamState,
}

impl<R: AsyncRead + Unpin> AsyncStream<R> {
    /// A stream over `reader` with the default [`ParseOptions`].
    ///
    /// ```
    /// let stream = lineproto::AsyncStream::new(&b"m v=1\n"[..]);
    /// assert_eq!(stream.line_number(), 1);
    /// ```
    #[must_use]
    pub fn new(reader: R) -> Self {
        AsyncStream::with_options(reader, ParseOptions::new())
    }

    /// A stream over `reader` with `options`: its precision, and the
    /// line-length limit that bounds its memory.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use lineproto::{AsyncStream, ParseOptions, Precision};
    ///
    /// let options = ParseOptions::new().with_precision(Precision::Seconds);
    /// let mut stream = AsyncStream::with_options(&b"m v=1 1700000000\n"[..], options);
    /// let mut chunk = stream.next_chunk().await?.unwrap();
    /// assert_eq!(chunk.next().unwrap().unwrap().timestamp(), Some(1_700_000_000_000_000_000));
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    #[must_use]
    pub fn with_options(reader: R, options: ParseOptions) -> Self {
        AsyncStream {
            reader,
            state: StreamState::new(options),
        }
    }

    /// Reads more input and returns the lines now available, or `None`
    /// when the input is exhausted, as [`Stream::next_chunk`](crate::Stream::next_chunk)
    /// does.
    ///
    /// # Errors
    ///
    /// The reader's error. A read that is interrupted
    /// ([`io::ErrorKind::Interrupted`]) is tried again; after any other
    /// error the stream can be asked again and goes on where it was.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it completes, no input
    /// is lost, and the next call goes on where it was.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use tokio::io::AsyncReadExt;
    ///
    /// // Two reads, the first ending in the middle of a line.
    /// let reader = (&b"cpu usa"[..]).chain(&b"ge=0.5\ncpu usage=0.7\n"[..]);
    /// let mut stream = lineproto::AsyncStream::new(reader);
    /// let mut per_chunk = Vec::new();
    /// while let Some(chunk) = stream.next_chunk().await? {
    ///     per_chunk.push(chunk.count());
    /// }
    /// assert_eq!(per_chunk[0], 0); // no complete line yet
    /// assert_eq!(per_chunk.iter().sum::<usize>(), 2);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn next_chunk(&mut self) -> io::Result<Option<Chunk<'_>>> {
        loop {
            match self.state.step() {
                Step::Read => {
                    let room = self.state.room();
                    let mut buf = ReadBuf::new(room);
                    let reader = &mut self.reader;
                    loop {
                        let read = poll_fn(|cx| Pin::new(&mut *reader).poll_read(cx, &mut buf));
                        match read.await {
                            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                            read => break read?,
                        }
                    }
                    let read = buf.filled().len();
                    self.state.filled(read);
                }
                Step::Chunk => return Ok(Some(self.state.chunk())),
                Step::End => return Ok(None),
            }
        }
    }
}

impl<R> AsyncStream<R> {
    /// The physical line number the stream has reached: one more than the
    /// lines fully read so far.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let mut stream = lineproto::AsyncStream::new(&b"m f=1\n\nm f=2\n"[..]);
    /// while let Some(chunk) = stream.next_chunk().await? {
    ///     chunk.for_each(drop);
    /// }
    /// assert_eq!(stream.line_number(), 4);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    #[must_use]
    pub fn line_number(&self) -> usize {
        self.state.line_number()
    }

    /// The bytes the stream's buffer takes up: at most the line-length
    /// limit plus two reads (128 KiB), whatever the size of the input.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use lineproto::{AsyncStream, ParseOptions};
    ///
    /// let body = "m v=1\n".repeat(200_000); // 1.2 MB
    /// let options = ParseOptions::new().with_max_line_length(1024);
    /// let mut stream = AsyncStream::with_options(body.as_bytes(), options);
    /// let mut largest = 0;
    /// while let Some(chunk) = stream.next_chunk().await? {
    ///     chunk.for_each(drop);
    ///     largest = largest.max(stream.buffer_capacity());
    /// }
    /// assert!(largest <= 1024 + 128 * 1024);
    /// # Ok::<(), std::io::Error>(())
    /// # }).unwrap();
    /// ```
    #[must_use]
    pub fn buffer_capacity(&self) -> usize {
        self.state.buffer_capacity()
    }

    /// The reader.
    ///
    /// ```
    /// let body: &[u8] = b"m f=1\n";
    /// let stream = lineproto::AsyncStream::new(body);
    /// assert_eq!(stream.get_ref().len(), 6);
    /// ```
    #[must_use]
    pub fn get_ref(&self) -> &R {
        &self.reader
    }

    /// The reader, to be changed. Reading from it directly takes bytes
    /// the stream will not see.
    ///
    /// ```
    /// let mut stream = lineproto::AsyncStream::new(std::io::Cursor::new(b"m f=1\n"));
    /// stream.get_mut().set_position(0);
    /// ```
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.reader
    }

    /// The reader back. Bytes the stream has read from it but not parsed
    /// yet are dropped.
    ///
    /// ```
    /// let stream = lineproto::AsyncStream::new(&b"m f=1\n"[..]);
    /// let rest: &[u8] = stream.into_inner();
    /// assert_eq!(rest, b"m f=1\n");
    /// ```
    #[must_use]
    pub fn into_inner(self) -> R {
        self.reader
    }
}
