//! A reader that splits its data into reads of given sizes, for tests of
//! `Stream`.

use std::io::{self, Read};

/// Hands out its data in reads of the given sizes (cycled, each at least
/// one byte), the way a socket or a decompressor does.
pub(crate) struct SplitReader<'a> {
    data: &'a [u8],
    sizes: Vec<usize>,
    next: usize,
}

impl<'a> SplitReader<'a> {
    pub(crate) fn new(data: &'a [u8], sizes: &[usize]) -> Self {
        SplitReader {
            data,
            sizes: sizes.to_vec(),
            next: 0,
        }
    }
}

impl Read for SplitReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let size = self.sizes[self.next % self.sizes.len()].max(1);
        self.next += 1;
        let n = size.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}
