//! Slices whose bounds an invariant of the caller keeps.
//!
//! The library indexes nothing with `[]`, so that no input can make it
//! panic. Where a range is in bounds because of what the code around it
//! has checked, a plain `get(..).unwrap_or_default()` would turn a broken
//! invariant into a silent wrong result that no test could see. These
//! functions say which ranges are such invariants: a debug build (the
//! tests, and the fuzz targets, which are built with debug assertions)
//! panics on a range out of bounds; a release build gets an empty slice.

use std::slice::SliceIndex;

/// `slice[index]`, in bounds by the caller's invariant.
#[inline(always)]
#[track_caller]
pub(crate) fn within<T, I>(slice: &[T], index: I) -> &[T]
where
    I: SliceIndex<[T], Output = [T]> + Clone + std::fmt::Debug,
{
    debug_assert!(
        slice.get(index.clone()).is_some(),
        "{index:?} out of bounds of a slice of {}: an invariant is broken",
        slice.len()
    );
    slice.get(index).unwrap_or_default()
}

/// `text[index]`, in bounds and on character boundaries by the caller's
/// invariant.
#[inline(always)]
#[track_caller]
pub(crate) fn within_str<I>(text: &str, index: I) -> &str
where
    I: SliceIndex<str, Output = str> + Clone + std::fmt::Debug,
{
    debug_assert!(
        text.get(index.clone()).is_some(),
        "{index:?} out of bounds of a text of {} bytes: an invariant is broken",
        text.len()
    );
    text.get(index).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_in_bounds_are_the_slices_they_name() {
        assert_eq!(within(b"abcd", 1..3), b"bc");
        assert_eq!(within(b"abcd", 4..), b"");
        assert_eq!(within_str("héllo", 1..3), "é");
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "an invariant is broken")]
    fn a_range_out_of_bounds_panics_in_a_debug_build() {
        let _ = within(b"abc", 2..5);
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "an invariant is broken")]
    fn a_range_inside_a_character_panics_in_a_debug_build() {
        let _ = within_str("é", 1..);
    }
}
