//! Finding a key that a line gives twice: for the parser, which refuses a
//! repeated tag key, and for the writer, which refuses to write one.

use crate::point::Entry;

/// The index of the first of the entries `tags` (tags or fields) whose key
/// an earlier one already has.
///
/// Small sets (the usual case) go through [`SeenKeys`]; sets of up to
/// 1,024 tags (the default limit) through a hash table on the stack, so
/// neither allocates. Larger sets, possible only with the limits raised,
/// through a randomly seeded hash set, so a hostile line with many tags
/// costs `n`, not `n²`.
pub(crate) fn repeated_key_index(tags: &[Entry<'_>], text: &str) -> Option<usize> {
    if tags.len() <= SeenKeys::INLINE {
        let mut seen = SeenKeys::default();
        return (0..tags.len()).find(|&index| match tags.split_at_checked(index) {
            Some((earlier, [tag, ..])) => seen.repeats(tag.key.get(text), earlier, text),
            _ => false,
        });
    }
    if tags.len() <= 128 {
        return duplicate_by_table::<256>(tags, text);
    }
    if tags.len() <= 1024 {
        return duplicate_by_table::<2048>(tags, text);
    }
    // Larger sets (possible only with the limits raised) go through a
    // hash set whose seed is random, so no input can make the keys
    // collide on purpose: linear, where sorting the keys cost `n log n`
    // and outgrew the caches.
    let mut seen: std::collections::HashSet<&str, foldhash::fast::RandomState> =
        std::collections::HashSet::with_capacity_and_hasher(tags.len(), Default::default());
    tags.iter().position(|tag| !seen.insert(tag.key.get(text)))
}

/// [`repeated_key_index`] for at most `SLOTS / 2` tags, by an
/// open-addressing hash table of `SLOTS` tag indexes (a power of two) on
/// the stack: at most half full, so a key meets another in its slot
/// rarely, and only then are two keys compared.
fn duplicate_by_table<const SLOTS: usize>(tags: &[Entry<'_>], text: &str) -> Option<usize> {
    let mut slots = [u16::MAX; SLOTS];
    let mask = SLOTS - 1;
    for (index, tag) in tags.iter().enumerate() {
        let key = tag.key.get(text);
        // The top bits of the hash are its best mixed.
        let mut at = (key_hash(key.as_bytes()) >> 40) as usize & mask;
        loop {
            let slot = slots.get_mut(at)?;
            let Some(earlier) = tags.get(usize::from(*slot)) else {
                *slot = u16::try_from(index).ok()?;
                break;
            };
            if earlier.key.get(text) == key {
                return Some(index);
            }
            at = (at + 1) & mask;
        }
    }
    None
}

/// A hash of a key from at most two word loads, the way fast hashers
/// treat short keys: its first and last eight bytes (which overlap below
/// sixteen), its first and last four below eight, or its first, middle and
/// last byte below four; then mixed with the length by one multiplication.
/// Bytes in the middle of keys longer than sixteen are left out: keys that
/// differ only there just meet in the table and get compared.
fn key_hash(key: &[u8]) -> u64 {
    let len = key.len();
    let word = if let (Some(first), Some(last)) = (key.first_chunk::<8>(), key.last_chunk::<8>()) {
        u64::from_le_bytes(*first) ^ u64::from_le_bytes(*last).rotate_left(32)
    } else if let (Some(first), Some(last)) = (key.first_chunk::<4>(), key.last_chunk::<4>()) {
        u64::from(u32::from_le_bytes(*first)) << 32 | u64::from(u32::from_le_bytes(*last))
    } else {
        let byte = |at: Option<&u8>| u64::from(at.copied().unwrap_or(0));
        byte(key.first()) << 16 | byte(key.get(len / 2)) << 8 | byte(key.last())
    };
    (word ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Whether one of `tags` has the key `key`; out of line, since only a
/// collision in [`SeenKeys`] asks.
#[cold]
#[inline(never)]
fn any_key_is(tags: &[Entry<'_>], text: &str, key: &str) -> bool {
    tags.iter().any(|tag| tag.key.get(text) == key)
}

/// The tag keys of a line, for finding a repeated key.
///
/// Each key sets one of 64 bits, chosen from its length and its first and
/// last bytes by shifts and exclusive ors, and only a key whose bit was
/// already set is compared with the keys before it. The choice is crude on
/// purpose: it runs for every tag of every line, where a multiplicative
/// hash measured slower on TSBS, and a collision costs one comparison
/// with each earlier key, not a wrong answer. For more than
/// [`SeenKeys::INLINE`] keys the comparisons would grow with the square of
/// the count; [`repeated_key_index`] hashes those instead.
#[derive(Debug, Default)]
struct SeenKeys {
    bits: u64,
}

impl SeenKeys {
    /// The most keys checked this way.
    const INLINE: usize = 32;

    /// Records `key`, the key of the tag after the tags `earlier`, and
    /// returns whether one of them has it too.
    #[inline(always)]
    fn repeats(&mut self, key: &str, earlier: &[Entry<'_>], text: &str) -> bool {
        let bytes = key.as_bytes();
        let byte = |at: Option<&u8>| u64::from(at.copied().unwrap_or(0));
        let mixed = (bytes.len() as u64) << 2 ^ byte(bytes.first()) ^ byte(bytes.last()) << 1;
        let bit = 1u64 << (mixed & 63);
        let maybe = self.bits & bit != 0;
        self.bits |= bit;
        maybe && any_key_is(earlier, text, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::{EntryValue, Span};

    /// The first index whose key an earlier tag has, by comparing every
    /// pair.
    fn first_repeat(tags: &[Entry<'_>]) -> Option<usize> {
        let key = |tag: &Entry<'_>| tag.key.get("").to_owned();
        (0..tags.len()).find(|&i| {
            tags[..i]
                .iter()
                .any(|earlier| key(earlier) == key(&tags[i]))
        })
    }

    /// A tag entry of `key` whose text is in the input.
    fn tag(key: &str) -> Entry<'_> {
        Entry {
            key: Span::Input(key),
            value: EntryValue::String(Span::Input("v")),
        }
    }

    #[test]
    fn every_size_of_tag_set_finds_the_first_repeated_key() {
        let shapes: [fn(usize) -> String; 4] = [
            |i| format!("k{i}"),
            |i| format!("{}", char::from(b'a' + (i % 26) as u8)).repeat(1 + i / 26),
            |i| format!("service_{i:05}"),
            // Keys that differ only in the middle, which the table's hash
            // leaves out.
            |i| format!("a_long_common_prefix_{i:05}_and_a_long_common_suffix"),
        ];
        for shape in shapes {
            for count in [1, 2, 31, 32, 33, 100, 128, 129, 500, 1024, 1025, 1500] {
                let keys: Vec<String> = (0..count).map(shape).collect();
                let mut tags: Vec<Entry<'_>> = keys.iter().map(|key| tag(key)).collect();
                assert_eq!(
                    repeated_key_index(&tags, ""),
                    first_repeat(&tags),
                    "{count}"
                );
                for repeated in [0, count / 2, count - 1] {
                    let mut with_repeat = tags.clone();
                    with_repeat.insert(count / 3 + 1, tag(&keys[repeated]));
                    assert_eq!(
                        repeated_key_index(&with_repeat, ""),
                        first_repeat(&with_repeat),
                        "{count} {repeated}"
                    );
                }
                tags.push(tag(&keys[count - 1]));
                assert_eq!(repeated_key_index(&tags, ""), Some(count), "{count}");
            }
        }
    }

    #[test]
    fn duplicate_tags_are_found_in_small_and_large_sets() {
        assert_eq!(repeated_key_index(&[tag("a"), tag("b")], ""), None);
        assert_eq!(
            repeated_key_index(&[tag("a"), tag("b"), tag("a"), tag("b")], ""),
            Some(2)
        );
        let keys: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        let mut many: Vec<Entry<'_>> = keys.iter().map(|k| tag(k)).collect();
        // Keys of one length, first and last byte share a bucket of the
        // hash, and only a comparison tells them apart.
        assert_eq!(repeated_key_index(&[tag("axb"), tag("ayb")], ""), None);
        assert_eq!(
            repeated_key_index(&[tag("axb"), tag("ayb"), tag("c"), tag("ayb")], ""),
            Some(3)
        );
        assert_eq!(repeated_key_index(&many, ""), None);
        many.push(tag("k50"));
        many.push(tag("k3"));
        assert_eq!(repeated_key_index(&many, ""), Some(100));
    }
}
