//! The serializer: points back to line protocol.
//!
//! Every write checks the point first ([`Point::validate`]) and then writes
//! the whole line or nothing. What it writes, the parser reads back as an
//! equal point (with the timestamp floored to the chosen precision).

use std::fmt;
use std::io;

use crate::error::WriteError;
use crate::escape::{Element, escape_into, is_control};
use crate::point::{FieldValue, Point, Tag};
use crate::precision::Precision;

impl Point<'_> {
    /// Checks that the point can be written as line protocol that reads
    /// back as the same point.
    ///
    /// Points from the parser and from [`PointBuilder::build`] always pass;
    /// the writing methods call this themselves.
    ///
    /// # Errors
    ///
    /// A [`WriteError`] naming the first problem: an empty name or tag value,
    /// a measurement starting with `#`, a control character in a name or tag
    /// value, a repeated tag key, no fields, or a NaN or infinite float.
    ///
    /// [`PointBuilder::build`]: crate::PointBuilder::build
    pub fn validate(&self) -> Result<(), WriteError> {
        let measurement = self.measurement();
        if measurement.is_empty() {
            return Err(WriteError::EmptyMeasurement);
        }
        if measurement.starts_with('#') {
            return Err(WriteError::CommentMeasurement {
                measurement: measurement.to_owned(),
            });
        }
        check_control(measurement, Element::Measurement)?;
        for tag in self.tags() {
            if tag.key().is_empty() {
                return Err(WriteError::EmptyTagKey);
            }
            if tag.value().is_empty() {
                return Err(WriteError::EmptyTagValue {
                    key: tag.key().to_owned(),
                });
            }
            check_control(tag.key(), Element::TagKey)?;
            check_control(tag.value(), Element::TagValue)?;
        }
        if let Some(index) = duplicate_tag_index(self.tags()) {
            let key = self.tags().get(index).map(Tag::key).unwrap_or_default();
            return Err(WriteError::DuplicateTagKey {
                key: key.to_owned(),
            });
        }
        if self.fields().is_empty() {
            return Err(WriteError::NoFields);
        }
        for field in self.fields() {
            if field.key().is_empty() {
                return Err(WriteError::EmptyFieldKey);
            }
            check_control(field.key(), Element::FieldKey)?;
            if let FieldValue::Float(value) = *field.value() {
                if !value.is_finite() {
                    return Err(WriteError::NonFiniteFloat {
                        key: field.key().to_owned(),
                        value,
                    });
                }
            }
        }
        Ok(())
    }

    /// Appends the point to `out` as one line of line protocol, ending in
    /// `\n`, with the timestamp converted to `precision` (floored).
    ///
    /// # Errors
    ///
    /// A [`WriteError`] from [`Point::validate`], or
    /// [`WriteError::TimestampOutOfRange`] for a timestamp within one unit
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
    /// # Ok::<(), lineproto::WriteError>(())
    /// ```
    pub fn write_to_vec(&self, out: &mut Vec<u8>, precision: Precision) -> Result<(), WriteError> {
        self.validate()?;
        if let Some(nanos) = self.timestamp() {
            if precision.to_nanos(precision.from_nanos(nanos)).is_err() {
                return Err(WriteError::TimestampOutOfRange { nanos, precision });
            }
        }
        self.write_unchecked(out, precision);
        out.push(b'\n');
        Ok(())
    }

    /// Writes the point to an [`io::Write`] as one line ending in `\n`,
    /// with one `write_all` call.
    ///
    /// # Errors
    ///
    /// A [`WriteError`] from [`Point::validate`] (nothing is written), or
    /// [`WriteError::Io`] when the writer fails.
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
    /// A [`WriteError`] from [`Point::validate`] (nothing is written), or
    /// [`WriteError::Fmt`] when the formatter fails.
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

    /// Writes the line without checking it and without a line break.
    fn write_unchecked(&self, out: &mut Vec<u8>, precision: Precision) {
        out.reserve(self.estimated_len());
        escape_into(self.measurement(), Element::Measurement, out);
        for tag in self.tags() {
            out.push(b',');
            escape_into(tag.key(), Element::TagKey, out);
            out.push(b'=');
            escape_into(tag.value(), Element::TagValue, out);
        }
        let mut separator = b' ';
        for field in self.fields() {
            out.push(separator);
            separator = b',';
            escape_into(field.key(), Element::FieldKey, out);
            out.push(b'=');
            write_value(field.value(), out);
        }
        if let Some(nanos) = self.timestamp() {
            out.push(b' ');
            push_display(out, precision.from_nanos(nanos));
        }
    }

    /// A guess at the written length, close enough for one reservation.
    fn estimated_len(&self) -> usize {
        let tags: usize = self
            .tags()
            .iter()
            .map(|t| t.key().len() + t.value().len() + 2)
            .sum();
        let fields: usize = self
            .fields()
            .iter()
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

/// Prints the point as line protocol, timestamp in nanoseconds, without a
/// line break.
///
/// Every point from the parser or the builder prints as a valid line; an
/// empty [`Point::new`] prints as an empty measurement, which is not one.
impl fmt::Display for Point<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut line = Vec::with_capacity(self.estimated_len());
        self.write_unchecked(&mut line, Precision::Nanoseconds);
        f.write_str(&String::from_utf8_lossy(&line))
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

fn write_value(value: &FieldValue<'_>, out: &mut Vec<u8>) {
    match value {
        FieldValue::Float(value) => write_float(*value, out),
        FieldValue::Integer(value) => {
            push_display(out, value);
            out.push(b'i');
        }
        FieldValue::UInteger(value) => {
            push_display(out, value);
            out.push(b'u');
        }
        FieldValue::Boolean(true) => out.extend_from_slice(b"true"),
        FieldValue::Boolean(false) => out.extend_from_slice(b"false"),
        FieldValue::String(text) => {
            out.push(b'"');
            escape_into(text, Element::StringValue, out);
            out.push(b'"');
        }
    }
}

/// Writes a float in the shortest form that reads back as the same `f64`:
/// plain decimals for ordinary magnitudes (`21`, `0.001`), scientific
/// notation for very large or very small ones (`1e300`, `5e-324`), so no
/// value takes hundreds of digits.
pub(crate) fn write_float(value: f64, out: &mut Vec<u8>) {
    let magnitude = value.abs();
    if magnitude == 0.0 || (1e-5..1e16).contains(&magnitude) {
        push_display(out, value);
    } else {
        push_display(out, format_args!("{value:e}"));
    }
}

fn push_display(out: &mut Vec<u8>, value: impl fmt::Display) {
    use std::io::Write as _;
    // Writing into a Vec<u8> cannot fail.
    let _ = write!(out, "{value}");
}

fn check_control(text: &str, element: Element) -> Result<(), WriteError> {
    match text.bytes().find(|&byte| is_control(byte)) {
        Some(byte) => Err(WriteError::ControlCharacter {
            element,
            text: text.to_owned(),
            byte,
        }),
        None => Ok(()),
    }
}

/// The index of the first tag whose key an earlier tag already has.
///
/// Small tag sets (the usual case) are compared pairwise with no
/// allocation; large ones are sorted, so a hostile line with many tags
/// costs `n log n`, not `n²`.
pub(crate) fn duplicate_tag_index(tags: &[Tag<'_>]) -> Option<usize> {
    const PAIRWISE_LIMIT: usize = 16;
    if tags.len() <= PAIRWISE_LIMIT {
        // Distinct fingerprints prove distinct keys without comparing them;
        // only lines where two fingerprints meet compare strings.
        let mut seen = 0u128;
        let mut collided = false;
        for tag in tags {
            let bit = 1u128 << fingerprint(tag.key());
            collided |= seen & bit != 0;
            seen |= bit;
        }
        if !collided {
            return None;
        }
        return tags
            .iter()
            .enumerate()
            .skip(1)
            .find(|(i, tag)| tags.iter().take(*i).any(|earlier| earlier.key == tag.key))
            .map(|(i, _)| i);
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

/// A 7-bit hash of a key's length and first, middle and last bytes.
fn fingerprint(key: &str) -> u32 {
    let bytes = key.as_bytes();
    let byte = |at: Option<&u8>| u64::from(at.copied().unwrap_or(0));
    let mixed = bytes.len() as u64
        | byte(bytes.first()) << 8
        | byte(bytes.last()) << 16
        | byte(bytes.get(bytes.len() / 2)) << 24;
    // The top 7 bits of a multiplicative hash are always below 128.
    (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 57) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float_text(value: f64) -> String {
        let mut out = Vec::new();
        write_float(value, &mut out);
        String::from_utf8(out).unwrap()
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

    #[test]
    fn duplicate_tags_are_found_in_small_and_large_sets() {
        let tag = |key: &'static str| Tag {
            key: key.into(),
            value: "v".into(),
        };
        assert_eq!(duplicate_tag_index(&[tag("a"), tag("b")]), None);
        assert_eq!(
            duplicate_tag_index(&[tag("a"), tag("b"), tag("a"), tag("b")]),
            Some(2)
        );
        let keys: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        let mut many: Vec<Tag<'_>> = keys
            .iter()
            .map(|k| Tag {
                key: k.as_str().into(),
                value: "v".into(),
            })
            .collect();
        assert_eq!(duplicate_tag_index(&many), None);
        many.push(tag("k50"));
        many.push(tag("k3"));
        assert_eq!(duplicate_tag_index(&many), Some(100));
    }
}
