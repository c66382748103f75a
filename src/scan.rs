//! The token scanner: how many bytes at the start of a slice go by before
//! one that a production must look at.
//!
//! This is the one module of the crate with `unsafe` code, and it has one
//! `unsafe` block: the unaligned 16-byte load of the SSE2 path. On x86-64
//! (where SSE2 is always present) the scanner compares 16 bytes at a time
//! with every byte of its [`Stops`] at once and finds the first hit from a
//! bit mask; elsewhere, and for the last bytes of the input, it looks at
//! one byte at a time. Both paths give the same answer for every input:
//! the property tests below and the `scan` fuzz target compare them on
//! random bytes at every offset and length.
//!
//! On the TSBS benchmark (tag values and keys of 4 to 20 bytes) the SSE2
//! path made the whole parse about a fifth faster than the table look-up
//! per byte it replaced; on long strings and names it scans several times
//! faster.
#![allow(unsafe_code)]

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
        offset + scalar_run_length(bytes.get(offset..).unwrap_or_default(), stops)
    }

    /// A mask with bit `i` set when byte `i` of `chunk` is one of `stops`.
    #[inline(always)]
    fn hits(chunk: &[u8; 16], stops: &Stops) -> u32 {
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

/// The stops of every element the parser scans, and the backslash alone
/// (see `crate::escape`).
#[cfg(any(test, feature = "fuzzing"))]
const ELEMENT_STOPS: [Stops; 4] = [
    Stops::new(b",\\\x7f", 0x21),
    Stops::new(b",=\\\x7f", 0x21),
    Stops::new(b"\"\n\\", 0),
    Stops::new(b"\\", 0),
];

/// The first disagreement between the vector path and the scalar path on
/// `bytes` started at each of its first 32 offsets, for the stops of every
/// element: `(start, which stops, vector answer, scalar answer)`. For the
/// `scan` fuzz target.
#[cfg(feature = "fuzzing")]
pub fn disagreement(bytes: &[u8]) -> Option<(usize, usize, usize, usize)> {
    (0..bytes.len().min(32)).find_map(|start| {
        let bytes = bytes.get(start..).unwrap_or_default();
        ELEMENT_STOPS.iter().enumerate().find_map(|(set, stops)| {
            let (vector, scalar) = (run_length(bytes, stops), scalar_run_length(bytes, stops));
            (vector != scalar).then_some((start, set, vector, scalar))
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

    proptest::proptest! {
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
