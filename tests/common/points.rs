//! Points as plain values, to compare what different parsers (or an
//! oracle) made of a line, and the dialect's docs; included by the suites
//! that need them, each using a part.
#![allow(dead_code, clippy::expect_used)]

use lineproto::{FieldValue, Point};

/// A field value; floats by their bits, so that `-0.0` and `0.0` differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    Float(u64),
    Integer(i64),
    UInteger(u64),
    Boolean(bool),
    String(String),
}

/// A point as plain values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Parsed {
    pub(crate) measurement: String,
    pub(crate) tags: Vec<(String, String)>,
    pub(crate) fields: Vec<(String, Value)>,
    pub(crate) timestamp: Option<i64>,
}

/// `value` as a plain value.
pub(crate) fn value_of(value: &FieldValue<'_>) -> Value {
    match value {
        FieldValue::Float(x) => Value::Float(x.to_bits()),
        FieldValue::Integer(x) => Value::Integer(*x),
        FieldValue::UInteger(x) => Value::UInteger(*x),
        FieldValue::Boolean(x) => Value::Boolean(*x),
        FieldValue::String(x) => Value::String((*x).to_owned()),
    }
}

/// `point` as plain values.
pub(crate) fn parsed_of(point: &Point<'_>) -> Parsed {
    Parsed {
        measurement: point.measurement().to_owned(),
        tags: point
            .tags()
            .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
            .collect(),
        fields: point
            .fields()
            .map(|field| (field.key().to_owned(), value_of(&field.value())))
            .collect(),
        timestamp: point.timestamp(),
    }
}

/// The crate docs' section "The dialect", as one line of text.
pub(crate) fn dialect_docs() -> String {
    let docs: String = include_str!("../../src/lib.rs")
        .lines()
        .filter_map(|line| line.strip_prefix("//!"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    docs.split_once("# The dialect")
        .expect("the crate docs have a section \"The dialect\"")
        .1
        .to_owned()
}
