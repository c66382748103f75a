//! The token scanner: how many bytes at the start of a slice go by before
//! one that a production must look at, and whether a short token is ASCII.
//!
//! This module holds the crate's `unsafe` code for speed; the only other
//! `unsafe` code is the one-allocation store of `block.rs`. Each `unsafe`
//! block has its argument: the unaligned 16- and 32-byte loads and the
//! stores of the SSE2, SSSE3 and AVX2 paths, the conversion of a token
//! found to be ASCII to text without a second check, the calls of the
//! SSSE3 unescaper and of the AVX2 masks where the processor has been
//! found to have those features, the unescaper's writes into the bytes of
//! a string, which leave out only backslashes of a `&str` and so stay
//! UTF-8, and the prefetch hint that brings the input into cache a block
//! ahead of the parser (on 64 MiB of input, 1-4% faster on every
//! benchmark set, 8% on the escape-heavy one).
//!
//! On x86-64 (where SSE2 is always present) the scanner compares 16 bytes
//! at a time with every byte of its [`Stops`] at once and finds the first
//! hit from a bit mask; elsewhere, and for the last bytes of the input, it
//! looks at one byte at a time. Names go through a [`StopIndex`], which
//! finds the stops of 64 bytes at once (32 at a time where the processor
//! has AVX2, which takes 1-2% off the instructions of a parse of TSBS or
//! Telegraf data) and answers the scans that start inside them from its
//! bit masks; string values through [`string_body`], which finds their
//! end, escapes and line feeds from such masks; a stream skimming a long
//! line for its end asks [`find_unescaped`], which finds the escaped bytes
//! of 64 at once; and [`unescape`] packs the bytes of a long token that
//! are not escaping backslashes with a byte shuffle, 16 at a time.
//! Every scan gives the same answer as the scalar one for every input,
//! the ASCII check never calls text what is not ASCII (on x86-64 it
//! answers only while 16 bytes remain, and leaves shorter tails to the
//! full UTF-8 check), and the unescaper gives what a walk over the bytes
//! gives: the property tests below and the `scan` fuzz target compare
//! them on random bytes at every offset and length.
//!
//! On the TSBS benchmark (tag values and keys of 4 to 20 bytes) the SSE2
//! path made the whole parse about a fifth faster than the table look-up
//! per byte it replaced, and on long strings and names it scans several
//! times faster. The index made that benchmark about a tenth faster again
//! (a tenth fewer waits on one scan before the next can start), and the
//! ASCII check took 5% off its instruction count.
#![allow(unsafe_code)]

use std::cell::Cell;

use crate::bounds;

/// The bytes that stop a scan: up to four given bytes, and every byte
/// below a bound.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stops {
    /// The bytes that stop the scan; unused places repeat the first.
    needles: [u8; 4],
    /// Every byte below this stops the scan too (0 for none).
    below: u8,
}

impl Stops {
    /// The stops `needles` (one to four) and every byte below `below`.
    #[expect(
        clippy::indexing_slicing,
        reason = "only evaluated at compile time, where an out-of-bounds index fails the build"
    )]
    pub(crate) const fn new(needles: &[u8], below: u8) -> Stops {
        assert!(
            !needles.is_empty() && needles.len() <= 4,
            "a scan takes one to four stop bytes"
        );
        let mut padded = [needles[0]; 4];
        let mut i = 0;
        while i < needles.len() {
            padded[i] = needles[i];
            i += 1;
        }
        Stops {
            needles: padded,
            below,
        }
    }

    /// Whether both stop the same bytes.
    pub(crate) const fn same_as(&self, other: &Stops) -> bool {
        self.is_union_of(other, other)
    }

    /// Whether these stops are those of `a` and `b` together.
    pub(crate) const fn is_union_of(&self, a: &Stops, b: &Stops) -> bool {
        let mut byte = 0;
        while byte < 256 {
            let probe = byte as u8;
            if self.contains(probe) != (a.contains(probe) || b.contains(probe)) {
                return false;
            }
            byte += 1;
        }
        true
    }

    /// Whether `byte` stops the scan.
    #[inline(always)]
    pub(crate) const fn contains(&self, byte: u8) -> bool {
        let [a, b, c, d] = self.needles;
        byte < self.below || byte == a || byte == b || byte == c || byte == d
    }
}

/// The length of the run at the start of `bytes` in which no byte is one
/// of `stops`: the offset of the first that is, or the length of `bytes`.
#[inline(always)]
pub(crate) fn run_length(bytes: &[u8], stops: &Stops) -> usize {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        sse2::run_length(bytes, stops)
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        scalar_run_length(bytes, stops)
    }
}

/// The first `len` bytes of `input` as text, when they are at most 16 and
/// all ASCII; `None` leaves them to a full UTF-8 check.
///
/// Most names and many strings are short ASCII tokens. This answers for
/// them with one 16-byte load and a bit mask, where looking their bounds up
/// in the input checked ahead of the grammar costs two character-boundary
/// tests and range checks.
#[inline(always)]
pub(crate) fn ascii_prefix(input: &[u8], len: usize) -> Option<&str> {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        sse2::ascii_prefix(input, len)
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        input
            .get(..len)
            .filter(|prefix| prefix.len() <= 16 && prefix.is_ascii())
            .and_then(|prefix| std::str::from_utf8(prefix).ok())
    }
}

/// [`run_length`] one byte at a time: the portable path, and the last
/// bytes of the input on every path.
#[inline(always)]
pub(crate) fn scalar_run_length(bytes: &[u8], stops: &Stops) -> usize {
    bytes
        .iter()
        .position(|&byte| stops.contains(byte))
        .unwrap_or(bytes.len())
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };

    use super::{Stops, scalar_run_length};

    /// [`super::run_length`], 16 bytes at a time while 16 remain.
    #[inline(always)]
    pub(super) fn run_length(bytes: &[u8], stops: &Stops) -> usize {
        let mut offset = 0;
        while let Some(chunk) = bytes.get(offset..).and_then(<[u8]>::first_chunk::<16>) {
            let hits = hits(chunk, stops);
            if hits != 0 {
                return offset + hits.trailing_zeros() as usize;
            }
            offset += 16;
        }
        offset + scalar_run_length(crate::bounds::within(bytes, offset..), stops)
    }

    /// [`super::ascii_prefix`]: a 16-byte load from `input` and the mask of
    /// its bytes with the high bit set. `None` when fewer than 16 bytes
    /// remain in `input`, or `len` is more than 16.
    #[inline(always)]
    pub(super) fn ascii_prefix(input: &[u8], len: usize) -> Option<&str> {
        if len > 16 {
            return None;
        }
        let chunk = input.first_chunk::<16>()?;
        let prefix = chunk.get(..len)?;
        // SAFETY: as in `hits`, SSE2 is enabled at build time, and the
        // load reads exactly the 16 initialised bytes of `chunk`, with no
        // alignment requirement.
        let high = unsafe { _mm_movemask_epi8(_mm_loadu_si128(chunk.as_ptr().cast())) } as u32;
        // Bit `i` of `high` is the high bit of byte `i` of `chunk`; the
        // first `len` of them are those of `prefix` (`len` is at most 16,
        // so the shift cannot overflow).
        if high & ((1 << len) - 1) != 0 {
            return None;
        }
        // SAFETY: `prefix` is the first `len` bytes of `chunk`, and none of
        // them has its high bit set: every byte is ASCII, and a sequence
        // of ASCII bytes is valid UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(prefix) })
    }

    /// A mask with bit `i` set when byte `i` of `chunk` is one of `stops`.
    #[inline(always)]
    pub(super) fn hits(chunk: &[u8; 16], stops: &Stops) -> u32 {
        let [a, b, c, d] = stops.needles.map(|byte| byte as i8);
        // `min(v, below - 1) == v` is `v < below` for unsigned bytes.
        let bound = stops.below.saturating_sub(1) as i8;
        // SAFETY: this module is compiled only where SSE2 is enabled at
        // build time (it is part of the x86-64 baseline), so every
        // intrinsic here is available. The one that touches memory,
        // `_mm_loadu_si128`, reads exactly the 16 bytes of `chunk`, a
        // reference to 16 initialised bytes, and has no alignment
        // requirement.
        let mask = unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast());
            let needles = _mm_or_si128(
                _mm_or_si128(
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(a)),
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b)),
                ),
                _mm_or_si128(
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(c)),
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(d)),
                ),
            );
            let below = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(bound)), v);
            let below_mask = _mm_movemask_epi8(below) as u32;
            (_mm_movemask_epi8(needles) as u32) | if stops.below == 0 { 0 } else { below_mask }
        };
        mask & 0xffff
    }
}

/// The SSSE3 byte shuffle that packs the bytes an unescaper keeps. SSSE3
/// is not part of the x86-64 baseline, so it is looked for at run time.
#[cfg(target_arch = "x86_64")]
mod ssse3 {
    use std::arch::x86_64::{_mm_loadu_si128, _mm_set_epi64x, _mm_shuffle_epi8, _mm_storeu_si128};

    use super::{BACKSLASH, BLOCK, Stops, block_mask, chunk_mask, escaped_bytes, scalar_mask};

    /// For each mask of eight bytes to drop: the indices of the bytes
    /// kept (those whose bit is clear), in increasing order, then `0x80`s
    /// (which the shuffle makes zeros).
    #[expect(
        clippy::indexing_slicing,
        reason = "only evaluated at compile time, where an out-of-bounds index fails the build"
    )]
    static KEPT: [[u8; 8]; 256] = {
        let mut table = [[0x80; 8]; 256];
        let mut mask = 0;
        while mask < 256 {
            let mut kept = 0;
            let mut byte = 0;
            while byte < 8 {
                if mask >> byte & 1 == 0 {
                    table[mask][kept] = byte as u8;
                    kept += 1;
                }
                byte += 1;
            }
            mask += 1;
        }
        table
    };

    /// Whether the processor has SSSE3, and POPCNT, which counts the
    /// bytes dropped in one instruction (where the x86-64 baseline takes
    /// a dozen).
    #[inline(always)]
    pub(super) fn available() -> bool {
        std::is_x86_feature_detected!("ssse3") && std::is_x86_feature_detected!("popcnt")
    }

    /// The bytes of `chunk` not in `drop` (bit `i` for byte `i`), packed
    /// in each half: those of the first eight bytes from byte 0 of the
    /// result, those of the last eight from byte 8.
    ///
    /// # Safety
    ///
    /// The processor must have SSSE3 ([`available`]).
    #[inline]
    #[target_feature(enable = "ssse3")]
    unsafe fn pack_halves(chunk: &[u8; 16], drop: u16) -> [u8; 16] {
        // A byte indexes the table's 256 entries: never out of bounds.
        let [low, high] = drop
            .to_le_bytes()
            .map(|mask| KEPT.get(usize::from(mask)).copied().unwrap_or_default());
        let low = u64::from_le_bytes(low);
        // The second half's indices are 8 more: no index byte carries
        // into the next (each is below 8, or 0x80).
        let high = u64::from_le_bytes(high) + 0x0808_0808_0808_0808;
        let mut packed = [0u8; 16];
        // SAFETY: the caller promises SSSE3 (and SSE2 comes with it).
        // The load reads the 16 initialised bytes of `chunk` and the
        // store writes the 16 bytes of `packed`; neither needs alignment.
        unsafe {
            let bytes = _mm_loadu_si128(chunk.as_ptr().cast());
            let indices = _mm_set_epi64x(high as i64, low as i64);
            _mm_storeu_si128(packed.as_mut_ptr().cast(), _mm_shuffle_epi8(bytes, indices));
        }
        packed
    }

    /// Stores the bytes of `chunk` not in `drop` at `written` in `room`
    /// and returns where the next bytes go: the first half's kept bytes
    /// at `written`, the second half's right after them, eight bytes each
    /// (the bytes past the kept ones are written over next, or cut).
    ///
    /// # Safety
    ///
    /// The processor must have SSSE3 and POPCNT ([`available`]).
    #[inline]
    #[target_feature(enable = "ssse3,popcnt")]
    unsafe fn store_packed(chunk: &[u8; 16], drop: u16, room: &mut [u8], written: usize) -> usize {
        // Both halves fit in `room` while `written` is at most the bytes
        // read before `chunk`, as `room` is 16 bytes longer than them all.
        // SAFETY: the caller promises SSSE3.
        let packed = unsafe { pack_halves(chunk, drop) };
        let [low, high] = drop.to_le_bytes();
        let (packed_low, packed_high) = packed.split_at(8);
        if let Some(slot) = room.get_mut(written..written + 8) {
            slot.copy_from_slice(packed_low);
        }
        let written = written + 8 - low.count_ones() as usize;
        if let Some(slot) = room.get_mut(written..written + 8) {
            slot.copy_from_slice(packed_high);
        }
        written + 8 - high.count_ones() as usize
    }

    /// [`super::unescape`] into `room` (at least 16 bytes longer than
    /// `raw`), 64 bytes at a time, then 16, then one; returns how many
    /// bytes it wrote.
    ///
    /// Those bytes are the bytes of `raw` in order with some of its
    /// backslashes left out, and nothing else: each chunk drops only bytes
    /// its backslash mask flags, and [`KEPT`] lists each half's other
    /// bytes in order. `super::append_unescaped` relies on it.
    ///
    /// # Safety
    ///
    /// The processor must have SSSE3 and POPCNT ([`available`]).
    #[target_feature(enable = "ssse3,popcnt")]
    pub(super) unsafe fn unescape_packed(raw: &[u8], escapable: &Stops, room: &mut [u8]) -> usize {
        let (mut read, mut written) = (0, 0);
        // 1 when the byte at `read` is escaped.
        let mut carry = 0;
        // 64 bytes at a time: the masks and the escapes of the block at
        // once, then its four chunks packed.
        while let Some(block) = raw.get(read..).and_then(<[u8]>::first_chunk::<BLOCK>) {
            // What is stored below fits in `room` while this holds.
            debug_assert!(written <= read, "wrote past what was read");
            let backslashes = block_mask(block, &BACKSLASH);
            let escaped = escaped_bytes(backslashes, &mut carry);
            // `carry` now says whether the next block's first byte is
            // escaped; the backslash that escapes it is dropped if that
            // byte is escapable.
            let next_escapable = raw
                .get(read + BLOCK)
                .is_some_and(|&next| escapable.contains(next));
            let escapes = escaped & block_mask(block, escapable);
            let drop = (escapes >> 1 | u64::from(carry != 0 && next_escapable) << 63) & backslashes;
            for (index, chunk) in block
                .chunks_exact(16)
                .filter_map(<[u8]>::first_chunk::<16>)
                .enumerate()
            {
                // SAFETY: the caller promises SSSE3 and POPCNT.
                written =
                    unsafe { store_packed(chunk, (drop >> (16 * index)) as u16, room, written) };
            }
            read += BLOCK;
        }
        while let Some(chunk) = raw.get(read..).and_then(<[u8]>::first_chunk::<16>) {
            debug_assert!(written <= read, "wrote past what was read");
            let backslashes = chunk_mask(chunk, &BACKSLASH);
            let escaped = escaped_bytes(backslashes, &mut carry);
            carry = escaped >> 16 & 1;
            // The bytes dropped: each backslash before an escaped escapable
            // byte, the last one's looking at the next chunk's first byte.
            // Masked with the backslashes, so that nothing else is dropped
            // whatever the masks before say.
            let next_escapable = raw
                .get(read + 16)
                .is_some_and(|&next| escapable.contains(next));
            let escapes =
                escaped & (chunk_mask(chunk, escapable) | u64::from(next_escapable) << 16);
            let drop = (escapes >> 1 & backslashes) as u16;
            // SAFETY: the caller promises SSSE3 and POPCNT.
            written = unsafe { store_packed(chunk, drop, room, written) };
            read += 16;
        }
        // The last bytes, one at a time.
        let tail = crate::bounds::within(raw, read..);
        let backslashes = scalar_mask(tail, &BACKSLASH);
        let escaped = escaped_bytes(backslashes, &mut carry);
        let drop = (escaped & scalar_mask(tail, escapable)) >> 1 & backslashes;
        for (at, &byte) in tail.iter().enumerate() {
            if drop >> at & 1 == 0 {
                if let Some(slot) = room.get_mut(written) {
                    *slot = byte;
                }
                written += 1;
            }
        }
        written
    }
}

/// Appends `raw` to `text` without the backslash before each byte of
/// `escapable` that a backslash escapes (a backslash escapes the byte
/// after it unless it is escaped itself). Returns `false`, and leaves
/// `text` as it was, where the processor lacks the byte shuffle and the
/// bit count this needs (SSSE3 and POPCNT): the caller then copies the
/// runs between backslashes.
///
/// Every 64 bytes cost the same however many escapes they hold: two masks
/// and the escapes of the 64 at once, then a shuffle that packs the bytes
/// kept and two stores for each 16 (the last bytes go 16 at a time, then
/// one at a time). Copying run by run costs a copy and a mispredicted
/// branch per escape, and a string of prose with quotes and paths in it
/// has one every ten bytes or so.
pub(crate) fn unescape(raw: &str, escapable: &Stops, text: &mut String) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        if ssse3::available() {
            append_unescaped(raw, escapable, text);
            return true;
        }
    }
    let _ = (raw, escapable, text);
    false
}

/// [`unescape`] where the processor has SSSE3 and POPCNT: packs `raw`
/// into room appended to `text`, then cuts the room back to what was
/// written.
///
/// In the string's own buffer, it spares a second copy from a buffer of
/// bytes, and the bytes need no UTF-8 check: [`ssse3::unescape_packed`]
/// writes the bytes of `raw` in order, leaving out some of its
/// backslashes and nothing else, and a backslash is a whole character
/// (ASCII), so the bytes left are UTF-8 as `raw` is. Checking them anyway
/// cost 3-5% of the parse of the escape-heavy benchmark set; the tests
/// (where debug assertions are on) still check, and the property tests
/// and the `scan` fuzz target compare the result with a walk over the
/// bytes.
#[cfg(target_arch = "x86_64")]
fn append_unescaped(raw: &str, escapable: &Stops, text: &mut String) {
    /// Cuts the buffer back to `valid` bytes when dropped, on every way
    /// out of [`append_unescaped`], a panic included.
    struct Guard<'a> {
        bytes: &'a mut Vec<u8>,
        valid: usize,
    }
    impl Drop for Guard<'_> {
        fn drop(&mut self) {
            self.bytes.truncate(self.valid);
        }
    }
    let start = text.len();
    // SAFETY: `as_mut_vec` requires the bytes to be UTF-8 again when the
    // borrow ends. The guard holds the borrow and, when it is dropped,
    // cuts the bytes back to `valid`: `start`, the text as it was (UTF-8,
    // as a `String`), until the unescaped bytes are in place, and then
    // their end. The first `start` bytes are never written. The bytes
    // after them are zeros (UTF-8) until `unescape_packed` writes them;
    // the first `written` of them are then the bytes of `raw`, a `&str`,
    // with some of its backslashes left out (see `unescape_packed`,
    // which drops only bytes that its backslash mask flags), which is
    // UTF-8 too; the rest are cut. UTF-8 followed by UTF-8 is UTF-8.
    let mut guard = Guard {
        bytes: unsafe { text.as_mut_vec() },
        valid: start,
    };
    guard.bytes.resize(start + raw.len() + 16, 0);
    let room = guard.bytes.get_mut(start..).unwrap_or_default();
    // SAFETY: `unescape` calls this only where the processor has SSSE3
    // and POPCNT.
    let written = unsafe { ssse3::unescape_packed(raw.as_bytes(), escapable, room) };
    let end = start + written.min(raw.len());
    // Checked before the guard keeps the bytes: a failure unwinds with
    // the text cut back to what it was.
    debug_assert!(
        std::str::from_utf8(guard.bytes.get(start..end).unwrap_or_default()).is_ok(),
        "unescaping made bytes that are not UTF-8"
    );
    guard.valid = end;
}

/// Asks the processor to bring the cache line that holds byte `at` of
/// `bytes` into its second-level cache, ahead of its use; nothing past the
/// end of `bytes`, and nothing where there is no such hint.
#[inline(always)]
pub(crate) fn prefetch(bytes: &[u8], at: usize) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse"))]
    if let Some(byte) = bytes.get(at) {
        use std::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
        // SAFETY: SSE is enabled at build time (it is part of the x86-64
        // baseline). A prefetch is a hint: it reads nothing the program
        // sees and cannot fault, and its address is that of a byte of
        // `bytes`.
        unsafe { _mm_prefetch::<_MM_HINT_T1>(std::ptr::from_ref(byte).cast()) }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse")))]
    let _ = (bytes, at);
}

/// The stops of a measurement or tag value: the backslash, the comma,
/// DEL, and every byte up to the space.
pub(crate) const NAME_STOPS: Stops = Stops::new(b",\\\x7f", 0x21);

/// The stops of a tag or field key: [`NAME_STOPS`] and the `=`.
pub(crate) const KEY_STOPS: Stops = Stops::new(b",=\\\x7f", 0x21);

// The index builds the key stops as the name stops and the `=`.
const _: () = assert!(
    KEY_STOPS.is_union_of(&NAME_STOPS, &EQUALS),
    "the key stops are not the name stops and the '='"
);

/// Which stops a scan through a [`StopIndex`] looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NameStops {
    /// [`NAME_STOPS`].
    Name,
    /// [`KEY_STOPS`].
    Key,
}

impl NameStops {
    /// The stops themselves.
    #[inline(always)]
    const fn stops(self) -> &'static Stops {
        match self {
            NameStops::Name => &NAME_STOPS,
            NameStops::Key => &KEY_STOPS,
        }
    }
}

/// The stops of a block of 64 bytes of the buffer being parsed, found in
/// one pass and kept, so that every scan of a name that starts in the
/// block is a shift and a bit count instead of a search.
///
/// Names are short (on the TSBS benchmark, tag keys and values of 4 to 20
/// bytes), so a search per name pays for the set-up of its vector compare
/// and waits on it before the next name can start. The index finds the
/// stops of 64 bytes at once, a step that does not depend on the names
/// before it, and the scans then chain through its bit masks.
///
/// The block is a slice of the input the scans are given, borrowed for as
/// long as the index lives, so a scan that starts at an address inside it
/// reads the same bytes the masks were made from.
#[derive(Clone, Debug, Default)]
pub(crate) struct StopIndex<'a> {
    /// The indexed block: 64 bytes, or none.
    block: Cell<&'a [u8]>,
    /// Bit `i` set when byte `i` of the block is one of [`NAME_STOPS`].
    names: Cell<u64>,
    /// Bit `i` set when byte `i` of the block is one of [`KEY_STOPS`].
    keys: Cell<u64>,
}

impl<'a> StopIndex<'a> {
    /// The length of the run at the start of `bytes` in which no byte is
    /// one of `which` stops; the same as [`run_length`] with those stops.
    #[inline(always)]
    pub(crate) fn run_length(&self, bytes: &'a [u8], which: NameStops) -> usize {
        let block = self.block.get();
        // Comparing addresses reads no memory: when `bytes` starts inside
        // the block, the two are views of the same borrowed input.
        let offset = (bytes.as_ptr() as usize).wrapping_sub(block.as_ptr() as usize);
        if offset < block.len() {
            let mask = match which {
                NameStops::Name => self.names.get(),
                NameStops::Key => self.keys.get(),
            };
            // `offset` is below 64, the block's length.
            let ahead = mask >> offset;
            if ahead != 0 {
                return (ahead.trailing_zeros() as usize).min(bytes.len());
            }
            let left = block.len() - offset;
            if bytes.len() <= left {
                return bytes.len();
            }
            return left + self.index_from(bounds::within(bytes, left..), which);
        }
        self.index_from(bytes, which)
    }

    /// [`StopIndex::run_length`] when `bytes` does not start inside the
    /// indexed block (past it, before it, or in another slice): indexes the
    /// blocks from `bytes` on until one holds a stop, and scans the last
    /// bytes, too few for a block, one at a time.
    #[inline(never)]
    fn index_from(&self, bytes: &'a [u8], which: NameStops) -> usize {
        let mut offset = 0;
        loop {
            let rest = bytes.get(offset..).unwrap_or_default();
            let Some(block) = rest.first_chunk::<BLOCK>() else {
                return offset + run_length(rest, which.stops());
            };
            let (names, equals) = name_masks(block);
            let keys = names | equals;
            self.block.set(block);
            self.names.set(names);
            self.keys.set(keys);
            let mask = match which {
                NameStops::Name => names,
                NameStops::Key => keys,
            };
            if mask != 0 {
                return offset + mask.trailing_zeros() as usize;
            }
            offset += BLOCK;
        }
    }
}

/// What [`string_body`] finds in the body of a string value (the bytes
/// after its opening quote).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct StringBody {
    /// The offset of the closing quote: the first `"` that no backslash
    /// escapes.
    pub(crate) len: usize,
    /// The escapes before it: backslashes before a `"` or a `\`.
    pub(crate) escapes: usize,
    /// The line feeds before it.
    pub(crate) newlines: usize,
}

/// The bytes a backslash escapes in a string value: the quote and the
/// backslash.
pub(crate) const STRING_ESCAPABLE: Stops = Stops::new(b"\"\\", 0);

/// The quote alone.
const QUOTE: Stops = Stops::new(b"\"", 0);

/// The line feed alone.
const LINE_FEED: Stops = Stops::new(b"\n", 0);

// `string_body` counts as escapes the quotes and backslashes escaped.
const _: () = assert!(
    STRING_ESCAPABLE.is_union_of(&QUOTE, &BACKSLASH),
    "the escapes of strings are not the quote and the backslash"
);

/// The closing quote of the string value whose body starts `body`, with
/// the escapes and line feeds before it; `None` when no quote closes it.
/// A backslash escapes the byte after it unless it is escaped itself.
///
/// Each block of 64 bytes (the first look, 16) costs three masks (quotes,
/// backslashes, line feeds) and a few word operations, however many
/// quotes, backslashes and line feeds it holds: a string of prose with
/// quotes and paths in it has an escape every ten bytes or so.
#[inline(always)]
pub(crate) fn string_body(body: &[u8]) -> Option<StringBody> {
    // 1 when the first byte of the next block is escaped.
    let mut carry = 0;
    let mut found = StringBody::default();
    let mut rest = body;
    loop {
        // The first look covers 16 bytes, enough for most strings; the
        // rest, 64 at a time.
        let first = found.len == 0;
        let (quotes, backslashes, line_feeds, len) =
            match (rest.first_chunk::<16>(), rest.first_chunk::<BLOCK>()) {
                (Some(chunk), _) if first => (
                    chunk_mask(chunk, &QUOTE),
                    chunk_mask(chunk, &BACKSLASH),
                    chunk_mask(chunk, &LINE_FEED),
                    16,
                ),
                (_, Some(block)) => {
                    let [quotes, backslashes, line_feeds] = string_masks(block);
                    (quotes, backslashes, line_feeds, BLOCK)
                }
                _ if rest.is_empty() => return None,
                _ => {
                    let tail = rest.get(..BLOCK).unwrap_or(rest);
                    (
                        scalar_mask(tail, &QUOTE),
                        scalar_mask(tail, &BACKSLASH),
                        scalar_mask(tail, &LINE_FEED),
                        tail.len(),
                    )
                }
            };
        let escaped = escaped_bytes(backslashes, &mut carry);
        let closing = quotes & !escaped;
        // The bits before the closing quote, or all of them.
        let before = match closing {
            0 => u64::MAX,
            _ => (1 << closing.trailing_zeros()) - 1,
        };
        found.escapes += (escaped & (quotes | backslashes) & before).count_ones() as usize;
        found.newlines += (line_feeds & before).count_ones() as usize;
        if closing != 0 {
            found.len += closing.trailing_zeros() as usize;
            return Some(found);
        }
        if len < BLOCK {
            // The byte after a short block is its bit `len`.
            carry = escaped >> len & 1;
        }
        found.len += len;
        rest = bounds::within(rest, len..);
    }
}

/// [`string_body`] one byte at a time.
#[cfg(any(test, feature = "fuzzing"))]
fn scalar_string_body(body: &[u8]) -> Option<StringBody> {
    let mut found = StringBody::default();
    let mut escaped = false;
    for (at, &byte) in body.iter().enumerate() {
        match byte {
            b'"' if !escaped => {
                found.len = at;
                return Some(found);
            }
            b'"' | b'\\' if escaped => found.escapes += 1,
            b'\n' => found.newlines += 1,
            _ => {}
        }
        escaped = !escaped && byte == b'\\';
    }
    None
}

/// The length of a block of a [`StopIndex`].
const BLOCK: usize = 64;

/// The backslash alone.
const BACKSLASH: Stops = Stops::new(b"\\", 0);

/// The offset of the first byte of `bytes` that is one of `targets` and
/// not escaped, or one of `always`, escaped or not. A backslash escapes
/// the byte after it unless it is escaped itself. `escaped` says whether
/// the first byte is escaped; when none is found, it is set to whether the
/// byte after the end would be, so that a scan can go on where it stopped
/// when more bytes come.
///
/// For a stream skimming a long line for its end: each block of 64 bytes
/// costs a mask per set of bytes and a few word operations, where a walk
/// over the bytes would cost a branch per byte, and a look back from each
/// target over its backslashes a loop per target when they come close
/// together (a run of escaped quotes).
pub(crate) fn find_unescaped(
    bytes: &[u8],
    targets: &Stops,
    always: Option<&Stops>,
    escaped: &mut bool,
) -> Option<usize> {
    // 1 when the first byte of the next block is escaped.
    let mut carry = u64::from(*escaped);
    let mut offset = 0;
    let mut rest = bytes;
    while !rest.is_empty() {
        // The first look covers 16 bytes, enough for most of what a skim
        // passes between the bytes it looks for; the rest, 64 at a time.
        let chunk = rest.first_chunk::<16>().filter(|_| offset == 0);
        let (targets, always, backslashes, len) = match (chunk, rest.first_chunk::<BLOCK>()) {
            (Some(chunk), _) => (
                chunk_mask(chunk, targets),
                always.map_or(0, |always| chunk_mask(chunk, always)),
                chunk_mask(chunk, &BACKSLASH),
                16,
            ),
            (_, Some(block)) => (
                block_mask(block, targets),
                always.map_or(0, |always| block_mask(block, always)),
                block_mask(block, &BACKSLASH),
                BLOCK,
            ),
            _ => (
                scalar_mask(rest, targets),
                always.map_or(0, |always| scalar_mask(rest, always)),
                scalar_mask(rest, &BACKSLASH),
                rest.len(),
            ),
        };
        let escaped_bytes = escaped_bytes(backslashes, &mut carry);
        let hits = targets & !escaped_bytes | always;
        if hits != 0 {
            return Some(offset + hits.trailing_zeros() as usize);
        }
        if len < BLOCK {
            // The byte after a short block is its bit `len`.
            carry = escaped_bytes >> len & 1;
        }
        offset += len;
        rest = bounds::within(rest, len..);
    }
    *escaped = carry != 0;
    None
}

/// The bytes of a block that a backslash escapes, from the block's
/// backslash mask; `carry` is 1 when the block's first byte is escaped by
/// the block before, and becomes 1 when the next block's first byte is.
///
/// A run of backslashes escapes the byte after it when its length is odd.
/// Adding the start of each run that begins on an odd bit to the
/// backslash mask carries through the run and leaves a bit just past it;
/// whether that bit lands on an even or an odd place tells the run's
/// parity, for all runs of the block at once (the method of simdjson's
/// string scanner).
#[inline(always)]
fn escaped_bytes(backslashes: u64, carry: &mut u64) -> u64 {
    const EVEN_BITS: u64 = 0x5555_5555_5555_5555;
    // An escaped backslash escapes nothing.
    let backslashes = backslashes & !*carry;
    let follows_backslash = backslashes << 1 | *carry;
    let odd_starts = backslashes & !EVEN_BITS & !follows_backslash;
    let (sums, overflow) = odd_starts.overflowing_add(backslashes);
    *carry = u64::from(overflow);
    (EVEN_BITS ^ (sums << 1)) & follows_backslash
}

/// The `=` alone, which [`KEY_STOPS`] adds to [`NAME_STOPS`].
const EQUALS: Stops = Stops::new(b"=", 0);

/// A mask with bit `i` set when byte `i` of `chunk` is one of `stops`.
#[inline(always)]
fn chunk_mask(chunk: &[u8; 16], stops: &Stops) -> u64 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        u64::from(sse2::hits(chunk, stops))
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        scalar_mask(chunk, stops)
    }
}

/// The masks of the quotes, backslashes and line feeds in `block` (see
/// [`name_masks`]).
#[inline(always)]
fn string_masks(block: &[u8; BLOCK]) -> [u64; 3] {
    #[cfg(target_arch = "x86_64")]
    {
        if avx2::available() {
            // SAFETY: the processor has AVX2.
            return unsafe { avx2::string_masks(block) };
        }
    }
    [
        block_mask(block, &QUOTE),
        block_mask(block, &BACKSLASH),
        block_mask(block, &LINE_FEED),
    ]
}

/// The masks of [`NAME_STOPS`] and of `=` in `block`: 32 bytes at a time
/// where the processor has AVX2 (found at run time), otherwise 16 at a
/// time.
#[inline(always)]
fn name_masks(block: &[u8; BLOCK]) -> (u64, u64) {
    #[cfg(target_arch = "x86_64")]
    {
        if avx2::available() {
            // SAFETY: the processor has AVX2.
            return unsafe { avx2::name_masks(block) };
        }
    }
    (block_mask(block, &NAME_STOPS), block_mask(block, &EQUALS))
}

/// A mask with bit `i` set when byte `i` of `block` is one of `stops`, 16
/// bytes at a time.
#[inline(always)]
fn block_mask(block: &[u8; BLOCK], stops: &Stops) -> u64 {
    block
        .chunks_exact(16)
        .filter_map(<[u8]>::first_chunk::<16>)
        .enumerate()
        .fold(0, |mask, (index, chunk)| {
            mask | chunk_mask(chunk, stops) << (16 * index)
        })
}

/// The AVX2 path of [`name_masks`] and [`string_masks`]. AVX2 is not part
/// of the x86-64 baseline, so it is looked for at run time.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_min_epu8, _mm256_movemask_epi8,
        _mm256_or_si256, _mm256_set1_epi8, _mm256_setzero_si256,
    };

    use super::{BACKSLASH, BLOCK, EQUALS, LINE_FEED, NAME_STOPS, QUOTE, Stops};

    /// Whether the processor has AVX2.
    #[inline(always)]
    pub(super) fn available() -> bool {
        std::is_x86_feature_detected!("avx2")
    }

    /// [`super::name_masks`], 32 bytes at a time.
    ///
    /// # Safety
    ///
    /// The processor must have AVX2 ([`available`]).
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn name_masks(block: &[u8; BLOCK]) -> (u64, u64) {
        let halves = halves(block);
        (mask(halves, &NAME_STOPS), mask(halves, &EQUALS))
    }

    /// [`super::string_masks`], 32 bytes at a time.
    ///
    /// # Safety
    ///
    /// The processor must have AVX2 ([`available`]).
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn string_masks(block: &[u8; BLOCK]) -> [u64; 3] {
        let halves = halves(block);
        [
            mask(halves, &QUOTE),
            mask(halves, &BACKSLASH),
            mask(halves, &LINE_FEED),
        ]
    }

    /// The two halves of `block`, loaded.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn halves(block: &[u8; BLOCK]) -> [__m256i; 2] {
        let (low, high) = block.split_at(32);
        let (mut low_bytes, mut high_bytes) = ([0; 32], [0; 32]);
        low_bytes.copy_from_slice(low);
        high_bytes.copy_from_slice(high);
        // SAFETY: AVX2 is enabled in this function; each load reads
        // exactly the 32 initialised bytes of an array, with no alignment
        // requirement.
        unsafe {
            [
                _mm256_loadu_si256(low_bytes.as_ptr().cast()),
                _mm256_loadu_si256(high_bytes.as_ptr().cast()),
            ]
        }
    }

    /// A mask with bit `i` set when byte `i` of the block loaded in
    /// `halves` is one of `stops`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn mask([low, high]: [__m256i; 2], stops: &Stops) -> u64 {
        u64::from(hits(low, stops)) | u64::from(hits(high, stops)) << 32
    }

    /// A mask with bit `i` set when byte `i` of `bytes` is one of `stops`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn hits(bytes: __m256i, stops: &Stops) -> u32 {
        let [a, b, c, d] = stops.needles.map(|byte| byte as i8);
        let needle = |byte| _mm256_cmpeq_epi8(bytes, _mm256_set1_epi8(byte));
        let needles = _mm256_or_si256(
            _mm256_or_si256(needle(a), needle(b)),
            _mm256_or_si256(needle(c), needle(d)),
        );
        // `min(v, below - 1) == v` is `v < below` for unsigned bytes.
        let below = if stops.below == 0 {
            _mm256_setzero_si256()
        } else {
            let bound = _mm256_set1_epi8((stops.below - 1) as i8);
            _mm256_cmpeq_epi8(_mm256_min_epu8(bytes, bound), bytes)
        };
        _mm256_movemask_epi8(_mm256_or_si256(needles, below)) as u32
    }
}

/// [`block_mask`] one byte at a time, for at most 64 bytes: the portable
/// path, and the last bytes of the input on every path.
#[inline(always)]
fn scalar_mask(bytes: &[u8], stops: &Stops) -> u64 {
    bytes
        .iter()
        .rev()
        .fold(0, |mask, &byte| mask << 1 | u64::from(stops.contains(byte)))
}

/// The stops of every element the parser scans, and the backslash alone
/// (see `crate::escape`).
#[cfg(any(test, feature = "fuzzing"))]
const ELEMENT_STOPS: [Stops; 4] = [
    NAME_STOPS,
    KEY_STOPS,
    Stops::new(b"\"\n\\", 0),
    Stops::new(b"\\", 0),
];

/// [`find_unescaped`] one byte at a time.
#[cfg(any(test, feature = "fuzzing"))]
fn scalar_find_unescaped(
    bytes: &[u8],
    targets: &Stops,
    always: Option<&Stops>,
    escaped: &mut bool,
) -> Option<usize> {
    for (at, &byte) in bytes.iter().enumerate() {
        if !*escaped && targets.contains(byte) || always.is_some_and(|always| always.contains(byte))
        {
            return Some(at);
        }
        *escaped = !*escaped && byte == b'\\';
    }
    None
}

/// The sets [`find_unescaped`] is asked for by the stream's skim, as
/// (targets, always).
#[cfg(any(test, feature = "fuzzing"))]
const UNESCAPED_SETS: [(Stops, Option<Stops>); 3] = [
    (Stops::new(b"\"", 0), None),
    (Stops::new(b" ", 0), Some(Stops::new(b"\n", 0))),
    (Stops::new(b"= ,", 0), Some(Stops::new(b"\n", 0))),
];

/// The first disagreement between [`find_unescaped`] and the walk over
/// the bytes, for every set the skim asks for and both starting states.
#[cfg(any(test, feature = "fuzzing"))]
fn unescaped_disagreement(bytes: &[u8]) -> Option<String> {
    UNESCAPED_SETS
        .iter()
        .enumerate()
        .flat_map(|(set, stops)| [(set, stops, false), (set, stops, true)])
        .find_map(|(set, (targets, always), start)| {
            let (mut fast, mut slow) = (start, start);
            let found = find_unescaped(bytes, targets, always.as_ref(), &mut fast);
            let expected = scalar_find_unescaped(bytes, targets, always.as_ref(), &mut slow);
            (found != expected || (found.is_none() && fast != slow)).then(|| {
                format!(
                    "set {set}, first byte escaped {start}: found {found:?} (escaped after {fast}), expected {expected:?} (escaped after {slow})"
                )
            })
        })
}

/// The escapable bytes of every element, the backslash among them: the
/// measurement's, the keys' and tag values', and strings' (see
/// `crate::escape`, which checks them against its tables as it compiles).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) const ELEMENT_ESCAPES: [Stops; 3] = [
    Stops::new(b"\\, ", 0),
    Stops::new(b"\\,= ", 0),
    STRING_ESCAPABLE,
];

/// [`unescape`] one byte at a time.
#[cfg(any(test, feature = "fuzzing"))]
fn scalar_unescape(raw: &str, escapable: &Stops) -> String {
    let mut out = Vec::new();
    let mut bytes = raw.bytes().peekable();
    while let Some(byte) = bytes.next() {
        match bytes.peek() {
            Some(&next) if byte == b'\\' && escapable.contains(next) => {
                out.push(next);
                bytes.next();
            }
            _ => out.push(byte),
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The first disagreement between [`unescape`] and the walk over the
/// bytes, for the escapes of every element, appended after some text.
#[cfg(any(test, feature = "fuzzing"))]
fn unescape_disagreement(raw: &str) -> Option<String> {
    ELEMENT_ESCAPES
        .iter()
        .enumerate()
        .find_map(|(set, escapable)| {
            let mut text = String::from("kept é");
            if !unescape(raw, escapable, &mut text) {
                // Only a processor without SSSE3 declines.
                #[cfg(target_arch = "x86_64")]
                if ssse3::available() {
                    return Some(format!("escape set {set}: declined {raw:?}"));
                }
                return None;
            }
            let expected = format!("kept é{}", scalar_unescape(raw, escapable));
            (text != expected).then(|| format!("escape set {set}: {text:?}, expected {expected:?}"))
        })
}

/// The first disagreement between the masks of the 64 bytes at the start
/// of `bytes` (if there are 64) and the masks made one byte at a time: the
/// masks the scanner uses ([`name_masks`], [`string_masks`]), and the
/// 16-byte path beside them, which they replace where the processor has
/// AVX2.
#[cfg(any(test, feature = "fuzzing"))]
fn block_masks_disagreement(bytes: &[u8]) -> Option<String> {
    let block = bytes.first_chunk::<BLOCK>()?;
    let scalar = |stops: &Stops| scalar_mask(block, stops);
    let (names, equals) = name_masks(block);
    let strings = string_masks(block);
    [
        ("names", names, scalar(&NAME_STOPS)),
        ("equals", equals, scalar(&EQUALS)),
        ("quotes", strings[0], scalar(&QUOTE)),
        ("backslashes", strings[1], scalar(&BACKSLASH)),
        ("line feeds", strings[2], scalar(&LINE_FEED)),
        (
            "16-byte names",
            block_mask(block, &NAME_STOPS),
            scalar(&NAME_STOPS),
        ),
        ("16-byte quotes", block_mask(block, &QUOTE), scalar(&QUOTE)),
    ]
    .into_iter()
    .find(|(_, found, expected)| found != expected)
    .map(|(what, found, expected)| format!("{what}: {found:#x}, expected {expected:#x}"))
}

/// The first disagreement between the fast paths of this module and the
/// scalar path on `bytes` started at each of its first 32 offsets: the
/// vector scan and the stop index against the byte-at-a-time scan for the
/// stops of every element, `ascii_prefix` against a plain check of
/// every prefix of up to 17 bytes, the 64-byte masks (AVX2 and SSE2)
/// against masks made one byte at a time, and `string_body`,
/// `find_unescaped` and the packing unescaper against walks over the
/// bytes one at a time. For the `scan` fuzz target.
#[cfg(feature = "fuzzing")]
pub fn disagreement(bytes: &[u8]) -> Option<String> {
    // One index for every offset, so that scans start inside blocks it
    // has already indexed, as they do in a line.
    let index = StopIndex::default();
    (0..bytes.len().min(32))
        .find_map(|start| {
            let bytes = bytes.get(start..).unwrap_or_default();
            let scans = ELEMENT_STOPS.iter().enumerate().find_map(|(set, stops)| {
                let (vector, scalar) = (run_length(bytes, stops), scalar_run_length(bytes, stops));
                (vector != scalar).then(|| {
                    format!(
                        "from {start}, stop set {set}: vector path {vector}, scalar path {scalar}"
                    )
                })
            });
            let indexed =
                [NameStops::Name, NameStops::Key]
                    .into_iter()
                    .find_map(|which| {
                        let indexed = index.run_length(bytes, which);
                        let scalar = scalar_run_length(bytes, which.stops());
                        (indexed != scalar).then(|| {
                    format!("from {start}, {which:?} stops: index {indexed}, scalar path {scalar}")
                })
                    });
            let ascii = (0..=17).find_map(|len| {
                let prefix = bytes.get(..len)?;
                let expected = (len <= 16 && prefix.is_ascii()).then_some(prefix);
                match ascii_prefix(bytes, len) {
                    Some(text) if Some(text.as_bytes()) != expected => Some(format!(
                        "from {start}, {len} bytes: {text:?} as ASCII text, expected {expected:?}"
                    )),
                    None if expected.is_some() && bytes.len() >= 16 => {
                        Some(format!("from {start}, {len} bytes: ASCII text not found"))
                    }
                    _ => None,
                }
            });
            let strings = (string_body(bytes) != scalar_string_body(bytes)).then(|| {
                format!(
                    "from {start}: string body {:?}, expected {:?}",
                    string_body(bytes),
                    scalar_string_body(bytes)
                )
            });
            let masks = block_masks_disagreement(bytes).map(|err| format!("from {start}: {err}"));
            let unescaped = unescaped_disagreement(bytes).map(|err| format!("from {start}: {err}"));
            let unescapes = unescape_disagreement(&String::from_utf8_lossy(bytes))
                .map(|err| format!("from {start}: {err}"));
            scans
                .or(indexed)
                .or(ascii)
                .or(strings)
                .or(masks)
                .or(unescaped)
                .or(unescapes)
        })
        .or_else(|| indexed_out_of_order(bytes))
}

/// The first disagreement between a stop index and the scalar scan when
/// scans start at offsets of up to 160 bytes in from the end first (so
/// that they start before, inside and after blocks already indexed), each
/// on the rest of the bytes and on a shorter view of them.
#[cfg(feature = "fuzzing")]
fn indexed_out_of_order(bytes: &[u8]) -> Option<String> {
    let index = StopIndex::default();
    (0..bytes.len().min(160)).rev().step_by(3).find_map(|start| {
        let rest = bytes.get(start..).unwrap_or_default();
        let view = rest.get(..start % 70).unwrap_or(rest);
        [NameStops::Name, NameStops::Key]
            .into_iter()
            .flat_map(|which| [(rest, which), (view, which)])
            .find_map(|(bytes, which)| {
                let indexed = index.run_length(bytes, which);
                let scalar = scalar_run_length(bytes, which.stops());
                (indexed != scalar).then(|| {
                    format!(
                        "backwards from {start}, {} bytes, {which:?} stops: index {indexed}, scalar path {scalar}",
                        bytes.len()
                    )
                })
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETS: [Stops; 4] = ELEMENT_STOPS;

    #[test]
    fn every_stop_is_found_at_every_offset() {
        for stops in &SETS {
            for byte in 0..=255u8 {
                for len in [1, 15, 16, 17, 31, 32, 33, 70] {
                    for at in 0..len {
                        let mut bytes = vec![b'a'; len];
                        if let Some(slot) = bytes.get_mut(at) {
                            *slot = byte;
                        }
                        let expected = if stops.contains(byte) { at } else { len };
                        assert_eq!(
                            run_length(&bytes, stops),
                            expected,
                            "{byte:#x} at {at} of {len}"
                        );
                    }
                }
            }
        }
    }

    /// Every stop of a name at every offset of inputs around the block
    /// size, found through one index by scans from every earlier offset.
    #[test]
    fn the_index_finds_every_stop_from_every_start() {
        for byte in 0..=255u8 {
            for len in [1, 63, 64, 65, 127, 128, 129, 200] {
                for at in [0, 1, 31, 62, 63, 64, 65, 100, 128, 150, 199] {
                    let mut bytes = vec![b'a'; len];
                    if let Some(slot) = bytes.get_mut(at) {
                        *slot = byte;
                    }
                    let index = StopIndex::default();
                    for start in 0..len {
                        let rest = bytes.get(start..).unwrap_or_default();
                        for which in [NameStops::Name, NameStops::Key] {
                            let stops = which.stops();
                            let expected = if at >= start && at < len && stops.contains(byte) {
                                at - start
                            } else {
                                rest.len()
                            };
                            assert_eq!(
                                index.run_length(rest, which),
                                expected,
                                "{byte:#x} at {at} of {len}, from {start}, {which:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// A scan through the index never looks past the end of the slice it
    /// is given, though the indexed block goes on.
    #[test]
    fn the_index_stops_at_the_end_of_a_shorter_view() {
        let bytes = [b'a'; 100];
        let mut with_stop = bytes;
        with_stop[40] = b',';
        let index = StopIndex::default();
        assert_eq!(index.run_length(&with_stop, NameStops::Name), 40);
        assert_eq!(index.run_length(&with_stop[..30], NameStops::Name), 30);
        assert_eq!(index.run_length(&with_stop[10..20], NameStops::Name), 10);
        assert_eq!(index.run_length(&with_stop[41..], NameStops::Name), 59);
    }

    #[test]
    fn short_ascii_prefixes_are_text() {
        let input = b"host=server01,region=us-west extra bytes";
        assert_eq!(ascii_prefix(input, 4), Some("host"));
        assert_eq!(ascii_prefix(input, 0), Some(""));
        assert_eq!(ascii_prefix(input, 16), Some("host=server01,re"));
        assert_eq!(ascii_prefix(input, 17), None);
        assert_eq!(ascii_prefix("h\u{e9}llo, wide world".as_bytes(), 3), None);
        assert_eq!(
            ascii_prefix("hello \u{e9}, wide world".as_bytes(), 6),
            Some("hello ")
        );
    }

    #[test]
    fn every_short_mix_of_backslashes_and_targets_is_judged_at_every_offset() {
        // Every string of up to 5 of `\`, `"`, space, line feed and `a`,
        // put at offsets around the block edges of a filler of backslashes
        // or letters.
        let mut patterns = vec![Vec::new()];
        for _ in 0..5 {
            let longer: Vec<Vec<u8>> = patterns
                .iter()
                .flat_map(|pattern| {
                    [b'\\', b'"', b' ', b'\n', b'a']
                        .map(|byte| [pattern.as_slice(), &[byte]].concat())
                })
                .collect();
            patterns.extend(longer.into_iter().filter(|pattern| pattern.len() <= 5));
            patterns.sort();
            patterns.dedup();
        }
        for filler in [b'a', b'\\'] {
            for at in [0, 1, 57, 60, 62, 63, 64, 65, 127, 128, 130] {
                for pattern in &patterns {
                    let mut bytes = vec![filler; 140];
                    bytes.splice(at..at + pattern.len(), pattern.iter().copied());
                    for len in [at + pattern.len(), at + pattern.len() + 1, 140] {
                        let bytes = bytes.get(..len).unwrap_or_default();
                        assert_eq!(
                            unescaped_disagreement(bytes),
                            None,
                            "{:?}",
                            String::from_utf8_lossy(bytes)
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn string_bodies_end_at_their_first_unescaped_quote() {
        let body = |len, escapes, newlines| {
            Some(StringBody {
                len,
                escapes,
                newlines,
            })
        };
        let cases: [(&[u8], _); 8] = [
            (b"abc\" rest", body(3, 0, 0)),
            (b"\"", body(0, 0, 0)),
            (br#"a\"b" rest"#, body(4, 1, 0)),
            (br#"a\\" rest"#, body(3, 1, 0)),
            (br#"a\\\"b" rest"#, body(6, 2, 0)),
            (b"a\\nb\nc\" rest", body(6, 0, 1)),
            (b"no end \\\"", None),
            (b"", None),
        ];
        for (body, expected) in cases {
            assert_eq!(
                string_body(body),
                expected,
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
    }

    /// Quotes, backslashes, line feeds and escaped quotes at every place
    /// around the sizes of the first look and the blocks.
    #[test]
    fn string_bodies_are_read_around_the_block_sizes() {
        for len in [0, 1, 15, 16, 17, 63, 64, 65, 79, 80, 81, 143, 144, 145, 300] {
            for at in [
                0, 1, 14, 15, 16, 17, 62, 63, 64, 78, 79, 80, 142, 143, 144, 299,
            ] {
                for insert in [&b"\""[..], b"\\", b"\n", b"\\\"", b"\\\\\"", b"\\\\"] {
                    let mut body = vec![b'a'; len];
                    for (offset, &byte) in insert.iter().enumerate() {
                        if let Some(slot) = body.get_mut(at + offset) {
                            *slot = byte;
                        }
                    }
                    assert_eq!(
                        string_body(&body),
                        scalar_string_body(&body),
                        "{insert:?} at {at} of {len}"
                    );
                }
            }
        }
    }

    /// Escapes, runs of backslashes and multi-byte characters at every
    /// place around the 64-byte blocks and 16-byte steps of the packing
    /// unescaper.
    #[test]
    fn unescaping_packs_every_escape_around_the_chunk_sizes() {
        for len in [
            16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65, 100, 127, 128, 129, 150,
        ] {
            for at in 0..len {
                for insert in [
                    "\\\"", "\\\\", "\\,", "\\ ", "\\=", "\\x", "\\\\\\", "é\\", "\\東",
                ] {
                    let mut raw: String = "a".repeat(at);
                    raw.push_str(insert);
                    raw.push_str(&"b".repeat(len.saturating_sub(at)));
                    assert_eq!(unescape_disagreement(&raw), None, "{raw:?}");
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn unescaping_agrees_with_the_scalar_path(
            chars in proptest::collection::vec(proptest::sample::select(vec!['a', '\\', '\\', '"', ',', '=', ' ', 'é', '東', '🌡']), 0..300),
        ) {
            let raw: String = chars.into_iter().collect();
            proptest::prop_assert_eq!(unescape_disagreement(&raw), None);
        }

        #[test]
        fn string_bodies_agree_with_the_scalar_path(
            bytes in proptest::collection::vec(proptest::sample::select(b"ab\\\\\\\"\n\xc3\xa9".to_vec()), 0..400),
            start in 0usize..70,
        ) {
            let bytes = bytes.get(start..).unwrap_or_default();
            proptest::prop_assert_eq!(string_body(bytes), scalar_string_body(bytes));
        }

        #[test]
        fn unescaped_bytes_are_found_as_one_byte_at_a_time(
            mut bytes in proptest::collection::vec(proptest::sample::select(b"\\\\\\a".to_vec()), 0..400),
            targets in proptest::collection::vec((0usize..400, proptest::sample::select(b"\" =,\n".to_vec())), 0..4),
            start in 0usize..70,
        ) {
            // A few targets among runs of backslashes, so that the first
            // unescaped one may lie blocks away.
            for (at, target) in targets {
                if let Some(byte) = bytes.get_mut(at) {
                    *byte = target;
                }
            }
            let bytes = bytes.get(start..).unwrap_or_default();
            proptest::prop_assert_eq!(unescaped_disagreement(bytes), None);
        }

        #[test]
        fn the_index_agrees_with_the_scalar_path(
            bytes in proptest::collection::vec(proptest::sample::select(b"abc,= \\\"\n\x01\x7f\xc3\xa9".to_vec()), 0..300),
            starts in proptest::collection::vec(0usize..300, 1..20),
        ) {
            let index = StopIndex::default();
            for start in starts {
                let rest = bytes.get(start..).unwrap_or_default();
                proptest::prop_assert_eq!(index.run_length(rest, NameStops::Name), scalar_run_length(rest, &NAME_STOPS));
                proptest::prop_assert_eq!(index.run_length(rest, NameStops::Key), scalar_run_length(rest, &KEY_STOPS));
            }
        }

        #[test]
        fn block_masks_agree_with_the_scalar_masks(
            bytes in proptest::collection::vec(proptest::sample::select(b"abc,= \\\"\n\x01\x7f\xc3\xa9".to_vec()), 96..130),
            start in 0usize..32,
        ) {
            let bytes = bytes.get(start..).unwrap_or_default();
            proptest::prop_assert_eq!(block_masks_disagreement(bytes), None);
        }

        #[test]
        fn ascii_prefixes_agree_with_a_plain_check(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            start in 0usize..20,
            len in 0usize..20,
        ) {
            let bytes = bytes.get(start..).unwrap_or_default();
            let expected = bytes.get(..len).filter(|prefix| len <= 16 && prefix.is_ascii());
            match ascii_prefix(bytes, len) {
                Some(text) => proptest::prop_assert_eq!(Some(text.as_bytes()), expected),
                None => proptest::prop_assert!(expected.is_none() || bytes.len() < 16),
            }
        }

        #[test]
        fn the_vector_path_agrees_with_the_scalar_path(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            start in 0usize..32,
        ) {
            let bytes = bytes.get(start..).unwrap_or_default();
            for stops in &SETS {
                proptest::prop_assert_eq!(run_length(bytes, stops), scalar_run_length(bytes, stops));
            }
        }

        #[test]
        fn sparse_stops_are_found_in_long_runs(
            bytes in proptest::collection::vec(proptest::sample::select(b"abc,= \\\"\n\x01\x7f\xc3\xa9".to_vec()), 0..300),
            start in 0usize..20,
        ) {
            let bytes = bytes.get(start..).unwrap_or_default();
            for stops in &SETS {
                proptest::prop_assert_eq!(run_length(bytes, stops), scalar_run_length(bytes, stops));
            }
        }
    }
}
