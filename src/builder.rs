//! Building points in code, the way client libraries do.

use std::borrow::Cow;

use crate::error::WriteError;
use crate::point::{FieldValue, Point};

/// Builds a [`Point`]; made by [`Point::builder`].
///
/// Names and strings may be `&str`, `String` or `Cow<str>`; field values
/// any type with a `From` conversion into [`FieldValue`], or a `String`
/// (see [`FieldInput`]). Owned strings are copied into the one string the
/// point keeps for them. Tags and fields keep the order in which they are
/// added. [`build`](Self::build) checks
/// the point, so a built point can always be written.
///
/// ```
/// use lineproto::{Point, Precision};
///
/// let room = String::from("Living Room");
/// let point = Point::builder("home")
///     .tag("room", room)
///     .field("temp", 21.1)
///     .field("hum", 35.9)
///     .field("co", 0)
///     .timestamp(Precision::Seconds.to_nanos(1_641_024_000)?)
///     .build()?;
/// assert_eq!(
///     point.to_string(),
///     r"home,room=Living\ Room temp=21.1,hum=35.9,co=0i 1641024000000000000"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct PointBuilder<'a> {
    point: Point<'a>,
}

impl<'a> PointBuilder<'a> {
    /// A builder that adds to `point`, which holds a measurement only.
    pub(crate) fn new(point: Point<'a>) -> Self {
        PointBuilder { point }
    }

    /// Adds a tag.
    pub fn tag(mut self, key: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        self.point.push_tag(key.into(), value.into());
        self
    }

    /// Adds a field.
    ///
    /// ```
    /// use lineproto::{FieldValue, Point};
    ///
    /// let note = String::from("owned");
    /// let point = Point::builder("m")
    ///     .field("n", 1u8)
    ///     .field("s", "borrowed")
    ///     .field("t", note)
    ///     .build()?;
    /// assert_eq!(point.field("t"), Some(FieldValue::String("owned")));
    /// assert_eq!(point.to_string(), r#"m n=1u,s="borrowed",t="owned""#);
    /// # Ok::<(), lineproto::WriteError>(())
    /// ```
    pub fn field(mut self, key: impl Into<Cow<'a, str>>, value: impl Into<FieldInput<'a>>) -> Self {
        self.point.push_field(key.into(), value.into());
        self
    }

    /// Sets the timestamp, in nanoseconds since the Unix epoch. Use
    /// [`Precision::to_nanos`](crate::Precision::to_nanos) to convert from
    /// another unit.
    pub fn timestamp(mut self, nanos: i64) -> Self {
        self.point.timestamp = Some(nanos);
        self
    }

    /// Checks the point and returns it.
    ///
    /// # Errors
    ///
    /// The [`WriteError`] of [`Point::validate`] when the point could not be
    /// written as line protocol (an empty name, no fields, a NaN, ...).
    ///
    /// ```
    /// use lineproto::{Point, WriteError};
    ///
    /// let err = Point::builder("m").field("x", f64::NAN).build().unwrap_err();
    /// assert!(matches!(err, WriteError::NonFiniteFloat { .. }));
    /// let err = Point::builder("m").tag("t", "1").build().unwrap_err();
    /// assert!(matches!(err, WriteError::NoFields));
    /// ```
    pub fn build(self) -> Result<Point<'a>, WriteError> {
        self.point.validate()?;
        Ok(self.point)
    }
}

/// A field value as [`PointBuilder::field`] takes it: a [`FieldValue`]
/// (or anything that converts into one), or an owned string, which is
/// copied into the point's own string.
///
/// ```
/// use std::borrow::Cow;
/// use lineproto::{FieldInput, FieldValue};
///
/// assert_eq!(FieldInput::from(2.5), FieldInput::Value(FieldValue::Float(2.5)));
/// assert_eq!(FieldInput::from("a"), FieldInput::Value(FieldValue::String("a")));
/// assert_eq!(FieldInput::from(String::from("b")), FieldInput::String("b".into()));
/// assert_eq!(FieldInput::from(Cow::Borrowed("c")), FieldInput::Value(FieldValue::String("c")));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum FieldInput<'a> {
    /// A value whose string, if it is one, is borrowed.
    Value(FieldValue<'a>),
    /// A string value the point is to own.
    String(String),
}

impl<'a, T: Into<FieldValue<'a>>> From<T> for FieldInput<'a> {
    fn from(value: T) -> Self {
        FieldInput::Value(value.into())
    }
}

impl From<String> for FieldInput<'_> {
    fn from(value: String) -> Self {
        FieldInput::String(value)
    }
}

impl<'a> From<Cow<'a, str>> for FieldInput<'a> {
    fn from(value: Cow<'a, str>) -> Self {
        match value {
            Cow::Borrowed(text) => FieldInput::Value(FieldValue::String(text)),
            Cow::Owned(text) => FieldInput::String(text),
        }
    }
}
