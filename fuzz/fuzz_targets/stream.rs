//! A `Stream` over a reader that splits arbitrary bytes into arbitrary
//! reads (with interruptions), its chunks sometimes dropped half read:
//! it yields exactly what `parse_with` yields on the whole buffer, and so
//! does `Stream::into_owned_points` over the same reads;
//! `Chunk::line_text` shows the line of each error; and the skim that
//! tells the stream when to parse a long line again never ends a line
//! before the parser does. An `AsyncStream` over the same reads, its
//! `next_chunk` future dropped each time a read makes it wait, yields the
//! same.
#![no_main]

use std::future::Future;
use std::io::{self, Read};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use lineproto::{
    AsyncStream, ParseError, ParseErrorKind, ParseOptions, Point, Stream, StreamError,
};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    /// Bytes per read, in turn; 0 is an `Interrupted` error.
    reads: Vec<u8>,
    /// Items taken from a chunk before it is dropped; 0 takes all.
    per_chunk: u8,
    max_line_length: Option<u8>,
    data: &'a [u8],
}

struct Reads<'a> {
    data: &'a [u8],
    sizes: &'a [u8],
    turn: usize,
    interrupted: bool,
}

impl Read for Reads<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let size = match self.sizes {
            [] => buf.len(),
            sizes => usize::from(sizes[self.turn % sizes.len()]),
        };
        self.turn += 1;
        if size == 0 && !self.interrupted {
            self.interrupted = true;
            return Err(io::ErrorKind::Interrupted.into());
        }
        self.interrupted = false;
        let n = size.max(1).min(buf.len()).min(self.data.len());
        let (now, later) = self.data.split_at(n);
        buf[..n].copy_from_slice(now);
        self.data = later;
        Ok(n)
    }
}

/// As an async reader, a read of size 0 makes the caller wait (and its
/// future may be dropped) where the blocking reader reports `Interrupted`.
impl tokio::io::AsyncRead for Reads<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let size = match self.sizes {
            [] => buf.remaining(),
            sizes => usize::from(sizes[self.turn % sizes.len()]),
        };
        self.turn += 1;
        if size == 0 && !self.interrupted {
            self.interrupted = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.interrupted = false;
        let n = size.max(1).min(buf.remaining()).min(self.data.len());
        let (now, later) = self.data.split_at(n);
        buf.put_slice(now);
        self.data = later;
        Poll::Ready(Ok(()))
    }
}

/// Every item of an `AsyncStream` over `reader`, each `next_chunk` polled
/// once and dropped if it waits, then asked again.
fn streamed_async(
    reader: Reads<'_>,
    options: ParseOptions,
) -> Vec<Result<Point<'static>, ParseError>> {
    let mut stream = AsyncStream::with_options(reader, options);
    let mut context = Context::from_waker(Waker::noop());
    let mut got = Vec::new();
    loop {
        let next = std::pin::pin!(stream.next_chunk());
        match next.poll(&mut context) {
            Poll::Ready(Ok(Some(chunk))) => got.extend(chunk.map(|r| r.map(Point::into_owned))),
            Poll::Ready(Ok(None)) => return got,
            Poll::Ready(Err(err)) => panic!("reader error {err}"),
            Poll::Pending => {}
        }
    }
}

fuzz_target!(|input: Input<'_>| {
    // The skim that tells a stream when to parse a long line again never
    // ends a line before the parser does.
    let piece = input.reads.first().map_or(7, |&size| usize::from(size));
    if let Some(err) = lineproto::fuzzing::skim_disagreement(input.data, piece) {
        panic!("{err} in {:?}", String::from_utf8_lossy(input.data));
    }
    let mut options = ParseOptions::new();
    if let Some(bytes) = input.max_line_length {
        options = options.with_max_line_length(usize::from(bytes));
    }
    let expected: Vec<_> = lineproto::parse_with(input.data, options)
        .map(|r| r.map(Point::into_owned))
        .collect();
    // Physical lines, and without their line ends (LF or CRLF); the first
    // without the byte-order mark the stream skips.
    let data = input
        .data
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(input.data);
    let raw: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let mut lines = raw.clone();
    let last = lines.len() - 1;
    for line in &mut lines[..last] {
        *line = line.strip_suffix(b"\r").unwrap_or(line);
    }

    let reader = Reads {
        data: input.data,
        sizes: &input.reads,
        turn: 0,
        interrupted: false,
    };
    let mut stream = Stream::with_options(reader, options);
    let mut got = Vec::new();
    loop {
        let mut chunk = match stream.next_chunk() {
            Ok(Some(chunk)) => chunk,
            Ok(None) => break,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => panic!("reader error {err}"),
        };
        let mut taken = 0_usize;
        while let Some(result) = chunk.next() {
            if let Err(err) = &result {
                // A line too long for the buffer may be shown cut short.
                let (text, n) = (chunk.line_text(err.line()), err.line() - 1);
                let too_long = matches!(err.kind(), ParseErrorKind::LineTooLong { .. });
                let cut = too_long && raw[n].starts_with(text);
                assert!(text == lines[n] || cut, "{err}: {text:?}");
            }
            got.push(result.map(Point::into_owned));
            taken += 1;
            if taken == usize::from(input.per_chunk) {
                break;
            }
        }
    }
    assert_eq!(got, expected);

    // The same reads through an `AsyncStream`.
    let reader = Reads {
        data: input.data,
        sizes: &input.reads,
        turn: 0,
        interrupted: false,
    };
    assert_eq!(streamed_async(reader, options), expected);

    // The same reads through the one loop of `into_owned_points`.
    let reader = Reads {
        data: input.data,
        sizes: &input.reads,
        turn: 0,
        interrupted: false,
    };
    // Errors come with their line's text there; compared by place and
    // message.
    let mut owned = Vec::new();
    for item in Stream::with_options(reader, options).into_owned_points() {
        match item {
            Ok(point) => owned.push(Ok(point)),
            Err(StreamError::Line(err)) => {
                // A line too long for the buffer may be shown cut short.
                if !err.message().starts_with("line is longer than the limit") {
                    let shown = String::from_utf8_lossy(lines[err.line() - 1]);
                    assert!(
                        shown.starts_with(err.original_line().trim_end_matches('…')),
                        "{err}: {:?}",
                        err.original_line()
                    );
                }
                owned.push(Err((err.line(), err.column(), err.message())));
            }
            Err(StreamError::Io(err)) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(StreamError::Io(err)) => panic!("reader error {err}"),
        }
    }
    let expected: Vec<_> = expected
        .into_iter()
        .map(|result| {
            result.map_err(|err| (err.line(), Some(err.column()), err.kind().to_string()))
        })
        .collect();
    assert_eq!(owned, expected);
});
