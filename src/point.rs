//! Points: measurement, tag set, field set, timestamp.

use std::borrow::Cow;
use std::fmt;
use std::iter::FusedIterator;

use crate::builder::PointBuilder;

/// One line of line protocol: a measurement, its tags, its fields and an
/// optional timestamp in nanoseconds since the Unix epoch.
///
/// Names and string values are [`Cow`]s: a point parsed from a buffer
/// borrows every name and string that holds no escape sequence and owns
/// only those it had to unescape. [`Point::into_owned`] detaches a point
/// from its input.
///
/// Points come from the parser ([`parse`](crate::parse)) or from
/// [`Point::builder`]; both check them, so every point they make can be
/// written back as line protocol, and [`Display`](fmt::Display) prints it
/// that way (timestamp in nanoseconds, no line break).
///
/// ```
/// use lineproto::{FieldValue, Point};
///
/// let point = lineproto::parse(br"home,room=Living\ Room temp=21.1,co=0i 1641024000000000000")
///     .next()
///     .unwrap()?;
/// assert_eq!(point.measurement(), "home");
/// assert_eq!(point.tag("room"), Some("Living Room"));
/// assert_eq!(point.field("co"), Some(&FieldValue::Integer(0)));
/// assert_eq!(point.timestamp(), Some(1_641_024_000_000_000_000));
/// assert_eq!(
///     point.to_string(),
///     r"home,room=Living\ Room temp=21.1,co=0i 1641024000000000000"
/// );
/// # Ok::<(), lineproto::ParseError>(())
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct Point<'a> {
    pub(crate) measurement: Cow<'a, str>,
    /// The tags, then the fields, in one list, so that a point costs one
    /// allocation. A tag is kept as a [`Field`] whose value is its string
    /// value; the first `tag_count` entries are tags.
    pub(crate) entries: Vec<Field<'a>>,
    pub(crate) tag_count: usize,
    pub(crate) timestamp: Option<i64>,
    /// Strings of names and values the parser unescaped into this point,
    /// kept by [`Point::clear`] for the next line parsed into it.
    pub(crate) spare: SpareText,
}

/// Strings kept for reuse: the parser unescapes into them, so that a point
/// reused for line after line allocates nothing once it has held lines of
/// the same shape.
///
/// At most [`SpareText::MAX_STRINGS`] strings of at most
/// [`SpareText::MAX_CAPACITY`] bytes each are kept, so a point never holds
/// on to more than 4 MiB of them. A copy of a point keeps none, and they
/// take no part in comparing points.
#[derive(Default)]
pub(crate) struct SpareText {
    strings: Vec<String>,
    /// Whether a string was taken since the point was last cleared: only
    /// then can the point hold strings to keep.
    lent: bool,
}

impl SpareText {
    const MAX_STRINGS: usize = 256;
    const MAX_CAPACITY: usize = 16 * 1024;

    /// An empty string, reused when one is kept.
    #[inline]
    pub(crate) fn take(&mut self) -> String {
        self.lent = true;
        self.strings.pop().unwrap_or_default()
    }

    /// Keeps the string of `text`, emptied, if it owns one and there is
    /// room for it.
    #[inline]
    fn keep(&mut self, text: Cow<'_, str>) {
        if let Cow::Owned(mut text) = text {
            let room = self.strings.len() < Self::MAX_STRINGS;
            if room && (1..=Self::MAX_CAPACITY).contains(&text.capacity()) {
                text.clear();
                self.strings.push(text);
            }
        }
    }
}

impl Clone for SpareText {
    fn clone(&self) -> Self {
        SpareText::default()
    }
}

impl PartialEq for SpareText {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl<'a> Point<'a> {
    /// An empty point, to be filled by
    /// [`Points::next_into`](crate::Points::next_into).
    ///
    /// An empty point has no measurement and no fields, so it is not valid
    /// line protocol until the parser fills it.
    #[must_use]
    pub fn new() -> Self {
        Point::default()
    }

    /// Starts building a point of `measurement`.
    ///
    /// ```
    /// use lineproto::Point;
    ///
    /// let point = Point::builder("home")
    ///     .tag("room", "Kitchen")
    ///     .field("temp", 21.0)
    ///     .field("co", 0i64)
    ///     .timestamp(1_641_024_000_000_000_000)
    ///     .build()?;
    /// assert_eq!(point.to_string(), "home,room=Kitchen temp=21,co=0i 1641024000000000000");
    /// # Ok::<(), lineproto::WriteError>(())
    /// ```
    pub fn builder(measurement: impl Into<Cow<'a, str>>) -> PointBuilder<'a> {
        PointBuilder::new(measurement.into())
    }

    /// The measurement name, unescaped.
    #[must_use]
    #[inline]
    pub fn measurement(&self) -> &str {
        &self.measurement
    }

    /// The tags, in the order they were written.
    ///
    /// ```
    /// let point = lineproto::parse(b"cpu,host=a,region=eu idle=1").next().unwrap()?;
    /// let keys: Vec<&str> = point.tags().map(|tag| tag.key()).collect();
    /// assert_eq!(keys, ["host", "region"]);
    /// assert_eq!(point.tags().len(), 2);
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn tags(&self) -> Tags<'_> {
        Tags {
            entries: self.tag_entries().iter(),
        }
    }

    /// The fields, in the order they were written. A key may appear more
    /// than once in a parsed point (see [`Point::field`]).
    #[must_use]
    #[inline]
    pub fn fields(&self) -> &[Field<'a>] {
        self.entries.get(self.tag_count..).unwrap_or_default()
    }

    /// The timestamp in nanoseconds since the Unix epoch, if the line had
    /// one (or the parser was given a default time).
    #[must_use]
    #[inline]
    pub fn timestamp(&self) -> Option<i64> {
        self.timestamp
    }

    /// Sets or clears the timestamp (nanoseconds since the Unix epoch).
    pub fn set_timestamp(&mut self, nanos: Option<i64>) {
        self.timestamp = nanos;
    }

    /// The value of the tag `key`, if the point has it.
    #[must_use]
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags()
            .find(|tag| tag.key() == key)
            .map(|tag| tag.value())
    }

    /// The value of the field `key`; when the key appears more than once,
    /// the last one, as InfluxDB stores it.
    #[must_use]
    pub fn field(&self, key: &str) -> Option<&FieldValue<'a>> {
        self.fields()
            .iter()
            .rev()
            .find(|field| field.key() == key)
            .map(Field::value)
    }

    /// Sorts the tags by key (bytewise), the order of InfluxDB's series keys.
    ///
    /// ```
    /// let mut point = lineproto::parse(b"cpu,host=a,cpu=0 idle=1").next().unwrap()?;
    /// point.sort_tags();
    /// assert_eq!(point.to_string(), "cpu,cpu=0,host=a idle=1");
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    pub fn sort_tags(&mut self) {
        if let Some(tags) = self.entries.get_mut(..self.tag_count) {
            tags.sort_by(|a, b| a.key.cmp(&b.key));
        }
    }

    /// Empties the point and keeps its memory: the capacity of its tag
    /// and field list, and the strings it unescaped names and values into,
    /// for the next line parsed into it.
    pub fn clear(&mut self) {
        self.tag_count = 0;
        self.timestamp = None;
        if !self.spare.lent {
            // Nothing was unescaped into the point: it owns no string to
            // keep.
            self.measurement = Cow::Borrowed("");
            self.entries.clear();
            return;
        }
        self.spare.lent = false;
        let kept = self.spare.strings.len();
        self.spare
            .keep(std::mem::replace(&mut self.measurement, Cow::Borrowed("")));
        for entry in self.entries.drain(..) {
            self.spare.keep(entry.key);
            if let FieldValue::String(text) = entry.value {
                self.spare.keep(text);
            }
        }
        // Strings are taken from the end: reversed, the next line's first
        // escaped token gets the string of this line's first, which fits
        // it when the lines have the same shape.
        if let Some(added) = self.spare.strings.get_mut(kept..) {
            added.reverse();
        }
    }

    /// A copy that owns all its names and strings, so it outlives the input.
    ///
    /// ```
    /// let owned: lineproto::Point<'static> = {
    ///     let input = String::from("m f=\"text\"");
    ///     lineproto::parse(input.as_bytes()).next().unwrap()?.into_owned()
    /// };
    /// assert_eq!(owned.field("f").and_then(|v| v.as_str()), Some("text"));
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    pub fn into_owned(self) -> Point<'static> {
        Point {
            measurement: Cow::Owned(self.measurement.into_owned()),
            entries: self.entries.into_iter().map(Field::into_owned).collect(),
            tag_count: self.tag_count,
            timestamp: self.timestamp,
            spare: SpareText::default(),
        }
    }

    /// The tag entries: fields whose values are the tags' string values.
    #[inline]
    pub(crate) fn tag_entries(&self) -> &[Field<'a>] {
        self.entries.get(..self.tag_count).unwrap_or_default()
    }

    /// Adds a tag after the last one.
    pub(crate) fn push_tag(&mut self, key: Cow<'a, str>, value: Cow<'a, str>) {
        let tag = Field {
            key,
            value: FieldValue::String(value),
        };
        if self.tag_count == self.entries.len() {
            self.entries.push(tag);
        } else {
            self.entries.insert(self.tag_count, tag);
        }
        self.tag_count += 1;
    }

    /// Adds a field after the last one.
    pub(crate) fn push_field(&mut self, key: Cow<'a, str>, value: FieldValue<'a>) {
        self.entries.push(Field { key, value });
    }
}

impl fmt::Debug for Point<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Point")
            .field("measurement", &self.measurement)
            .field("tags", &self.tags())
            .field("fields", &self.fields())
            .field("timestamp", &self.timestamp)
            .finish()
    }
}

/// A tag of a [`Point`]: a key and a value, both unescaped, borrowed from
/// the point.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag<'p> {
    key: &'p str,
    value: &'p str,
}

impl<'p> Tag<'p> {
    /// The tag key.
    #[must_use]
    #[inline]
    pub fn key(self) -> &'p str {
        self.key
    }

    /// The tag value.
    #[must_use]
    #[inline]
    pub fn value(self) -> &'p str {
        self.value
    }
}

/// The tags of a [`Point`], in the order they were written; made by
/// [`Point::tags`].
#[derive(Clone)]
pub struct Tags<'p> {
    entries: std::slice::Iter<'p, Field<'p>>,
}

impl<'p> Tags<'p> {
    /// The tag of a tag entry.
    #[inline]
    fn tag(entry: &'p Field<'p>) -> Tag<'p> {
        Tag {
            key: &entry.key,
            // Tag entries always hold strings.
            value: entry.value.as_str().unwrap_or_default(),
        }
    }
}

impl<'p> Iterator for Tags<'p> {
    type Item = Tag<'p>;

    #[inline]
    fn next(&mut self) -> Option<Tag<'p>> {
        self.entries.next().map(Tags::tag)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }

    #[inline]
    fn nth(&mut self, n: usize) -> Option<Tag<'p>> {
        self.entries.nth(n).map(Tags::tag)
    }
}

impl DoubleEndedIterator for Tags<'_> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        self.entries.next_back().map(Tags::tag)
    }
}

impl ExactSizeIterator for Tags<'_> {}

impl FusedIterator for Tags<'_> {}

impl fmt::Debug for Tags<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// A field: an unescaped key and a typed value.
#[derive(Clone, Debug, PartialEq)]
pub struct Field<'a> {
    pub(crate) key: Cow<'a, str>,
    pub(crate) value: FieldValue<'a>,
}

impl<'a> Field<'a> {
    /// A field with an empty key and the value `false`, a placeholder to
    /// fill in place.
    pub(crate) const EMPTY: Field<'a> = Field {
        key: Cow::Borrowed(""),
        value: FieldValue::Boolean(false),
    };

    /// The field key.
    #[must_use]
    #[inline]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The field value.
    #[must_use]
    #[inline]
    pub fn value(&self) -> &FieldValue<'a> {
        &self.value
    }

    /// A copy that owns its key and value.
    #[must_use]
    pub fn into_owned(self) -> Field<'static> {
        Field {
            key: Cow::Owned(self.key.into_owned()),
            value: self.value.into_owned(),
        }
    }
}

/// A field value: one of line protocol's five types.
///
/// `From` conversions let the builder take Rust values directly: `f32` and
/// `f64` become floats, signed integers `Integer`, unsigned integers
/// `UInteger`, `bool` a boolean and any string a string.
///
/// `Display` prints the value as line protocol writes it:
///
/// ```
/// use lineproto::FieldValue;
/// assert_eq!(FieldValue::from(21.5).to_string(), "21.5");
/// assert_eq!(FieldValue::from(-3i64).to_string(), "-3i");
/// assert_eq!(FieldValue::from(3u64).to_string(), "3u");
/// assert_eq!(FieldValue::from(true).to_string(), "true");
/// assert_eq!(FieldValue::from(r#"say "hi""#).to_string(), r#""say \"hi\"""#);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue<'a> {
    /// A 64-bit float: `1.5`, `-2e10`, `7`.
    Float(f64),
    /// A signed 64-bit integer: `-7i`.
    Integer(i64),
    /// An unsigned 64-bit integer: `7u`.
    UInteger(u64),
    /// A boolean: `t`, `true`, `F`, `false`, ...
    Boolean(bool),
    /// A string, unescaped: `"text"`.
    String(Cow<'a, str>),
}

impl<'a> FieldValue<'a> {
    /// The value's type.
    ///
    /// ```
    /// use lineproto::{FieldType, FieldValue};
    /// assert_eq!(FieldValue::from(1u64).field_type(), FieldType::UInteger);
    /// ```
    #[must_use]
    #[inline]
    pub fn field_type(&self) -> FieldType {
        match self {
            FieldValue::Float(_) => FieldType::Float,
            FieldValue::Integer(_) => FieldType::Integer,
            FieldValue::UInteger(_) => FieldType::UInteger,
            FieldValue::Boolean(_) => FieldType::Boolean,
            FieldValue::String(_) => FieldType::String,
        }
    }

    /// The float, if this is one.
    #[must_use]
    #[inline]
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            FieldValue::Float(value) => Some(value),
            _ => None,
        }
    }

    /// The integer, if this is one.
    #[must_use]
    #[inline]
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            FieldValue::Integer(value) => Some(value),
            _ => None,
        }
    }

    /// The unsigned integer, if this is one.
    #[must_use]
    #[inline]
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            FieldValue::UInteger(value) => Some(value),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    #[must_use]
    #[inline]
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            FieldValue::Boolean(value) => Some(value),
            _ => None,
        }
    }

    /// The string, if this is one.
    #[must_use]
    #[inline]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            FieldValue::String(value) => Some(value),
            _ => None,
        }
    }

    /// A copy that owns its string.
    #[must_use]
    pub fn into_owned(self) -> FieldValue<'static> {
        match self {
            FieldValue::Float(value) => FieldValue::Float(value),
            FieldValue::Integer(value) => FieldValue::Integer(value),
            FieldValue::UInteger(value) => FieldValue::UInteger(value),
            FieldValue::Boolean(value) => FieldValue::Boolean(value),
            FieldValue::String(value) => FieldValue::String(Cow::Owned(value.into_owned())),
        }
    }
}

/// The type of a field value, without the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FieldType {
    /// [`FieldValue::Float`].
    Float,
    /// [`FieldValue::Integer`].
    Integer,
    /// [`FieldValue::UInteger`].
    UInteger,
    /// [`FieldValue::Boolean`].
    Boolean,
    /// [`FieldValue::String`].
    String,
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FieldType::Float => "float",
            FieldType::Integer => "integer",
            FieldType::UInteger => "unsigned integer",
            FieldType::Boolean => "boolean",
            FieldType::String => "string",
        })
    }
}

macro_rules! field_value_from {
    ($($variant:ident($target:ty) <= $($source:ty),+;)+) => {$($(
        impl From<$source> for FieldValue<'_> {
            fn from(value: $source) -> Self {
                FieldValue::$variant(<$target>::from(value))
            }
        }
    )+)+};
}

field_value_from! {
    Float(f64) <= f64, f32;
    Integer(i64) <= i64, i32, i16, i8;
    UInteger(u64) <= u64, u32, u16, u8;
    Boolean(bool) <= bool;
}

impl<'a> From<&'a str> for FieldValue<'a> {
    fn from(value: &'a str) -> Self {
        FieldValue::String(Cow::Borrowed(value))
    }
}

impl From<String> for FieldValue<'_> {
    fn from(value: String) -> Self {
        FieldValue::String(Cow::Owned(value))
    }
}

impl<'a> From<Cow<'a, str>> for FieldValue<'a> {
    fn from(value: Cow<'a, str>) -> Self {
        FieldValue::String(value)
    }
}

/// The index of the first of the entries `tags` (tags or fields) whose key
/// an earlier one already has.
///
/// Small sets (the usual case) go through [`SeenKeys`]; sets of up to
/// 1,024 tags (the default limit) through a hash table on the stack, so
/// neither allocates. Larger sets, possible only with the limits raised,
/// through a randomly seeded hash set, so a hostile line with many tags
/// costs `n`, not `n²`.
pub(crate) fn repeated_key_index(tags: &[Field<'_>]) -> Option<usize> {
    if tags.len() <= SeenKeys::INLINE {
        let mut seen = SeenKeys::default();
        return (0..tags.len()).find(|&index| match tags.split_at_checked(index) {
            Some((earlier, [tag, ..])) => seen.repeats(&tag.key, earlier),
            _ => false,
        });
    }
    if tags.len() <= 128 {
        return duplicate_by_table::<256>(tags);
    }
    if tags.len() <= 1024 {
        return duplicate_by_table::<2048>(tags);
    }
    // Larger sets (possible only with the limits raised) go through a
    // hash set whose seed is random, so no input can make the keys
    // collide on purpose: linear, where sorting the keys cost `n log n`
    // and outgrew the caches.
    let mut seen: std::collections::HashSet<&str, foldhash::fast::RandomState> =
        std::collections::HashSet::with_capacity_and_hasher(tags.len(), Default::default());
    tags.iter().position(|tag| !seen.insert(tag.key()))
}

/// [`repeated_key_index`] for at most `SLOTS / 2` tags, by an
/// open-addressing hash table of `SLOTS` tag indexes (a power of two) on
/// the stack: at most half full, so a key meets another in its slot
/// rarely, and only then are two keys compared.
fn duplicate_by_table<const SLOTS: usize>(tags: &[Field<'_>]) -> Option<usize> {
    let mut slots = [u16::MAX; SLOTS];
    let mask = SLOTS - 1;
    for (index, tag) in tags.iter().enumerate() {
        // The top bits of the hash are its best mixed.
        let mut at = (key_hash(tag.key.as_bytes()) >> 40) as usize & mask;
        loop {
            let slot = slots.get_mut(at)?;
            let Some(earlier) = tags.get(usize::from(*slot)) else {
                *slot = u16::try_from(index).ok()?;
                break;
            };
            if earlier.key == tag.key {
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
fn any_key_is(tags: &[Field<'_>], key: &str) -> bool {
    tags.iter().any(|tag| *tag.key == *key)
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
    fn repeats(&mut self, key: &str, earlier: &[Field<'_>]) -> bool {
        let bytes = key.as_bytes();
        let byte = |at: Option<&u8>| u64::from(at.copied().unwrap_or(0));
        let mixed = (bytes.len() as u64) << 2 ^ byte(bytes.first()) ^ byte(bytes.last()) << 1;
        let bit = 1u64 << (mixed & 63);
        let maybe = self.bits & bit != 0;
        self.bits |= bit;
        maybe && any_key_is(earlier, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_iterate_both_ways_and_know_their_length() {
        let point = crate::parse(b"m,a=1,b=2,c=3 f=1i").next().unwrap().unwrap();
        assert_eq!(point.tags().len(), 3);
        let backwards: Vec<&str> = point.tags().rev().map(Tag::key).collect();
        assert_eq!(backwards, ["c", "b", "a"]);
        assert_eq!(point.tags().nth(1).map(Tag::value), Some("2"));
        let mut tags = point.tags();
        tags.next();
        assert_eq!(tags.len(), 2);
        assert_eq!(
            format!("{:?}", point.tags().next()),
            r#"Some(Tag { key: "a", value: "1" })"#
        );
        let debug = format!("{point:?}");
        assert!(
            debug.starts_with(r#"Point { measurement: "m", tags: [Tag { key: "a", value: "1" }, "#),
            "{debug}"
        );
        assert!(
            debug
                .ends_with(r#"fields: [Field { key: "f", value: Integer(1) }], timestamp: None }"#),
            "{debug}"
        );
    }

    #[test]
    fn tags_added_after_fields_still_come_first() {
        let point = Point::builder("m")
            .field("f", 1i64)
            .tag("t", "v")
            .field("g", true)
            .tag("u", "w")
            .build()
            .unwrap();
        assert_eq!(point.to_string(), "m,t=v,u=w f=1i,g=true");
        assert_eq!(point.fields().len(), 2);
        assert_eq!(point.tag("u"), Some("w"));
    }

    /// The first index whose key an earlier tag has, by comparing every
    /// pair.
    fn first_repeat(tags: &[Field<'_>]) -> Option<usize> {
        (0..tags.len()).find(|&i| tags[..i].iter().any(|earlier| earlier.key == tags[i].key))
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
                let tag = |key: &str| Field {
                    key: key.to_owned().into(),
                    value: "v".into(),
                };
                let mut tags: Vec<Field<'_>> = keys.iter().map(|key| tag(key)).collect();
                assert_eq!(repeated_key_index(&tags), first_repeat(&tags), "{count}");
                for repeated in [0, count / 2, count - 1] {
                    let mut with_repeat = tags.clone();
                    with_repeat.insert(count / 3 + 1, tag(&keys[repeated]));
                    assert_eq!(
                        repeated_key_index(&with_repeat),
                        first_repeat(&with_repeat),
                        "{count} {repeated}"
                    );
                }
                tags.push(tag(&keys[count - 1]));
                assert_eq!(repeated_key_index(&tags), Some(count), "{count}");
            }
        }
    }

    #[test]
    fn duplicate_tags_are_found_in_small_and_large_sets() {
        let tag = |key: &'static str| Field {
            key: key.into(),
            value: "v".into(),
        };
        assert_eq!(repeated_key_index(&[tag("a"), tag("b")]), None);
        assert_eq!(
            repeated_key_index(&[tag("a"), tag("b"), tag("a"), tag("b")]),
            Some(2)
        );
        let keys: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        let mut many: Vec<Field<'_>> = keys
            .iter()
            .map(|k| Field {
                key: k.as_str().into(),
                value: "v".into(),
            })
            .collect();
        // Keys of one length, first and last byte share a bucket of the
        // hash, and only a comparison tells them apart.
        assert_eq!(repeated_key_index(&[tag("axb"), tag("ayb")]), None);
        assert_eq!(
            repeated_key_index(&[tag("axb"), tag("ayb"), tag("c"), tag("ayb")]),
            Some(3)
        );
        assert_eq!(repeated_key_index(&many), None);
        many.push(tag("k50"));
        many.push(tag("k3"));
        assert_eq!(repeated_key_index(&many), Some(100));
    }
}
