//! Batches: what ingestion code does with a request body. Every good line
//! is kept, every bad one reported, and the rules InfluxDB applies when it
//! stores points are checked above the (purely syntactic) parser.

use std::collections::{HashMap, HashSet};

/// The maps of schemas and validators. Their keys come from the input, so
/// the hash is seeded per process (foldhash's `RandomState`), and it is
/// several times faster than the standard library's SipHash on short
/// names, which was a third of `lp check`'s time.
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
/// The sets of schemas and validators (see [`Map`]).
type Set<K> = HashSet<K, foldhash::fast::RandomState>;
use std::fmt;

use crate::error::{Element, InvalidPoint};

use crate::error::{ParseError, ParseErrorKind, excerpt};
use crate::options::ParseOptions;
use crate::point::{FieldType, Point};
use crate::repeated::repeated_key_index;

/// The tables stored so far: per measurement, its tag keys and the types
/// of its fields, with InfluxDB 3's caps on how many there may be.
///
/// A [`Batch`] (or a [`Validator`]) checks every point against it: a field
/// whose type differs from the stored one is a conflict, a new measurement
/// past [`max_tables`](Self::max_tables) is refused, and so is a point that
/// would give its table more than
/// [`max_columns_per_table`](Self::max_columns_per_table) columns. When the
/// batch is accepted, the new tables, tags and fields are added.
///
/// The caps default to those InfluxDB 3 Core documents: 2,000 tables and
/// 500 columns per table, counting the `time` column, the tag keys and the
/// field keys. They bound what the schema holds whatever the input: a
/// point past a cap is an error of its line, and the schema keeps what it
/// had.
///
/// ```
/// use lineproto::{FieldType, Schema};
///
/// let mut schema = Schema::new();
/// schema.insert("home", "co", FieldType::Integer);
/// assert_eq!(schema.field_type("home", "co"), Some(FieldType::Integer));
/// assert_eq!(schema.field_type("home", "temp"), None);
/// assert_eq!(schema.max_tables(), 2_000);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schema {
    tables: Map<String, Table>,
    max_tables: usize,
    max_columns_per_table: usize,
}

/// What a [`Schema`] knows of one measurement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Table {
    tags: Set<String>,
    fields: Map<String, FieldType>,
}

impl Table {
    /// Its columns: `time`, the tags and the fields.
    fn columns(&self) -> usize {
        1 + self.tags.len() + self.fields.len()
    }
}

impl Default for Schema {
    fn default() -> Self {
        Schema::new()
    }
}

impl Schema {
    /// The default cap on the number of tables (measurements): 2,000, as in
    /// InfluxDB 3 Core.
    ///
    /// ```
    /// use lineproto::Schema;
    ///
    /// assert_eq!(Schema::new().max_tables(), Schema::DEFAULT_MAX_TABLES);
    /// let larger = Schema::new().with_max_tables(2 * Schema::DEFAULT_MAX_TABLES);
    /// assert_eq!(larger.max_tables(), 4_000);
    /// ```
    pub const DEFAULT_MAX_TABLES: usize = 2_000;
    /// The default cap on the columns of one table (`time`, tags and
    /// fields): 500, as in InfluxDB 3 Core.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    ///
    /// let mut schema = Schema::new();
    /// assert_eq!(schema.max_columns_per_table(), Schema::DEFAULT_MAX_COLUMNS_PER_TABLE);
    /// // `time` and 499 fields fill the table; a 500th field is refused.
    /// let fields: Vec<String> = (0..500).map(|i| format!("f{i}=1")).collect();
    /// let body = format!("m {}\nm {}\n", fields[..499].join(","), fields.join(","));
    /// let batch = Batch::parse(body.as_bytes(), &BatchOptions::new(), &mut schema);
    /// assert_eq!((batch.points().len(), batch.error_count()), (1, 1));
    /// assert_eq!(schema.column_count("m"), 500);
    /// ```
    pub const DEFAULT_MAX_COLUMNS_PER_TABLE: usize = 500;

    /// A schema that knows no table, with the default caps.
    ///
    /// ```
    /// use lineproto::Schema;
    ///
    /// let schema = Schema::new();
    /// assert_eq!(schema.measurements().count(), 0);
    /// assert_eq!(schema.max_tables(), Schema::DEFAULT_MAX_TABLES);
    /// assert_eq!(schema.max_columns_per_table(), Schema::DEFAULT_MAX_COLUMNS_PER_TABLE);
    /// assert_eq!(schema, Schema::default());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        Schema {
            tables: Map::default(),
            max_tables: Self::DEFAULT_MAX_TABLES,
            max_columns_per_table: Self::DEFAULT_MAX_COLUMNS_PER_TABLE,
        }
    }

    /// Caps the number of tables (measurements); `usize::MAX` lifts the cap.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    ///
    /// let mut schema = Schema::new().with_max_tables(1);
    /// let batch = Batch::parse(b"a v=1\nb v=1\na v=2\n", &BatchOptions::new(), &mut schema);
    /// assert_eq!(batch.points().len(), 2);
    /// assert_eq!(
    ///     batch.errors()[0].to_string(),
    ///     "line 2: table limit reached: measurement `b` would be table 2 of at most 1"
    /// );
    /// ```
    #[must_use]
    pub fn with_max_tables(mut self, tables: usize) -> Self {
        self.max_tables = tables;
        self
    }

    /// Caps the columns of one table: `time`, its tag keys and its field
    /// keys; `usize::MAX` lifts the cap.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    ///
    /// let mut schema = Schema::new().with_max_columns_per_table(3);
    /// let batch = Batch::parse(b"m,t=1 a=1\nm b=1\n", &BatchOptions::new(), &mut schema);
    /// assert_eq!(batch.points().len(), 1);
    /// assert_eq!(
    ///     batch.errors()[0].to_string(),
    ///     "line 2: column limit reached: measurement `m` would have 4 columns (time, tags and fields), at most 3 are allowed"
    /// );
    /// ```
    #[must_use]
    pub fn with_max_columns_per_table(mut self, columns: usize) -> Self {
        self.max_columns_per_table = columns;
        self
    }

    /// The cap on the number of tables.
    ///
    /// ```
    /// use lineproto::Schema;
    ///
    /// assert_eq!(Schema::new().max_tables(), 2_000);
    /// assert_eq!(Schema::new().with_max_tables(10).max_tables(), 10);
    /// ```
    #[must_use]
    pub fn max_tables(&self) -> usize {
        self.max_tables
    }

    /// The cap on the columns of one table.
    ///
    /// ```
    /// use lineproto::Schema;
    ///
    /// assert_eq!(Schema::new().max_columns_per_table(), 500);
    /// assert_eq!(Schema::new().with_max_columns_per_table(50).max_columns_per_table(), 50);
    /// ```
    #[must_use]
    pub fn max_columns_per_table(&self) -> usize {
        self.max_columns_per_table
    }

    /// The stored type of `field` in `measurement`.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, FieldType, Schema};
    ///
    /// let mut schema = Schema::new();
    /// Batch::parse(b"home temp=21.0,co=0i", &BatchOptions::new(), &mut schema);
    /// assert_eq!(schema.field_type("home", "temp"), Some(FieldType::Float));
    /// assert_eq!(schema.field_type("home", "co"), Some(FieldType::Integer));
    /// assert_eq!(schema.field_type("home", "hum"), None);
    /// assert_eq!(schema.field_type("garden", "co"), None);
    /// ```
    #[must_use]
    pub fn field_type(&self, measurement: &str, field: &str) -> Option<FieldType> {
        self.tables.get(measurement)?.fields.get(field).copied()
    }

    /// Records the type of `field` in `measurement`, returning the type it
    /// replaces. The caps are not checked here: they apply to the points a
    /// [`Validator`] checks.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, FieldType, Schema};
    ///
    /// let mut schema = Schema::new();
    /// assert_eq!(schema.insert("home", "co", FieldType::Integer), None);
    /// assert_eq!(schema.insert("home", "co", FieldType::Float), Some(FieldType::Integer));
    /// let batch = Batch::parse(b"home co=1i", &BatchOptions::new(), &mut schema);
    /// assert_eq!(
    ///     batch.errors()[0].message(),
    ///     "field type conflict: field `co` of measurement `home` is float (already stored), not integer"
    /// );
    /// ```
    pub fn insert(
        &mut self,
        measurement: &str,
        field: &str,
        field_type: FieldType,
    ) -> Option<FieldType> {
        self.table_mut(measurement)
            .fields
            .insert(field.to_owned(), field_type)
    }

    /// The number of columns of `measurement` (`time`, tags and fields), or
    /// 0 for a measurement the schema does not know.
    ///
    /// ```
    /// let mut schema = lineproto::Schema::new();
    /// lineproto::Batch::parse(b"home,room=Kitchen temp=21.0,co=0i 1", &Default::default(), &mut schema);
    /// assert_eq!(schema.column_count("home"), 4);
    /// assert_eq!(schema.column_count("garden"), 0);
    /// ```
    #[must_use]
    pub fn column_count(&self, measurement: &str) -> usize {
        self.tables.get(measurement).map_or(0, Table::columns)
    }

    /// The measurements with at least one field, in no particular order.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    ///
    /// let mut schema = Schema::new();
    /// Batch::parse(b"cpu usage=1\nmem used=2i\ncpu usage=3\n", &BatchOptions::new(), &mut schema);
    /// let mut names: Vec<&str> = schema.measurements().collect();
    /// names.sort_unstable();
    /// assert_eq!(names, ["cpu", "mem"]);
    /// ```
    pub fn measurements(&self) -> impl Iterator<Item = &str> {
        self.tables
            .iter()
            .filter(|(_, table)| !table.fields.is_empty())
            .map(|(name, _)| name.as_str())
    }

    /// The table of `measurement`, made empty if it is new.
    fn table_mut(&mut self, measurement: &str) -> &mut Table {
        self.tables.entry(measurement.to_owned()).or_default()
    }
}

/// How a [`Batch`] treats its lines.
///
/// ```
/// use lineproto::{BatchOptions, ParseOptions, Precision};
///
/// let options = BatchOptions::new()
///     .with_parse_options(ParseOptions::new().with_precision(Precision::Seconds))
///     .with_accept_partial(false);
/// assert!(!options.accept_partial());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchOptions {
    parse: ParseOptions,
    accept_partial: bool,
    reject_underscore_names: bool,
    max_errors: usize,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions::new()
    }
}

impl BatchOptions {
    /// The default number of line errors a batch keeps: 100, the number
    /// InfluxDB 3 reports.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    ///
    /// assert_eq!(BatchOptions::new().max_errors(), BatchOptions::DEFAULT_MAX_ERRORS);
    /// let body = b"x\n".repeat(150);
    /// let batch = Batch::parse(&body, &BatchOptions::new(), &mut Schema::new());
    /// assert_eq!(batch.errors().len(), BatchOptions::DEFAULT_MAX_ERRORS);
    /// assert_eq!(batch.error_count(), 150);
    /// ```
    pub const DEFAULT_MAX_ERRORS: usize = 100;

    /// Default parse options, partial batches accepted, `_` names allowed,
    /// the first 100 line errors kept.
    ///
    /// ```
    /// use lineproto::{BatchOptions, ParseOptions};
    ///
    /// let options = BatchOptions::new();
    /// assert_eq!(options.parse_options(), ParseOptions::new());
    /// assert!(options.accept_partial());
    /// assert!(!options.reject_underscore_names());
    /// assert_eq!(options.max_errors(), 100);
    /// assert_eq!(options, BatchOptions::default());
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        BatchOptions {
            parse: ParseOptions::new(),
            accept_partial: true,
            reject_underscore_names: false,
            max_errors: Self::DEFAULT_MAX_ERRORS,
        }
    }

    /// Keeps the first `errors` line errors of a batch (100 by default) and
    /// only counts the rest, so a body of bad lines costs memory for
    /// `errors` of them, not for all. `usize::MAX` keeps every one.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    ///
    /// let body = b"x\n".repeat(1_000);
    /// let options = BatchOptions::new().with_max_errors(10);
    /// let batch = Batch::parse(&body, &options, &mut Schema::new());
    /// assert_eq!(batch.errors().len(), 10);
    /// assert_eq!(batch.error_count(), 1_000);
    /// ```
    #[must_use]
    pub const fn with_max_errors(mut self, errors: usize) -> Self {
        self.max_errors = errors;
        self
    }

    /// How many line errors a batch keeps.
    ///
    /// ```
    /// use lineproto::BatchOptions;
    ///
    /// assert_eq!(BatchOptions::new().max_errors(), 100);
    /// assert_eq!(BatchOptions::new().with_max_errors(5).max_errors(), 5);
    /// ```
    #[must_use]
    pub const fn max_errors(&self) -> usize {
        self.max_errors
    }

    /// Parses with `options` (precision, default time, limits).
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, ParseOptions, Precision, Schema};
    ///
    /// let parse = ParseOptions::new().with_precision(Precision::Seconds);
    /// let options = BatchOptions::new().with_parse_options(parse);
    /// let batch = Batch::parse(b"m v=1 1700000000", &options, &mut Schema::new());
    /// assert_eq!(batch.points()[0].timestamp(), Some(1_700_000_000_000_000_000));
    /// ```
    #[must_use]
    pub const fn with_parse_options(mut self, options: ParseOptions) -> Self {
        self.parse = options;
        self
    }

    /// With `true` (the default) good lines are kept when others are bad;
    /// with `false` the first bad line rejects the whole batch.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    ///
    /// let body = b"m v=1\nm v=\nm v=3\n";
    /// let partial = Batch::parse(body, &BatchOptions::new(), &mut Schema::new());
    /// assert_eq!(partial.points().len(), 2);
    /// let strict = BatchOptions::new().with_accept_partial(false);
    /// let whole = Batch::parse(body, &strict, &mut Schema::new());
    /// assert!(whole.is_rejected());
    /// assert!(whole.points().is_empty());
    /// ```
    #[must_use]
    pub const fn with_accept_partial(mut self, accept: bool) -> Self {
        self.accept_partial = accept;
        self
    }

    /// With `true`, measurements, tag keys and field keys starting with `_`
    /// (reserved for the system in InfluxDB) are rejected. Off by default.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    ///
    /// let options = BatchOptions::new().with_reject_underscore_names(true);
    /// let body = b"_internal v=1\nm _v=1\nm v=1\n";
    /// let batch = Batch::parse(body, &options, &mut Schema::new());
    /// assert_eq!(batch.points().len(), 1);
    /// assert_eq!(
    ///     batch.errors()[1].message(),
    ///     "the field key `_v` starts with `_`, which is reserved"
    /// );
    /// ```
    #[must_use]
    pub const fn with_reject_underscore_names(mut self, reject: bool) -> Self {
        self.reject_underscore_names = reject;
        self
    }

    /// The parse options.
    ///
    /// ```
    /// use lineproto::{BatchOptions, ParseOptions, Precision};
    ///
    /// let parse = ParseOptions::new().with_precision(Precision::Milliseconds);
    /// let options = BatchOptions::new().with_parse_options(parse);
    /// assert_eq!(options.parse_options().precision(), Precision::Milliseconds);
    /// ```
    #[must_use]
    pub const fn parse_options(&self) -> ParseOptions {
        self.parse
    }

    /// Whether good lines are kept when others are bad.
    ///
    /// ```
    /// use lineproto::BatchOptions;
    ///
    /// assert!(BatchOptions::new().accept_partial());
    /// assert!(!BatchOptions::new().with_accept_partial(false).accept_partial());
    /// ```
    #[must_use]
    pub const fn accept_partial(&self) -> bool {
        self.accept_partial
    }

    /// Whether names starting with `_` are rejected.
    ///
    /// ```
    /// use lineproto::BatchOptions;
    ///
    /// assert!(!BatchOptions::new().reject_underscore_names());
    /// assert!(BatchOptions::new().with_reject_underscore_names(true).reject_underscore_names());
    /// ```
    #[must_use]
    pub const fn reject_underscore_names(&self) -> bool {
        self.reject_underscore_names
    }
}

/// A parsed and checked body: the points to store and the lines that were
/// rejected, the way InfluxDB answers a partial write.
///
/// ```
/// use lineproto::{Batch, BatchOptions, Schema};
///
/// let body = b"home,room=Kitchen temp=21.0,co=0i 1\n\
///              home,room=Kitchen temp=22.0,co=0 2\n\
///              home,room=Kitchen temp=23.0,co=1i 3\n";
/// let mut schema = Schema::new();
/// let batch = Batch::parse(body, &BatchOptions::new(), &mut schema);
/// assert_eq!(batch.points().len(), 2);
/// let error = &batch.errors()[0];
/// assert_eq!(error.line(), 2);
/// assert_eq!(
///     error.message(),
///     "field type conflict: field `co` of measurement `home` is integer (first written on line 1), not float"
/// );
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Batch<'a> {
    points: Vec<Point<'a>>,
    errors: Vec<LineError>,
    error_count: usize,
    rejected: bool,
}

/// The bad lines of a body as they are met, by the options' rules: all
/// counted, the first [`BatchOptions::max_errors`] kept, and with partial
/// writes off the first one rejects the body. [`Batch`] and the Arrow
/// converter keep them alike.
#[derive(Debug)]
pub(crate) struct Refusals {
    pub(crate) errors: Vec<LineError>,
    pub(crate) count: usize,
    /// A bad line met with partial writes off: nothing of the body is kept.
    pub(crate) rejected: bool,
    /// A line was refused by a rule that weighs what earlier lines wrote
    /// (a name that is a tag and a field, a field of another type, the
    /// caps on tables and columns): had more been written before, another
    /// of these rules might refuse it first, or its error name another
    /// first line or count.
    #[cfg(all(feature = "arrow", feature = "rayon"))]
    pub(crate) weighs_earlier_lines: bool,
    max_errors: usize,
    accept_partial: bool,
}

impl Refusals {
    pub(crate) fn new(options: &BatchOptions) -> Self {
        Refusals {
            errors: Vec::new(),
            count: 0,
            rejected: false,
            #[cfg(all(feature = "arrow", feature = "rayon"))]
            weighs_earlier_lines: false,
            max_errors: options.max_errors,
            accept_partial: options.accept_partial,
        }
    }

    /// Whether a bad line leaves the rest of the body to be kept.
    #[cfg(feature = "arrow")]
    pub(crate) fn accepts_partial(&self) -> bool {
        self.accept_partial
    }

    pub(crate) fn refuse(&mut self, error: LineError) {
        #[cfg(all(feature = "arrow", feature = "rayon"))]
        {
            self.weighs_earlier_lines |= matches!(
                error.kind(),
                LineErrorKind::Validation(
                    ValidationError::TagAndField { .. }
                        | ValidationError::FieldTypeConflict { .. }
                        | ValidationError::TooManyTables { .. }
                        | ValidationError::TooManyColumns { .. }
                )
            );
        }
        self.count += 1;
        if self.errors.len() < self.max_errors {
            self.errors.push(error);
        }
        self.rejected |= !self.accept_partial;
    }

    /// Adds the refusals of lines that come after this one's.
    #[cfg(all(feature = "arrow", feature = "rayon"))]
    pub(crate) fn extend(&mut self, later: Refusals) {
        self.count += later.count;
        let room = self.max_errors.saturating_sub(self.errors.len());
        self.errors.extend(later.errors.into_iter().take(room));
        self.rejected |= later.rejected;
        self.weighs_earlier_lines |= later.weighs_earlier_lines;
    }
}

impl<'a> Batch<'a> {
    /// Parses and checks `body` against `schema`, and adds the new tables,
    /// tags and field types of the accepted points to `schema`.
    ///
    /// With [`BatchOptions::with_accept_partial`]`(false)` parsing stops at
    /// the first bad line, the batch holds no points and `schema` is left
    /// as it was.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, FieldType, Schema};
    ///
    /// let mut schema = Schema::new();
    /// let strict = BatchOptions::new().with_accept_partial(false);
    /// let batch = Batch::parse(b"cpu usage=0.5\ncpu usage=oops\n", &strict, &mut schema);
    /// assert!(batch.is_rejected());
    /// assert_eq!(schema.field_type("cpu", "usage"), None); // left as it was
    /// let batch = Batch::parse(b"cpu usage=0.5\n", &strict, &mut schema);
    /// assert!(batch.is_complete());
    /// assert_eq!(schema.field_type("cpu", "usage"), Some(FieldType::Float));
    /// ```
    pub fn parse(body: &'a [u8], options: &BatchOptions, schema: &mut Schema) -> Self {
        let mut validator =
            Validator::new(schema).with_reject_underscore_names(options.reject_underscore_names);
        let mut points = Vec::new();
        let mut refusals = Refusals::new(options);
        let mut parser = crate::parse_with(body, options.parse);
        loop {
            let mut point = Point::new();
            let result = match parser.next_into(&mut point) {
                None => break,
                Some(Err(err)) => Err(LineError::from_parse_error(
                    &err,
                    parser.line_text(err.line()),
                )),
                Some(Ok(())) => {
                    let line = parser.line_number();
                    validator.check(&mut point, line).map_err(|kind| {
                        LineError::from_validation_error(line, kind, parser.line_text(line))
                    })
                }
            };
            match result {
                Ok(()) => points.push(point),
                Err(error) => {
                    refusals.refuse(error);
                    if refusals.rejected {
                        break;
                    }
                }
            }
        }
        if refusals.rejected {
            points = Vec::new();
        } else {
            validator.commit();
        }
        Batch {
            points,
            errors: refusals.errors,
            error_count: refusals.count,
            rejected: refusals.rejected,
        }
    }

    /// The points to store, in input order, repeated field keys resolved.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, FieldValue, Schema};
    ///
    /// let body = b"m v=1i,v=2i 1\nm v=oops 2\nm v=3i 3\n";
    /// let batch = Batch::parse(body, &BatchOptions::new(), &mut Schema::new());
    /// let points = batch.points();
    /// assert_eq!(points.len(), 2);
    /// assert_eq!(points[0].fields().len(), 1); // the last `v` is kept
    /// assert_eq!(points[0].field("v"), Some(FieldValue::Integer(2)));
    /// assert_eq!(points[1].timestamp(), Some(3));
    /// ```
    #[must_use]
    pub fn points(&self) -> &[Point<'a>] {
        &self.points
    }

    /// The points to store.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Point, Schema};
    ///
    /// let body = b"m v=1\nm v=2\n".to_vec();
    /// let batch = Batch::parse(&body, &BatchOptions::new(), &mut Schema::new());
    /// let points: Vec<Point<'_>> = batch.into_points();
    /// assert_eq!(points.len(), 2);
    /// assert_eq!(points[1].to_string(), "m v=2");
    /// ```
    #[must_use]
    pub fn into_points(self) -> Vec<Point<'a>> {
        self.points
    }

    /// The first rejected lines, in input order: at most
    /// [`BatchOptions::max_errors`] of them.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    ///
    /// let body = b"m v=1\nm v=\nm,t=1 t=2\n";
    /// let batch = Batch::parse(body, &BatchOptions::new(), &mut Schema::new());
    /// let lines: Vec<usize> = batch.errors().iter().map(|err| err.line()).collect();
    /// assert_eq!(lines, [2, 3]);
    /// assert_eq!(batch.errors()[1].message(), "`t` is both a tag and a field");
    /// ```
    #[must_use]
    pub fn errors(&self) -> &[LineError] {
        &self.errors
    }

    /// How many lines were rejected, including those past
    /// [`BatchOptions::max_errors`] that [`errors`](Self::errors) leaves out.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    ///
    /// let body = b"m v=\nm v=1\nm v=\nm v=\n";
    /// let options = BatchOptions::new().with_max_errors(1);
    /// let batch = Batch::parse(body, &options, &mut Schema::new());
    /// assert_eq!(batch.errors().len(), 1);
    /// assert_eq!(batch.error_count(), 3);
    /// ```
    #[must_use]
    pub fn error_count(&self) -> usize {
        self.error_count
    }

    /// Whether every line was accepted.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    ///
    /// let good = Batch::parse(b"m v=1\n", &BatchOptions::new(), &mut Schema::new());
    /// assert!(good.is_complete());
    /// let bad = Batch::parse(b"m v=1\nm v=\n", &BatchOptions::new(), &mut Schema::new());
    /// assert!(!bad.is_complete());
    /// assert!(!bad.is_rejected()); // the good line is still kept
    /// assert_eq!(bad.points().len(), 1);
    /// ```
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.error_count == 0
    }

    /// Whether the whole batch was refused: a bad line with
    /// [`BatchOptions::with_accept_partial`]`(false)`, so no point is kept.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    ///
    /// let strict = BatchOptions::new().with_accept_partial(false);
    /// let batch = Batch::parse(b"m v=1\nm v=\nm v=3\n", &strict, &mut Schema::new());
    /// assert!(batch.is_rejected());
    /// assert!(batch.points().is_empty());
    /// assert_eq!(batch.errors()[0].line(), 2);
    /// ```
    #[must_use]
    pub fn is_rejected(&self) -> bool {
        self.rejected
    }

    /// The body InfluxDB answers a write with bad lines with, or `None`
    /// when every line was accepted:
    /// `{"error":"partial write of line protocol occurred","data":[{"original_line":"..","line_number":2,"error_message":".."}]}`.
    ///
    /// `data` lists the errors the batch kept ([`errors`](Self::errors));
    /// when it left some out, `error` says how many lines were rejected in
    /// all. When the whole batch was rejected
    /// ([`is_rejected`](Self::is_rejected)), `error` says that nothing was
    /// written.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    /// let batch = Batch::parse(b"m v=1\nm v=\n", &BatchOptions::new(), &mut Schema::new());
    /// assert_eq!(
    ///     batch.partial_write_json().unwrap(),
    ///     r#"{"error":"partial write of line protocol occurred","data":[{"original_line":"m v=","line_number":2,"error_message":"expected value of field `v`, found end of line"}]}"#
    /// );
    ///
    /// let strict = BatchOptions::new().with_accept_partial(false);
    /// let batch = Batch::parse(b"m v=1\nm v=\n", &strict, &mut Schema::new());
    /// assert!(batch.partial_write_json().unwrap().starts_with(
    ///     r#"{"error":"no points were written: line 2 was rejected and partial writes are not accepted","data":["#
    /// ));
    ///
    /// let body = b"x\n".repeat(250);
    /// let many = Batch::parse(&body, &BatchOptions::new(), &mut Schema::new());
    /// assert!(many.partial_write_json().unwrap().starts_with(
    ///     r#"{"error":"partial write of line protocol occurred: 250 lines were rejected, the first 100 are listed","data":["#
    /// ));
    /// ```
    #[must_use]
    pub fn partial_write_json(&self) -> Option<String> {
        let first = self.errors.first();
        if self.error_count == 0 {
            return None;
        }
        let message = match first {
            Some(first) if self.rejected => format!(
                "no points were written: line {} was rejected and partial writes are not accepted",
                first.line()
            ),
            _ if self.rejected => {
                "no points were written: a line was rejected and partial writes are not accepted"
                    .to_owned()
            }
            _ if self.error_count > self.errors.len() => format!(
                "{PARTIAL_WRITE}: {} lines were rejected, the first {} are listed",
                self.error_count,
                self.errors.len()
            ),
            _ => PARTIAL_WRITE.to_owned(),
        };
        Some(error_json(&message, &self.errors))
    }
}

/// The `error` of InfluxDB's answer to a write some of whose lines failed.
const PARTIAL_WRITE: &str = "partial write of line protocol occurred";

/// `{"error":MESSAGE,"data":[ERRORS]}`.
fn error_json(message: &str, errors: &[LineError]) -> String {
    let mut json = String::from(r#"{"error":"#);
    push_json_string(&mut json, message);
    json.push_str(r#","data":["#);
    for (i, error) in errors.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        error.push_json(&mut json);
    }
    json.push_str("]}");
    json
}

/// Appends `text` as a JSON string.
fn push_json_string(json: &mut String, text: &str) {
    json.push('"');
    for c in text.chars() {
        match c {
            '"' => json.push_str("\\\""),
            '\\' => json.push_str("\\\\"),
            '\n' => json.push_str("\\n"),
            '\r' => json.push_str("\\r"),
            '\t' => json.push_str("\\t"),
            c if u32::from(c) < 0x20 => json.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => json.push(c),
        }
    }
    json.push('"');
}

/// A rejected line: where, its text, and why.
///
/// ```
/// use lineproto::{Batch, BatchOptions, Schema};
///
/// let batch = Batch::parse(b"m v=1\nm v=x\n", &BatchOptions::new(), &mut Schema::new());
/// let err = &batch.errors()[0];
/// assert_eq!((err.line(), err.column()), (2, Some(5)));
/// assert_eq!(err.original_line(), "m v=x");
/// assert_eq!(
///     err.to_string(),
///     "line 2, column 5: invalid field value: `x` for field `v` is not a number"
/// );
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    line: usize,
    column: Option<usize>,
    original_line: String,
    kind: LineErrorKind,
}

/// Why a line was rejected.
///
/// ```
/// use lineproto::{Batch, BatchOptions, LineErrorKind, ParseErrorKind, Schema, ValidationError};
///
/// let batch = Batch::parse(b"m v=1\nm v=2i\nm v=\n", &BatchOptions::new(), &mut Schema::new());
/// let [conflict, syntax] = batch.errors() else { panic!("two errors expected") };
/// assert!(matches!(
///     conflict.kind(),
///     LineErrorKind::Validation(ValidationError::FieldTypeConflict { .. })
/// ));
/// assert!(matches!(
///     syntax.kind(),
///     LineErrorKind::Parse(ParseErrorKind::ExpectedFieldValue { .. })
/// ));
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LineErrorKind {
    /// It is not valid line protocol.
    Parse(ParseErrorKind),
    /// It is valid line protocol that cannot be stored.
    Validation(ValidationError),
}

/// The longest original line kept in a [`LineError`], in bytes.
const ORIGINAL_LINE_BYTES: usize = 256;

impl LineError {
    /// The error of a line that could not be parsed; `original_line` is
    /// the text of its physical line.
    ///
    /// ```
    /// use lineproto::LineError;
    ///
    /// let input = "m v=1\nm v=\n";
    /// let mut points = lineproto::parse(input);
    /// let err = points.nth(1).unwrap().unwrap_err();
    /// let line_error = LineError::from_parse_error(&err, points.line_text(err.line()));
    /// assert_eq!(line_error.original_line(), "m v=");
    /// assert_eq!(line_error.column(), Some(5));
    /// assert_eq!(line_error.to_string(), err.to_string());
    /// ```
    #[must_use]
    pub fn from_parse_error(err: &ParseError, original_line: &[u8]) -> Self {
        let text = original_line;
        LineError {
            line: err.line(),
            column: Some(err.column()),
            original_line: crate::error::excerpt_of(text, ORIGINAL_LINE_BYTES),
            kind: LineErrorKind::Parse(err.kind().clone()),
        }
    }

    /// The error of a point, begun on physical line `line` whose text is
    /// `original_line`, that [`Validator::check`] refused.
    ///
    /// ```
    /// use lineproto::{LineError, Point, Schema, Validator};
    ///
    /// let mut schema = Schema::new();
    /// let mut validator = Validator::new(&mut schema);
    /// let line = "m,time=now v=1";
    /// let kind = validator.check(&mut Point::parse_line(line)?, 1).unwrap_err();
    /// let err = LineError::from_validation_error(1, kind, line.as_bytes());
    /// assert_eq!(err.column(), None);
    /// assert_eq!(
    ///     err.to_string(),
    ///     "line 1: `time` is reserved for the timestamp and cannot be a tag key"
    /// );
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    pub fn from_validation_error(line: usize, kind: ValidationError, original_line: &[u8]) -> Self {
        let text = original_line;
        LineError {
            line,
            column: None,
            original_line: crate::error::excerpt_of(text, ORIGINAL_LINE_BYTES),
            kind: LineErrorKind::Validation(kind),
        }
    }

    /// The 1-based physical line.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    ///
    /// let body = b"# sensors\n\nm v=\n";
    /// let batch = Batch::parse(body, &BatchOptions::new(), &mut Schema::new());
    /// assert_eq!(batch.errors()[0].line(), 3); // comment and blank lines count
    /// ```
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based byte column, for syntax errors.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    ///
    /// let body = b"m v=1\nm v=x\nm v=2i\n";
    /// let batch = Batch::parse(body, &BatchOptions::new(), &mut Schema::new());
    /// assert_eq!(batch.errors()[0].column(), Some(5)); // not a number
    /// assert_eq!(batch.errors()[1].column(), None); // a type conflict
    /// ```
    #[must_use]
    pub fn column(&self) -> Option<usize> {
        self.column
    }

    /// The text of the line (its first 256 bytes and `…` when longer).
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    ///
    /// let long = format!("m s=\"{}\",v=\n", "x".repeat(300));
    /// let batch = Batch::parse(long.as_bytes(), &BatchOptions::new(), &mut Schema::new());
    /// let text = batch.errors()[0].original_line();
    /// assert_eq!(text.len(), 256 + '…'.len_utf8());
    /// assert!(text.starts_with("m s=\"xxx") && text.ends_with("xxx…"));
    /// ```
    #[must_use]
    pub fn original_line(&self) -> &str {
        &self.original_line
    }

    /// Why it was rejected.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, LineErrorKind, Schema, ValidationError};
    ///
    /// let batch = Batch::parse(b"m,v=a v=1\n", &BatchOptions::new(), &mut Schema::new());
    /// assert_eq!(
    ///     batch.errors()[0].kind(),
    ///     &LineErrorKind::Validation(ValidationError::TagAndField { key: "v".into() })
    /// );
    /// ```
    #[must_use]
    pub fn kind(&self) -> &LineErrorKind {
        &self.kind
    }

    /// The error as an item of InfluxDB's partial-write answer:
    /// `{"original_line":"..","line_number":2,"error_message":".."}`, for
    /// callers that write the answer as they go.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    /// let batch = Batch::parse(b"m v=1\nm v=\n", &BatchOptions::new(), &mut Schema::new());
    /// assert_eq!(
    ///     batch.errors()[0].to_json(),
    ///     r#"{"original_line":"m v=","line_number":2,"error_message":"expected value of field `v`, found end of line"}"#
    /// );
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut json = String::new();
        self.push_json(&mut json);
        json
    }

    fn push_json(&self, json: &mut String) {
        json.push_str(r#"{"original_line":"#);
        push_json_string(json, self.original_line());
        json.push_str(&format!(r#","line_number":{},"error_message":"#, self.line));
        push_json_string(json, &self.message());
        json.push('}');
    }

    /// The reason as a sentence, without the position.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    ///
    /// let batch = Batch::parse(b"m v=\n", &BatchOptions::new(), &mut Schema::new());
    /// let err = &batch.errors()[0];
    /// assert_eq!(err.message(), "expected value of field `v`, found end of line");
    /// assert_eq!(
    ///     err.to_string(),
    ///     "line 1, column 5: expected value of field `v`, found end of line"
    /// );
    /// ```
    #[must_use]
    pub fn message(&self) -> String {
        match &self.kind {
            LineErrorKind::Parse(kind) => kind.to_string(),
            LineErrorKind::Validation(kind) => kind.to_string(),
        }
    }
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(f, "line {}, column {column}: {}", self.line, self.message()),
            None => write!(f, "line {}: {}", self.line, self.message()),
        }
    }
}

impl std::error::Error for LineError {}

/// Valid line protocol that InfluxDB would not store.
///
/// ```
/// use lineproto::{FieldType, Point, Schema, ValidationError, Validator};
///
/// let mut schema = Schema::new();
/// schema.insert("home", "co", FieldType::Integer);
/// let mut point = Point::parse_line("home co=0.5")?;
/// match Validator::new(&mut schema).check(&mut point, 1) {
///     Err(ValidationError::FieldTypeConflict { existing, found, first_line, .. }) => {
///         assert_eq!((existing, found, first_line), (FieldType::Integer, FieldType::Float, None));
///     }
///     other => panic!("expected a type conflict, got {other:?}"),
/// }
/// # Ok::<(), lineproto::ParseError>(())
/// ```
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// A field has another type than the one stored (or written earlier in
    /// the batch) for the same measurement.
    #[error(
        "field type conflict: field `{field}` of measurement `{measurement}` is {existing}{}, not {found}",
        match first_line { Some(line) => format!(" (first written on line {line})"), None => String::from(" (already stored)") }
    )]
    FieldTypeConflict {
        /// The measurement.
        measurement: String,
        /// The field key.
        field: String,
        /// The type it has.
        existing: FieldType,
        /// The type this line gives it.
        found: FieldType,
        /// The line of this batch that gave it its type, if it was not
        /// already stored.
        first_line: Option<usize>,
    },
    /// The same field key appears twice in the line with different types.
    #[error("field `{field}` appears twice in the line, as {first} and as {second}")]
    RepeatedFieldType {
        /// The field key.
        field: String,
        /// The type of the first occurrence.
        first: FieldType,
        /// The type of the later occurrence.
        second: FieldType,
    },
    /// A key is both a tag key and a field key of the line, or names a
    /// tag of the measurement where the schema or an earlier line of the
    /// batch has it as a field (or the other way round): InfluxDB 3 keeps
    /// one column per name.
    #[error("`{key}` is both a tag and a field")]
    TagAndField {
        /// The key.
        key: String,
    },
    /// A tag or field is named `time`, which InfluxDB reserves for the
    /// timestamp.
    #[error("`time` is reserved for the timestamp and cannot be a {element}")]
    ReservedTime {
        /// [`Element::TagKey`] or [`Element::FieldKey`].
        element: Element,
    },
    /// The point's measurement is new and the schema already holds
    /// [`Schema::max_tables`] tables.
    #[error("table limit reached: measurement `{measurement}` would be table {} of at most {limit}", limit.saturating_add(1))]
    TooManyTables {
        /// The new measurement.
        measurement: String,
        /// The cap.
        limit: usize,
    },
    /// The point would give its table more than
    /// [`Schema::max_columns_per_table`] columns.
    #[error(
        "column limit reached: measurement `{measurement}` would have {columns} columns (time, tags and fields), at most {limit} are allowed"
    )]
    TooManyColumns {
        /// The measurement.
        measurement: String,
        /// The columns the table would have with the point's new tags and
        /// fields.
        columns: usize,
        /// The cap.
        limit: usize,
    },
    /// A line would take a column's text past what one Arrow `Utf8` array
    /// can address (2 GiB), when converting to Arrow; a tag value counts
    /// as new text even when the column holds it already.
    #[error(
        "column `{column}` of measurement `{measurement}` would hold more than {limit} bytes of text"
    )]
    ColumnTextTooLarge {
        /// The measurement.
        measurement: String,
        /// The tag or field key.
        column: String,
        /// The cap, in bytes.
        limit: usize,
    },
    /// A name starts with `_` and [`BatchOptions::with_reject_underscore_names`]
    /// is on.
    #[error("the {element} `{name}` starts with `_`, which is reserved")]
    ReservedUnderscore {
        /// [`Element::Measurement`], [`Element::TagKey`] or
        /// [`Element::FieldKey`].
        element: Element,
        /// The name.
        name: String,
    },
    /// A point handed over as a [`Point`] (not parsed from a line) cannot
    /// be written as line protocol, as [`Point::validate`] finds: say, a
    /// point with no field.
    #[error("the point cannot be written as line protocol: {0}")]
    InvalidPoint(InvalidPoint),
}

/// The checks of [`Batch::parse`], point by point: InfluxDB's storage
/// rules applied to parsed points, for callers that parse a
/// [`Stream`](crate::Stream) or keep their own loop.
///
/// ```
/// use lineproto::{Schema, ValidationError, Validator};
///
/// let mut schema = Schema::new();
/// let mut validator = Validator::new(&mut schema);
/// let mut first = lineproto::parse(b"m v=1i,v=2i").next().unwrap()?;
/// validator.check(&mut first, 1).unwrap();
/// assert_eq!(first.fields().len(), 1); // the last `v` wins
/// let mut second = lineproto::parse(b"m v=1.5").next().unwrap()?;
/// assert!(matches!(validator.check(&mut second, 2), Err(ValidationError::FieldTypeConflict { .. })));
/// validator.commit();
/// # Ok::<(), lineproto::ParseError>(())
/// ```
#[derive(Debug)]
pub struct Validator<'s> {
    schema: &'s mut Schema,
    reject_underscore_names: bool,
    /// What the points that passed add to the schema, per measurement.
    written: Map<String, Written>,
    /// How many measurements of `written` the schema does not know.
    new_tables: usize,
}

/// What the points a [`Validator`] passed add to its schema, per
/// measurement, and how many measurements of them the schema does not
/// know: all a validator remembers besides its schema.
#[cfg(all(feature = "arrow", feature = "rayon"))]
#[derive(Debug, Default)]
pub(crate) struct Pending {
    written: Map<String, Written>,
    new_tables: usize,
}

#[cfg(all(feature = "arrow", feature = "rayon"))]
impl Pending {
    /// Adds `later`'s tables and columns (what a validator over `schema`
    /// passed in lines that come after this one's) if a validator that
    /// had checked this one's lines would have passed the same points,
    /// with the same caps: no name a tag in one and a field in the other,
    /// no field of two types, no table past the schema's caps with both.
    /// False (and nothing added) otherwise. What both have keeps this
    /// one's first line.
    pub(crate) fn absorb(&mut self, later: Pending, schema: &Schema) -> bool {
        let mut new_tables = self.new_tables;
        for (measurement, theirs) in &later.written {
            let Some(ours) = self.written.get(measurement) else {
                new_tables += usize::from(!schema.tables.contains_key(measurement));
                continue;
            };
            let clash = theirs.tags.iter().any(|tag| ours.fields.contains_key(tag))
                || theirs.fields.iter().any(|(field, (field_type, _))| {
                    ours.tags.contains(field)
                        || ours
                            .fields
                            .get(field)
                            .is_some_and(|(ours, _)| ours != field_type)
                });
            let added = theirs
                .tags
                .iter()
                .filter(|tag| !ours.tags.contains(*tag))
                .count()
                + theirs
                    .fields
                    .keys()
                    .filter(|field| !ours.fields.contains_key(*field))
                    .count();
            let columns = schema.tables.get(measurement).map_or(1, Table::columns)
                + ours.tags.len()
                + ours.fields.len()
                + added;
            if clash || (added > 0 && columns > schema.max_columns_per_table) {
                return false;
            }
        }
        if new_tables > self.new_tables && schema.tables.len() + new_tables > schema.max_tables {
            return false;
        }
        self.new_tables = new_tables;
        for (measurement, theirs) in later.written {
            let ours = self.written.entry(measurement).or_default();
            ours.tags.extend(theirs.tags);
            for (field, first) in theirs.fields {
                ours.fields.entry(field).or_insert(first);
            }
        }
        true
    }

    /// Whether the validator passed no new table or column.
    pub(crate) fn is_empty(&self) -> bool {
        self.written.is_empty()
    }

    /// Adds the tables, tags and field types to `schema`.
    pub(crate) fn commit(self, schema: &mut Schema) {
        commit_written(schema, self.written);
    }
}

/// Adds the tables, tags and field types a validator passed to `schema`.
fn commit_written(schema: &mut Schema, written: Map<String, Written>) {
    for (measurement, written) in written {
        let table = schema.table_mut(&measurement);
        table.tags.extend(written.tags);
        table.fields.extend(
            written
                .fields
                .into_iter()
                .map(|(field, (field_type, _))| (field, field_type)),
        );
    }
}

/// What the points a [`Validator`] passed add to one table: tag keys and
/// fields the schema does not have, each field with its type and the line
/// that gave it.
#[derive(Debug, Default)]
struct Written {
    tags: Set<String>,
    fields: Map<String, (FieldType, usize)>,
}

impl<'s> Validator<'s> {
    /// Checks against `schema`.
    ///
    /// ```
    /// use lineproto::{Point, Schema, Validator};
    ///
    /// let mut schema = Schema::new();
    /// let mut validator = Validator::new(&mut schema);
    /// validator.check(&mut Point::parse_line("home temp=21.5")?, 1).unwrap();
    /// validator.commit();
    /// assert_eq!(schema.field_type("home", "temp"), Some(lineproto::FieldType::Float));
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    pub fn new(schema: &'s mut Schema) -> Self {
        Validator {
            schema,
            reject_underscore_names: false,
            written: Map::default(),
            new_tables: 0,
        }
    }

    /// With `reject`, names starting with `_` (reserved by InfluxDB 3) are
    /// rejected, as [`BatchOptions::with_reject_underscore_names`] asks of a
    /// batch; off by default.
    ///
    /// ```
    /// use lineproto::{Element, Point, Schema, ValidationError, Validator};
    ///
    /// let mut schema = Schema::new();
    /// let mut validator = Validator::new(&mut schema).with_reject_underscore_names(true);
    /// let err = validator.check(&mut Point::parse_line("_m v=1")?, 1).unwrap_err();
    /// assert_eq!(
    ///     err,
    ///     ValidationError::ReservedUnderscore { element: Element::Measurement, name: "_m".into() }
    /// );
    /// # Ok::<(), lineproto::ParseError>(())
    /// ```
    #[must_use]
    pub fn with_reject_underscore_names(mut self, reject: bool) -> Self {
        self.reject_underscore_names = reject;
        self
    }

    /// Checks `point`, which began on `line`, and resolves its repeated
    /// field keys (the last of the same type wins). A point that passes is
    /// remembered, so later points must agree with its field types and
    /// count towards the schema's caps.
    ///
    /// # Errors
    ///
    /// The first rule the point breaks.
    ///
    /// ```
    /// use lineproto::{Point, Schema, Validator};
    ///
    /// let mut schema = Schema::new();
    /// let mut validator = Validator::new(&mut schema);
    /// let mut first = Point::parse_line("m v=1i,v=2i")?;
    /// validator.check(&mut first, 1)?;
    /// assert_eq!(first.to_string(), "m v=2i"); // the last `v` is kept
    /// let err = validator.check(&mut Point::parse_line("m v=true")?, 2).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "field type conflict: field `v` of measurement `m` is integer (first written on line 1), not boolean"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check(&mut self, point: &mut Point<'_>, line: usize) -> Result<(), ValidationError> {
        self.check_names(point)?;
        resolve_repeated_fields(point)?;
        let measurement = point.measurement();
        let stored = self.schema.tables.get(measurement);
        let written = self.written.get(measurement);
        let known_tag = |key: &str| {
            stored.is_some_and(|table| table.tags.contains(key))
                || written.is_some_and(|table| table.tags.contains(key))
        };
        let known_field = |key: &str| {
            stored.is_some_and(|table| table.fields.contains_key(key))
                || written.is_some_and(|table| table.fields.contains_key(key))
        };
        let tag_and_field = |key: &str| ValidationError::TagAndField {
            key: excerpt(key.as_bytes()),
        };
        let mut new_fields = 0;
        for field in point.fields() {
            let found = field.value().field_type();
            let stored = stored.and_then(|table| table.fields.get(field.key()));
            let written = written.and_then(|table| table.fields.get(field.key()));
            let is_new = stored.is_none() && written.is_none();
            if is_new && known_tag(field.key()) {
                return Err(tag_and_field(field.key()));
            }
            new_fields += usize::from(is_new);
            let conflict = match (stored, written) {
                (Some(&existing), _) if existing != found => Some((existing, None)),
                (None, Some(&(existing, first_line))) if existing != found => {
                    Some((existing, Some(first_line)))
                }
                _ => None,
            };
            if let Some((existing, first_line)) = conflict {
                return Err(ValidationError::FieldTypeConflict {
                    measurement: excerpt(measurement.as_bytes()),
                    field: excerpt(field.key().as_bytes()),
                    existing,
                    found,
                    first_line,
                });
            }
        }

        let is_new_table = stored.is_none() && written.is_none();
        if is_new_table && self.schema.tables.len() + self.new_tables >= self.schema.max_tables {
            return Err(ValidationError::TooManyTables {
                measurement: excerpt(measurement.as_bytes()),
                limit: self.schema.max_tables,
            });
        }
        let mut new_tags = 0;
        for tag in point.tags() {
            if !known_tag(tag.key()) {
                if known_field(tag.key()) {
                    return Err(tag_and_field(tag.key()));
                }
                new_tags += 1;
            }
        }
        let new_columns = new_tags + new_fields;
        if new_columns > 0 {
            let columns = stored.map_or(1, Table::columns)
                + written.map_or(0, |table| table.tags.len() + table.fields.len())
                + new_columns;
            if columns > self.schema.max_columns_per_table {
                return Err(ValidationError::TooManyColumns {
                    measurement: excerpt(measurement.as_bytes()),
                    columns,
                    limit: self.schema.max_columns_per_table,
                });
            }
            self.remember(point, line);
        }
        Ok(())
    }

    /// Records the tags and fields of `point` that neither the schema nor
    /// an earlier point of the batch has.
    fn remember(&mut self, point: &Point<'_>, line: usize) {
        let measurement = point.measurement();
        let stored = self.schema.tables.get(measurement);
        if !self.written.contains_key(measurement) {
            self.new_tables += usize::from(stored.is_none());
            self.written
                .insert(measurement.to_owned(), Written::default());
        }
        let Some(written) = self.written.get_mut(measurement) else {
            return;
        };
        for tag in point.tags() {
            if !stored.is_some_and(|table| table.tags.contains(tag.key()))
                && !written.tags.contains(tag.key())
            {
                written.tags.insert(tag.key().to_owned());
            }
        }
        for field in point.fields() {
            if !stored.is_some_and(|table| table.fields.contains_key(field.key()))
                && !written.fields.contains_key(field.key())
            {
                written
                    .fields
                    .insert(field.key().to_owned(), (field.value().field_type(), line));
            }
        }
    }

    /// Adds the tables, tags and field types of the points that passed to
    /// the schema.
    ///
    /// ```
    /// use lineproto::{FieldType, Point, Schema, Validator};
    ///
    /// let mut schema = Schema::new();
    /// let mut validator = Validator::new(&mut schema);
    /// validator.check(&mut Point::parse_line("m v=1i")?, 1)?;
    /// drop(validator); // not committed: the schema is unchanged
    /// assert_eq!(schema.field_type("m", "v"), None);
    /// let mut validator = Validator::new(&mut schema);
    /// validator.check(&mut Point::parse_line("m v=1i")?, 1)?;
    /// validator.commit();
    /// assert_eq!(schema.field_type("m", "v"), Some(FieldType::Integer));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn commit(self) {
        commit_written(self.schema, self.written);
    }

    /// What the validator has passed and not committed, apart from its
    /// schema: to go on later where it stopped ([`Validator::resume`]),
    /// or to check against what other validators passed.
    #[cfg(all(feature = "arrow", feature = "rayon"))]
    pub(crate) fn into_pending(self) -> Pending {
        Pending {
            written: self.written,
            new_tables: self.new_tables,
        }
    }

    /// A validator that goes on where the one that made `pending` (over
    /// the same schema) stopped, as if it had checked its points; its
    /// options are the defaults, to be set again.
    #[cfg(all(feature = "arrow", feature = "rayon"))]
    pub(crate) fn resume(schema: &'s mut Schema, pending: Pending) -> Self {
        Validator {
            schema,
            reject_underscore_names: false,
            written: pending.written,
            new_tables: pending.new_tables,
        }
    }

    fn check_names(&self, point: &Point<'_>) -> Result<(), ValidationError> {
        if point.tags().any(|tag| tag.key() == "time") {
            return Err(ValidationError::ReservedTime {
                element: Element::TagKey,
            });
        }
        if point.fields().any(|field| field.key() == "time") {
            return Err(ValidationError::ReservedTime {
                element: Element::FieldKey,
            });
        }
        if let Some(key) = tag_also_field(point) {
            return Err(ValidationError::TagAndField {
                key: excerpt(key.as_bytes()),
            });
        }
        if self.reject_underscore_names {
            let names = std::iter::once((Element::Measurement, point.measurement()))
                .chain(point.tags().map(|t| (Element::TagKey, t.key())))
                .chain(point.fields().map(|f| (Element::FieldKey, f.key())));
            for (element, name) in names {
                if name.starts_with('_') {
                    return Err(ValidationError::ReservedUnderscore {
                        element,
                        name: excerpt(name.as_bytes()),
                    });
                }
            }
        }
        Ok(())
    }
}

/// The first tag key of `point` (in the order of the line) that is also one
/// of its field keys. Small lines compare every pair; wider ones look the
/// tag keys up in a set of the field keys, so the cost stays linear.
fn tag_also_field<'p>(point: &'p Point<'_>) -> Option<&'p str> {
    const PAIRWISE: usize = 64;
    /// Lines with at most this many tags and fields each go through a
    /// 64-bit filter of the field keys, without allocating: a tag key is
    /// compared with the fields only when its bit is set.
    const FILTERED: usize = 64;
    let fields = point.fields();
    if point.tag_count().saturating_mul(fields.len()) <= PAIRWISE {
        return point
            .tags()
            .map(|tag| tag.key())
            .find(|&key| fields.clone().any(|field| field.key() == key));
    }
    if point.tag_count() <= FILTERED && fields.len() <= FILTERED {
        let bit = |key: &str| {
            let bytes = key.as_bytes();
            let byte = |at: Option<&u8>| u64::from(at.copied().unwrap_or(0));
            1u64 << (((bytes.len() as u64) << 2 ^ byte(bytes.first()) ^ byte(bytes.last()) << 1)
                & 63)
        };
        let filter = fields
            .clone()
            .fold(0, |bits, field| bits | bit(field.key()));
        return point
            .tags()
            .map(|tag| tag.key())
            .find(|&key| filter & bit(key) != 0 && fields.clone().any(|field| field.key() == key));
    }
    let field_keys: Set<&str> = fields.map(|field| field.key()).collect();
    point
        .tags()
        .map(|tag| tag.key())
        .find(|key| field_keys.contains(key))
}

/// Keeps the last of each repeated field key, or refuses keys repeated
/// with different types.
fn resolve_repeated_fields(point: &mut Point<'_>) -> Result<(), ValidationError> {
    // Most lines repeat no key: found without allocating.
    if repeated_key_index(point.field_entries(), point.own_text()).is_none() {
        return Ok(());
    }
    let fields = point.fields();
    let mut last: Map<&str, (usize, FieldType)> = Map::default();
    let mut repeated = false;
    for (index, field) in fields.clone().enumerate() {
        let field_type = field.value().field_type();
        if let Some((_, first)) = last.insert(field.key(), (index, field_type)) {
            repeated = true;
            if first != field_type {
                return Err(ValidationError::RepeatedFieldType {
                    field: field.key().to_owned(),
                    first,
                    second: field_type,
                });
            }
        }
    }
    if repeated {
        let keep: Vec<bool> = fields
            .enumerate()
            .map(|(index, field)| {
                last.get(field.key())
                    .is_some_and(|&(kept, _)| kept == index)
            })
            .collect();
        point.retain_fields(|index| keep.get(index).copied().unwrap_or(true));
    }
    Ok(())
}
