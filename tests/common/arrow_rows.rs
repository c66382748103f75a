//! Record batches read back as points, and the points `Batch` keeps as
//! the batches must hold them; shared by the Arrow tests and the `arrow`
//! fuzz target, each including it beside `points.rs` as `mod points`.
#![allow(
    dead_code,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::unwrap_used
)]

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type, TimestampNanosecondType, UInt64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use lineproto::Batch;

use crate::points::{Parsed, Value, parsed_of};

/// The rows of `batch` as points: tags and fields in column order (by
/// name), nulls left out.
pub(crate) fn rows(batch: &RecordBatch) -> Vec<Parsed> {
    let schema = batch.schema();
    let name = schema.metadata()["iox::measurement::name"].clone();
    (0..batch.num_rows())
        .map(|row| {
            let mut point = Parsed {
                measurement: name.clone(),
                tags: Vec::new(),
                fields: Vec::new(),
                timestamp: None,
            };
            for (field, column) in schema.fields().iter().zip(batch.columns()) {
                if column.is_null(row) {
                    continue;
                }
                let role = field.metadata()["iox::column::type"].as_str();
                let key = field.name().clone();
                match column.data_type() {
                    DataType::Dictionary(..) => {
                        assert_eq!(role, "iox::column_type::tag");
                        let dictionary = column.as_dictionary::<Int32Type>();
                        let values = dictionary.values().as_string::<i32>();
                        let index = dictionary.keys().value(row) as usize;
                        point.tags.push((key, values.value(index).to_owned()));
                    }
                    DataType::Timestamp(TimeUnit::Nanosecond, None) => {
                        assert_eq!(
                            (role, key.as_str()),
                            ("iox::column_type::timestamp", "time")
                        );
                        point.timestamp =
                            Some(column.as_primitive::<TimestampNanosecondType>().value(row));
                    }
                    DataType::Float64 => point.fields.push((
                        key,
                        Value::Float(column.as_primitive::<Float64Type>().value(row).to_bits()),
                    )),
                    DataType::Int64 => point.fields.push((
                        key,
                        Value::Integer(column.as_primitive::<Int64Type>().value(row)),
                    )),
                    DataType::UInt64 => point.fields.push((
                        key,
                        Value::UInteger(column.as_primitive::<UInt64Type>().value(row)),
                    )),
                    DataType::Boolean => point
                        .fields
                        .push((key, Value::Boolean(column.as_boolean().value(row)))),
                    DataType::Utf8 => point.fields.push((
                        key,
                        Value::String(column.as_string::<i32>().value(row).to_owned()),
                    )),
                    other => panic!("unexpected column type {other}"),
                }
            }
            point
        })
        .collect()
}

/// The points `batch` keeps, by measurement in order of first
/// appearance, tags and fields sorted by name (the column order).
pub(crate) fn tables_of(batch: &Batch<'_>) -> Vec<(String, Vec<Parsed>)> {
    let mut tables: Vec<(String, Vec<Parsed>)> = Vec::new();
    for point in batch.points() {
        let mut parsed = parsed_of(point);
        parsed.tags.sort();
        parsed.fields.sort_by(|a, b| a.0.cmp(&b.0));
        match tables
            .iter_mut()
            .find(|(name, _)| *name == parsed.measurement)
        {
            Some((_, rows)) => rows.push(parsed),
            None => tables.push((parsed.measurement.clone(), vec![parsed])),
        }
    }
    tables
}
