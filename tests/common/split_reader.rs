//! A reader that splits its data into reads of given sizes, for tests of
//! `Stream`.

use std::io::{self, Read};

/// Hands out its data in reads of the given sizes (cycled, each at least
/// one byte), the way a socket or a decompressor does; as an async reader,
/// it makes its caller wait before each read.
pub(crate) struct SplitReader<'a> {
    data: &'a [u8],
    sizes: Vec<usize>,
    next: usize,
    #[allow(dead_code)]
    ready: bool,
}

impl<'a> SplitReader<'a> {
    pub(crate) fn new(data: &'a [u8], sizes: &[usize]) -> Self {
        SplitReader {
            data,
            sizes: sizes.to_vec(),
            next: 0,
            ready: false,
        }
    }

    /// The next read's bytes, into the start of `buf`.
    fn give(&mut self, buf: &mut [u8]) -> usize {
        let size = self.sizes[self.next % self.sizes.len()].max(1);
        self.next += 1;
        let n = size.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        n
    }
}

impl Read for SplitReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(self.give(buf))
    }
}

#[cfg(feature = "tokio")]
impl tokio::io::AsyncRead for SplitReader<'_> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<io::Result<()>> {
        if !self.ready {
            self.ready = true;
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        self.ready = false;
        let n = self.give(buf.initialize_unfilled());
        buf.advance(n);
        std::task::Poll::Ready(Ok(()))
    }
}
