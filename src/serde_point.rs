//! `Serialize` and `Deserialize` for [`Point`] (the `serde` feature).
//!
//! A point is a record of four entries, in this order:
//!
//! ```json
//! {"name":"home","tags":[{"key":"room","value":"Kitchen"}],
//!  "fields":[{"key":"temp","value":{"float":21.5}}],"time":1641024000000000000}
//! ```
//!
//! `tags` and `fields` are lists, not maps, so their order and a field key
//! written twice survive; each field value is one of `{"float":F}`,
//! `{"int":I}`, `{"uint":U}`, `{"bool":B}` or `{"string":S}`; `time` is
//! nanoseconds since the Unix epoch, or none. Deserializing checks the
//! point as [`PointBuilder::build`](crate::PointBuilder::build) does, and
//! gives a point that owns its text (one string for all of it), so a
//! `Point<'static>` can be read from any source (`DeserializeOwned`).

use std::borrow::Cow;

use serde::de::Error as _;
use serde::ser::SerializeStruct as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::builder::FieldInput;
use crate::point::{FieldValue, Fields, Point, Tags};

/// Written as the record the module describes.
impl Serialize for Point<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut record = serializer.serialize_struct("Point", 4)?;
        record.serialize_field("name", self.measurement())?;
        record.serialize_field("tags", &self.tags())?;
        record.serialize_field("fields", &self.fields())?;
        record.serialize_field("time", &self.timestamp())?;
        record.end()
    }
}

/// A list of `{"key":..,"value":..}`.
impl Serialize for Tags<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.clone())
    }
}

/// A list of `{"key":..,"value":{"float":..}}`.
impl Serialize for Fields<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.clone())
    }
}

/// A point as it is read: owned or borrowed text, unchecked.
#[derive(Deserialize)]
#[serde(rename = "Point", deny_unknown_fields)]
struct Record<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    tags: Vec<TagRecord<'a>>,
    #[serde(borrow)]
    fields: Vec<FieldRecord<'a>>,
    #[serde(default)]
    time: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename = "Tag", deny_unknown_fields)]
struct TagRecord<'a> {
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(borrow)]
    value: Cow<'a, str>,
}

#[derive(Deserialize)]
#[serde(rename = "Field", deny_unknown_fields)]
struct FieldRecord<'a> {
    #[serde(borrow)]
    key: Cow<'a, str>,
    #[serde(borrow)]
    value: ValueRecord<'a>,
}

#[derive(Deserialize)]
#[serde(rename = "FieldValue")]
enum ValueRecord<'a> {
    #[serde(rename = "float")]
    Float(Float),
    #[serde(rename = "int")]
    Integer(i64),
    #[serde(rename = "uint")]
    UInteger(u64),
    #[serde(rename = "bool")]
    Boolean(bool),
    #[serde(rename = "string", borrow)]
    String(Cow<'a, str>),
}

/// A float value: any number, named so in messages ("expected a float").
struct Float(f64);

impl<'de> Deserialize<'de> for Float {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl serde::de::Visitor<'_> for Visitor {
            type Value = Float;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a float")
            }

            fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Float, E> {
                Ok(Float(value))
            }

            #[allow(clippy::cast_precision_loss, reason = "a float holds what it can")]
            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Float, E> {
                Ok(Float(value as f64))
            }

            #[allow(clippy::cast_precision_loss, reason = "a float holds what it can")]
            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Float, E> {
                Ok(Float(value as f64))
            }
        }

        deserializer.deserialize_f64(Visitor)
    }
}

/// Read from the record the module describes, and checked: a point that
/// could not be written as line protocol is an error of the format. The
/// point owns its text.
impl<'de> Deserialize<'de> for Point<'_> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let record = Record::deserialize(deserializer)?;
        let owned = |text: Cow<'_, str>| Cow::Owned(text.into_owned());
        let mut builder = Point::builder(owned(record.name));
        for tag in record.tags {
            builder = builder.tag(owned(tag.key), owned(tag.value));
        }
        for field in record.fields {
            let value = match field.value {
                ValueRecord::Float(Float(value)) => FieldInput::Value(FieldValue::Float(value)),
                ValueRecord::Integer(value) => FieldInput::Value(FieldValue::Integer(value)),
                ValueRecord::UInteger(value) => FieldInput::Value(FieldValue::UInteger(value)),
                ValueRecord::Boolean(value) => FieldInput::Value(FieldValue::Boolean(value)),
                ValueRecord::String(value) => FieldInput::String(value.into_owned()),
            };
            builder = builder.field(owned(field.key), value);
        }
        if let Some(nanos) = record.time {
            builder = builder.timestamp(nanos);
        }
        builder.build().map_err(D::Error::custom)
    }
}
