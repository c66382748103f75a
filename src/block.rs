//! One heap block holding a point's tags and fields and the text they
//! refer to, so that a point handed out by the iterator costs exactly one
//! allocation, escapes or not.
//!
//! A [`Block`] is a list of [`Entry`] values followed by the bytes of a
//! `&str`, laid out one after the other in memory obtained from the global
//! allocator. It is built once from a slice and a string and never grows;
//! the entries can be reordered in place ([`Block::entries_and_text_mut`]), the
//! text never changes. This takes `unsafe` code, so it lives in a module
//! of its own: each block says why it is sound, and the property tests
//! below, the allocation test and the `parse` fuzz target (whose points
//! come through the iterator and are compared with the points of
//! `next_into`, which keeps its tags, fields and text in a `Vec` and a
//! `String`) check it against the safe representation.
//!
//! Without it, a point with escapes made two allocations: its list and the
//! string its unescaped names and values live in. The second allocation
//! and free cost about as much as parsing a short line's tag.
#![allow(unsafe_code)]

use std::alloc::{self, Layout};
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use crate::point::Entry;

/// A fixed list of entries and a fixed text in one allocation.
pub(crate) struct Block<'a> {
    /// The start of the allocation: `entries` entries, then `text_len`
    /// bytes of UTF-8 text right after them (see [`Block::text_offset`]).
    /// Dangling (and not allocated) when the layout has size 0.
    start: NonNull<Entry<'a>>,
    entries: usize,
    text_len: usize,
    /// The block owns its entries (which borrow the input for `'a`) and
    /// its bytes, as a `Box<[Entry<'a>]>` and a `Box<str>` would.
    _owns: PhantomData<(Box<[Entry<'a>]>, Box<str>)>,
}

// SAFETY: a `Block` owns its allocation outright, like the `Box<[Entry]>`
// and `Box<str>` it stands for, and hands out `&` and `&mut` to it only
// through `&self` and `&mut self`, so it may move to and be shared between
// threads exactly when those boxes may: when `Entry<'a>` is `Send` and
// `Sync`, which it is (it holds `&str`, numbers and `bool`s). The bounds
// below keep that argument checked by the compiler.
unsafe impl<'a> Send for Block<'a> where Entry<'a>: Send {}
// SAFETY: as for `Send` above.
unsafe impl<'a> Sync for Block<'a> where Entry<'a>: Sync {}

impl<'a> Block<'a> {
    /// The layout of `entries` entries followed by `text_len` bytes, and
    /// the offset of the bytes; `None` when that would not fit in
    /// `isize::MAX` bytes.
    fn layout(entries: usize, text_len: usize) -> Option<(Layout, usize)> {
        let list = Layout::array::<Entry<'a>>(entries).ok()?;
        let text = Layout::array::<u8>(text_len).ok()?;
        list.extend(text).ok()
    }

    /// Where the text starts: right after the entries, since bytes need
    /// no alignment (what `Layout::extend` gives, checked in `new`).
    #[inline(always)]
    fn text_offset(entries: usize) -> usize {
        entries * size_of::<Entry<'a>>()
    }

    /// A block holding a copy of `entries` and of `text`; `None` only
    /// when their sizes add up to more than `isize::MAX` bytes.
    pub(crate) fn new(entries: &[Entry<'a>], text: &str) -> Option<Block<'a>> {
        let (layout, text_offset) = Self::layout(entries.len(), text.len())?;
        if text_offset != Self::text_offset(entries.len()) {
            return None;
        }
        let start = if layout.size() == 0 {
            NonNull::dangling()
        } else {
            // SAFETY: the layout has a non-zero size, as `alloc` requires.
            let raw = unsafe { alloc::alloc(layout) };
            match NonNull::new(raw) {
                Some(raw) => raw.cast::<Entry<'a>>(),
                None => alloc::handle_alloc_error(layout),
            }
        };
        // SAFETY: the allocation is `layout.size()` bytes, aligned for
        // `Entry` (the layout starts with an array of entries): room for
        // `entries.len()` entries at its start and `text.len()` bytes at
        // `text_offset`, which `Layout::extend` places after them. A new
        // allocation overlaps neither source. `Entry` is `Copy`, so a
        // bitwise copy is a valid value with nothing to drop twice. With
        // size 0 both copies are of 0 elements, which a dangling, aligned
        // pointer allows.
        unsafe {
            ptr::copy_nonoverlapping(entries.as_ptr(), start.as_ptr(), entries.len());
            ptr::copy_nonoverlapping(
                text.as_ptr(),
                start.as_ptr().cast::<u8>().add(text_offset),
                text.len(),
            );
        }
        Some(Block {
            start,
            entries: entries.len(),
            text_len: text.len(),
            _owns: PhantomData,
        })
    }

    /// Where the text starts in the allocation.
    #[inline(always)]
    fn text_start(&self) -> *const u8 {
        self.start
            .as_ptr()
            .cast::<u8>()
            .wrapping_add(Self::text_offset(self.entries))
    }

    /// The entries, in the order given (or as sorted since).
    #[inline]
    pub(crate) fn entries(&self) -> &[Entry<'a>] {
        // SAFETY: `new` wrote `self.entries` initialized entries at
        // `start` (or there are 0 of them at a dangling, aligned pointer),
        // and they stay valid while `self` lives: only
        // `entries_and_text_mut` changes them, and it needs `&mut self`.
        unsafe { std::slice::from_raw_parts(self.start.as_ptr(), self.entries) }
    }

    /// The entries, to be reordered, and the text, to compare them by.
    #[inline]
    pub(crate) fn entries_and_text_mut(&mut self) -> (&mut [Entry<'a>], &str) {
        // SAFETY: as in `entries` and `text`; the entries end where the
        // text starts, so the two slices do not overlap, and `&mut self`
        // makes them the only references into the block while they live.
        unsafe {
            let entries = std::slice::from_raw_parts_mut(self.start.as_ptr(), self.entries);
            let bytes = std::slice::from_raw_parts(self.text_start(), self.text_len);
            (entries, std::str::from_utf8_unchecked(bytes))
        }
    }

    /// The text.
    #[inline]
    pub(crate) fn text(&self) -> &str {
        // SAFETY: `new` copied the `text_len` bytes at the text offset from
        // a `&str`, so they are initialized and UTF-8, and nothing writes
        // them again (`entries_and_text_mut` changes only the entries,
        // which end where the text starts).
        unsafe {
            let bytes = std::slice::from_raw_parts(self.text_start(), self.text_len);
            std::str::from_utf8_unchecked(bytes)
        }
    }
}

impl Drop for Block<'_> {
    fn drop(&mut self) {
        // `new` succeeded with these sizes, so their layout exists.
        if let Some((layout, _)) = Self::layout(self.entries, self.text_len)
            && layout.size() != 0
        {
            // SAFETY: `new` allocated `start` with this same layout (the
            // sizes have not changed since), and this is the only place
            // that frees it. `Entry` is `Copy`, so it has no drop code to
            // run first.
            unsafe { alloc::dealloc(self.start.as_ptr().cast::<u8>(), layout) };
        }
    }
}

impl Clone for Block<'_> {
    fn clone(&self) -> Self {
        // The same sizes as `self`, which `new` took, so it cannot refuse
        // them; the fallback would keep the clone valid (and empty).
        let copy = Block::new(self.entries(), self.text());
        debug_assert!(copy.is_some(), "a block's own sizes refused");
        copy.unwrap_or_else(Block::empty)
    }
}

impl Block<'_> {
    /// A block of no entries and no text, which allocates nothing.
    fn empty() -> Self {
        Block {
            start: NonNull::dangling(),
            entries: 0,
            text_len: 0,
            _owns: PhantomData,
        }
    }
}

impl std::fmt::Debug for Block<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Block")
            .field("entries", &self.entries())
            .field("text", &self.text())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::Block;
    use crate::point::{Entry, EntryValue, Span};

    /// Entries of every kind, their spans in `input` or in `text`.
    fn entries<'a>(input: &'a str, text_len: usize, picks: &[(u8, u64)]) -> Vec<Entry<'a>> {
        picks
            .iter()
            .map(|&(kind, n)| {
                let start = usize::try_from(n).unwrap_or(0) % (text_len + 1);
                let end = start + (text_len - start) / 2;
                let kept = Span::Kept { start, end };
                let borrowed = Span::Input(input);
                let value = match kind % 6 {
                    0 => EntryValue::Float(n as f64),
                    1 => EntryValue::Integer(n as i64),
                    2 => EntryValue::UInteger(n),
                    3 => EntryValue::Boolean(n % 2 == 0),
                    4 => EntryValue::String(kept),
                    _ => EntryValue::String(borrowed),
                };
                let key = if kind % 2 == 0 { borrowed } else { kept };
                Entry { key, value }
            })
            .collect()
    }

    fn same(a: &[Entry<'_>], b: &[Entry<'_>]) -> bool {
        format!("{a:?}") == format!("{b:?}")
    }

    proptest! {
        /// A block gives back the entries and the text it was made from,
        /// and so do its clones, whatever their sizes (none included).
        #[test]
        fn a_block_gives_back_what_it_was_made_of(
            input in ".{0,20}",
            text in "\\PC{0,300}",
            picks in proptest::collection::vec((any::<u8>(), any::<u64>()), 0..40),
        ) {
            let list = entries(&input, text.len(), &picks);
            let block = Block::new(&list, &text).unwrap();
            prop_assert!(same(block.entries(), &list));
            prop_assert_eq!(block.text(), text.as_str());
            let copy = block.clone();
            drop(block);
            prop_assert!(same(copy.entries(), &list));
            prop_assert_eq!(copy.text(), text.as_str());
        }

        /// Reordering the entries in place leaves the text as it was.
        #[test]
        fn reordering_entries_leaves_the_text(
            text in "\\PC{0,100}",
            picks in proptest::collection::vec((any::<u8>(), any::<u64>()), 0..20),
        ) {
            let list = entries("input", text.len(), &picks);
            let mut block = Block::new(&list, &text).unwrap();
            let (entries, kept) = block.entries_and_text_mut();
            prop_assert_eq!(kept, text.as_str());
            entries.reverse();
            let mut reversed = list.clone();
            reversed.reverse();
            prop_assert!(same(block.entries(), &reversed));
            prop_assert_eq!(block.text(), text.as_str());
        }
    }

    #[test]
    fn a_block_of_nothing_allocates_nothing_and_reads_empty() {
        let block = Block::new(&[], "").unwrap();
        assert!(block.entries().is_empty());
        assert_eq!(block.text(), "");
        assert!(Block::empty().clone().entries().is_empty());
    }
}
