//! Line protocol into Arrow record batches. The first six bytes set the
//! options, the rest is the body:
//!
//! - byte 0: bit 0 turns partial writes off, bit 1 leaves the schema's caps
//!   at their defaults;
//! - bytes 1 and 2: the caps on tables (1 to 8) and columns per table
//!   (2 to 17);
//! - byte 3: the most errors kept (0 to 7);
//! - bytes 4 and 5: two read sizes (1 to 256) that `from_reader`'s reads
//!   take in turn, and byte 5 the lines of a group (1 to 16).
//!
//! Every row read back from the batches is the point `Batch` keeps for
//! its line, with the same storage rules, and the refused lines are
//! `Batch`'s; `from_reader` over those reads gives the same batches,
//! refusals and schema as `convert`; so does converting in groups, table
//! by table, as a body of many measurements is; with partial writes on,
//! `from_points` over the body's good points gives the same batches
//! (unless one of them could not be written, which it refuses).
#![no_main]

use std::io::{self, Read};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type, TimestampNanosecondType, UInt64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use libfuzzer_sys::fuzz_target;
use lineproto::arrow::Conversion;
use lineproto::{Batch, BatchOptions, FieldValue, ParseOptions, Point, Schema};

/// A field value; floats by their bits, so that `-0.0` and `0.0` differ.
#[derive(Debug, PartialEq)]
enum Value {
    Float(u64),
    Integer(i64),
    UInteger(u64),
    Boolean(bool),
    String(String),
}

/// A row as plain values: measurement, tags and fields by name, time.
type Row = (String, Vec<(String, String)>, Vec<(String, Value)>, i64);

/// The rows of `batch`, nulls left out.
fn rows(name: &str, batch: &RecordBatch) -> Vec<Row> {
    let schema = batch.schema();
    (0..batch.num_rows())
        .map(|row| {
            let (mut tags, mut fields, mut time) = (Vec::new(), Vec::new(), i64::MIN);
            for (field, column) in schema.fields().iter().zip(batch.columns()) {
                if column.is_null(row) {
                    continue;
                }
                let key = field.name().clone();
                match column.data_type() {
                    DataType::Dictionary(..) => {
                        let dictionary = column.as_dictionary::<Int32Type>();
                        let values = dictionary.values().as_string::<i32>();
                        let index = usize::try_from(dictionary.keys().value(row)).unwrap();
                        tags.push((key, values.value(index).to_owned()));
                    }
                    DataType::Timestamp(..) => {
                        time = column.as_primitive::<TimestampNanosecondType>().value(row);
                    }
                    DataType::Float64 => fields.push((
                        key,
                        Value::Float(column.as_primitive::<Float64Type>().value(row).to_bits()),
                    )),
                    DataType::Int64 => fields.push((
                        key,
                        Value::Integer(column.as_primitive::<Int64Type>().value(row)),
                    )),
                    DataType::UInt64 => fields.push((
                        key,
                        Value::UInteger(column.as_primitive::<UInt64Type>().value(row)),
                    )),
                    DataType::Boolean => {
                        fields.push((key, Value::Boolean(column.as_boolean().value(row))));
                    }
                    DataType::Utf8 => fields.push((
                        key,
                        Value::String(column.as_string::<i32>().value(row).to_owned()),
                    )),
                    other => panic!("a column of type {other}"),
                }
            }
            (name.to_owned(), tags, fields, time)
        })
        .collect()
}

/// `point` as the row it must become: tags and fields sorted by name, as
/// the columns are.
fn row_of(point: &Point<'_>) -> Row {
    let mut tags: Vec<(String, String)> = point
        .tags()
        .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
        .collect();
    tags.sort();
    let mut fields: Vec<(String, Value)> = point
        .fields()
        .map(|field| {
            let value = match field.value() {
                FieldValue::Float(x) => Value::Float(x.to_bits()),
                FieldValue::Integer(x) => Value::Integer(x),
                FieldValue::UInteger(x) => Value::UInteger(x),
                FieldValue::Boolean(x) => Value::Boolean(x),
                FieldValue::String(x) => Value::String(x.to_owned()),
            };
            (field.key().to_owned(), value)
        })
        .collect();
    fields.sort_by(|a, b| a.0.cmp(&b.0));
    let time = point.timestamp().unwrap_or(i64::MIN);
    (point.measurement().to_owned(), tags, fields, time)
}

/// A reader that hands out `data` in reads of the sizes given, in turn.
struct Reads<'a> {
    data: &'a [u8],
    sizes: [usize; 2],
    turn: usize,
}

impl Read for Reads<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let size = self.sizes[self.turn % 2];
        self.turn += 1;
        let n = size.min(buf.len()).min(self.data.len());
        let (now, later) = self.data.split_at(n);
        buf[..n].copy_from_slice(now);
        self.data = later;
        Ok(n)
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&[flags, tables, columns, errors, read, other], body)) = input.split_first_chunk()
    else {
        return;
    };
    let accept_partial = flags & 1 == 0;
    let options = BatchOptions::new()
        .with_accept_partial(accept_partial)
        .with_max_errors(usize::from(errors % 8))
        .with_parse_options(ParseOptions::new().with_default_time(7));
    let schema = if flags & 2 == 0 {
        Schema::new()
            .with_max_tables(1 + usize::from(tables % 8))
            .with_max_columns_per_table(2 + usize::from(columns % 16))
    } else {
        Schema::new()
    };

    let mut converted = schema.clone();
    let conversion = Conversion::convert(body, &options, &mut converted)
        .unwrap_or_else(|err| panic!("convert failed: {err}"));

    // The oracle: the points `Batch` keeps, by measurement in order of
    // first appearance, and the lines it refuses.
    let mut kept = schema.clone();
    let batch = Batch::parse(body, &options, &mut kept);
    let mut expected: Vec<(String, Vec<Row>)> = Vec::new();
    for point in batch.points() {
        let row = row_of(point);
        match expected.iter_mut().find(|(name, _)| *name == row.0) {
            Some((_, rows)) => rows.push(row),
            None => expected.push((row.0.clone(), vec![row])),
        }
    }
    let found: Vec<(String, Vec<Row>)> = conversion
        .batches()
        .iter()
        .map(|(name, batch)| (name.clone(), rows(name, batch)))
        .collect();
    assert_eq!(
        found,
        expected,
        "rows of {:?}",
        String::from_utf8_lossy(body)
    );
    let lines = |errors: &[lineproto::LineError]| -> Vec<usize> {
        errors.iter().map(lineproto::LineError::line).collect()
    };
    assert_eq!(lines(conversion.errors()), lines(batch.errors()));
    assert_eq!(conversion.error_count(), batch.error_count());
    assert_eq!(converted, kept, "the schema learnt");

    // The same body read a few bytes at a time.
    let reads = Reads {
        data: body,
        sizes: [1 + usize::from(read), 1 + usize::from(other)],
        turn: 0,
    };
    let mut streamed = schema.clone();
    let from_reader = Conversion::from_reader(reads, &options, &mut streamed)
        .unwrap_or_else(|err| panic!("from_reader failed: {err}"));
    assert_eq!(from_reader.batches(), conversion.batches());
    assert_eq!(from_reader.errors(), conversion.errors());
    assert_eq!(from_reader.error_count(), conversion.error_count());
    assert_eq!(streamed, converted);

    // In groups, table by table.
    let group_lines = 1 + usize::from(other % 16);
    if let Some(disagreement) =
        lineproto::fuzzing::arrow_grouping_disagreement(body, &options, &schema, group_lines)
    {
        panic!("{disagreement} in {:?}", String::from_utf8_lossy(body));
    }

    // The body's good points, made owned (so that no series is kept),
    // when the writer could write each: `from_points` refuses one it
    // could not (a name or tag value ending in a backslash), which
    // `convert` keeps.
    let points: Vec<Point<'static>> = lineproto::parse_with(body, options.parse_options())
        .filter_map(Result::ok)
        .map(Point::into_owned)
        .collect();
    if accept_partial && points.iter().all(|point| point.validate().is_ok()) {
        let from_points = Conversion::from_points(&points, &options, &mut schema.clone())
            .unwrap_or_else(|err| panic!("from_points failed: {err}"));
        assert_eq!(from_points.batches(), conversion.batches());
    }
});
