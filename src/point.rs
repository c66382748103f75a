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

    /// Empties the point and keeps the capacity of its tag and field list.
    pub fn clear(&mut self) {
        self.measurement = Cow::Borrowed("");
        self.entries.clear();
        self.tag_count = 0;
        self.timestamp = None;
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

/// The index of the first of the tag entries `tags` (see
/// [`Point::tag_entries`]) whose key an earlier one already has.
///
/// Small tag sets (the usual case) go through [`SeenKeys`] with no
/// allocation; large ones are sorted, so a hostile line with many tags
/// costs `n log n`, not `n²`.
pub(crate) fn duplicate_tag_index(tags: &[Field<'_>]) -> Option<usize> {
    if tags.len() <= SeenKeys::INLINE {
        let mut seen = SeenKeys::default();
        return (0..tags.len()).find(|&index| match tags.split_at_checked(index) {
            Some((earlier, [tag, ..])) => seen.repeats(&tag.key, earlier),
            _ => false,
        });
    }
    let mut order: Vec<(&str, usize)> = tags
        .iter()
        .enumerate()
        .map(|(i, tag)| (tag.key(), i))
        .collect();
    order.sort_unstable();
    order
        .windows(2)
        .filter_map(|pair| match pair {
            [(a, _), (b, later)] if a == b => Some(*later),
            _ => None,
        })
        .min()
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
/// the count; [`duplicate_tag_index`] sorts those instead.
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
    fn duplicate_tags_are_found_in_small_and_large_sets() {
        let tag = |key: &'static str| Field {
            key: key.into(),
            value: "v".into(),
        };
        assert_eq!(duplicate_tag_index(&[tag("a"), tag("b")]), None);
        assert_eq!(
            duplicate_tag_index(&[tag("a"), tag("b"), tag("a"), tag("b")]),
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
        assert_eq!(duplicate_tag_index(&[tag("axb"), tag("ayb")]), None);
        assert_eq!(
            duplicate_tag_index(&[tag("axb"), tag("ayb"), tag("c"), tag("ayb")]),
            Some(3)
        );
        assert_eq!(duplicate_tag_index(&many), None);
        many.push(tag("k50"));
        many.push(tag("k3"));
        assert_eq!(duplicate_tag_index(&many), Some(100));
    }
}
