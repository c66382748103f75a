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
//! a tag in one line and a field in another, each is an error of that line
//! (a [`LineError`] with its number, column and text), and the line adds
//! nothing. A repeated field of one type keeps its last value. A line
//! without a timestamp gets the options' default time, or the time the
//! conversion started.
//!
//! The caps that protect a server are the [`Schema`]'s, and a line that
//! would cross one is an error of that line:
//! [`Schema::max_tables`] measurements (2,000 by default, counting those
//! the schema already holds) and [`Schema::max_columns_per_table`]
//! columns per measurement (500 by default, `time` included); set them
//! with [`Schema::with_max_tables`] and
//! [`Schema::with_max_columns_per_table`]. No column holds more than the
//! 2 GiB of text an Arrow `Utf8` array can address
//! ([`ValidationError::ColumnTextTooLarge`]).
//!
//! Three doors lead in: [`Conversion::convert`] for a body in memory,
//! [`Conversion::from_reader`] for a reader (through a
//! [`Stream`], so only the columns grow with the input),
//! and [`Conversion::from_points`] for points built or parsed elsewhere.
//! With the `rayon` feature too, `Conversion::convert_parallel` converts
//! a body in memory on every core, in pieces whose batches are then
//! concatenated, with exactly the batches, errors and schema of
//! [`Conversion::convert`].
//!
//! The lines are parsed into one reused [`Point`] whose tags and fields
//! go straight to their columns: no point is kept or allocated per line.
//! Once a conversion of a body in memory has made 1,024 columns (a body
//! of many measurements), it parses up to 4,096 lines (at most 65,536
//! tags and fields) into a reused group of points and appends them table
//! by table, so that a table's columns are fetched once for all its lines
//! of the group rather than once for each line; every rule concerns one
//! table, so the rows and the refused lines are the same. A stream's
//! chunks, of 64 KiB reads, hold too few lines for groups to pay, and are
//! converted line by line.
//! A conversion remembers the series of its lines (the measurement and
//! tags as written) with their tables and their tags' dictionary keys: a
//! line of a series seen before, as most are, finds them with one lookup
//! and only its fields are looked at. It remembers at most 65,536 series
//! and 1 MiB of their text (about 4 MiB in all), and stops looking them up
//! once most of the first thousand lines bring new ones.
//! Each table remembers its last line's tag keys and field keys, back to
//! back, and their columns: keys the same as the last line's, in the same
//! order, are checked in one pass over them, with no hashing and no key
//! named twice to look for; others find their columns by comparing names
//! with the last line's, then through one table of names. As
//! every column was made by a line that passed the rules, a line whose
//! keys all name columns needs only these checks: each column named once,
//! a tag for a tag column, a value of the column's type, room for the
//! text. A line that names a new column or fails one of them goes through
//! the [`Validator`].
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

use std::borrow::Borrow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::BuildHasher;
use std::io::Read;
use std::ops::Range;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use arrow_array::builder::{ArrayBuilder, BooleanBuilder, StringBuilder};
use arrow_array::types::{ArrowPrimitiveType, Float64Type, Int32Type, Int64Type, UInt64Type};
use arrow_array::{
    ArrayRef, DictionaryArray, PrimitiveArray, RecordBatch, StringArray, TimestampNanosecondArray,
};
use arrow_buffer::{
    ArrowNativeType, BooleanBufferBuilder, Buffer, NullBuffer, OffsetBuffer, ScalarBuffer,
};
use arrow_schema::{ArrowError, DataType, Field, FieldRef, Schema as ArrowSchema, TimeUnit};
use hashbrown::HashTable;

use crate::batch::{BatchOptions, LineError, Refusals, Schema, ValidationError, Validator};
use crate::error::{ParseError, excerpt};
use crate::lines::Points;
use crate::point::{Entry as PointEntry, EntryValue, FieldType, FieldValue, Point};
use crate::stream::{Chunk, Stream};

#[cfg(feature = "rayon")]
mod parallel;
#[cfg(all(feature = "rayon", feature = "fuzzing"))]
pub(crate) use parallel::pieces_disagreement;

/// The maps of names to tables and columns, and the hash of dictionary
/// values: foldhash, as the crate's other maps of names, where the
/// standard SipHash took a fifth of the conversion's time.
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The most bytes of text one column may hold: Arrow's `Utf8` arrays
/// address their text with `i32` offsets.
const MAX_COLUMN_TEXT: usize = i32::MAX as usize;

/// A body converted into one record batch per measurement, and the lines
/// that could not be; made by [`Conversion::convert`],
/// [`Conversion::from_reader`] or [`Conversion::from_points`].
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
        let mut converter = Converter::new(options, schema);
        converter.read(&mut crate::parse_with(body, options.parse_options()));
        converter.finish()
    }

    /// As [`convert`](Self::convert), reading the body from `reader`
    /// through a [`Stream`]: the memory held is the columns being built,
    /// the stream's buffer (bounded by the line limit) and the series
    /// remembered (at most about 4 MiB), never the whole body. Line
    /// numbers count from the start of the reader.
    ///
    /// # Errors
    ///
    /// [`ArrowError::IoError`] when the reader fails (the conversion is
    /// then dropped and the schema unchanged), or Arrow's error as for
    /// [`convert`](Self::convert).
    ///
    /// ```
    /// use lineproto::arrow::Conversion;
    /// use lineproto::{BatchOptions, Schema};
    ///
    /// let file = std::fs::File::open("examples/home.lp")?;
    /// let conversion = Conversion::from_reader(file, &BatchOptions::new(), &mut Schema::new())?;
    /// assert_eq!(conversion.batches()[0].1.num_rows(), 26);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_reader<R: Read>(
        reader: R,
        options: &BatchOptions,
        schema: &mut Schema,
    ) -> Result<Conversion, ArrowError> {
        let mut stream = Stream::with_options(reader, options.parse_options());
        let mut converter = Converter::new(options, schema);
        while !converter.refusals.rejected {
            match stream.next_chunk() {
                Ok(Some(mut chunk)) => converter.read(&mut chunk),
                Ok(None) => break,
                Err(err) => return Err(ArrowError::IoError(err.to_string(), err)),
            }
        }
        converter.finish()
    }

    /// Converts points that were built or parsed elsewhere, as
    /// [`convert`](Self::convert) converts lines: the `n`th point is
    /// reported as line `n` (from 1), with its line protocol as the
    /// line's text. A point that cannot be written
    /// ([`Point::validate`]) is refused as
    /// [`ValidationError::InvalidPoint`]: so is a parsed point whose name
    /// or tag value ends in a backslash, whose line [`convert`](Self::convert)
    /// keeps. Lines without a timestamp get
    /// the options' default time; the options' precision is not used, as
    /// a point's timestamp is in nanoseconds.
    ///
    /// # Errors
    ///
    /// Arrow's error, as for [`convert`](Self::convert).
    ///
    /// ```
    /// use lineproto::arrow::Conversion;
    /// use lineproto::{BatchOptions, Point, Schema};
    ///
    /// let points = [
    ///     Point::builder("home").tag("room", "Kitchen").field("temp", 21.0).timestamp(1).build()?,
    ///     Point::builder("home").tag("room", "Living Room").field("temp", 21.1).timestamp(2).build()?,
    /// ];
    /// let conversion = Conversion::from_points(&points, &BatchOptions::new(), &mut Schema::new())?;
    /// assert_eq!(conversion.batches()[0].1.num_rows(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_points<'a, P: Borrow<Point<'a>>>(
        points: impl IntoIterator<Item = P>,
        options: &BatchOptions,
        schema: &mut Schema,
    ) -> Result<Conversion, ArrowError> {
        let mut converter = Converter::new(options, schema);
        for (index, point) in points.into_iter().enumerate() {
            if converter.refusals.rejected {
                break;
            }
            let point = point.borrow();
            let line = index.saturating_add(1);
            let result = match point.validate() {
                Err(invalid) => Err(ValidationError::InvalidPoint(invalid)),
                Ok(()) => match converter.tables.find(point.measurement()) {
                    Some(table)
                        if converter
                            .tables
                            .append_known(table, point, converter.default_time) =>
                    {
                        Ok(())
                    }
                    _ => converter.add_new(&mut point.clone(), line),
                },
            };
            if let Err(kind) = result {
                let text = point.to_string();
                converter.refusals.refuse(LineError::from_validation_error(
                    line,
                    kind,
                    text.as_bytes(),
                ));
            }
        }
        converter.finish()
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

/// Where the converter reads lines from: a whole body ([`Points`]) or
/// the chunks of a [`Stream`]. Both are parsed by a [`Points`], which
/// knows the lines' numbers and texts.
trait Lines<'a> {
    /// Whether lines are converted in groups once the columns are many
    /// ([`Converter::read_group`]): for a whole body, not for a stream's
    /// chunk, whose few lines (a read is 64 KiB) would make groups too
    /// small to pay for the points they are parsed into.
    const GROUPED: bool;
    fn next_into(&mut self, point: &mut Point<'a>) -> Option<Result<(), ParseError>>;
    fn points(&self) -> &Points<'a>;
}

impl<'a> Lines<'a> for Points<'a> {
    const GROUPED: bool = true;

    fn next_into(&mut self, point: &mut Point<'a>) -> Option<Result<(), ParseError>> {
        Points::next_into(self, point)
    }

    fn points(&self) -> &Points<'a> {
        self
    }
}

impl<'s> Lines<'s> for Chunk<'s> {
    const GROUPED: bool = false;

    fn next_into(&mut self, point: &mut Point<'s>) -> Option<Result<(), ParseError>> {
        Chunk::next_into(self, point)
    }

    fn points(&self) -> &Points<'s> {
        Chunk::points(self)
    }
}

/// How many columns a conversion makes before it converts its lines in
/// groups, table by table ([`Converter::read_group`]): below this the
/// columns of all its tables stay in cache anyway, and converting each
/// line as it is parsed saves keeping the group.
const GROUP_FROM_COLUMNS: usize = 1024;

/// The most lines in a group: enough for a body of hundreds of tables to
/// have several lines of each in every group.
const GROUP_LINES: usize = 4096;

/// The most tags and fields in a group, which bounds its memory: a point
/// of a group costs its entries and the text it unescaped.
const GROUP_ENTRIES: usize = 64 * 1024;

/// The most entries and text a point of a group keeps for the next group:
/// one that held a larger line gives its memory back.
const GROUP_POINT_ENTRIES: usize = 64;
const GROUP_POINT_TEXT: usize = 4096;

/// The lines of a group as they wait to be converted: the parsed points,
/// each line's number, start and table, and the order to convert them
/// in (kept for its memory).
#[derive(Default)]
struct Group<'a> {
    points: Vec<Point<'a>>,
    lines: Vec<(usize, usize, usize)>,
    order: Vec<usize>,
}

impl Group<'_> {
    /// Gives back the memory of points that held large lines, so that
    /// the group holds at most its caps between groups.
    fn trim(&mut self) {
        for point in &mut self.points {
            let (entries, text) = point.room();
            if entries > GROUP_POINT_ENTRIES || text > GROUP_POINT_TEXT {
                *point = Point::new();
            }
        }
    }
}

/// One conversion as it runs: the tables being built, the validator that
/// keeps the schema's rules, and the bad lines.
struct Converter<'s> {
    validator: Validator<'s>,
    tables: Tables,
    default_time: i64,
    /// The bad lines; once one rejects the body, nothing more is
    /// converted and nothing is kept.
    refusals: Refusals,
    /// The columns from which lines are converted in groups, and the most
    /// lines in a group: [`GROUP_FROM_COLUMNS`] and [`GROUP_LINES`], but
    /// for the tests that compare grouping with converting line by line.
    group_from: usize,
    group_lines: usize,
}

impl<'s> Converter<'s> {
    fn new(options: &BatchOptions, schema: &'s mut Schema) -> Self {
        let validator =
            Validator::new(schema).with_reject_underscore_names(options.reject_underscore_names());
        Converter::new_with(options, validator)
    }

    /// A converter whose lines are checked by `validator`.
    fn new_with(options: &BatchOptions, validator: Validator<'s>) -> Self {
        let default_time = options
            .parse_options()
            .default_time()
            .unwrap_or_else(nanos_now);
        Converter {
            validator,
            tables: Tables::default(),
            default_time,
            refusals: Refusals::new(options),
            group_from: GROUP_FROM_COLUMNS,
            group_lines: GROUP_LINES,
        }
    }

    /// Converts every line of `lines`: one at a time into one reused
    /// point while the tables are few, then in groups once they are many
    /// ([`read_group`](Self::read_group)).
    fn read<'a, L: Lines<'a>>(&mut self, lines: &mut L) {
        let mut point = Point::new();
        let mut group = Group::default();
        while !self.refusals.rejected {
            if L::GROUPED && self.tables.columns.len() >= self.group_from {
                if !self.read_group(lines, &mut group) {
                    break;
                }
                continue;
            }
            let error = match lines.next_into(&mut point) {
                None => break,
                Some(Err(err)) => {
                    LineError::from_parse_error(&err, lines.points().line_text(err.line()))
                }
                Some(Ok(())) => match self.add(&mut point, None, lines.points().line_number()) {
                    Ok(()) => continue,
                    Err(kind) => {
                        let line = lines.points().line_number();
                        LineError::from_validation_error(line, kind, lines.points().line_text(line))
                    }
                },
            };
            self.refusals.refuse(error);
        }
    }

    /// Parses the next lines of `lines` into `group`, then converts them
    /// table by table, each table's lines in their order: the columns of
    /// one table stay in cache for all its lines, where lines that move
    /// from table to table would fetch a table's columns for each line.
    /// The lines of tables not made yet come last, in their order.
    ///
    /// This appends the same rows and refuses the same lines as
    /// converting line by line: every rule but one concerns one table,
    /// whose lines keep their order; the one that does not, the cap on
    /// tables, counts only tables made by the lines that come last, in
    /// their order; the refusals are counted in line order. False at the
    /// end of `lines`.
    fn read_group<'a>(&mut self, lines: &mut impl Lines<'a>, group: &mut Group<'a>) -> bool {
        let mut more = true;
        let mut bad: Vec<(usize, LineError)> = Vec::new();
        group.lines.clear();
        let mut entries = 0usize;
        while group.lines.len() < self.group_lines && entries < GROUP_ENTRIES {
            let at = group.lines.len();
            if at == group.points.len() {
                group.points.push(Point::new());
            }
            let Some(point) = group.points.get_mut(at) else {
                break;
            };
            match lines.next_into(point) {
                None => {
                    more = false;
                    break;
                }
                Some(Err(err)) => {
                    let error =
                        LineError::from_parse_error(&err, lines.points().line_text(err.line()));
                    bad.push((err.line(), error));
                    if !self.refusals.accepts_partial() {
                        more = false;
                        break;
                    }
                }
                Some(Ok(())) => {
                    entries = entries.saturating_add(point.tag_count() + point.fields().len());
                    group.lines.push((
                        lines.points().line_number(),
                        lines.points().line_start(),
                        usize::MAX,
                    ));
                }
            }
        }
        for (slot, point) in group.lines.iter_mut().zip(&group.points) {
            slot.2 = self.tables.find(point.measurement()).unwrap_or(usize::MAX);
        }
        let mut order = std::mem::take(&mut group.order);
        order.clear();
        order.extend(0..group.lines.len());
        order.sort_by_key(|&at| group.lines.get(at).map(|line| line.2));
        for &at in &order {
            let (Some(&(line, start, table)), Some(point)) =
                (group.lines.get(at), group.points.get_mut(at))
            else {
                continue;
            };
            let table = (table != usize::MAX).then_some(table);
            if let Err(kind) = self.add(point, table, line) {
                let error = LineError::from_validation_error(
                    line,
                    kind,
                    lines.points().line_text_at(start),
                );
                bad.push((line, error));
            }
        }
        bad.sort_by_key(|(line, _)| *line);
        for (_, error) in bad {
            if self.refusals.rejected {
                break;
            }
            self.refusals.refuse(error);
        }
        group.order = order;
        group.trim();
        more
    }

    /// Appends `point`, line `line`, of table `table` if known: through
    /// [`Tables::append_known`] if it can, else through every rule.
    fn add(
        &mut self,
        point: &mut Point<'_>,
        table: Option<usize>,
        line: usize,
    ) -> Result<(), ValidationError> {
        if self.tables.append_series(point, self.default_time) {
            return Ok(());
        }
        let table = table.or_else(|| self.tables.find(point.measurement()));
        if let Some(table) = table {
            if self.tables.append_known(table, point, self.default_time) {
                return Ok(());
            }
        }
        self.add_new(point, line)
    }

    /// Checks a point that [`Tables::append_known`] could not append (it
    /// names a table or column not made yet, or breaks a rule) against
    /// every rule, and appends it if it passes.
    fn add_new(&mut self, point: &mut Point<'_>, line: usize) -> Result<(), ValidationError> {
        self.tables.admits(point)?;
        self.validator.check(point, line)?;
        self.tables.append_new(point, self.default_time);
        Ok(())
    }

    /// The conversion: the batches and what the schema learnt, unless a
    /// bad line rejected it all.
    fn finish(self) -> Result<Conversion, ArrowError> {
        let (batches, refusals, validator) = self.into_parts()?;
        if !refusals.rejected {
            validator.commit();
        }
        Ok(Conversion {
            batches,
            errors: refusals.errors,
            error_count: refusals.count,
        })
    }

    /// The batches (none if a bad line rejected the body), the refusals
    /// and the validator, not committed.
    #[allow(clippy::type_complexity)]
    fn into_parts(
        self,
    ) -> Result<(Vec<(String, RecordBatch)>, Refusals, Validator<'s>), ArrowError> {
        let mut batches = Vec::new();
        if !self.refusals.rejected {
            let mut fields = Fields::new(&self.tables.names);
            for table in self.tables.list {
                let name = table.name.clone();
                batches.push((name, table.finish(&mut fields)?));
            }
        }
        Ok((batches, self.refusals, self.validator))
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

/// The tables of a conversion, in the order their measurements first
/// appear.
#[derive(Default)]
struct Tables {
    list: Vec<Table>,
    by_name: Map<String, usize>,
    /// The names of the columns of every table.
    names: Names,
    /// The column of each table and name: one map for every table, small
    /// enough to stay in cache where a map per table did not.
    columns: Map<(usize, usize), usize>,
    /// The table of the last line appended, tried first.
    last: usize,
    /// A number no column has been marked with yet, for the next line.
    stamp: u64,
    /// The series of the lines appended, with their tables and tags.
    series: SeriesCache,
}

impl Tables {
    fn find(&self, measurement: &str) -> Option<usize> {
        if self
            .list
            .get(self.last)
            .is_some_and(|table| same_bytes(table.name.as_bytes(), measurement.as_bytes()))
        {
            return Some(self.last);
        }
        self.by_name.get(measurement).copied()
    }

    /// The next line's stamp.
    fn next_stamp(&mut self) -> u64 {
        self.stamp = self.stamp.wrapping_add(1);
        self.stamp
    }

    /// Appends `point` to table `index` if every column it names exists, each
    /// named once, of the point's kind and type, with room for its text:
    /// then the rules hold as they held for the line that made each
    /// column, and no validation is needed. Otherwise appends nothing.
    fn append_known(&mut self, index: usize, point: &Point<'_>, default_time: i64) -> bool {
        let stamp = self.next_stamp();
        let Some(table) = self.list.get_mut(index) else {
            return false;
        };
        let lookup = Lookup {
            table: index,
            names: &self.names,
            columns: &self.columns,
        };
        if !table.resolve(point, stamp, &lookup) {
            return false;
        }
        table.append(point, default_time, self.series.recording());
        self.series.add(point.series(), index);
        self.last = index;
        true
    }

    /// Appends `point` if its series is one appended before and its
    /// fields name their columns as [`append_known`](Self::append_known)
    /// requires: its table and its tags' dictionary keys are the series',
    /// and only its fields are looked at. Otherwise appends nothing.
    fn append_series(&mut self, point: &Point<'_>, default_time: i64) -> bool {
        let Some(set) = self.series.find(point.series()) else {
            return false;
        };
        let stamp = self.next_stamp();
        let Some((index, keys)) = self.series.set(set) else {
            return false;
        };
        let Some(table) = self.list.get_mut(index) else {
            return false;
        };
        let lookup = Lookup {
            table: index,
            names: &self.names,
            columns: &self.columns,
        };
        if !table.resolve_fields(point, stamp, &lookup) {
            return false;
        }
        table.append_keys(keys, point, default_time);
        self.last = index;
        true
    }

    /// Appends a point the validator has passed, making its table and
    /// columns as needed.
    fn append_new(&mut self, point: &Point<'_>, default_time: i64) {
        let index = match self.find(point.measurement()) {
            Some(index) => index,
            None => {
                let name = point.measurement().to_owned();
                self.by_name.insert(name.clone(), self.list.len());
                self.list.push(Table::new(name));
                self.list.len() - 1
            }
        };
        let stamp = self.next_stamp();
        let Some(table) = self.list.get_mut(index) else {
            return;
        };
        let tags = point.tags().map(|tag| (tag.key(), None));
        let fields = point
            .fields()
            .map(|field| (field.key(), Some(field.value().field_type())));
        for (key, kind) in tags.chain(fields) {
            let name = self.names.intern(key);
            if let Entry::Vacant(entry) = self.columns.entry((index, name)) {
                entry.insert(table.columns.len());
                table.add_column(name, kind);
            }
        }
        let lookup = Lookup {
            table: index,
            names: &self.names,
            columns: &self.columns,
        };
        let resolved = table.resolve(point, stamp, &lookup);
        debug_assert!(resolved, "a validated point names columns it cannot fill");
        if resolved {
            table.append(point, default_time, self.series.recording());
            self.series.add(point.series(), index);
            self.last = index;
        }
    }

    /// The rule the validator does not know, because it concerns the
    /// columns being built: no column may hold more text than Arrow can
    /// address. (A name that is a tag column and a field of the line, or
    /// the other way round, the validator refuses: every column was made
    /// by a line it passed.)
    fn admits(&self, point: &Point<'_>) -> Result<(), ValidationError> {
        let Some(index) = self.find(point.measurement()) else {
            return Ok(());
        };
        let Some(table) = self.list.get(index) else {
            return Ok(());
        };
        let column = |key: &str| {
            self.names
                .find(key)
                .and_then(|name| self.columns.get(&(index, name)))
                .and_then(|&column| table.columns.get(column))
        };
        let too_much = |key: &str, added: usize| {
            column(key)
                .map_or(0, |column| column.text)
                .saturating_add(added)
                > MAX_COLUMN_TEXT
        };
        let tag_text = point
            .tags()
            .find(|tag| too_much(tag.key(), tag.value().len()))
            .map(|tag| tag.key());
        let field_text = point
            .fields()
            .find(|field| match field.value() {
                FieldValue::String(value) => too_much(field.key(), value.len()),
                _ => false,
            })
            .map(|field| field.key());
        match tag_text.or(field_text) {
            Some(column) => Err(ValidationError::ColumnTextTooLarge {
                measurement: excerpt(point.measurement().as_bytes()),
                column: excerpt(column.as_bytes()),
                limit: MAX_COLUMN_TEXT,
            }),
            None => Ok(()),
        }
    }
}

/// How a table finds its columns by name: the names of the conversion,
/// and the map of (table, name) to column.
struct Lookup<'t> {
    table: usize,
    names: &'t Names,
    columns: &'t Map<(usize, usize), usize>,
}

impl Lookup<'_> {
    /// The name and column of `key`: `guess` if its name is `key`, else
    /// found by name.
    #[inline]
    fn column_of(&self, key: &str, guess: Option<(usize, usize)>) -> Option<(usize, usize)> {
        match guess {
            Some((name, column)) if self.names.is(name, key) => Some((name, column)),
            _ => {
                let name = self.names.find(key)?;
                let column = self.columns.get(&(self.table, name))?;
                Some((name, *column))
            }
        }
    }
}

/// Keys back to back, and where each ends.
#[derive(Default)]
struct Shape {
    keys: Vec<u8>,
    ends: Vec<usize>,
}

impl Shape {
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether key `at` is `key`.
    #[inline]
    fn is(&self, at: usize, key: &str) -> bool {
        let start = match at.checked_sub(1) {
            Some(before) => self.ends.get(before).copied().unwrap_or(usize::MAX),
            None => 0,
        };
        let end = self.ends.get(at).copied().unwrap_or(0);
        self.keys
            .get(start..end)
            .is_some_and(|expected| same_bytes(expected, key.as_bytes()))
    }

    fn clear(&mut self) {
        self.keys.clear();
        self.ends.clear();
    }

    fn set<'k>(&mut self, keys: impl Iterator<Item = &'k str>) {
        self.clear();
        for key in keys {
            self.keys.extend_from_slice(key.as_bytes());
            self.ends.push(self.keys.len());
        }
    }
}

/// The columns of one measurement as they are built: what the checks of
/// a line read (`columns`), apart from the builders (`values`, at the
/// same index), so that checking reads a small, dense array.
struct Table {
    name: String,
    rows: usize,
    columns: Vec<Column>,
    values: Vec<Values>,
    /// The name and column of each tag, then of each field, of the last
    /// line resolved: the first guess for the next line, which most often
    /// has the same keys in the same order.
    tag_plan: Vec<(usize, usize)>,
    field_plan: Vec<(usize, usize)>,
    /// The tag keys and the field keys of the last line resolved: a line
    /// with the same keys in the same order, as most are, is checked
    /// against them in one pass.
    tag_shape: Shape,
    field_shape: Shape,
    time: Vec<i64>,
}

/// What the checks of a line need of one tag or field column.
struct Column {
    /// Its name, as [`Names`] numbers it.
    name: usize,
    /// The stamp of the last line that named the column, to find a line
    /// naming it twice.
    stamp: u64,
    /// `None` for a tag column, else the type of the field column.
    kind: Option<FieldType>,
    /// The bytes of text it holds: the distinct values of a tag column,
    /// the values of a string column.
    text: usize,
}

impl Column {
    /// Whether the column can take `added` bytes more text.
    #[inline]
    fn has_room(&self, added: usize) -> bool {
        self.text.saturating_add(added) <= MAX_COLUMN_TEXT
    }

    /// Whether the column is a field column of type `kind` with room for
    /// `added` bytes more text.
    #[inline]
    fn takes(&self, kind: FieldType, added: usize) -> bool {
        self.kind == Some(kind) && self.has_room(added)
    }
}

/// Where a guess is missing: no column has this name.
const NO_GUESS: (usize, usize) = (usize::MAX, usize::MAX);

impl Table {
    fn new(name: String) -> Self {
        Table {
            name,
            rows: 0,
            columns: Vec::new(),
            values: Vec::new(),
            tag_plan: Vec::new(),
            field_plan: Vec::new(),
            tag_shape: Shape::default(),
            field_shape: Shape::default(),
            time: Vec::new(),
        }
    }

    fn add_column(&mut self, name: usize, kind: Option<FieldType>) {
        self.columns.push(Column {
            name,
            stamp: 0,
            kind,
            text: 0,
        });
        self.values.push(Values::new(kind));
    }

    /// Finds the column of each tag and field of `point` into the plans:
    /// false if one is missing, named twice, of another kind or type, or
    /// without room for the value's text.
    fn resolve(&mut self, point: &Point<'_>, stamp: u64, lookup: &Lookup<'_>) -> bool {
        self.resolve_tags(point, stamp, lookup) && self.resolve_fields(point, stamp, lookup)
    }

    /// [`resolve`](Self::resolve) for the tags. Tags with the last tags'
    /// keys, in their order, keep the plan; any others are resolved key by
    /// key, marking each column with `stamp`, and become the shape.
    fn resolve_tags(&mut self, point: &Point<'_>, stamp: u64, lookup: &Lookup<'_>) -> bool {
        let same = self.tag_plan.len() == point.tag_count()
            && self.tag_shape.len() == point.tag_count()
            && point
                .tags()
                .zip(&self.tag_plan)
                .enumerate()
                .all(|(at, (tag, &(_, index)))| {
                    self.tag_shape.is(at, tag.key())
                        && self
                            .columns
                            .get(index)
                            .is_some_and(|column| column.has_room(tag.value().len()))
                });
        if same {
            return true;
        }
        self.tag_shape.clear();
        self.tag_plan.resize(point.tag_count(), NO_GUESS);
        for (at, tag) in point.tags().enumerate() {
            let Some(slot) = self.tag_plan.get_mut(at) else {
                return false;
            };
            let Some((name, index)) = lookup.column_of(tag.key(), Some(*slot)) else {
                return false;
            };
            let Some(column) = self.columns.get_mut(index) else {
                return false;
            };
            if column.stamp == stamp || column.kind.is_some() || !column.has_room(tag.value().len())
            {
                return false;
            }
            column.stamp = stamp;
            *slot = (name, index);
        }
        self.tag_shape.set(point.tags().map(|tag| tag.key()));
        true
    }

    /// Whether the fields `entries` (their text in `text`) have the last
    /// fields' keys, in their order, each of its column's type, with room
    /// for the text it adds.
    #[inline]
    fn same_fields(&self, entries: &[PointEntry<'_>], text: &str) -> bool {
        let shape = &self.field_shape;
        if entries.len() != self.field_plan.len() || entries.len() != shape.ends.len() {
            return false;
        }
        let mut start = 0;
        for ((entry, &(_, index)), &end) in entries.iter().zip(&self.field_plan).zip(&shape.ends) {
            let key = entry.key.get(text);
            let expected = shape.keys.get(start..end);
            start = end;
            let Some(column) = self.columns.get(index) else {
                return false;
            };
            let added = match entry.value {
                EntryValue::String(span) => span.get(text).len(),
                _ => 0,
            };
            if !(expected.is_some_and(|expected| same_bytes(expected, key.as_bytes()))
                && column.takes(entry.value.field_type(), added))
            {
                return false;
            }
        }
        true
    }

    /// [`resolve`](Self::resolve) for the fields, as
    /// [`resolve_tags`](Self::resolve_tags) for the tags; a field of the
    /// last fields' shape must also be of its column's type. A field named
    /// as a tag of the line finds the tag's column, of another kind.
    fn resolve_fields(&mut self, point: &Point<'_>, stamp: u64, lookup: &Lookup<'_>) -> bool {
        if self.same_fields(point.field_entries(), point.own_text()) {
            return true;
        }
        self.field_shape.clear();
        self.field_plan.resize(point.fields().len(), NO_GUESS);
        for (at, field) in point.fields().enumerate() {
            let Some(slot) = self.field_plan.get_mut(at) else {
                return false;
            };
            let Some((name, index)) = lookup.column_of(field.key(), Some(*slot)) else {
                return false;
            };
            let Some(column) = self.columns.get_mut(index) else {
                return false;
            };
            let value = field.value();
            let added = match value {
                FieldValue::String(text) => text.len(),
                _ => 0,
            };
            if column.stamp == stamp || !column.takes(value.field_type(), added) {
                return false;
            }
            column.stamp = stamp;
            *slot = (name, index);
        }
        self.field_shape
            .set(point.fields().map(|field| field.key()));
        true
    }

    /// Appends `point` as a row, after [`resolve`](Self::resolve) found
    /// its columns: each value to its column (padded first with nulls for
    /// the rows it missed), and the time. With `keys`, the column and
    /// dictionary key of each tag are left in it.
    fn append(
        &mut self,
        point: &Point<'_>,
        default_time: i64,
        mut keys: Option<&mut Vec<(usize, i32)>>,
    ) {
        let rows = self.rows;
        for (tag, &(_, index)) in point.tags().zip(&self.tag_plan) {
            if let (Some(column), Some(values)) =
                (self.columns.get_mut(index), self.values.get_mut(index))
            {
                let (key, added) = values.push_tag(rows, tag.value());
                column.text = column.text.saturating_add(added);
                if let Some(keys) = keys.as_deref_mut() {
                    keys.push((index, key));
                }
            }
        }
        self.append_fields(point, default_time);
    }

    /// Appends `point` as a row whose tags are the values of `keys` (the
    /// column and dictionary key of each), after
    /// [`resolve_fields`](Self::resolve_fields) found its fields'
    /// columns.
    fn append_keys(&mut self, keys: &[(usize, i32)], point: &Point<'_>, default_time: i64) {
        let rows = self.rows;
        for &(index, key) in keys {
            if let Some(Values::Tag(dictionary)) = self.values.get_mut(index) {
                dictionary.push_key(rows, key);
            }
        }
        self.append_fields(point, default_time);
    }

    /// Appends the fields of `point` and its time to the row being made,
    /// and ends it.
    fn append_fields(&mut self, point: &Point<'_>, default_time: i64) {
        let rows = self.rows;
        let text = point.own_text();
        for (entry, &(_, index)) in point.field_entries().iter().zip(&self.field_plan) {
            if let (Some(column), Some(values)) =
                (self.columns.get_mut(index), self.values.get_mut(index))
            {
                match (values, entry.value) {
                    (Values::Float(cells), EntryValue::Float(value)) => cells.push(rows, value),
                    (Values::Integer(cells), EntryValue::Integer(value)) => {
                        cells.push(rows, value);
                    }
                    (Values::UInteger(cells), EntryValue::UInteger(value)) => {
                        cells.push(rows, value);
                    }
                    (Values::Boolean(builder), EntryValue::Boolean(value)) => {
                        builder.append_nulls(rows.saturating_sub(builder.len()));
                        builder.append_value(value);
                    }
                    (Values::String(builder), EntryValue::String(span)) => {
                        let value = span.get(text);
                        column.text = column.text.saturating_add(value.len());
                        builder.append_nulls(rows.saturating_sub(builder.len()));
                        builder.append_value(value);
                    }
                    _ => debug_assert!(false, "a value of another type than its column"),
                }
            }
        }
        self.time.push(point.timestamp().unwrap_or(default_time));
        self.rows += 1;
    }

    /// The record batch of the table: every column padded with nulls to
    /// the table's rows, tags by name, fields by name, then `time`.
    fn finish(self, fields: &mut Fields<'_>) -> Result<RecordBatch, ArrowError> {
        let rows = self.rows;
        let names = fields.names;
        let mut columns: Vec<(Column, Values)> =
            self.columns.into_iter().zip(self.values).collect();
        columns.sort_by(|(a, _), (b, _)| {
            (a.kind.is_some(), names.text(a.name)).cmp(&(b.kind.is_some(), names.text(b.name)))
        });
        let mut schema_fields = Vec::with_capacity(columns.len() + 1);
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(columns.len() + 1);
        for (column, values) in columns {
            schema_fields.push(fields.field(column.name, &values));
            arrays.push(values.finish(rows)?);
        }
        schema_fields.push(Arc::clone(&fields.time));
        arrays.push(Arc::new(TimestampNanosecondArray::try_new(
            ScalarBuffer::from(self.time),
            None,
        )?));
        let schema = ArrowSchema::new(schema_fields).with_metadata(HashMap::from([(
            "iox::measurement::name".to_owned(),
            self.name,
        )]));
        RecordBatch::try_new(Arc::new(schema), arrays)
    }
}

/// The schema fields of a conversion's batches, each made once and shared
/// by every table with a column of its name and type: the tables of a
/// body of many measurements most often share their column names.
struct Fields<'n> {
    names: &'n Names,
    made: Map<(usize, &'static str), FieldRef>,
    time: FieldRef,
}

impl<'n> Fields<'n> {
    fn new(names: &'n Names) -> Self {
        Fields {
            names,
            made: Map::default(),
            time: Arc::new(
                Field::new(
                    "time",
                    DataType::Timestamp(TimeUnit::Nanosecond, None),
                    false,
                )
                .with_metadata(Self::role("iox::column_type::timestamp")),
            ),
        }
    }

    /// The metadata of a column of role `role`.
    fn role(role: &str) -> HashMap<String, String> {
        HashMap::from([("iox::column::type".to_owned(), role.to_owned())])
    }

    /// The field of the column named `name` (as [`Names`] numbers it)
    /// holding `values`.
    fn field(&mut self, name: usize, values: &Values) -> FieldRef {
        let role = values.role();
        let names = self.names;
        Arc::clone(self.made.entry((name, role)).or_insert_with(|| {
            Arc::new(
                Field::new(names.text(name), values.data_type(), true)
                    .with_metadata(Self::role(role)),
            )
        }))
    }
}

/// The most series a conversion remembers, the most tags of theirs, and
/// the most bytes of their text: a [`SeriesCache`] holds at most about
/// 4 MiB.
const SERIES_MOST: usize = 1 << 16;
const SERIES_MOST_TAGS: usize = 1 << 16;
const SERIES_MOST_TEXT: usize = 1 << 20;

/// The lines whose series are looked up before a conversion whose lines
/// mostly bring new series stops looking them up.
const SERIES_TRIAL: usize = 1024;

/// The series of a conversion's lines (a line's measurement and tags, as
/// written), each with its table and the column and dictionary key of
/// each tag: a line of a series seen before, as most lines are (a host
/// reports the same tags at every interval), finds its table and its
/// tags' keys with one lookup of its series, where each tag value would
/// be looked up in its column's dictionary. Two lines of one series have
/// the same measurement and tags in the same order, so the keys are
/// theirs. A conversion whose lines mostly bring new series stops
/// remembering them after [`SERIES_TRIAL`] lines.
#[derive(Default)]
struct SeriesCache {
    /// The number of each series, by the hash of its text.
    index: HashTable<usize>,
    hasher: foldhash::fast::RandomState,
    /// Each series: where its text ends in `text`, its table, and where
    /// its tags end in `tags`; it begins where the one before ends.
    series: Vec<(usize, usize, usize)>,
    text: Vec<u8>,
    tags: Vec<(usize, i32)>,
    /// The tags of the line whose series was not found, as they are
    /// appended, and the hash of its series.
    noted: Vec<(usize, i32)>,
    missed: Option<u64>,
    hits: usize,
    misses: usize,
    off: bool,
}

impl SeriesCache {
    /// The number of series `raw`, if it is remembered; if not, the
    /// line's tags are noted as it is appended (see
    /// [`recording`](Self::recording)) and [`add`](Self::add) remembers
    /// it.
    fn find(&mut self, raw: &[u8]) -> Option<usize> {
        self.missed = None;
        if self.off || raw.is_empty() {
            return None;
        }
        let hash = self.hasher.hash_one(raw);
        if let Some(&number) = self
            .index
            .find(hash, |&number| same_bytes(self.text_of(number), raw))
        {
            self.hits += 1;
            return Some(number);
        }
        self.misses += 1;
        if self.misses >= SERIES_TRIAL && self.misses > self.hits {
            *self = SeriesCache {
                off: true,
                ..SeriesCache::default()
            };
            return None;
        }
        self.missed = Some(hash);
        None
    }

    /// Where series `number` is in `text` and in `tags`, in `series`.
    fn spans(
        series: &[(usize, usize, usize)],
        number: usize,
    ) -> (Range<usize>, Option<usize>, Range<usize>) {
        let (text, tags) = number
            .checked_sub(1)
            .and_then(|before| series.get(before))
            .map_or((0, 0), |&(text, _, tags)| (text, tags));
        match series.get(number) {
            Some(&(text_end, table, tags_end)) => (text..text_end, Some(table), tags..tags_end),
            None => (0..0, None, 0..0),
        }
    }

    fn text_of(&self, number: usize) -> &[u8] {
        let (text, _, _) = Self::spans(&self.series, number);
        self.text.get(text).unwrap_or(&[])
    }

    /// The table of series `number`, and the column and key of each tag.
    fn set(&self, number: usize) -> Option<(usize, &[(usize, i32)])> {
        let (_, table, tags) = Self::spans(&self.series, number);
        Some((table?, self.tags.get(tags)?))
    }

    /// Where the tags of a line whose series was not found are noted as
    /// it is appended; `None` for a line whose series was found or is not
    /// looked up.
    fn recording(&mut self) -> Option<&mut Vec<(usize, i32)>> {
        self.missed?;
        self.noted.clear();
        Some(&mut self.noted)
    }

    /// Remembers series `raw` of the line just appended to `table`, with
    /// the tags noted, if it was not found and the cache has room.
    fn add(&mut self, raw: &[u8], table: usize) {
        let Some(hash) = self.missed.take() else {
            return;
        };
        if self.series.len() >= SERIES_MOST
            || self.tags.len() + self.noted.len() > SERIES_MOST_TAGS
            || self.text.len() + raw.len() > SERIES_MOST_TEXT
        {
            return;
        }
        let number = self.series.len();
        self.text.extend_from_slice(raw);
        self.tags.extend_from_slice(&self.noted);
        self.series.push((self.text.len(), table, self.tags.len()));
        let (series, text, hasher) = (&self.series, &self.text, &self.hasher);
        self.index.insert_unique(hash, number, |&number| {
            let (span, _, _) = Self::spans(series, number);
            hasher.hash_one(text.get(span).unwrap_or(&[]))
        });
    }
}

/// Whether `a` and `b` are the same bytes: compared eight at a time in
/// line, where `==` calls the C library's `memcmp` for each pair. The
/// converter compares names and tag values of a few bytes several times a
/// line, and the call costs more than the comparison. The last word is
/// the last eight bytes, overlapping the one before; slices shorter than
/// a word are compared as two overlapping halves of four bytes, or byte
/// by byte below four.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    if len > 64 {
        return a == b;
    }
    if len >= 8 {
        let word = |bytes: &[u8], at: usize| {
            bytes
                .get(at..at + 8)
                .and_then(|chunk| <[u8; 8]>::try_from(chunk).ok())
                .map(u64::from_ne_bytes)
        };
        let mut at = 0;
        while at + 8 < len {
            if word(a, at) != word(b, at) {
                return false;
            }
            at += 8;
        }
        return word(a, len - 8) == word(b, len - 8);
    }
    if len >= 4 {
        let half = |bytes: &[u8], at: usize| {
            bytes
                .get(at..at + 4)
                .and_then(|chunk| <[u8; 4]>::try_from(chunk).ok())
                .map(u32::from_ne_bytes)
        };
        return half(a, 0) == half(b, 0) && half(a, len - 4) == half(b, len - 4);
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// The tag and field keys of a conversion, each stored once and numbered:
/// tables share them (most tables of a body have the same few keys), so
/// finding a column by name reads one small, often-used table of names
/// rather than one per table.
#[derive(Default)]
struct Names {
    /// The names, back to back.
    text: String,
    /// Where each name is in `text`.
    spans: Vec<(usize, usize)>,
    /// The numbers of the names, by the hash of their text.
    index: HashTable<usize>,
    hasher: foldhash::fast::RandomState,
}

impl Names {
    /// The text of name `name`.
    fn text(&self, name: usize) -> &str {
        self.spans
            .get(name)
            .and_then(|&(start, end)| self.text.get(start..end))
            .unwrap_or("")
    }

    /// Whether name `name` is `key`: compared as bytes, the cheaper test
    /// the converter makes for every key of every line.
    #[inline]
    fn is(&self, name: usize, key: &str) -> bool {
        self.spans
            .get(name)
            .and_then(|&(start, end)| self.text.as_bytes().get(start..end))
            .is_some_and(|text| same_bytes(text, key.as_bytes()))
    }

    /// The number of `key`, if it has one.
    fn find(&self, key: &str) -> Option<usize> {
        let hash = self.hasher.hash_one(key);
        self.index.find(hash, |&name| self.is(name, key)).copied()
    }

    /// The number of `key`, given now if it is new.
    fn intern(&mut self, key: &str) -> usize {
        if let Some(name) = self.find(key) {
            return name;
        }
        let name = self.spans.len();
        let start = self.text.len();
        self.text.push_str(key);
        self.spans.push((start, self.text.len()));
        let hash = self.hasher.hash_one(key);
        let (text, spans, hasher) = (&self.text, &self.spans, &self.hasher);
        self.index.insert_unique(hash, name, |&name| {
            let key = spans
                .get(name)
                .and_then(|&(start, end)| text.get(start..end))
                .unwrap_or("");
            hasher.hash_one(key)
        });
        name
    }
}

/// The values of a column: dictionary keys for a tag, the values of a
/// numeric field with the rows they are in, a builder for a boolean or
/// string field.
enum Values {
    Tag(Dictionary),
    Float(Cells<f64>),
    Integer(Cells<i64>),
    UInteger(Cells<u64>),
    Boolean(BooleanBuilder),
    String(StringBuilder),
}

impl Values {
    /// A tag column (`None`) or a field column of `field_type`, empty:
    /// its buffers grow as values come, so that the many small columns of
    /// a body of many measurements cost what they hold, not a thousand
    /// values each as Arrow's builders reserve by default.
    fn new(field_type: Option<FieldType>) -> Self {
        match field_type {
            None => Values::Tag(Dictionary::default()),
            Some(FieldType::Integer) => Values::Integer(Cells::default()),
            Some(FieldType::UInteger) => Values::UInteger(Cells::default()),
            Some(FieldType::Boolean) => Values::Boolean(BooleanBuilder::with_capacity(0)),
            Some(FieldType::String) => Values::String(StringBuilder::with_capacity(0, 0)),
            Some(_) => Values::Float(Cells::default()),
        }
    }

    /// Appends the tag value of row `row`, which [`Table::resolve`]
    /// admitted; returns its key and the bytes of text the column gained
    /// (none if the value was there).
    fn push_tag(&mut self, row: usize, value: &str) -> (i32, usize) {
        match self {
            Values::Tag(dictionary) => dictionary.push(row, value),
            _ => {
                debug_assert!(false, "a tag value for a field column");
                (0, 0)
            }
        }
    }

    /// The column's Arrow type.
    fn data_type(&self) -> DataType {
        match self {
            Values::Tag(_) => {
                DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
            }
            Values::Float(_) => DataType::Float64,
            Values::Integer(_) => DataType::Int64,
            Values::UInteger(_) => DataType::UInt64,
            Values::Boolean(_) => DataType::Boolean,
            Values::String(_) => DataType::Utf8,
        }
    }

    /// The column's role, as InfluxDB 3 marks it in the field's metadata.
    fn role(&self) -> &'static str {
        match self {
            Values::Tag(_) => "iox::column_type::tag",
            Values::Float(_) => "iox::column_type::field::float",
            Values::Integer(_) => "iox::column_type::field::integer",
            Values::UInteger(_) => "iox::column_type::field::uinteger",
            Values::Boolean(_) => "iox::column_type::field::boolean",
            Values::String(_) => "iox::column_type::field::string",
        }
    }

    /// The column as an array of `rows` rows, null where it has no value.
    fn finish(self, rows: usize) -> Result<ArrayRef, ArrowError> {
        Ok(match self {
            Values::Tag(dictionary) => Arc::new(dictionary.finish(rows)?),
            Values::Float(cells) => Arc::new(cells.finish::<Float64Type>(rows)?),
            Values::Integer(cells) => Arc::new(cells.finish::<Int64Type>(rows)?),
            Values::UInteger(cells) => Arc::new(cells.finish::<UInt64Type>(rows)?),
            Values::Boolean(mut builder) => {
                builder.append_nulls(rows.saturating_sub(builder.len()));
                Arc::new(builder.finish())
            }
            Values::String(mut builder) => {
                builder.append_nulls(rows.saturating_sub(builder.len()));
                Arc::new(builder.finish())
            }
        })
    }
}

/// The values of a column of one native type and the rows they are in:
/// a column with a value in every row is a plain vector; one that misses
/// rows keeps the row of each value, and is spread over its rows, nulls
/// between, once, when the batch is made. Nulls cost nothing while the
/// lines come, however sparse the column.
struct Cells<T> {
    values: Vec<T>,
    /// The row of each value, from the first row the column missed; until
    /// then value `i` is in row `i`.
    rows: Option<Vec<usize>>,
}

impl<T> Default for Cells<T> {
    fn default() -> Self {
        Cells {
            values: Vec::new(),
            rows: None,
        }
    }
}

/// The values a column makes room for at its first: most columns hold
/// more, and growing from the standard library's four would move them
/// four more times; a column costs a line of input at least, so this
/// keeps memory in proportion to the input.
const FIRST_CAPACITY: usize = 16;

impl<T: ArrowNativeType> Cells<T> {
    #[inline]
    fn push(&mut self, row: usize, value: T) {
        match &mut self.rows {
            Some(rows) => rows.push(row),
            None if row != self.values.len() => {
                let mut rows = Vec::with_capacity(self.values.capacity());
                rows.extend(0..self.values.len());
                rows.push(row);
                self.rows = Some(rows);
            }
            None => {}
        }
        if self.values.capacity() == 0 {
            self.values.reserve_exact(FIRST_CAPACITY);
        }
        self.values.push(value);
    }

    /// The values spread over `len` rows, and which rows hold one, if not
    /// all do.
    fn spread(self, len: usize) -> (Vec<T>, Option<NullBuffer>) {
        let mut valid = BooleanBufferBuilder::new(len);
        match self.rows {
            None if self.values.len() >= len => (self.values, None),
            None => {
                let held = self.values.len();
                let mut values = self.values;
                values.resize(len, T::default());
                valid.append_n(held, true);
                valid.append_n(len.saturating_sub(held), false);
                (values, Some(NullBuffer::new(valid.finish())))
            }
            Some(rows) => {
                let mut values = vec![T::default(); len];
                valid.append_n(len, false);
                for (value, row) in self.values.into_iter().zip(rows) {
                    if let Some(slot) = values.get_mut(row) {
                        *slot = value;
                        valid.set_bit(row, true);
                    }
                }
                (values, Some(NullBuffer::new(valid.finish())))
            }
        }
    }

    fn finish<P: ArrowPrimitiveType<Native = T>>(
        self,
        len: usize,
    ) -> Result<PrimitiveArray<P>, ArrowError> {
        let (values, nulls) = self.spread(len);
        PrimitiveArray::try_new(ScalarBuffer::from(values), nulls)
    }
}

/// A tag column as it is built: a key per value into the distinct values,
/// each stored once and found again through a hash table of their keys.
struct Dictionary {
    keys: Cells<i32>,
    /// The distinct values back to back, value `key` from
    /// `offsets[key]` to `offsets[key + 1]`, as Arrow lays out a `Utf8`
    /// array.
    text: String,
    offsets: Vec<i32>,
    index: HashTable<i32>,
    hasher: foldhash::fast::RandomState,
    /// The key appended last: a column often holds one value for many
    /// rows in a row, found again without hashing.
    last: Option<i32>,
}

impl Default for Dictionary {
    fn default() -> Self {
        Dictionary {
            keys: Cells::default(),
            text: String::new(),
            offsets: vec![0],
            index: HashTable::new(),
            hasher: foldhash::fast::RandomState::default(),
            last: None,
        }
    }
}

impl Dictionary {
    /// The text of the value of `key`.
    #[inline]
    fn value<'t>(text: &'t str, offsets: &[i32], key: i32) -> &'t [u8] {
        let at = |index: usize| {
            offsets
                .get(index)
                .and_then(|&offset| usize::try_from(offset).ok())
        };
        let Ok(key) = usize::try_from(key) else {
            return &[];
        };
        match (at(key), at(key.saturating_add(1))) {
            (Some(start), Some(end)) => text.as_bytes().get(start..end).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Appends the value of `key`, which the dictionary holds, as row
    /// `row`.
    #[inline]
    fn push_key(&mut self, row: usize, key: i32) {
        self.last = Some(key);
        self.keys.push(row, key);
    }

    /// Appends `value` as row `row`; returns its key and the bytes of
    /// text stored, none if the value was there.
    #[inline]
    fn push(&mut self, row: usize, value: &str) -> (i32, usize) {
        let stored = self.text.len();
        let key = match self.last {
            Some(last)
                if same_bytes(
                    Self::value(&self.text, &self.offsets, last),
                    value.as_bytes(),
                ) =>
            {
                last
            }
            _ => self.key_of(value),
        };
        self.push_key(row, key);
        (key, self.text.len().saturating_sub(stored))
    }

    /// The key of `value`, stored now if it is new.
    fn key_of(&mut self, value: &str) -> i32 {
        let hash = self.hasher.hash_one(value.as_bytes());
        let (text, offsets) = (&self.text, &self.offsets);
        if let Some(&key) = self.index.find(hash, |&key| {
            same_bytes(Self::value(text, offsets, key), value.as_bytes())
        }) {
            return key;
        }
        // The text cap keeps the distinct values, each at least a byte
        // long, and their text below `i32::MAX`.
        let key = i32::try_from(self.offsets.len().saturating_sub(1)).unwrap_or(i32::MAX);
        self.text.push_str(value);
        self.offsets
            .push(i32::try_from(self.text.len()).unwrap_or(i32::MAX));
        let (text, offsets, hasher) = (&self.text, &self.offsets, &self.hasher);
        self.index.insert_unique(hash, key, |&key| {
            hasher.hash_one(Self::value(text, offsets, key))
        });
        key
    }

    fn finish(self, len: usize) -> Result<DictionaryArray<Int32Type>, ArrowError> {
        let keys = self.keys.finish::<Int32Type>(len)?;
        // What `OffsetBuffer::new` asserts, checked so that it cannot
        // panic: the text cap keeps it true.
        let ordered = self.offsets.first().is_some_and(|&first| first >= 0)
            && self
                .offsets
                .windows(2)
                .all(|pair| pair.first() <= pair.last());
        if !ordered {
            return Err(ArrowError::ComputeError(
                "dictionary offsets out of order".to_owned(),
            ));
        }
        let offsets = OffsetBuffer::new(ScalarBuffer::from(self.offsets));
        let values = StringArray::try_new(offsets, Buffer::from_vec(self.text.into_bytes()), None)?;
        DictionaryArray::try_new(keys, Arc::new(values))
    }
}

/// Converts `body` with its lines grouped from the first column on, in
/// groups of `group_lines`, or (`None`) line by line: what a conversion
/// does past [`GROUP_FROM_COLUMNS`] columns, and below them, on any body.
#[cfg(any(test, feature = "fuzzing"))]
fn convert_grouped(
    body: &[u8],
    options: &BatchOptions,
    schema: &mut Schema,
    group_lines: Option<usize>,
) -> Result<Conversion, ArrowError> {
    let mut converter = Converter::new(options, schema);
    match group_lines {
        Some(lines) => {
            converter.group_from = 0;
            converter.group_lines = lines;
        }
        None => converter.group_from = usize::MAX,
    }
    converter.read(&mut crate::parse_with(body, options.parse_options()));
    converter.finish()
}

/// Where converting `body` in groups of `group_lines` lines (at least
/// one), table by table, differs from converting it line by line, each
/// starting from `schema`: in the batches, the refusals, their count or
/// the schema learnt. `None` if it does not; what the fuzz targets call.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn grouping_disagreement(
    body: &[u8],
    options: &BatchOptions,
    schema: &Schema,
    group_lines: usize,
) -> Option<String> {
    let (mut one_by_one, mut grouped) = (schema.clone(), schema.clone());
    let expected = convert_grouped(body, options, &mut one_by_one, None);
    let found = convert_grouped(body, options, &mut grouped, Some(group_lines.max(1)));
    let (expected, found) = match (expected, found) {
        (Ok(expected), Ok(found)) => (expected, found),
        (expected, found) => {
            return Some(format!(
                "a conversion failed: line by line {:?}, grouped {:?}",
                expected.err(),
                found.err()
            ));
        }
    };
    if found.batches != expected.batches {
        Some(format!(
            "batches: grouped {:?}, line by line {:?}",
            found.batches, expected.batches
        ))
    } else if (&found.errors, found.error_count) != (&expected.errors, expected.error_count) {
        Some(format!(
            "refusals: grouped {} {:?}, line by line {} {:?}",
            found.error_count, found.errors, expected.error_count, expected.errors
        ))
    } else if grouped != one_by_one {
        Some(format!(
            "schema: grouped {grouped:?}, line by line {one_by_one:?}"
        ))
    } else {
        None
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A line of one of a few measurements, whose names change kind and
    /// type from line to line, or a bad line.
    pub(super) fn line() -> impl Strategy<Value = String> {
        let value = prop_oneof![
            Just("1i".to_owned()),
            Just("2u".to_owned()),
            Just("1.5".to_owned()),
            Just("t".to_owned()),
            Just("\"s\\\" x\"".to_owned()),
        ];
        let key = prop_oneof![Just("a"), Just("b"), Just("c"), Just("d\\ e")];
        let good = (
            0..6usize,
            proptest::collection::vec((key.clone(), 0..3usize), 0..3),
            proptest::collection::vec((key, value), 1..4),
            proptest::option::of(0..100i64),
        )
            .prop_map(|(measurement, tags, fields, time)| {
                let mut line = format!("m{measurement}");
                for (key, value) in tags {
                    line.push_str(&format!(",{key}=v{value}"));
                }
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(key, value)| format!("{key}={value}"))
                    .collect();
                line.push(' ');
                line.push_str(&fields.join(","));
                if let Some(time) = time {
                    line.push_str(&format!(" {time}"));
                }
                line
            });
        prop_oneof![
            8 => good,
            1 => Just("m1 a=".to_owned()),
            1 => Just("m2,a=1".to_owned()),
        ]
    }

    proptest! {
        /// `same_bytes` is `==` on slices, over lengths around each word
        /// boundary and beyond the length handed to `==`.
        #[test]
        fn same_bytes_is_slice_equality(
            a in proptest::collection::vec(0..3u8, 0..80),
            b in proptest::collection::vec(0..3u8, 0..80),
            cut in 0..80usize,
        ) {
            prop_assert_eq!(same_bytes(&a, &b), a == b);
            let shared = [&a[..cut.min(a.len())], &b[..]].concat();
            let copy = shared.clone();
            prop_assert!(same_bytes(&shared, &copy));
            if let Some(last) = copy.len().checked_sub(1) {
                for at in [last, cut % copy.len()] {
                    let mut changed = copy.clone();
                    changed[at] ^= 1;
                    prop_assert!(!same_bytes(&shared, &changed));
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Converting in groups, table by table, keeps every rule's
        /// order: the same batches, refusals, count and schema as line
        /// by line, whatever the group size, the caps and the options.
        #[test]
        fn groups_convert_as_lines_one_by_one(
            lines in proptest::collection::vec(line(), 0..40),
            group_lines in 1..9usize,
            max_tables in 1..8usize,
            max_columns in 2..8usize,
            accept_partial in any::<bool>(),
            max_errors in 0..5usize,
        ) {
            let body = lines.join("\n");
            let options = BatchOptions::new()
                .with_accept_partial(accept_partial)
                .with_max_errors(max_errors)
                .with_parse_options(crate::ParseOptions::new().with_default_time(7));
            let schema = Schema::new()
                .with_max_tables(max_tables)
                .with_max_columns_per_table(max_columns);
            let disagreement = grouping_disagreement(body.as_bytes(), &options, &schema, group_lines);
            prop_assert!(disagreement.is_none(), "{:?} in {:?}", disagreement, body);
        }
    }
}
