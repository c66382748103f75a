//! The serializer: points back to line protocol.
//!
//! Every write checks the point as it writes it, in one pass, and leaves
//! the whole line or nothing: on the first problem the buffer is truncated
//! back. What it writes, the parser reads back as an equal point (with the
//! timestamp floored to the chosen precision).

use std::fmt;
use std::io;

use crate::bounds;
use crate::builder::FieldInput;
use crate::error::Element;
use crate::error::{InvalidPoint, NonFinite, WriteError};
use crate::escape::escape_into;
use crate::point::{FieldValue, Point};
use crate::precision::Precision;
use crate::repeated::repeated_key_index;

impl Point<'_> {
    /// Checks that the point can be written as line protocol that reads
    /// back as the same point.
    ///
    /// Points from [`PointBuilder::build`] always pass, and so do points
    /// from the parser but one kind: a name or tag value that ends in a
    /// backslash, which the parser reads from a doubled one (`C:\\`) and
    /// the writer refuses, since readers disagree on it (see "The dialect"
    /// in the crate docs). The writing methods make the same checks as
    /// they write.
    ///
    /// # Errors
    ///
    /// An [`InvalidPoint`] naming the first problem: an empty name or tag
    /// value, a measurement starting with `#`, a control character in a
    /// name or tag value, a name or tag value ending in a backslash, a
    /// repeated tag key, no fields, or a NaN or infinite float.
    ///
    /// ```
    /// use lineproto::{InvalidPoint, Point};
    ///
    /// let mut point = Point::builder("m").field("f", 1.0).build()?;
    /// assert_eq!(point.validate(), Ok(()));
    /// point.clear();
    /// assert_eq!(point.validate(), Err(InvalidPoint::EmptyMeasurement));
    /// # Ok::<(), InvalidPoint>(())
    /// ```
    ///
    /// [`PointBuilder::build`]: crate::PointBuilder::build
    pub fn validate(&self) -> Result<(), InvalidPoint> {
        self.write_line(&mut Discard, Precision::Nanoseconds)
    }

    /// Appends the point to `out` as one line of line protocol, ending in
    /// `\n`, with the timestamp converted to `precision` (floored).
    ///
    /// The point is checked as it is written, in one pass; if a check fails,
    /// `out` is truncated back to where it was.
    ///
    /// # Errors
    ///
    /// An [`InvalidPoint`] as from [`Point::validate`], or
    /// [`InvalidPoint::TimestampOutOfRange`] for a timestamp within one unit
    /// of the earliest `i64` nanosecond when `precision` is coarser than
    /// nanoseconds; `out` is then unchanged.
    ///
    /// ```
    /// use lineproto::{Point, Precision};
    ///
    /// let point = Point::builder("home")
    ///     .tag("room", "Living Room")
    ///     .field("temp", 21.1)
    ///     .field("note", "door \"open\"")
    ///     .timestamp(1_641_024_000_500_000_000)
    ///     .build()?;
    /// let mut out = Vec::new();
    /// point.write_to_vec(&mut out, Precision::Seconds)?;
    /// assert_eq!(
    ///     out,
    ///     b"home,room=Living\\ Room temp=21.1,note=\"door \\\"open\\\"\" 1641024000\n"
    /// );
    /// # Ok::<(), lineproto::InvalidPoint>(())
    /// ```
    pub fn write_to_vec(
        &self,
        out: &mut Vec<u8>,
        precision: Precision,
    ) -> Result<(), InvalidPoint> {
        let start = out.len();
        let written = self.write_line(out, precision);
        if written.is_err() {
            out.truncate(start);
        }
        written
    }

    /// Writes the point to an [`io::Write`] as one line ending in `\n`,
    /// with one `write_all` call.
    ///
    /// # Errors
    ///
    /// [`WriteError::Invalid`] with the [`InvalidPoint`] of
    /// [`Point::write_to_vec`] (nothing is written), or [`WriteError::Io`]
    /// when the writer fails.
    ///
    /// ```
    /// use lineproto::{Point, Precision};
    ///
    /// let point = Point::builder("m").field("ok", true).build()?;
    /// let mut stdout = std::io::stdout().lock();
    /// point.write_to(&mut stdout, Precision::Nanoseconds)?;
    /// # Ok::<(), lineproto::WriteError>(())
    /// ```
    pub fn write_to<W: io::Write>(
        &self,
        mut writer: W,
        precision: Precision,
    ) -> Result<(), WriteError> {
        let mut line = Vec::with_capacity(self.estimated_len());
        self.write_to_vec(&mut line, precision)?;
        writer.write_all(&line)?;
        Ok(())
    }

    /// Writes the point to a [`fmt::Write`] (a `String`, a `Formatter`) as
    /// one line ending in `\n`, with one `write_str` call.
    ///
    /// # Errors
    ///
    /// [`WriteError::Invalid`] with the [`InvalidPoint`] of
    /// [`Point::write_to_vec`] (nothing is written), or [`WriteError::Fmt`]
    /// when the formatter fails.
    ///
    /// ```
    /// use lineproto::{Point, Precision};
    ///
    /// let point = Point::builder("m").field("n", 1u64).timestamp(90_000_000_000).build()?;
    /// let mut text = String::new();
    /// point.write_to_fmt(&mut text, Precision::Minutes)?;
    /// assert_eq!(text, "m n=1u 1\n");
    /// # Ok::<(), lineproto::WriteError>(())
    /// ```
    pub fn write_to_fmt<W: fmt::Write + ?Sized>(
        &self,
        out: &mut W,
        precision: Precision,
    ) -> Result<(), WriteError> {
        let mut line = Vec::with_capacity(self.estimated_len());
        self.write_to_vec(&mut line, precision)?;
        out.write_str(&String::from_utf8_lossy(&line))?;
        Ok(())
    }

    /// Writes the line, ending in `\n`, checking everything the parser
    /// would reject or read back differently; stops at the first problem.
    fn write_line(&self, out: &mut impl Sink, precision: Precision) -> Result<(), InvalidPoint> {
        let measurement = self.measurement();
        if measurement.is_empty() {
            return Err(InvalidPoint::EmptyMeasurement);
        }
        if measurement.starts_with('#') {
            return Err(InvalidPoint::CommentMeasurement {
                measurement: measurement.to_owned(),
            });
        }
        if measurement.starts_with('\u{feff}') {
            return Err(InvalidPoint::ByteOrderMarkMeasurement {
                measurement: measurement.to_owned(),
            });
        }
        if self.fields().is_empty() {
            return Err(InvalidPoint::NoFields);
        }
        if let Some(index) = repeated_key_index(self.tag_entries(), self.own_text()) {
            let key = self.tags().nth(index).map(|tag| tag.key());
            debug_assert!(key.is_some(), "a repeated tag past the last");
            let key = key.unwrap_or_default();
            return Err(InvalidPoint::DuplicateTagKey {
                key: key.to_owned(),
            });
        }
        let timestamp = match self.timestamp() {
            Some(nanos) if precision == Precision::Nanoseconds => Some(nanos),
            Some(nanos) => {
                let written = precision.from_nanos(nanos);
                if precision.to_nanos(written).is_err() {
                    return Err(InvalidPoint::TimestampOutOfRange { nanos, precision });
                }
                Some(written)
            }
            None => None,
        };

        write_name(measurement, Element::Measurement, out)?;
        for tag in self.tags() {
            if tag.key().is_empty() {
                return Err(InvalidPoint::EmptyTagKey);
            }
            if tag.value().is_empty() {
                return Err(InvalidPoint::EmptyTagValue {
                    key: tag.key().to_owned(),
                });
            }
            out.push(b',');
            write_name(tag.key(), Element::TagKey, out)?;
            out.push(b'=');
            write_name(tag.value(), Element::TagValue, out)?;
        }
        let mut separator = b' ';
        for field in self.fields() {
            if field.key().is_empty() {
                return Err(InvalidPoint::EmptyFieldKey);
            }
            if let FieldValue::Float(value) = field.value() {
                if let Some(value) = NonFinite::of(value) {
                    return Err(InvalidPoint::NonFiniteFloat {
                        key: field.key().to_owned(),
                        value,
                    });
                }
            }
            out.push(separator);
            separator = b',';
            write_name(field.key(), Element::FieldKey, out)?;
            out.push(b'=');
            write_value(&field.value(), out);
        }
        if let Some(written) = timestamp {
            out.push(b' ');
            push_i64(out, written);
        }
        out.push(b'\n');
        Ok(())
    }

    /// A guess at the written length, close enough for one reservation.
    fn estimated_len(&self) -> usize {
        let tags: usize = self
            .tags()
            .map(|t| t.key().len() + t.value().len() + 2)
            .sum();
        let fields: usize = self
            .fields()
            .map(|f| {
                f.key().len()
                    + 2
                    + match f.value() {
                        FieldValue::String(s) => s.len() + 2,
                        _ => 24,
                    }
            })
            .sum();
        self.measurement().len() + tags + fields + 21
    }
}

/// Writes points as lines of line protocol to an [`io::Write`] (a file, a
/// socket, a request body), through one buffer reused for every line.
///
/// Each point is checked and formatted into the line buffer, then copied
/// into a [`BufWriter`](io::BufWriter) around the writer, so writing many
/// points costs no allocation per point and few system calls. An invalid
/// point is refused whole ([`WriteError::Invalid`]) and the writer stays
/// usable. Lines not yet flushed are flushed when the writer is dropped
/// (errors then ignored, as [`BufWriter`](io::BufWriter) does): call
/// [`flush`](Self::flush) or [`into_inner`](Self::into_inner) to see them.
///
/// ```
/// use lineproto::{LineWriter, Point, Precision};
///
/// let mut writer = LineWriter::with_precision(Vec::new(), Precision::Seconds);
/// for (room, temp) in [("Kitchen", 21.0), ("Living Room", 21.5)] {
///     let point = Point::builder("home")
///         .tag("room", room)
///         .field("temp", temp)
///         .timestamp_in(1_641_024_000, Precision::Seconds)
///         .build()?;
///     writer.write_point(&point)?;
/// }
/// let out = writer.into_inner()?;
/// assert_eq!(
///     out,
///     b"home,room=Kitchen temp=21 1641024000\nhome,room=Living\\ Room temp=21.5 1641024000\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct LineWriter<W: io::Write> {
    out: io::BufWriter<W>,
    line: Vec<u8>,
    precision: Precision,
}

impl<W: io::Write> LineWriter<W> {
    /// A writer of lines with nanosecond timestamps.
    ///
    /// ```
    /// let writer = lineproto::LineWriter::new(std::io::sink());
    /// assert_eq!(writer.precision(), lineproto::Precision::Nanoseconds);
    /// ```
    pub fn new(writer: W) -> Self {
        LineWriter::with_precision(writer, Precision::Nanoseconds)
    }

    /// A writer of lines with timestamps in `precision` (floored, as
    /// [`Point::write_to_vec`] writes them).
    ///
    /// ```
    /// use lineproto::{LineWriter, Point, Precision};
    ///
    /// let mut writer = LineWriter::with_precision(Vec::new(), Precision::Milliseconds);
    /// writer.write_point(&Point::builder("m").field("f", 1.0).timestamp(1_999_999).build()?)?;
    /// assert_eq!(writer.into_inner()?, b"m f=1 1\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_precision(writer: W, precision: Precision) -> Self {
        LineWriter {
            out: io::BufWriter::new(writer),
            line: Vec::new(),
            precision,
        }
    }

    /// The precision timestamps are written in.
    ///
    /// ```
    /// use lineproto::{LineWriter, Precision};
    /// let writer = LineWriter::with_precision(std::io::sink(), Precision::Seconds);
    /// assert_eq!(writer.precision(), Precision::Seconds);
    /// ```
    #[must_use]
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// Writes `point` as one line.
    ///
    /// # Errors
    ///
    /// [`WriteError::Invalid`] when the point cannot be written (nothing
    /// of it is), or [`WriteError::Io`] when the writer fails.
    ///
    /// ```
    /// use lineproto::{InvalidPoint, LineWriter, Point, WriteError};
    ///
    /// let mut writer = LineWriter::new(Vec::new());
    /// let err = writer.write_point(&Point::new()).unwrap_err();
    /// assert!(matches!(err, WriteError::Invalid(InvalidPoint::EmptyMeasurement)));
    /// writer.write_point(&"m f=1i".parse()?)?;
    /// assert_eq!(writer.into_inner()?, b"m f=1i\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_point(&mut self, point: &Point<'_>) -> Result<(), WriteError> {
        self.line.clear();
        point.write_to_vec(&mut self.line, self.precision)?;
        io::Write::write_all(&mut self.out, &self.line)?;
        Ok(())
    }

    /// Writes out the lines buffered so far.
    ///
    /// # Errors
    ///
    /// The writer's error.
    ///
    /// ```
    /// use lineproto::{LineWriter, Point};
    ///
    /// let mut writer = LineWriter::new(Vec::new());
    /// writer.write_point(&"m f=1".parse()?)?;
    /// assert!(writer.get_ref().is_empty());
    /// writer.flush()?;
    /// assert_eq!(writer.get_ref(), b"m f=1\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn flush(&mut self) -> io::Result<()> {
        io::Write::flush(&mut self.out)
    }

    /// The writer. Lines not yet flushed are not in it.
    ///
    /// ```
    /// let writer = lineproto::LineWriter::new(Vec::<u8>::new());
    /// assert!(writer.get_ref().is_empty());
    /// ```
    #[must_use]
    pub fn get_ref(&self) -> &W {
        self.out.get_ref()
    }

    /// The writer, to be changed. Writing to it directly puts bytes before
    /// the lines not yet flushed.
    ///
    /// ```
    /// let mut writer = lineproto::LineWriter::new(Vec::<u8>::new());
    /// writer.get_mut().extend_from_slice(b"# header\n");
    /// ```
    pub fn get_mut(&mut self) -> &mut W {
        self.out.get_mut()
    }

    /// Flushes the lines buffered and returns the writer.
    ///
    /// # Errors
    ///
    /// The writer's error while flushing; the writer is then dropped.
    ///
    /// ```
    /// let mut writer = lineproto::LineWriter::new(Vec::new());
    /// writer.write_point(&"m f=1".parse()?)?;
    /// assert_eq!(writer.into_inner()?, b"m f=1\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_inner(self) -> io::Result<W> {
        self.out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)
    }
}

/// Prints the point as line protocol, timestamp in nanoseconds, without a
/// line break.
///
/// A point the writer would refuse (an empty [`Point::new`], or a parsed
/// name ending in a backslash) prints as `<invalid point: ...>` with the
/// reason, which no reader takes for a line of line protocol.
///
/// ```
/// use lineproto::Point;
///
/// assert_eq!(Point::parse_line("m,t=a\\ b f=1i 5")?.to_string(), "m,t=a\\ b f=1i 5");
/// assert_eq!(Point::new().to_string(), "<invalid point: the measurement name is empty>");
/// # Ok::<(), lineproto::ParseError>(())
/// ```
impl fmt::Display for Point<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut line = Vec::with_capacity(self.estimated_len());
        if let Err(invalid) = self.write_line(&mut line, Precision::Nanoseconds) {
            return write!(f, "<invalid point: {invalid}>");
        }
        let line = line.strip_suffix(b"\n").unwrap_or(&line);
        f.write_str(&String::from_utf8_lossy(line))
    }
}

/// Prints the value as line protocol writes it, as [`FieldValue`] does;
/// [`FieldInput::Absent`] prints nothing.
///
/// ```
/// assert_eq!(lineproto::FieldInput::from(String::from("a b")).to_string(), r#""a b""#);
/// ```
impl fmt::Display for FieldInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldInput::Value(value) => value.fmt(f),
            FieldInput::String(text) => FieldValue::String(text).fmt(f),
            FieldInput::Absent => Ok(()),
        }
    }
}

/// Prints the value as it stands in a line: `1.5`, `1i`, `1u`, `true`,
/// `"text"` with `"` and `\` escaped.
impl fmt::Display for FieldValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = Vec::new();
        write_value(self, &mut text);
        f.write_str(&String::from_utf8_lossy(&text))
    }
}

fn write_value(value: &FieldValue<'_>, out: &mut impl Sink) {
    match value {
        FieldValue::Float(value) => write_float(*value, out),
        FieldValue::Integer(value) => {
            push_i64(out, *value);
            out.push(b'i');
        }
        FieldValue::UInteger(value) => {
            push_u64(out, *value);
            out.push(b'u');
        }
        FieldValue::Boolean(true) => out.extend(b"true"),
        FieldValue::Boolean(false) => out.extend(b"false"),
        FieldValue::String(text) => {
            out.push(b'"');
            // Every byte may stand in a string value.
            let _ = escape_into(text, Element::StringValue, out);
            out.push(b'"');
        }
    }
}

/// Writes a float in a short form that reads back as the same `f64`:
/// plain decimals for ordinary magnitudes (`21`, `21.1`, `0.001`),
/// scientific notation for very large or very small ones (`1e300`,
/// `5e-324`), so no value takes hundreds of digits. Whole numbers have no
/// `.0` (`21`); a float field needs no decimal point to stay a float.
///
/// Values with at most four decimals, the bulk of real sensor data, are
/// written directly; the rest by Żmij's shortest round-trip algorithm
/// (the `zmij` crate), whose exponents lose their `+` (`1e21`, not
/// `1e+21`).
pub(crate) fn write_float(value: f64, out: &mut impl Sink) {
    if let Some((units, decimals)) = few_decimals(value) {
        write_decimal(value.is_sign_negative(), units, decimals, out);
        return;
    }
    let mut buffer = zmij::Buffer::new();
    let text = buffer.format(value).as_bytes();
    // A positive exponent has one to three digits: its `+`, if any, is
    // the second, third or fourth byte from the end.
    let plus = [2, 3, 4].into_iter().find_map(|back| {
        let at = text.len().checked_sub(back)?;
        (text.get(at) == Some(&b'+')).then_some(at)
    });
    match plus {
        Some(plus) => {
            let (mantissa, exponent) = text.split_at(plus);
            out.extend(mantissa);
            out.extend(bounds::within(exponent, 1..));
        }
        None => out.extend(text.strip_suffix(b".0").unwrap_or(text)),
    }
}

/// `value` as `units / 10^decimals` with the fewest decimals (at most
/// four), when that decimal reads back as exactly `value`.
///
/// `units` below 2^53 and a power of ten are both exact, so the division
/// is correctly rounded and equals what any correct parser makes of the
/// decimal; comparing bits keeps `-0.0` apart from `0.0` (a whole number
/// is compared as a number: `-0.0` is 0 units, written with its sign).
///
/// A value with fewer than four decimals also has four (trailing zeros),
/// so one division at four decimals decides, and trailing zeros of the
/// units give the fewest: long-digit values go on to Żmij after one
/// multiplication, which finds `value × 10^4` too far from a whole number
/// for any division to be needed. That holds while `value × 10^4` stays below
/// 2^51, where rounding it is sure to give back the decimal's units;
/// larger values try fewer decimals one at a time. (From 2^52 on, the
/// product has no fraction left to round, and one decimal too many could
/// pass: `666504292915.023` came out as `666504292915.0229`.)
#[inline(always)]
fn few_decimals(value: f64) -> Option<(u64, usize)> {
    const POWERS_OF_TEN: [f64; 5] = [1.0, 10.0, 100.0, 1000.0, 10000.0];
    const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;
    // A whole number is its own units: no division needed.
    let magnitude = value.abs();
    if magnitude < EXACT_INTEGERS {
        // From 2^52 on every `f64` is whole. `-0.0` is 0 units, and its
        // sign is written.
        #[expect(clippy::float_cmp, reason = "an exact comparison is meant")]
        if magnitude >= TWO_TO_52 || nearest_whole(magnitude) == magnitude {
            return Some((magnitude as u64, 0));
        }
    }
    if let Some(found) = decimals_of(value, 4, 10_000.0) {
        let (mut units, mut decimals) = found?;
        while decimals > 1 && units % 10 == 0 {
            units /= 10;
            decimals -= 1;
        }
        return Some((units, decimals));
    }
    for (decimals, &power) in POWERS_OF_TEN.iter().enumerate().skip(1).take(3) {
        if let Some(Some(found)) = decimals_of(value, decimals, power) {
            return Some(found);
        }
    }
    None
}

/// Whether `value` is `units / power` for the `units` nearest to
/// `value × power` (`power` being `10^decimals`): `None` when
/// `value × power` is too large to be exact (or NaN), `Some(None)` when
/// it is not, `Some(Some((units, decimals)))` when it is.
#[inline]
fn decimals_of(value: f64, decimals: usize, power: f64) -> Option<Option<(u64, usize)>> {
    /// 2^51: below it, `value × power` is within a quarter of the units
    /// of any decimal that `value` is, and rounds to them.
    const ROUNDS_TO_UNITS: f64 = 2_251_799_813_685_248.0;
    let scaled = value * power;
    if scaled.is_nan() || scaled.abs() >= ROUNDS_TO_UNITS {
        return None;
    }
    // A product with a fraction of one half is no decimal's (it is within
    // a quarter of those units), so rounding halves to even loses none.
    let units = nearest_whole(scaled.abs()).copysign(scaled);
    // A decimal's `value × power` is its units within two roundings, a
    // few parts in 2^53; farther off, `value` is no such decimal, and the
    // division that decides is spared (most of the cost of a value with
    // long digits).
    if (scaled - units).abs() > scaled.abs() * (2.0 * f64::EPSILON) {
        return Some(None);
    }
    Some((units / power).to_bits() == value.to_bits())
        .map(|exact| exact.then_some((units.abs() as u64, decimals)))
}

/// 2^52: from here on every `f64` is a whole number.
const TWO_TO_52: f64 = 4_503_599_627_370_496.0;

/// The whole number nearest to `magnitude` (non-negative and below 2^52),
/// halves to even: adding 2^52 leaves no bits for a fraction, so the sum
/// is rounded to a whole number, and taking 2^52 away again is exact. Two
/// additions, where a cast to an integer and back takes the checks that
/// make a cast saturate, and `f64::round` a library call.
#[inline(always)]
fn nearest_whole(magnitude: f64) -> f64 {
    (magnitude + TWO_TO_52) - TWO_TO_52
}

/// Writes `units / 10^decimals` with its sign.
fn write_decimal(negative: bool, units: u64, decimals: usize, out: &mut impl Sink) {
    if negative {
        out.push(b'-');
    }
    let divisor = 10u64.pow(decimals as u32);
    push_u64(out, units / divisor);
    if decimals > 0 {
        out.push(b'.');
        let fraction = units % divisor;
        // Leading zeros of the fraction: 0.05 is 5 units of 10^-2.
        for place in (1..decimals).rev() {
            if fraction < 10u64.pow(place as u32) {
                out.push(b'0');
            }
        }
        push_u64(out, fraction);
    }
}

/// Appends the decimal digits of `value`: up to two directly, more eight
/// at a time (see [`eight_digits`]), so that a nanosecond timestamp takes
/// three steps, where two digits at a time took ten.
fn push_u64(out: &mut impl Sink, value: u64) {
    const E8: u64 = 100_000_000;
    if value < 10 {
        out.push(b'0' + value as u8);
        return;
    }
    if value < 100 {
        out.extend(&[b'0' + (value / 10) as u8, b'0' + (value % 10) as u8]);
        return;
    }
    // Words of eight digits from the last: a u64 has at most 20 digits.
    let mut digits = [0u8; 24];
    let mut start = digits.len();
    let mut rest = value;
    loop {
        let word = eight_digits((rest % E8) as u32);
        start -= 8;
        if let Some(slot) = digits.get_mut(start..start + 8) {
            slot.copy_from_slice(&word);
        }
        rest /= E8;
        if rest == 0 {
            // The first word is not zero: skip its leading zeros.
            let zeros = u64::from_le_bytes(word) ^ u64::from_le_bytes([b'0'; 8]);
            start += (zeros.trailing_zeros() / 8) as usize;
            break;
        }
    }
    out.extend(bounds::within(&digits, start..));
}

/// The eight decimal digits of `value` (below 10^8, with leading zeros),
/// most significant first, made in one word: the two halves of four
/// digits go in two 32-bit lanes, each lane splits into hundreds and the
/// rest by one multiply-and-shift for all lanes at once, then into tens
/// and ones the same way. Each multiplier gives the exact quotient for
/// every value a lane can hold (checked for all of them in the tests),
/// and no product carries into the next lane.
#[inline(always)]
fn eight_digits(value: u32) -> [u8; 8] {
    let value = u64::from(value);
    // Little-endian: the lane at the low end is written first.
    let halves = (value / 10_000) | ((value % 10_000) << 32);
    let hundreds = ((halves * 10_486) >> 20) & 0x0000_007f_0000_007f;
    let pairs = hundreds | ((halves - hundreds * 100) << 16);
    let tens = ((pairs * 103) >> 10) & 0x000f_000f_000f_000f;
    let digits = tens | ((pairs - tens * 10) << 8);
    (digits + u64::from_le_bytes([b'0'; 8])).to_le_bytes()
}

/// Appends `value` in decimal, with a `-` when negative.
fn push_i64(out: &mut impl Sink, value: i64) {
    if value < 0 {
        out.push(b'-');
    }
    push_u64(out, value.unsigned_abs());
}

/// Writes a name or tag value escaped for `element`, refusing control
/// characters.
///
/// A name with nothing to escape (the usual one) is copied whole.
#[inline(always)]
fn write_name(text: &str, element: Element, out: &mut impl Sink) -> Result<(), InvalidPoint> {
    if element.classes().is_plain(text.as_bytes()) {
        out.extend(text.as_bytes());
        return Ok(());
    }
    write_escaped_name(text, element, out)
}

/// [`write_name`] for a name with bytes to escape or refuse: a control
/// character, or a backslash at the end (see
/// [`InvalidPoint::TrailingBackslash`]).
#[inline(never)]
fn write_escaped_name(
    text: &str,
    element: Element,
    out: &mut impl Sink,
) -> Result<(), InvalidPoint> {
    if text.ends_with('\\') {
        return Err(InvalidPoint::TrailingBackslash {
            element,
            text: text.to_owned(),
        });
    }
    escape_into(text, element, out).map_err(|byte| InvalidPoint::ControlCharacter {
        element,
        text: text.to_owned(),
        byte,
    })
}

/// Where the writer puts bytes: a buffer, or nowhere when it only checks.
pub(crate) trait Sink {
    /// Appends `bytes`.
    fn extend(&mut self, bytes: &[u8]);
    /// Appends `byte`.
    fn push(&mut self, byte: u8);
}

impl Sink for Vec<u8> {
    #[inline(always)]
    fn extend(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    #[inline(always)]
    fn push(&mut self, byte: u8) {
        Vec::push(self, byte);
    }
}

/// A [`Sink`] that drops everything: writing into it only checks.
pub(crate) struct Discard;

impl Sink for Discard {
    #[inline(always)]
    fn extend(&mut self, _bytes: &[u8]) {}

    #[inline(always)]
    fn push(&mut self, _byte: u8) {}
}

#[cfg(test)]
mod tests {
    /// The fewest decimals (at most four) at which `value`, rounded
    /// exactly by the standard library's formatter, reads back as itself:
    /// the definition `few_decimals` must agree with.
    fn fewest_decimals_by_formatting(value: f64) -> Option<usize> {
        (0..=4).find(|&decimals| {
            let text = format!("{value:.decimals$}");
            text.parse::<f64>()
                .is_ok_and(|back| back.to_bits() == value.to_bits())
        })
    }

    proptest::proptest! {
        #[test]
        fn one_division_finds_the_fewest_decimals(
            units in -100_000_000_000i64..100_000_000_000,
            decimals in 0u32..7,
            bits in proptest::prelude::any::<u64>(),
        ) {
            let decimal = units as f64 / 10f64.powi(decimals as i32);
            for value in [decimal, -decimal, f64::from_bits(bits), decimal * 1e6, decimal / 3.0] {
                let fewest = fewest_decimals_by_formatting(value);
                match few_decimals(value) {
                    Some((units, decimals)) => {
                        // Found: the fewest, and the units of that decimal.
                        proptest::prop_assert_eq!(Some(decimals), fewest, "{:?}", value);
                        let text = format!("{value:.decimals$}").replace(['.', '-'], "");
                        proptest::prop_assert_eq!(text.parse::<u64>().ok(), Some(units), "{:?}", value);
                    }
                    // Not found: none exists, or the value is past the
                    // magnitudes one rounding settles (`value × 10^4` from
                    // 2^51 on, or whole numbers from 2^53), and goes to
                    // Żmij, which writes its shortest form anyway.
                    None => proptest::prop_assert!(
                        fewest.is_none() || value.abs() * 1e4 >= 2_251_799_813_685_248.0,
                        "{:?} has {:?} decimals", value, fewest
                    ),
                }
            }
        }
    }

    use super::*;

    fn float_text(value: f64) -> String {
        let mut out = Vec::new();
        write_float(value, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn decimals_are_written_directly_and_exactly() {
        let cases = [
            (0.0, "0"),
            (-0.0, "-0"),
            (21.0, "21"),
            (-21.1, "-21.1"),
            (0.05, "0.05"),
            (35.9, "35.9"),
            (1.0001, "1.0001"),
            (0.1 + 0.2, "0.30000000000000004"),
            (9007199254740991.0, "9007199254740991"),
            (1e16, "1e16"),
            (0.00001, "0.00001"),
            (1.5e-7, "1.5e-7"),
            (123.456789, "123.456789"),
        ];
        for (value, text) in cases {
            assert_eq!(float_text(value), text, "{value:?}");
            assert_eq!(
                float_text(value).parse::<f64>().unwrap().to_bits(),
                value.to_bits()
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn every_float_reads_back_exactly(bits in proptest::prelude::any::<u64>()) {
            let value = f64::from_bits(bits);
            proptest::prop_assume!(value.is_finite());
            let text = float_text(value);
            proptest::prop_assert_eq!(text.parse::<f64>().unwrap().to_bits(), bits, "{}", text);
        }

        #[test]
        fn short_decimals_read_back_exactly(units in -10_000_000i64..10_000_000, decimals in 0u32..6) {
            let value = units as f64 / 10f64.powi(decimals as i32);
            let text = float_text(value);
            proptest::prop_assert_eq!(text.parse::<f64>().unwrap().to_bits(), value.to_bits(), "{}", text);
        }
    }

    #[test]
    fn eight_digits_splits_every_lane_exactly() {
        // Every value a lane of four digits can hold, in either lane.
        for half in 0..10_000u32 {
            for value in [half, half * 10_000, half * 10_000 + 9_999 - half] {
                assert_eq!(
                    eight_digits(value),
                    *format!("{value:08}").as_bytes().first_chunk().unwrap()
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn every_integer_is_written_as_the_standard_library_writes_it(value in proptest::prelude::any::<u64>(), shift in 0u32..64) {
            let value = value >> shift;
            let mut out = Vec::new();
            push_u64(&mut out, value);
            proptest::prop_assert_eq!(out, value.to_string().into_bytes());
        }
    }

    #[test]
    fn integers_are_written_exactly() {
        let mut power = 1u64;
        while let Some(next) = power.checked_mul(10) {
            for value in [power - 1, power, power + 1, next - 1] {
                let mut out = Vec::new();
                push_u64(&mut out, value);
                assert_eq!(out, value.to_string().as_bytes());
            }
            power = next;
        }
        for value in [0, 1, -1, 9, 10, -10, 1_641_024_000, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            push_i64(&mut out, value);
            assert_eq!(out, value.to_string().as_bytes());
        }
        for value in [0, 7, 10, 99, 100, u64::MAX] {
            let mut out = Vec::new();
            push_u64(&mut out, value);
            assert_eq!(out, value.to_string().as_bytes());
        }
    }

    #[test]
    fn floats_are_short_and_exact() {
        assert_eq!(float_text(21.0), "21");
        assert_eq!(float_text(21.1), "21.1");
        assert_eq!(float_text(-0.0), "-0");
        assert_eq!(float_text(1e300), "1e300");
        assert_eq!(float_text(1.5e-7), "1.5e-7");
        assert_eq!(float_text(f64::MAX), "1.7976931348623157e308");
        assert_eq!(float_text(f64::MIN_POSITIVE), "2.2250738585072014e-308");
        assert_eq!(float_text(5e-324), "5e-324");
        assert_eq!(float_text(123456789012345.6), "123456789012345.6");
    }
}
