//! Points: measurement, tag set, field set, timestamp.

use std::borrow::Cow;
use std::fmt;
use std::iter::FusedIterator;

use crate::block::Block;
use crate::bounds;
use crate::builder::{FieldInput, PointBuilder};

/// One line of line protocol: a measurement, its tags, its fields and an
/// optional timestamp in nanoseconds since the Unix epoch.
///
/// A point parsed from a buffer borrows every name and string that holds
/// no escape sequence; the ones it had to unescape it keeps in one string
/// of its own. A point from the iterator costs one allocation, which holds
/// its tags and fields and that string, and a point reused through
/// [`Points::next_into`](crate::Points::next_into) none once it has grown.
/// [`Point::into_owned`] detaches a point from its input.
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
/// assert_eq!(point.field("co"), Some(FieldValue::Integer(0)));
/// assert_eq!(point.timestamp(), Some(1_641_024_000_000_000_000));
/// assert_eq!(
///     point.to_string(),
///     r"home,room=Living\ Room temp=21.1,co=0i 1641024000000000000"
/// );
/// # Ok::<(), lineproto::ParseError>(())
/// ```
///
/// Only this module reads or changes a point's parts; the parser, the
/// iterator and the validator go through its crate-internal methods, so
/// the rule "the first `tag_count` entries are tags, each holding a string
/// value" is kept here alone.
#[derive(Clone, Default)]
pub struct Point<'a> {
    measurement: Span<'a>,
    /// The tags, then the fields, in one list, so that a point costs one
    /// allocation for them. A tag is kept as an entry whose value is its
    /// string value; the first `tag_count` entries are tags.
    entries: Vec<Entry<'a>>,
    tag_count: usize,
    timestamp: Option<i64>,
    /// The names and strings that are not slices of the input: those the
    /// parser unescaped, and owned strings given to the builder.
    text: String,
    /// The entries and the text in one allocation, in place of `entries`
    /// and `text` (both then empty): how the iterator hands out a point
    /// with text of its own. Parsing into the point, or changing its
    /// entries, first puts them back into the list and the string.
    block: Option<Block<'a>>,
    /// The measurement and tags as the parser read them, escapes and
    /// all (see [`Point::series`]); empty for a point built or changed
    /// since.
    series: &'a [u8],
}

/// Where a name or string of a point is: a slice of the input (or of a
/// `&str` given to the builder), or a range of the point's own text.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Span<'a> {
    Input(&'a str),
    Kept { start: usize, end: usize },
}

impl Default for Span<'_> {
    fn default() -> Self {
        Span::Input("")
    }
}

impl<'a> Span<'a> {
    /// The text of the span, `text` being the point's own text.
    #[inline(always)]
    pub(crate) fn get<'s>(self, text: &'s str) -> &'s str
    where
        'a: 's,
    {
        match self {
            Span::Input(input) => input,
            Span::Kept { start, end } => bounds::within_str(text, start..end),
        }
    }

    /// The text of the span as a `Cow` with the input's lifetime: the
    /// input's slice, or a copy of the point's own text.
    fn to_cow(self, text: &str) -> Cow<'a, str> {
        match self {
            Span::Input(input) => Cow::Borrowed(input),
            Span::Kept { .. } => Cow::Owned(self.get(text).to_owned()),
        }
    }

    /// `added` appended to `text`, as a span of it.
    #[inline(always)]
    pub(crate) fn append(text: &mut String, added: &str) -> Span<'a> {
        let start = text.len();
        text.push_str(added);
        Span::Kept {
            start,
            end: text.len(),
        }
    }

    /// The span of a name or string given to the builder: borrowed text
    /// stays where it is, an owned string is copied into `text`.
    fn of(given: Cow<'a, str>, text: &mut String) -> Span<'a> {
        match given {
            Cow::Borrowed(input) => Span::Input(input),
            Cow::Owned(owned) => Span::append(text, &owned),
        }
    }

    /// The span with its text in `text`, which holds the point's own text
    /// already: a slice of the input is copied there.
    fn owned(self, text: &mut String) -> Span<'static> {
        match self {
            Span::Input(input) => Span::append(text, input),
            Span::Kept { start, end } => Span::Kept { start, end },
        }
    }

    /// The length of a slice of the input; 0 for the point's own text.
    fn input_len(self) -> usize {
        match self {
            Span::Input(input) => input.len(),
            Span::Kept { .. } => 0,
        }
    }
}

/// A tag or field of a point as it keeps it: its key, and its value (a
/// tag's is its string value).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry<'a> {
    pub(crate) key: Span<'a>,
    pub(crate) value: EntryValue<'a>,
}

impl Entry<'_> {
    /// A placeholder, filled in place by the parser.
    pub(crate) const EMPTY: Entry<'static> = Entry {
        key: Span::Input(""),
        value: EntryValue::Boolean(false),
    };
}

/// A [`FieldValue`] as a point keeps it: a string as a [`Span`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum EntryValue<'a> {
    Float(f64),
    Integer(i64),
    UInteger(u64),
    Boolean(bool),
    String(Span<'a>),
}

impl<'a> EntryValue<'a> {
    /// The value, `text` being the point's own text.
    #[inline(always)]
    fn get<'s>(self, text: &'s str) -> FieldValue<'s>
    where
        'a: 's,
    {
        match self {
            EntryValue::Float(value) => FieldValue::Float(value),
            EntryValue::Integer(value) => FieldValue::Integer(value),
            EntryValue::UInteger(value) => FieldValue::UInteger(value),
            EntryValue::Boolean(value) => FieldValue::Boolean(value),
            EntryValue::String(span) => FieldValue::String(span.get(text)),
        }
    }

    /// The value of a field given to the builder, its string borrowed.
    fn of(given: FieldValue<'a>) -> EntryValue<'a> {
        match given {
            FieldValue::Float(value) => EntryValue::Float(value),
            FieldValue::Integer(value) => EntryValue::Integer(value),
            FieldValue::UInteger(value) => EntryValue::UInteger(value),
            FieldValue::Boolean(value) => EntryValue::Boolean(value),
            FieldValue::String(given) => EntryValue::String(Span::Input(given)),
        }
    }

    /// The span of a string value.
    fn span(self) -> Option<Span<'a>> {
        match self {
            EntryValue::String(span) => Some(span),
            _ => None,
        }
    }

    /// The type of the value.
    #[cfg(feature = "arrow")]
    #[inline(always)]
    pub(crate) fn field_type(self) -> FieldType {
        match self {
            EntryValue::Float(_) => FieldType::Float,
            EntryValue::Integer(_) => FieldType::Integer,
            EntryValue::UInteger(_) => FieldType::UInteger,
            EntryValue::Boolean(_) => FieldType::Boolean,
            EntryValue::String(_) => FieldType::String,
        }
    }

    /// The value with its string in `text` (see [`Span::owned`]).
    fn owned(self, text: &mut String) -> EntryValue<'static> {
        match self {
            EntryValue::Float(value) => EntryValue::Float(value),
            EntryValue::Integer(value) => EntryValue::Integer(value),
            EntryValue::UInteger(value) => EntryValue::UInteger(value),
            EntryValue::Boolean(value) => EntryValue::Boolean(value),
            EntryValue::String(span) => EntryValue::String(span.owned(text)),
        }
    }
}

/// The most text a point keeps for the next line parsed into it, in
/// bytes: a point that held a longer line gives its text back.
const MAX_KEPT_TEXT: usize = 4 << 20;

impl<'a> Point<'a> {
    /// An empty point, to be filled by
    /// [`Points::next_into`](crate::Points::next_into).
    ///
    /// An empty point has no measurement and no fields, so it is not valid
    /// line protocol until the parser fills it.
    ///
    /// ```
    /// let input = b"m f=1\nm f=2";
    /// let mut points = lineproto::parse(input);
    /// let mut point = lineproto::Point::new();
    /// while let Some(result) = points.next_into(&mut point) {
    ///     result?;
    ///     assert_eq!(point.measurement(), "m");
    /// }
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
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
    /// # Ok::<(), lineproto::InvalidPoint>(())
    /// ```
    pub fn builder(measurement: impl Into<Cow<'a, str>>) -> PointBuilder<'a> {
        let mut point = Point::default();
        point.measurement = Span::of(measurement.into(), &mut point.text);
        PointBuilder::new(point)
    }

    /// The measurement name, unescaped.
    ///
    /// ```
    /// let point = lineproto::parse(br"my\ home temp=21").next().unwrap()?;
    /// assert_eq!(point.measurement(), "my home");
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn measurement(&self) -> &str {
        self.measurement.get(self.own_text())
    }

    /// The measurement name with the lifetime of the input: borrowed from
    /// it when the name held no escape (the usual case, and no copy), an
    /// owned copy when the parser had to unescape it.
    ///
    /// It outlives the point, so it can key a map over the input's points
    /// where [`measurement`](Self::measurement) (which borrows the point)
    /// cannot:
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use std::collections::HashMap;
    ///
    /// let input = "cpu,host=a usage=1\nmem,host=a used=5i\ncpu,host=b usage=2\nmy\\ cpu f=1\n";
    /// let mut counts: HashMap<Cow<'_, str>, usize> = HashMap::new();
    /// for point in lineproto::parse(input) {
    ///     *counts.entry(point?.measurement_cow()).or_default() += 1;
    /// }
    /// assert_eq!(counts["cpu"], 2);
    /// assert_eq!(counts["mem"], 1);
    /// assert!(matches!(counts.get_key_value("my cpu"), Some((Cow::Owned(_), 1))));
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    pub fn measurement_cow(&self) -> Cow<'a, str> {
        self.measurement.to_cow(self.own_text())
    }

    /// The value of the tag `key` with the lifetime of the input, as
    /// [`measurement_cow`](Self::measurement_cow) gives the measurement.
    ///
    /// ```
    /// use std::borrow::Cow;
    ///
    /// let input = String::from(r"cpu,host=a,dc=eu\ 1 usage=1");
    /// let host: Cow<'_, str> = {
    ///     let point = lineproto::parse(&input).next().unwrap()?;
    ///     assert!(matches!(point.tag_cow("dc"), Some(Cow::Owned(dc)) if dc == "eu 1"));
    ///     point.tag_cow("host").unwrap()
    /// };
    /// assert!(matches!(host, Cow::Borrowed("a")));
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    pub fn tag_cow(&self, key: &str) -> Option<Cow<'a, str>> {
        let text = self.own_text();
        self.tag_entries()
            .iter()
            .find(|entry| entry.key.get(text) == key)
            .and_then(|entry| entry.value.span())
            .map(|value| value.to_cow(text))
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
            text: self.own_text(),
        }
    }

    /// The fields, in the order they were written. A key may appear more
    /// than once in a parsed point (see [`Point::field`]).
    ///
    /// ```
    /// use lineproto::FieldValue;
    ///
    /// let point = lineproto::parse(b"home temp=21.5,co=3i").next().unwrap()?;
    /// let keys: Vec<&str> = point.fields().map(|field| field.key()).collect();
    /// assert_eq!(keys, ["temp", "co"]);
    /// assert_eq!(point.fields().len(), 2);
    /// assert_eq!(point.fields().last().map(|field| field.value()), Some(FieldValue::Integer(3)));
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn fields(&self) -> Fields<'_> {
        Fields {
            entries: self.field_entries().iter(),
            text: self.own_text(),
        }
    }

    /// The timestamp in nanoseconds since the Unix epoch, if the line had
    /// one (or the parser was given a default time).
    ///
    /// ```
    /// let point = lineproto::parse(b"m f=1 1700000000").next().unwrap()?;
    /// assert_eq!(point.timestamp(), Some(1_700_000_000));
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn timestamp(&self) -> Option<i64> {
        self.timestamp
    }

    /// Sets or clears the timestamp (nanoseconds since the Unix epoch).
    ///
    /// ```
    /// let mut point = lineproto::parse(b"m f=1").next().unwrap()?;
    /// point.set_timestamp(Some(5));
    /// assert_eq!(point.to_string(), "m f=1 5");
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    pub fn set_timestamp(&mut self, nanos: Option<i64>) {
        self.timestamp = nanos;
    }

    /// The value of the tag `key`, if the point has it.
    ///
    /// ```
    /// let point = lineproto::parse(b"cpu,host=a idle=1").next().unwrap()?;
    /// assert_eq!(point.tag("host"), Some("a"));
    /// assert_eq!(point.tag("region"), None);
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags()
            .find(|tag| tag.key() == key)
            .map(|tag| tag.value())
    }

    /// The value of the field `key`; when the key appears more than once,
    /// the last one, as InfluxDB stores it.
    ///
    /// ```
    /// use lineproto::FieldValue;
    ///
    /// let point = lineproto::parse(b"m v=1i,v=2i").next().unwrap()?;
    /// assert_eq!(point.field("v"), Some(FieldValue::Integer(2)));
    /// assert_eq!(point.field("w"), None);
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    pub fn field(&self, key: &str) -> Option<FieldValue<'_>> {
        self.fields()
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
        self.series = &[];
        let (entries, text) = match &mut self.block {
            Some(block) => block.entries_and_text_mut(),
            None => (self.entries.as_mut_slice(), self.text.as_str()),
        };
        if let Some(tags) = entries.get_mut(..self.tag_count) {
            tags.sort_by(|a, b| a.key.get(text).cmp(b.key.get(text)));
        }
    }

    /// Empties the point and keeps its memory: the capacity of its tag
    /// and field list, and of the text it unescaped names and values into
    /// (up to 4 MiB), for the next line parsed into it.
    ///
    /// ```
    /// let mut point = lineproto::parse(b"m f=1").next().unwrap()?;
    /// point.clear();
    /// assert_eq!(point.measurement(), "");
    /// assert_eq!(point.fields().len(), 0);
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    pub fn clear(&mut self) {
        self.measurement = Span::default();
        self.series = &[];
        self.block = None;
        self.entries.clear();
        self.tag_count = 0;
        self.timestamp = None;
        if self.text.capacity() > MAX_KEPT_TEXT {
            self.text = String::new();
        } else {
            self.text.clear();
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
        self.detached()
    }

    /// A copy that owns all its names and strings (see
    /// [`Point::into_owned`]), in two allocations at their exact sizes,
    /// whichever way the point keeps its entries and text: the new list,
    /// and the new text.
    pub(crate) fn detached(&self) -> Point<'static> {
        let entries = self.all_entries();
        let kept = self.own_text();
        let borrowed = self.measurement.input_len()
            + entries
                .iter()
                .map(|entry| entry.key.input_len() + entry.value.span().map_or(0, Span::input_len))
                .sum::<usize>();
        let mut text = String::with_capacity(kept.len() + borrowed);
        text.push_str(kept);
        let measurement = self.measurement.owned(&mut text);
        let entries = entries
            .iter()
            .map(|entry| Entry {
                key: entry.key.owned(&mut text),
                value: entry.value.owned(&mut text),
            })
            .collect();
        Point {
            measurement,
            entries,
            tag_count: self.tag_count,
            timestamp: self.timestamp,
            text,
            block: None,
            series: &[],
        }
    }

    /// An empty point with room for `entries` entries and `text` bytes of
    /// text of its own.
    pub(crate) fn with_room((entries, text): (usize, usize)) -> Self {
        Point {
            entries: Vec::with_capacity(entries),
            text: String::with_capacity(text),
            ..Point::default()
        }
    }

    /// The room of the point's list and string (see [`Point::with_room`]),
    /// the string's at most what [`Point::clear`] keeps.
    pub(crate) fn room(&self) -> (usize, usize) {
        (
            self.entries.capacity(),
            self.text.capacity().min(MAX_KEPT_TEXT),
        )
    }

    /// The tags and fields, from the block if the point has one.
    #[inline(always)]
    fn all_entries(&self) -> &[Entry<'a>] {
        match &self.block {
            Some(block) => block.entries(),
            None => &self.entries,
        }
    }

    /// The text of the point's kept spans, from the block if it has one.
    #[inline(always)]
    pub(crate) fn own_text(&self) -> &str {
        match &self.block {
            Some(block) => block.text(),
            None => &self.text,
        }
    }

    /// Moves the entries and the text of a block, if the point has one,
    /// back into the list and the string, to be changed there.
    pub(crate) fn unpack(&mut self) {
        if let Some(block) = self.block.take() {
            self.entries = block.entries().to_vec();
            self.text = block.text().to_owned();
        }
    }

    /// The tag entries.
    #[inline]
    pub(crate) fn tag_entries(&self) -> &[Entry<'a>] {
        bounds::within(self.all_entries(), ..self.tag_count)
    }

    /// The field entries.
    #[inline]
    pub(crate) fn field_entries(&self) -> &[Entry<'a>] {
        bounds::within(self.all_entries(), self.tag_count..)
    }

    /// Adds a tag after the last one.
    pub(crate) fn push_tag(&mut self, key: Cow<'a, str>, value: Cow<'a, str>) {
        self.unpack();
        self.series = &[];
        let tag = Entry {
            key: Span::of(key, &mut self.text),
            value: EntryValue::String(Span::of(value, &mut self.text)),
        };
        if self.tag_count == self.entries.len() {
            self.entries.push(tag);
        } else {
            self.entries.insert(self.tag_count, tag);
        }
        self.tag_count += 1;
    }

    /// The list and the string the parser fills for a line: the tags' and
    /// fields' entries, and the text it unescapes. The point must have no
    /// block and no entries (it is cleared first), and
    /// [`Point::set_tag_count`] is called once the line is read.
    #[inline(always)]
    pub(crate) fn line_lists(&mut self) -> (&mut Vec<Entry<'a>>, &mut String) {
        debug_assert!(self.block.is_none() && self.entries.is_empty());
        (&mut self.entries, &mut self.text)
    }

    /// Sets the measurement the parser read: the span `store` makes of it,
    /// given the point's text to unescape it into.
    #[inline(always)]
    pub(crate) fn set_measurement_with(&mut self, store: impl FnOnce(&mut String) -> Span<'a>) {
        self.measurement = store(&mut self.text);
        self.series = &[];
    }

    /// Sets the measurement and tags as the parser read them: the input
    /// from the line's start to the space before its fields.
    #[inline(always)]
    pub(crate) fn set_series(&mut self, raw: &'a [u8]) {
        self.series = raw;
    }

    /// The measurement and tags as the parser read them, escapes and all,
    /// or empty for a point built, or changed in its measurement or tags,
    /// since: two points with the same series have the same measurement
    /// and the same tags in the same order.
    #[cfg(feature = "arrow")]
    #[inline]
    pub(crate) fn series(&self) -> &'a [u8] {
        self.series
    }

    /// Sets how many of the entries the parser read are tags (the first
    /// ones).
    #[inline(always)]
    pub(crate) fn set_tag_count(&mut self, tag_count: usize) {
        debug_assert!(tag_count <= self.entries.len());
        debug_assert!(
            self.entries
                .get(..tag_count)
                .is_some_and(|tags| tags.iter().all(|tag| tag.value.span().is_some())),
            "a tag entry without a string value"
        );
        self.tag_count = tag_count;
    }

    /// A point whose entries and text are `entries` and `text` (both
    /// empty), for the iterator to parse into.
    pub(crate) fn with_lists(entries: Vec<Entry<'a>>, text: String) -> Self {
        debug_assert!(entries.is_empty() && text.is_empty());
        Point {
            entries,
            text,
            ..Point::default()
        }
    }

    /// Takes the list and the string out of the point, leaving them empty
    /// (the point must have no block).
    pub(crate) fn take_lists(&mut self) -> (Vec<Entry<'a>>, String) {
        debug_assert!(self.block.is_none());
        (
            std::mem::take(&mut self.entries),
            std::mem::take(&mut self.text),
        )
    }

    /// Gives the point `entries` as its list (it has no text of its own).
    pub(crate) fn put_list(&mut self, entries: Vec<Entry<'a>>) {
        debug_assert!(self.block.is_none() && self.text.is_empty());
        self.entries = entries;
    }

    /// Moves the entries and the text into one block, when the text is
    /// not empty; returns the list and the string, emptied of them, for
    /// reuse (or `None` when the point keeps them: no text, or a block
    /// too large to lay out).
    pub(crate) fn pack(&mut self) -> Option<(Vec<Entry<'a>>, String)> {
        if self.text.is_empty() {
            return None;
        }
        let block = Block::new(&self.entries, &self.text)?;
        let lists = self.take_lists();
        self.block = Some(block);
        Some(lists)
    }

    /// Whether the point has text of its own in its string (a point
    /// without a block).
    pub(crate) fn has_own_text(&self) -> bool {
        !self.text.is_empty()
    }

    /// How many tags the point has.
    pub(crate) fn tag_count(&self) -> usize {
        self.tag_count
    }

    /// Keeps the fields for which `keep` (given each field's index among
    /// the fields) says so; the tags stay.
    pub(crate) fn retain_fields(&mut self, mut keep: impl FnMut(usize) -> bool) {
        self.unpack();
        let tag_count = self.tag_count;
        let mut index = 0;
        self.entries.retain(|_| {
            let kept = index < tag_count || keep(index - tag_count);
            index += 1;
            kept
        });
    }

    /// Adds a field after the last one; an absent value adds nothing.
    pub(crate) fn push_field(&mut self, key: Cow<'a, str>, value: FieldInput<'a>) {
        let value = match value {
            FieldInput::Value(value) => EntryValue::of(value),
            FieldInput::String(owned) => {
                self.unpack();
                EntryValue::String(Span::append(&mut self.text, &owned))
            }
            FieldInput::Absent => return,
        };
        self.unpack();
        let key = Span::of(key, &mut self.text);
        self.entries.push(Entry { key, value });
    }
}

/// Points are equal when they read the same: the same measurement, tags
/// and fields in the same order, and the same timestamp, wherever their
/// text is kept.
impl PartialEq for Point<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.measurement() == other.measurement()
            && self.timestamp == other.timestamp
            && self.tags().eq(other.tags())
            && self.fields().eq(other.fields())
    }
}

impl fmt::Debug for Point<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Point")
            .field("measurement", &self.measurement())
            .field("tags", &self.tags())
            .field("fields", &self.fields())
            .field("timestamp", &self.timestamp)
            .finish()
    }
}

/// The iterator traits of a list of views of a point's entries (`Tags`,
/// `Fields`): `$list` holds the entries left as `entries`, and `$view`
/// makes the `$item` of one.
macro_rules! entry_views {
    ($list:ident, $item:ident, $view:ident) => {
        impl<'p> Iterator for $list<'p> {
            type Item = $item<'p>;

            #[inline]
            fn next(&mut self) -> Option<$item<'p>> {
                let entry = self.entries.next()?;
                Some(self.$view(entry))
            }

            #[inline]
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.entries.size_hint()
            }

            #[inline]
            fn nth(&mut self, n: usize) -> Option<$item<'p>> {
                let entry = self.entries.nth(n)?;
                Some(self.$view(entry))
            }
        }

        impl DoubleEndedIterator for $list<'_> {
            #[inline]
            fn next_back(&mut self) -> Option<Self::Item> {
                let entry = self.entries.next_back()?;
                Some(self.$view(entry))
            }
        }

        impl ExactSizeIterator for $list<'_> {}

        impl FusedIterator for $list<'_> {}

        impl fmt::Debug for $list<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.clone()).finish()
            }
        }
    };
}

/// A tag of a [`Point`]: a key and a value, both unescaped, borrowed from
/// the point.
///
/// ```
/// let point = lineproto::parse(br"m,room=Living\ Room f=1").next().unwrap()?;
/// let tag = point.tags().next().unwrap();
/// assert_eq!((tag.key(), tag.value()), ("room", "Living Room"));
/// # Ok::<(), lineproto::ParseError>(())
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag<'p> {
    key: &'p str,
    value: &'p str,
}

impl<'p> Tag<'p> {
    /// The tag key.
    ///
    /// ```
    /// let point = lineproto::parse(br"m,my\ key=1 f=1").next().unwrap()?;
    /// assert_eq!(point.tags().next().map(|tag| tag.key()), Some("my key"));
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn key(self) -> &'p str {
        self.key
    }

    /// The tag value.
    ///
    /// ```
    /// let point = lineproto::parse(br"m,path=a\,b=c f=1").next().unwrap()?;
    /// assert_eq!(point.tags().next().map(|tag| tag.value()), Some("a,b=c"));
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn value(self) -> &'p str {
        self.value
    }
}

/// The tags of a [`Point`], in the order they were written; made by
/// [`Point::tags`].
///
/// ```
/// let point = lineproto::parse(b"m,a=1,b=2 f=1").next().unwrap()?;
/// let mut tags = point.tags();
/// assert_eq!(tags.len(), 2);
/// assert_eq!(tags.next_back().map(|tag| tag.key()), Some("b"));
/// # Ok::<(), lineproto::ParseError>(())
/// ```
#[derive(Clone)]
pub struct Tags<'p> {
    entries: std::slice::Iter<'p, Entry<'p>>,
    text: &'p str,
}

impl<'p> Tags<'p> {
    /// The tag of a tag entry.
    #[inline]
    fn tag(&self, entry: &Entry<'p>) -> Tag<'p> {
        Tag {
            key: entry.key.get(self.text),
            // Tag entries always hold strings (checked in `set_line` and
            // `push_tag`).
            value: match entry.value.span() {
                Some(value) => value.get(self.text),
                None => {
                    debug_assert!(false, "a tag entry without a string value");
                    ""
                }
            },
        }
    }
}

entry_views!(Tags, Tag, tag);

/// A field of a [`Point`]: an unescaped key and a typed value, borrowed
/// from the point.
///
/// ```
/// use lineproto::FieldValue;
///
/// let point = lineproto::parse(br#"m note="a \"b\"""#).next().unwrap()?;
/// let field = point.fields().next().unwrap();
/// assert_eq!(field.key(), "note");
/// assert_eq!(field.value(), FieldValue::String(r#"a "b""#));
/// # Ok::<(), lineproto::ParseError>(())
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Field<'p> {
    key: &'p str,
    value: FieldValue<'p>,
}

impl<'p> Field<'p> {
    /// The field key.
    ///
    /// ```
    /// let point = lineproto::parse(br"m my\ field=1").next().unwrap()?;
    /// assert_eq!(point.fields().next().map(|field| field.key()), Some("my field"));
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn key(self) -> &'p str {
        self.key
    }

    /// The field value.
    ///
    /// ```
    /// use lineproto::FieldValue;
    ///
    /// let point = lineproto::parse(b"m f=2u,g=t").next().unwrap()?;
    /// let values: Vec<FieldValue<'_>> = point.fields().map(|field| field.value()).collect();
    /// assert_eq!(values, [FieldValue::UInteger(2), FieldValue::Boolean(true)]);
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn value(self) -> FieldValue<'p> {
        self.value
    }
}

/// The fields of a [`Point`], in the order they were written; made by
/// [`Point::fields`].
///
/// ```
/// let point = lineproto::parse(b"m a=1,b=2").next().unwrap()?;
/// let fields = point.fields();
/// assert_eq!(fields.len(), 2);
/// assert!(!fields.is_empty());
/// assert_eq!(fields.rev().next().map(|field| field.key()), Some("b"));
/// # Ok::<(), lineproto::ParseError>(())
/// ```
#[derive(Clone)]
pub struct Fields<'p> {
    entries: std::slice::Iter<'p, Entry<'p>>,
    text: &'p str,
}

impl<'p> Fields<'p> {
    /// Whether no field is left.
    ///
    /// ```
    /// let point = lineproto::Point::new();
    /// assert!(point.fields().is_empty());
    /// ```
    #[must_use]
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.entries.len() == 0
    }

    /// The field of a field entry.
    #[inline]
    fn field(&self, entry: &Entry<'p>) -> Field<'p> {
        Field {
            key: entry.key.get(self.text),
            value: entry.value.get(self.text),
        }
    }
}

entry_views!(Fields, Field, field);

/// A field value: one of line protocol's five types.
///
/// A value is a copy of a few words: a string value borrows its text from
/// the point (or, built by hand, from wherever it lives). `From`
/// conversions make one of a Rust value: `f32` and `f64` become floats,
/// signed integers `Integer`, unsigned integers `UInteger`, `bool` a
/// boolean and a `&str` a string.
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
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FieldValue<'a> {
    /// A 64-bit float: `1.5`, `-2e10`, `7`.
    #[cfg_attr(feature = "serde", serde(rename = "float"))]
    Float(f64),
    /// A signed 64-bit integer: `-7i`.
    #[cfg_attr(feature = "serde", serde(rename = "int"))]
    Integer(i64),
    /// An unsigned 64-bit integer: `7u`.
    #[cfg_attr(feature = "serde", serde(rename = "uint"))]
    UInteger(u64),
    /// A boolean: `t`, `true`, `F`, `false`, ...
    #[cfg_attr(feature = "serde", serde(rename = "bool"))]
    Boolean(bool),
    /// A string, unescaped: `"text"`.
    #[cfg_attr(feature = "serde", serde(rename = "string"))]
    String(&'a str),
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
    ///
    /// ```
    /// let point = lineproto::parse(b"m temp=21.5,co=3i").next().unwrap()?;
    /// assert_eq!(point.field("temp").and_then(|v| v.as_f64()), Some(21.5));
    /// assert_eq!(point.field("co").and_then(|v| v.as_f64()), None); // an integer
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            FieldValue::Float(value) => Some(value),
            _ => None,
        }
    }

    /// The integer, if this is one.
    ///
    /// ```
    /// let point = lineproto::parse(b"m co=-3i,temp=3").next().unwrap()?;
    /// assert_eq!(point.field("co").and_then(|v| v.as_i64()), Some(-3));
    /// assert_eq!(point.field("temp").and_then(|v| v.as_i64()), None); // a float
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            FieldValue::Integer(value) => Some(value),
            _ => None,
        }
    }

    /// The unsigned integer, if this is one.
    ///
    /// ```
    /// let point = lineproto::parse(b"m bytes=3u,delta=3i").next().unwrap()?;
    /// assert_eq!(point.field("bytes").and_then(|v| v.as_u64()), Some(3));
    /// assert_eq!(point.field("delta").and_then(|v| v.as_u64()), None); // a signed integer
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            FieldValue::UInteger(value) => Some(value),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    ///
    /// ```
    /// let point = lineproto::parse(br#"m open=T,note="true""#).next().unwrap()?;
    /// assert_eq!(point.field("open").and_then(|v| v.as_bool()), Some(true));
    /// assert_eq!(point.field("note").and_then(|v| v.as_bool()), None); // a string
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            FieldValue::Boolean(value) => Some(value),
            _ => None,
        }
    }

    /// The string, if this is one, borrowed from where the value's text
    /// lives (not from the value).
    ///
    /// ```
    /// let point = lineproto::parse(br#"m f="text""#).next().unwrap()?;
    /// assert_eq!(point.field("f").and_then(|value| value.as_str()), Some("text"));
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    #[inline]
    pub fn as_str(&self) -> Option<&'a str> {
        match *self {
            FieldValue::String(value) => Some(value),
            _ => None,
        }
    }
}

/// The type of a field value, without the value.
///
/// ```
/// use lineproto::FieldType;
///
/// let point = lineproto::parse(br#"m a=1,b=1i,c=1u,d=t,e="1""#).next().unwrap()?;
/// let types: Vec<FieldType> = point.fields().map(|field| field.value().field_type()).collect();
/// assert_eq!(types[..3], [FieldType::Float, FieldType::Integer, FieldType::UInteger]);
/// assert_eq!(types[3..], [FieldType::Boolean, FieldType::String]);
/// assert_eq!(FieldType::UInteger.to_string(), "unsigned integer");
/// # Ok::<(), lineproto::ParseError>(())
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
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

/// `isize` and `usize` are at most 64 bits wide on every target Rust
/// supports, so the conversions are exact.
macro_rules! field_value_from_pointer_sized {
    ($($variant:ident($target:ty) <= $source:ty;)+) => {$(
        impl From<$source> for FieldValue<'_> {
            #[allow(clippy::cast_possible_wrap, clippy::cast_possible_truncation)]
            fn from(value: $source) -> Self {
                FieldValue::$variant(value as $target)
            }
        }
    )+};
}

field_value_from_pointer_sized! {
    Integer(i64) <= isize;
    UInteger(u64) <= usize;
}

field_value_from! {
    Float(f64) <= f64, f32;
    Integer(i64) <= i64, i32, i16, i8;
    UInteger(u64) <= u64, u32, u16, u8;
    Boolean(bool) <= bool;
}

impl<'a> From<&'a str> for FieldValue<'a> {
    fn from(value: &'a str) -> Self {
        FieldValue::String(value)
    }
}

impl<'a> From<&'a String> for FieldValue<'a> {
    fn from(value: &'a String) -> Self {
        FieldValue::String(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A parsed point keeps its measurement and tags as written, which
    /// the Arrow converter takes as the point's series, until its
    /// measurement or tags change.
    #[cfg(feature = "arrow")]
    #[test]
    fn a_point_keeps_its_series_as_written_until_its_tags_change() {
        let input = br#"m\ 1,b=x\,y,a=2 f=1i,g="s" 5"#;
        let parsed = || crate::parse(input).next().unwrap().unwrap();
        assert_eq!(parsed().series(), &br"m\ 1,b=x\,y,a=2"[..]);
        assert_eq!(parsed().clone().series(), parsed().series());
        let mut sorted = parsed();
        sorted.sort_tags();
        let mut tagged = parsed();
        tagged.push_tag("c".into(), "3".into());
        let mut cleared = parsed();
        cleared.clear();
        let changed = [sorted, tagged, cleared, parsed().into_owned()];
        assert!(changed.iter().all(|point| point.series().is_empty()));
        let mut measured = parsed();
        measured.set_measurement_with(|text| Span::append(text, "n"));
        assert!(measured.series().is_empty());
    }

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
    fn a_cleared_point_keeps_its_text_up_to_a_bound() {
        let small = br#"m,k\ 1=v s="a\"b""#;
        let large = [&br#"m s=""#[..], &br"\\".repeat(MAX_KEPT_TEXT), b"\""].concat();
        let mut point = Point::new();
        for (input, kept) in [(&small[..], true), (&large[..], false)] {
            let mut points = crate::parse_with(input, crate::ParseOptions::new().without_limits());
            points.next_into(&mut point).unwrap().unwrap();
            assert!(!point.text.is_empty());
            point.clear();
            assert!(point.text.is_empty());
            assert_eq!(point.text.capacity() > 0, kept);
            assert_eq!(point.measurement(), "");
        }
    }

    /// A point with escapes from the iterator keeps its entries and text
    /// in one block; it must read, compare, sort, copy, detach, validate
    /// and take a new line like the same point parsed into lists.
    #[test]
    fn a_point_in_one_block_behaves_as_one_in_lists() {
        let input = br#"m\ 1,b\ t=2,a=x\,y s="q\"r",n=1i,s="two" 5"#;
        let point = crate::parse(input).next().unwrap().unwrap();
        assert!(point.block.is_some() && point.entries.is_empty() && point.text.is_empty());
        let mut lists = Point::new();
        crate::parse(input).next_into(&mut lists).unwrap().unwrap();
        assert!(lists.block.is_none() && !lists.text.is_empty());
        assert_eq!(point, lists);
        assert_eq!(point.to_string(), lists.to_string());
        assert_eq!(format!("{point:?}"), format!("{lists:?}"));
        assert_eq!(point.measurement(), "m 1");
        assert_eq!(point.tag("a"), Some("x,y"));
        assert_eq!(point.field("s"), Some(FieldValue::String("two")));
        assert_eq!(
            point.fields().next().map(Field::value),
            Some(FieldValue::String("q\"r"))
        );

        let copy = point.clone();
        assert!(copy.block.is_some());
        assert_eq!(copy, lists);

        let mut sorted = point.clone();
        sorted.sort_tags();
        assert!(sorted.block.is_some());
        let keys: Vec<&str> = sorted.tags().map(Tag::key).collect();
        assert_eq!(keys, ["a", "b t"]);
        assert_eq!(
            sorted.to_string(),
            r#"m\ 1,a=x\,y,b\ t=2 s="q\"r",n=1i,s="two" 5"#
        );

        let owned: Point<'static> = point.clone().into_owned();
        assert_eq!(owned, lists);

        // The validator drops the first of the repeated `s` fields, which
        // takes the entries out of the block.
        let mut schema = crate::Schema::new();
        let mut validator = crate::Validator::new(&mut schema);
        let mut checked = point.clone();
        validator.check(&mut checked, 1).unwrap();
        assert!(checked.block.is_none());
        assert_eq!(checked.to_string(), r#"m\ 1,b\ t=2,a=x\,y n=1i,s="two" 5"#);

        let mut reused = point.clone();
        crate::parse(br"n,t=a\ b f=1")
            .next_into(&mut reused)
            .unwrap()
            .unwrap();
        assert!(reused.block.is_none());
        assert_eq!(reused.to_string(), r"n,t=a\ b f=1");
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
}
