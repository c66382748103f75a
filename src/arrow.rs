//! Line protocol into Apache Arrow record batches (the `arrow` feature).
//!
//! [`Conversion::convert`] parses a body and appends each good line
//! straight to the column builders of its measurement's table; at the end
//! each table becomes one [`RecordBatch`] in the schema InfluxDB 3 uses:
//!
//! - every tag a `Dictionary(Int32, Utf8)` column, its keys built as the
//!   lines arrive;
//! - every field a column of its type: `Float64`, `Int64`, `UInt64`,
//!   `Boolean` or `Utf8`;
//! - `time` a `Timestamp(Nanosecond, None)` column;
//! - a value a line does not have is null;
//! - columns in a stable order: tags by name, fields by name, then `time`;
//! - the measurement's name in the schema metadata under
//!   `iox::measurement::name`, and each column's role in its field
//!   metadata under `iox::column::type` (`iox::column_type::tag`,
//!   `iox::column_type::field::float`, ..., `iox::column_type::timestamp`),
//!   as InfluxDB 3 marks them.
//!
//! The storage rules are [`Validator`]'s, checked as the lines are
//! converted: a field whose type differs from its column's, a name that is
//! a tag in one line and a field in another, a table or column past the
//! [`Schema`]'s caps, each is an error of that line (a [`LineError`] with
//! its number, column and text), and the line adds nothing. A repeated
//! field of one type keeps its last value. A line without a timestamp gets
//! the options' default time, or the time the conversion started.
//!
//! ```
//! use lineproto::arrow::Conversion;
//! use lineproto::{BatchOptions, Precision, Schema};
//!
//! let body = b"home,room=Kitchen temp=21.0,co=0i 1641024000\nhome,room=Living\\ Room temp=21.1 1641024000\n";
//! let options = BatchOptions::new().with_parse_options(lineproto::ParseOptions::new().with_precision(Precision::Seconds));
//! let conversion = Conversion::convert(body, &options, &mut Schema::new())?;
//! let (name, batch) = &conversion.batches()[0];
//! assert_eq!((name.as_str(), batch.num_rows(), batch.num_columns()), ("home", 2, 4));
//! assert_eq!(batch.schema().field(0).name(), "room");
//! # Ok::<(), arrow_schema::ArrowError>(())
//! ```

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, Float64Builder, Int64Builder, StringBuilder,
    StringDictionaryBuilder, TimestampNanosecondBuilder, UInt64Builder,
};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema as ArrowSchema, TimeUnit};

use crate::batch::{BatchOptions, LineError, Schema, ValidationError, Validator};
use crate::error::excerpt;
use crate::point::{FieldType, FieldValue, Point};

/// The maps of names to tables and columns: foldhash, as the crate's
/// other maps of names, where the standard SipHash took a fifth of the
/// conversion's time.
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The most bytes of text one column may hold: Arrow's `Utf8` arrays
/// address their text with `i32` offsets.
const MAX_COLUMN_TEXT: usize = i32::MAX as usize;

/// A body converted into one record batch per measurement, and the lines
/// that could not be; made by [`Conversion::convert`].
///
/// ```
/// use arrow_array::cast::AsArray;
/// use arrow_array::types::Float64Type;
/// use lineproto::arrow::Conversion;
/// use lineproto::{BatchOptions, Schema};
///
/// let body = b"cpu,host=a usage=0.5 1\ncpu,host=b usage=0.7,idle=true 2\n";
/// let conversion = Conversion::convert(body, &BatchOptions::new(), &mut Schema::new())?;
/// let (_, batch) = &conversion.batches()[0];
/// let usage = batch.column_by_name("usage").unwrap().as_primitive::<Float64Type>();
/// assert_eq!(usage.values(), &[0.5, 0.7]);
/// assert!(batch.column_by_name("idle").unwrap().is_null(0));
/// # Ok::<(), arrow_schema::ArrowError>(())
/// ```
#[derive(Debug)]
pub struct Conversion {
    batches: Vec<(String, RecordBatch)>,
    errors: Vec<LineError>,
    error_count: usize,
}

impl Conversion {
    /// Parses `body`, checks each line against `schema` and the storage
    /// rules, and appends the good ones to the columns of their
    /// measurement; the schema learns the new tables and columns. Bad
    /// lines are reported (at most `options.max_errors()` of them kept, all
    /// counted) and add nothing. With
    /// [`BatchOptions::with_accept_partial`] off, a bad line rejects the
    /// whole body: no batches, and the schema unchanged.
    ///
    /// # Errors
    ///
    /// Arrow's error, should a batch not be built from its columns; the
    /// converter keeps every column the length of its table, so this
    /// means a bug.
    ///
    /// ```
    /// use lineproto::arrow::Conversion;
    /// use lineproto::{BatchOptions, Schema};
    ///
    /// let body = b"m,t=a f=1i 1\nm f=2.5 2\nm,t=b f=3i 3\n";
    /// let conversion = Conversion::convert(body, &BatchOptions::new(), &mut Schema::new())?;
    /// assert_eq!(conversion.batches()[0].1.num_rows(), 2);
    /// assert_eq!(conversion.errors()[0].line(), 2);
    /// # Ok::<(), arrow_schema::ArrowError>(())
    /// ```
    pub fn convert(
        body: &[u8],
        options: &BatchOptions,
        schema: &mut Schema,
    ) -> Result<Conversion, ArrowError> {
        let started = nanos_now();
        let default_time = options.parse_options().default_time().unwrap_or(started);
        let mut validator =
            Validator::new(schema).with_reject_underscore_names(options.reject_underscore_names());
        let mut tables: Vec<(String, Table)> = Vec::new();
        let mut by_name: Map<String, usize> = Map::default();
        let mut conversion = Conversion {
            batches: Vec::new(),
            errors: Vec::new(),
            error_count: 0,
        };
        let mut points = crate::parse_with(body, options.parse_options());
        let mut point = Point::new();
        loop {
            let result = match points.next_into(&mut point) {
                None => break,
                Some(Err(err)) => Err(LineError::from_parse_error(
                    &err,
                    points.line_text(err.line()),
                )),
                Some(Ok(())) => {
                    let line = points.line_number();
                    let table = by_name
                        .get(point.measurement())
                        .and_then(|&index| tables.get(index))
                        .map(|(_, table)| table);
                    table
                        .map_or(Ok(()), |table| table.admits(&point))
                        .and_then(|()| validator.check(&mut point, line))
                        .map_err(|kind| {
                            LineError::from_validation_error(line, kind, points.line_text(line))
                        })
                }
            };
            match result {
                Ok(()) => {
                    let index = match by_name.get(point.measurement()) {
                        Some(&index) => index,
                        None => {
                            by_name.insert(point.measurement().to_owned(), tables.len());
                            tables.push((point.measurement().to_owned(), Table::default()));
                            tables.len() - 1
                        }
                    };
                    if let Some((_, table)) = tables.get_mut(index) {
                        table.append(&point, default_time);
                    }
                }
                Err(error) => {
                    conversion.error_count += 1;
                    if conversion.errors.len() < options.max_errors() {
                        conversion.errors.push(error);
                    }
                    if !options.accept_partial() {
                        return Ok(conversion);
                    }
                }
            }
        }
        validator.commit();
        for (name, table) in tables {
            let batch = table.finish(&name)?;
            conversion.batches.push((name, batch));
        }
        Ok(conversion)
    }

    /// One record batch per measurement, in the order the measurements
    /// first appear in the body.
    ///
    /// ```
    /// use lineproto::arrow::Conversion;
    /// use lineproto::{BatchOptions, Schema};
    ///
    /// let conversion = Conversion::convert(b"b f=1 1\na f=1 1\nb f=2 2\n", &BatchOptions::new(), &mut Schema::new())?;
    /// let names: Vec<&str> = conversion.batches().iter().map(|(name, _)| name.as_str()).collect();
    /// assert_eq!(names, ["b", "a"]);
    /// # Ok::<(), arrow_schema::ArrowError>(())
    /// ```
    #[must_use]
    pub fn batches(&self) -> &[(String, RecordBatch)] {
        &self.batches
    }

    /// The batches, by value.
    ///
    /// ```
    /// use lineproto::arrow::Conversion;
    /// use lineproto::{BatchOptions, Schema};
    ///
    /// let batches = Conversion::convert(b"m f=1 1\n", &BatchOptions::new(), &mut Schema::new())?.into_batches();
    /// assert_eq!(batches.len(), 1);
    /// # Ok::<(), arrow_schema::ArrowError>(())
    /// ```
    #[must_use]
    pub fn into_batches(self) -> Vec<(String, RecordBatch)> {
        self.batches
    }

    /// The bad lines, as many as the options keep.
    ///
    /// ```
    /// use lineproto::arrow::Conversion;
    /// use lineproto::{BatchOptions, Schema};
    ///
    /// let conversion = Conversion::convert(b"m f=1 1\nm f=\n", &BatchOptions::new(), &mut Schema::new())?;
    /// assert_eq!(conversion.errors()[0].to_string(), "line 2, column 5: expected value of field `f`, found end of line");
    /// # Ok::<(), arrow_schema::ArrowError>(())
    /// ```
    #[must_use]
    pub fn errors(&self) -> &[LineError] {
        &self.errors
    }

    /// How many lines were bad, kept in [`errors`](Self::errors) or not.
    ///
    /// ```
    /// use lineproto::arrow::Conversion;
    /// use lineproto::{BatchOptions, Schema};
    ///
    /// let options = BatchOptions::new().with_max_errors(1);
    /// let conversion = Conversion::convert(b"x\ny\n", &options, &mut Schema::new())?;
    /// assert_eq!((conversion.errors().len(), conversion.error_count()), (1, 2));
    /// # Ok::<(), arrow_schema::ArrowError>(())
    /// ```
    #[must_use]
    pub fn error_count(&self) -> usize {
        self.error_count
    }
}

/// Nanoseconds since the Unix epoch now, or 0 on a clock before 1970.
fn nanos_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|since| i64::try_from(since.as_nanos()).ok())
        .unwrap_or(0)
}

/// The columns of one measurement as they are built.
#[derive(Default)]
struct Table {
    rows: usize,
    tags: Map<String, TagColumn>,
    fields: Map<String, FieldColumn>,
    time: TimestampNanosecondBuilder,
}

/// A tag column: dictionary keys, and the bytes of text it holds.
struct TagColumn {
    values: StringDictionaryBuilder<Int32Type>,
    text: usize,
}

/// A field column of one type, and the bytes of text a string column holds.
enum FieldColumn {
    Float(Float64Builder),
    Integer(Int64Builder),
    UInteger(UInt64Builder),
    Boolean(BooleanBuilder),
    String(StringBuilder, usize),
}

impl FieldColumn {
    fn new(field_type: FieldType) -> Self {
        match field_type {
            FieldType::Integer => FieldColumn::Integer(Int64Builder::new()),
            FieldType::UInteger => FieldColumn::UInteger(UInt64Builder::new()),
            FieldType::Boolean => FieldColumn::Boolean(BooleanBuilder::new()),
            FieldType::String => FieldColumn::String(StringBuilder::new(), 0),
            _ => FieldColumn::Float(Float64Builder::new()),
        }
    }

    fn len(&self) -> usize {
        match self {
            FieldColumn::Float(builder) => builder.len(),
            FieldColumn::Integer(builder) => builder.len(),
            FieldColumn::UInteger(builder) => builder.len(),
            FieldColumn::Boolean(builder) => builder.len(),
            FieldColumn::String(builder, _) => builder.len(),
        }
    }

    fn append_nulls(&mut self, count: usize) {
        match self {
            FieldColumn::Float(builder) => builder.append_nulls(count),
            FieldColumn::Integer(builder) => builder.append_nulls(count),
            FieldColumn::UInteger(builder) => builder.append_nulls(count),
            FieldColumn::Boolean(builder) => builder.append_nulls(count),
            FieldColumn::String(builder, _) => builder.append_nulls(count),
        }
    }

    /// Appends `value`, which [`Table::admits`] and the validator have
    /// checked to be of the column's type.
    fn append(&mut self, value: FieldValue<'_>) {
        match (self, value) {
            (FieldColumn::Float(builder), FieldValue::Float(value)) => builder.append_value(value),
            (FieldColumn::Integer(builder), FieldValue::Integer(value)) => {
                builder.append_value(value);
            }
            (FieldColumn::UInteger(builder), FieldValue::UInteger(value)) => {
                builder.append_value(value);
            }
            (FieldColumn::Boolean(builder), FieldValue::Boolean(value)) => {
                builder.append_value(value);
            }
            (FieldColumn::String(builder, text), FieldValue::String(value)) => {
                *text += value.len();
                builder.append_value(value);
            }
            (column, _) => {
                debug_assert!(false, "a value of another type than its column");
                column.append_nulls(1);
            }
        }
    }

    fn data_type(&self) -> (DataType, &'static str) {
        match self {
            FieldColumn::Float(_) => (DataType::Float64, "iox::column_type::field::float"),
            FieldColumn::Integer(_) => (DataType::Int64, "iox::column_type::field::integer"),
            FieldColumn::UInteger(_) => (DataType::UInt64, "iox::column_type::field::uinteger"),
            FieldColumn::Boolean(_) => (DataType::Boolean, "iox::column_type::field::boolean"),
            FieldColumn::String(..) => (DataType::Utf8, "iox::column_type::field::string"),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            FieldColumn::Float(builder) => Arc::new(builder.finish()),
            FieldColumn::Integer(builder) => Arc::new(builder.finish()),
            FieldColumn::UInteger(builder) => Arc::new(builder.finish()),
            FieldColumn::Boolean(builder) => Arc::new(builder.finish()),
            FieldColumn::String(builder, _) => Arc::new(builder.finish()),
        }
    }
}

impl Table {
    /// The rules the validator does not know, because they concern the
    /// columns being built: a name that is a tag column may not be a field
    /// and the other way round, and no column may hold more text than
    /// Arrow can address.
    fn admits(&self, point: &Point<'_>) -> Result<(), ValidationError> {
        let clash = point
            .tags()
            .map(|tag| tag.key())
            .find(|key| self.fields.contains_key(*key))
            .or_else(|| {
                point
                    .fields()
                    .map(|field| field.key())
                    .find(|key| self.tags.contains_key(*key))
            });
        if let Some(key) = clash {
            return Err(ValidationError::TagAndField {
                key: excerpt(key.as_bytes()),
            });
        }
        let too_much = |held: usize, added: usize| held.saturating_add(added) > MAX_COLUMN_TEXT;
        let tag_text = point.tags().find(|tag| {
            too_much(
                self.tags.get(tag.key()).map_or(0, |column| column.text),
                tag.value().len(),
            )
        });
        let field_text = point.fields().find(|field| match field.value() {
            FieldValue::String(value) => too_much(
                match self.fields.get(field.key()) {
                    Some(FieldColumn::String(_, text)) => *text,
                    _ => 0,
                },
                value.len(),
            ),
            _ => false,
        });
        let column = tag_text
            .map(|tag| tag.key())
            .or(field_text.map(|field| field.key()));
        match column {
            Some(column) => Err(ValidationError::ColumnTextTooLarge {
                measurement: excerpt(point.measurement().as_bytes()),
                column: excerpt(column.as_bytes()),
                limit: MAX_COLUMN_TEXT,
            }),
            None => Ok(()),
        }
    }

    /// Appends the point as a row: each of its tags and fields to its
    /// column (made when first met, with nulls for the rows before), and
    /// its time.
    fn append(&mut self, point: &Point<'_>, default_time: i64) {
        let rows = self.rows;
        for tag in point.tags() {
            if !self.tags.contains_key(tag.key()) {
                let column = TagColumn {
                    values: StringDictionaryBuilder::new(),
                    text: 0,
                };
                self.tags.insert(tag.key().to_owned(), column);
            }
            let Some(column) = self.tags.get_mut(tag.key()) else {
                continue;
            };
            let missing = rows.saturating_sub(column.values.len());
            column.values.append_nulls(missing);
            column.text += tag.value().len();
            if column.values.append(tag.value()).is_err() {
                // More than `i32::MAX` distinct values: as the text check
                // bounds their bytes, out of reach.
                column.values.append_null();
            }
        }
        for field in point.fields() {
            let value = field.value();
            if !self.fields.contains_key(field.key()) {
                let column = FieldColumn::new(value.field_type());
                self.fields.insert(field.key().to_owned(), column);
            }
            let Some(column) = self.fields.get_mut(field.key()) else {
                continue;
            };
            let missing = rows.saturating_sub(column.len());
            column.append_nulls(missing);
            column.append(value);
        }
        self.time
            .append_value(point.timestamp().unwrap_or(default_time));
        self.rows += 1;
    }

    /// The record batch of the table: every column padded with nulls to
    /// the table's rows, in the documented order.
    fn finish(mut self, measurement: &str) -> Result<RecordBatch, ArrowError> {
        let rows = self.rows;
        let mut tags: Vec<(String, TagColumn)> = self.tags.drain().collect();
        tags.sort_by(|a, b| a.0.cmp(&b.0));
        let mut fields: Vec<(String, FieldColumn)> = self.fields.drain().collect();
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        let role =
            |value: &str| HashMap::from([("iox::column::type".to_owned(), value.to_owned())]);
        let mut schema_fields = Vec::with_capacity(tags.len() + fields.len() + 1);
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(tags.len() + fields.len() + 1);
        for (name, mut column) in tags {
            let missing = rows.saturating_sub(column.values.len());
            column.values.append_nulls(missing);
            schema_fields.push(
                Field::new(
                    name,
                    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                    true,
                )
                .with_metadata(role("iox::column_type::tag")),
            );
            columns.push(Arc::new(column.values.finish()));
        }
        for (name, mut column) in fields {
            let missing = rows.saturating_sub(column.len());
            column.append_nulls(missing);
            let (data_type, kind) = column.data_type();
            schema_fields.push(Field::new(name, data_type, true).with_metadata(role(kind)));
            columns.push(column.finish());
        }
        schema_fields.push(
            Field::new(
                "time",
                DataType::Timestamp(TimeUnit::Nanosecond, None),
                false,
            )
            .with_metadata(role("iox::column_type::timestamp")),
        );
        columns.push(Arc::new(self.time.finish()));
        let schema = ArrowSchema::new(schema_fields).with_metadata(HashMap::from([(
            "iox::measurement::name".to_owned(),
            measurement.to_owned(),
        )]));
        RecordBatch::try_new(Arc::new(schema), columns)
    }
}
