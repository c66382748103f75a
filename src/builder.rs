//! Building points in code, the way client libraries do.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::InvalidPoint;
use crate::point::{FieldValue, Point};
use crate::precision::Precision;

/// Builds a [`Point`]; made by [`Point::builder`].
///
/// Names and strings may be `&str`, `String` or `Cow<str>`; field values
/// any type with a `From` conversion into [`FieldValue`], a `String`, or
/// an `Option` of one of those, left out when `None` (see [`FieldInput`]).
/// The field type follows the Rust type: signed integers of every width
/// become integers (`1i`), unsigned ones unsigned integers (`1u`), so a
/// `u32` meant for an integer column is given as `i64::from(n)`. Owned
/// strings are copied into the one string the point keeps for them. Tags
/// and fields keep the order in which they are added.
/// [`build`](Self::build) checks the point, so a built point can always
/// be written.
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
    /// The first problem met before [`build`](Self::build) checks the
    /// point: a timestamp that could not be converted.
    problem: Option<InvalidPoint>,
}

impl<'a> PointBuilder<'a> {
    /// A builder that adds to `point`, which holds a measurement only.
    pub(crate) fn new(point: Point<'a>) -> Self {
        PointBuilder {
            point,
            problem: None,
        }
    }

    /// Adds a tag.
    ///
    /// ```
    /// let point = lineproto::Point::builder("m").tag("host", "a").field("f", 1.0).build()?;
    /// assert_eq!(point.tag("host"), Some("a"));
    /// # Ok::<(), lineproto::InvalidPoint>(())
    /// ```
    pub fn tag(mut self, key: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        self.point.push_tag(key.into(), value.into());
        self
    }

    /// Adds a field; a `None` adds nothing.
    ///
    /// ```
    /// use lineproto::{FieldValue, Point};
    ///
    /// let note = String::from("owned");
    /// let humidity: Option<f64> = None;
    /// let point = Point::builder("m")
    ///     .field("n", 1u8)
    ///     .field("count", 7usize)
    ///     .field("delta", -2isize)
    ///     .field("s", "borrowed")
    ///     .field("t", note)
    ///     .field("hum", humidity)
    ///     .field("temp", Some(21.5))
    ///     .build()?;
    /// assert_eq!(point.field("t"), Some(FieldValue::String("owned")));
    /// assert_eq!(
    ///     point.to_string(),
    ///     r#"m n=1u,count=7u,delta=-2i,s="borrowed",t="owned",temp=21.5"#
    /// );
    /// # Ok::<(), lineproto::InvalidPoint>(())
    /// ```
    pub fn field(mut self, key: impl Into<Cow<'a, str>>, value: impl Into<FieldInput<'a>>) -> Self {
        match value.into() {
            FieldInput::Absent => {}
            value => self.point.push_field(key.into(), value),
        }
        self
    }

    /// Sets the timestamp, in nanoseconds since the Unix epoch.
    ///
    /// ```
    /// let point = lineproto::Point::builder("m").field("f", 1.0).timestamp(1_500).build()?;
    /// assert_eq!(point.timestamp(), Some(1_500));
    /// # Ok::<(), lineproto::InvalidPoint>(())
    /// ```
    pub fn timestamp(mut self, nanos: i64) -> Self {
        self.point.set_timestamp(Some(nanos));
        self
    }

    /// Sets the timestamp from a value in `precision`: seconds from a
    /// clock that gives seconds, say. A value that overflows nanoseconds
    /// makes [`build`](Self::build) fail with
    /// [`InvalidPoint::TimestampOverflow`].
    ///
    /// ```
    /// use lineproto::{InvalidPoint, Point, Precision};
    ///
    /// let point = Point::builder("m")
    ///     .field("f", 1.0)
    ///     .timestamp_in(1_641_024_000, Precision::Seconds)
    ///     .build()?;
    /// assert_eq!(point.timestamp(), Some(1_641_024_000_000_000_000));
    ///
    /// let err = Point::builder("m").field("f", 1.0).timestamp_in(i64::MAX, Precision::Seconds).build();
    /// assert!(matches!(err, Err(InvalidPoint::TimestampOverflow { .. })));
    /// # Ok::<(), InvalidPoint>(())
    /// ```
    pub fn timestamp_in(mut self, value: i64, precision: Precision) -> Self {
        match precision.to_nanos(value) {
            Ok(nanos) => self.point.set_timestamp(Some(nanos)),
            Err(_) => self.note(InvalidPoint::TimestampOverflow { value, precision }),
        }
        self
    }

    /// Sets the timestamp from a [`SystemTime`], to the nanosecond. A time
    /// outside the years 1677 to 2262 makes [`build`](Self::build) fail
    /// with [`InvalidPoint::TimeOutOfRange`].
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use lineproto::Point;
    ///
    /// let time = SystemTime::UNIX_EPOCH + Duration::from_millis(1_641_024_000_250);
    /// let point = Point::builder("m").field("f", 1.0).time(time).build()?;
    /// assert_eq!(point.timestamp(), Some(1_641_024_000_250_000_000));
    ///
    /// let now = Point::builder("m").field("f", 1.0).time(SystemTime::now()).build()?;
    /// assert!(now.timestamp() > point.timestamp());
    /// # Ok::<(), lineproto::InvalidPoint>(())
    /// ```
    pub fn time(mut self, time: SystemTime) -> Self {
        match nanos_since_epoch(time) {
            Some(nanos) => self.point.set_timestamp(Some(nanos)),
            None => self.note(InvalidPoint::TimeOutOfRange { time }),
        }
        self
    }

    /// Keeps the first problem for [`build`](Self::build) to report.
    fn note(&mut self, problem: InvalidPoint) {
        self.problem.get_or_insert(problem);
    }

    /// Checks the point and returns it.
    ///
    /// # Errors
    ///
    /// The [`InvalidPoint`] of [`Point::validate`] when the point could not
    /// be written as line protocol (an empty name, no fields, a NaN, ...),
    /// or the first timestamp given that could not be converted.
    ///
    /// ```
    /// use lineproto::{InvalidPoint, NonFinite, Point};
    ///
    /// let err = Point::builder("m").field("x", f64::NAN).build().unwrap_err();
    /// assert_eq!(err, InvalidPoint::NonFiniteFloat { key: "x".into(), value: NonFinite::NaN });
    /// let err = Point::builder("m").tag("t", "1").build().unwrap_err();
    /// assert_eq!(err, InvalidPoint::NoFields);
    /// ```
    pub fn build(self) -> Result<Point<'a>, InvalidPoint> {
        if let Some(problem) = self.problem {
            return Err(problem);
        }
        self.point.validate()?;
        Ok(self.point)
    }
}

/// `time` in nanoseconds since the Unix epoch, if an `i64` holds it.
fn nanos_since_epoch(time: SystemTime) -> Option<i64> {
    let nanos = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_nanos()).ok()?,
        Err(before) => -i128::try_from(before.duration().as_nanos()).ok()?,
    };
    i64::try_from(nanos).ok()
}

/// A field value as [`PointBuilder::field`] takes it: a [`FieldValue`]
/// (or anything that converts into one), an owned string, which is
/// copied into the point's own string, or no value at all (from an
/// `Option` that is `None`), which leaves the field out.
///
/// ```
/// use std::borrow::Cow;
/// use lineproto::{FieldInput, FieldValue};
///
/// assert_eq!(FieldInput::from(2.5), FieldInput::Value(FieldValue::Float(2.5)));
/// assert_eq!(FieldInput::from("a"), FieldInput::Value(FieldValue::String("a")));
/// assert_eq!(FieldInput::from(String::from("b")), FieldInput::String("b".into()));
/// assert_eq!(FieldInput::from(Cow::Borrowed("c")), FieldInput::Value(FieldValue::String("c")));
/// assert_eq!(FieldInput::from(Some(1i64)), FieldInput::Value(FieldValue::Integer(1)));
/// assert_eq!(FieldInput::from(None::<f64>), FieldInput::Absent);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum FieldInput<'a> {
    /// A value whose string, if it is one, is borrowed.
    Value(FieldValue<'a>),
    /// A string value the point is to own.
    String(String),
    /// No value: the builder leaves the field out.
    Absent,
}

impl<'a, T: Into<FieldValue<'a>>> From<T> for FieldInput<'a> {
    fn from(value: T) -> Self {
        FieldInput::Value(value.into())
    }
}

/// `Some` is its value, `None` leaves the field out.
impl<'a, T: Into<FieldInput<'a>>> From<Option<T>> for FieldInput<'a> {
    fn from(value: Option<T>) -> Self {
        value.map_or(FieldInput::Absent, Into::into)
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
