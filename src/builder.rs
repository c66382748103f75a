//! Building points in code, the way client libraries do.

use std::borrow::Cow;

use crate::error::WriteError;
use crate::point::{FieldValue, Point};

/// Builds a [`Point`]; made by [`Point::builder`].
///
/// Names and strings may be `&str`, `String` or `Cow<str>`; field values
/// any type with a `From` conversion into [`FieldValue`]. Tags and fields
/// keep the order in which they are added. [`build`](Self::build) checks
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
    pub(crate) fn new(measurement: Cow<'a, str>) -> Self {
        PointBuilder {
            point: Point {
                measurement,
                ..Point::default()
            },
        }
    }

    /// Adds a tag.
    pub fn tag(mut self, key: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Self {
        self.point.push_tag(key.into(), value.into());
        self
    }

    /// Adds a field.
    pub fn field(mut self, key: impl Into<Cow<'a, str>>, value: impl Into<FieldValue<'a>>) -> Self {
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
