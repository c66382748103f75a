//! Batches: what ingestion code does with a request body. Every good line
//! is kept, every bad one reported, and the rules InfluxDB applies when it
//! stores points are checked above the (purely syntactic) parser.

use std::collections::HashMap;
use std::fmt;

use crate::error::{ParseError, ParseErrorKind, excerpt};
use crate::lines::LineTexts;
use crate::options::ParseOptions;
use crate::point::{FieldType, Point};

/// The field types stored so far, per measurement.
///
/// A [`Batch`] checks every field against it (a field whose type differs
/// from the stored one is a conflict) and, when the batch is accepted,
/// adds the types of new fields.
///
/// ```
/// use lineproto::{FieldType, Schema};
///
/// let mut schema = Schema::new();
/// schema.insert("home", "co", FieldType::Integer);
/// assert_eq!(schema.field_type("home", "co"), Some(FieldType::Integer));
/// assert_eq!(schema.field_type("home", "temp"), None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schema {
    measurements: HashMap<String, HashMap<String, FieldType>>,
}

impl Schema {
    /// A schema that knows no field.
    #[must_use]
    pub fn new() -> Self {
        Schema::default()
    }

    /// The stored type of `field` in `measurement`.
    #[must_use]
    pub fn field_type(&self, measurement: &str, field: &str) -> Option<FieldType> {
        self.measurements.get(measurement)?.get(field).copied()
    }

    /// Records the type of `field` in `measurement`, returning the type it
    /// replaces.
    pub fn insert(
        &mut self,
        measurement: &str,
        field: &str,
        field_type: FieldType,
    ) -> Option<FieldType> {
        self.measurements
            .entry(measurement.to_owned())
            .or_default()
            .insert(field.to_owned(), field_type)
    }

    /// The measurements with at least one field, in no particular order.
    pub fn measurements(&self) -> impl Iterator<Item = &str> {
        self.measurements.keys().map(String::as_str)
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
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions::new()
    }
}

impl BatchOptions {
    /// Default parse options, partial batches accepted, `_` names allowed.
    #[must_use]
    pub const fn new() -> Self {
        BatchOptions {
            parse: ParseOptions::new(),
            accept_partial: true,
            reject_underscore_names: false,
        }
    }

    /// Parses with `options` (precision, default time, limits).
    #[must_use]
    pub const fn with_parse_options(mut self, options: ParseOptions) -> Self {
        self.parse = options;
        self
    }

    /// With `true` (the default) good lines are kept when others are bad;
    /// with `false` the first bad line rejects the whole batch.
    #[must_use]
    pub const fn with_accept_partial(mut self, accept: bool) -> Self {
        self.accept_partial = accept;
        self
    }

    /// With `true`, measurements, tag keys and field keys starting with `_`
    /// (reserved for the system in InfluxDB) are rejected. Off by default.
    #[must_use]
    pub const fn with_reject_underscore_names(mut self, reject: bool) -> Self {
        self.reject_underscore_names = reject;
        self
    }

    /// The parse options.
    #[must_use]
    pub const fn parse_options(&self) -> ParseOptions {
        self.parse
    }

    /// Whether good lines are kept when others are bad.
    #[must_use]
    pub const fn accept_partial(&self) -> bool {
        self.accept_partial
    }

    /// Whether names starting with `_` are rejected.
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
}

impl<'a> Batch<'a> {
    /// Parses and checks `body` against `schema`, and adds the types of
    /// new fields of the accepted points to `schema`.
    ///
    /// With [`BatchOptions::with_accept_partial`]`(false)` parsing stops at
    /// the first bad line, the batch holds no points and `schema` is left
    /// as it was.
    pub fn parse(body: &'a [u8], options: &BatchOptions, schema: &mut Schema) -> Self {
        let mut validator = Validator::new(schema, options.reject_underscore_names);
        let mut lines = LineTexts::new(body);
        let mut points = Vec::new();
        let mut errors = Vec::new();
        let mut parser = crate::parse_with(body, options.parse);
        loop {
            let mut point = Point::new();
            let result = match parser.next_into(&mut point) {
                None => break,
                Some(Err(err)) => Err(LineError::from_parse_error(&err, lines.text(err.line()))),
                Some(Ok(())) => {
                    let line = parser.line_number();
                    validator.check(&mut point, line).map_err(|kind| {
                        LineError::from_validation_error(line, kind, lines.text(line))
                    })
                }
            };
            match result {
                Ok(()) => points.push(point),
                Err(error) => {
                    errors.push(error);
                    if !options.accept_partial {
                        return Batch {
                            points: Vec::new(),
                            errors,
                        };
                    }
                }
            }
        }
        validator.commit();
        Batch { points, errors }
    }

    /// The points to store, in input order, repeated field keys resolved.
    #[must_use]
    pub fn points(&self) -> &[Point<'a>] {
        &self.points
    }

    /// The points to store.
    #[must_use]
    pub fn into_points(self) -> Vec<Point<'a>> {
        self.points
    }

    /// The rejected lines, in input order.
    #[must_use]
    pub fn errors(&self) -> &[LineError] {
        &self.errors
    }

    /// Whether every line was accepted.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.errors.is_empty()
    }

    /// The body InfluxDB answers a write with bad lines with, or `None`
    /// when every line was accepted:
    /// `{"error":"partial write of line protocol occurred","data":[{"original_line":"..","line_number":2,"error_message":".."}]}`.
    ///
    /// ```
    /// use lineproto::{Batch, BatchOptions, Schema};
    /// let batch = Batch::parse(b"m v=1\nm v=\n", &BatchOptions::new(), &mut Schema::new());
    /// assert_eq!(
    ///     batch.partial_write_json().unwrap(),
    ///     r#"{"error":"partial write of line protocol occurred","data":[{"original_line":"m v=","line_number":2,"error_message":"expected value of field `v`, found end of line"}]}"#
    /// );
    /// ```
    #[must_use]
    pub fn partial_write_json(&self) -> Option<String> {
        (!self.errors.is_empty()).then(|| partial_write_json(&self.errors))
    }
}

/// The partial-write answer for `errors` (see [`Batch::partial_write_json`]).
#[must_use]
pub fn partial_write_json(errors: &[LineError]) -> String {
    let mut json = String::from(r#"{"error":"partial write of line protocol occurred","data":["#);
    for (i, error) in errors.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(r#"{"original_line":"#);
        push_json_string(&mut json, error.original_line());
        json.push_str(&format!(
            r#","line_number":{},"error_message":"#,
            error.line()
        ));
        push_json_string(&mut json, &error.message());
        json.push('}');
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineError {
    line: usize,
    column: Option<usize>,
    original_line: String,
    kind: LineErrorKind,
}

/// Why a line was rejected.
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
    #[must_use]
    pub fn from_parse_error(err: &ParseError, original_line: &[u8]) -> Self {
        let text = original_line;
        LineError {
            line: err.line(),
            column: Some(err.column()),
            original_line: shown_line(text),
            kind: LineErrorKind::Parse(err.kind().clone()),
        }
    }

    /// The error of a point, begun on physical line `line` whose text is
    /// `original_line`, that [`Validator::check`] refused.
    #[must_use]
    pub fn from_validation_error(line: usize, kind: ValidationError, original_line: &[u8]) -> Self {
        let text = original_line;
        LineError {
            line,
            column: None,
            original_line: shown_line(text),
            kind: LineErrorKind::Validation(kind),
        }
    }

    /// The 1-based physical line.
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based byte column, for syntax errors.
    #[must_use]
    pub fn column(&self) -> Option<usize> {
        self.column
    }

    /// The text of the line (its first 256 bytes and `…` when longer).
    #[must_use]
    pub fn original_line(&self) -> &str {
        &self.original_line
    }

    /// Why it was rejected.
    #[must_use]
    pub fn kind(&self) -> &LineErrorKind {
        &self.kind
    }

    /// The reason as a sentence, without the position.
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

fn shown_line(text: &[u8]) -> String {
    match text.get(..ORIGINAL_LINE_BYTES) {
        Some(head) if text.len() > ORIGINAL_LINE_BYTES => {
            let mut line = String::from_utf8_lossy(head).into_owned();
            line.push('…');
            line
        }
        _ => String::from_utf8_lossy(text).into_owned(),
    }
}

/// Valid line protocol that InfluxDB would not store.
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
    /// A key is both a tag key and a field key of the line.
    #[error("`{key}` is both a tag and a field")]
    TagAndField {
        /// The key.
        key: String,
    },
    /// A tag or field is named `time`, which InfluxDB reserves for the
    /// timestamp.
    #[error("`time` is reserved for the timestamp and cannot be a {what} key")]
    ReservedTime {
        /// `tag` or `field`.
        what: &'static str,
    },
    /// A name starts with `_` and [`BatchOptions::with_reject_underscore_names`]
    /// is on.
    #[error("the {what} `{name}` starts with `_`, which is reserved")]
    ReservedUnderscore {
        /// `measurement`, `tag key` or `field key`.
        what: &'static str,
        /// The name.
        name: String,
    },
}

/// The checks of [`Batch::parse`], point by point: InfluxDB's storage
/// rules applied to parsed points, for callers that parse a
/// [`Stream`](crate::Stream) or keep their own loop.
///
/// ```
/// use lineproto::{Schema, ValidationError, Validator};
///
/// let mut schema = Schema::new();
/// let mut validator = Validator::new(&mut schema, false);
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
    /// Fields first written in this batch: type and line.
    written: HashMap<String, HashMap<String, (FieldType, usize)>>,
}

impl<'s> Validator<'s> {
    /// Checks against `schema`; with `reject_underscore_names`, names
    /// starting with `_` are rejected.
    pub fn new(schema: &'s mut Schema, reject_underscore_names: bool) -> Self {
        Validator {
            schema,
            reject_underscore_names,
            written: HashMap::new(),
        }
    }

    /// Checks `point`, which began on `line`, and resolves its repeated
    /// field keys (the last of the same type wins). A point that passes is
    /// remembered, so later points must agree with its field types.
    ///
    /// # Errors
    ///
    /// The first rule the point breaks.
    pub fn check(&mut self, point: &mut Point<'_>, line: usize) -> Result<(), ValidationError> {
        self.check_names(point)?;
        resolve_repeated_fields(point)?;
        let measurement = point.measurement();
        for field in point.fields() {
            let found = field.value().field_type();
            let stored = self.schema.field_type(measurement, field.key());
            let written = self
                .written
                .get(measurement)
                .and_then(|fields| fields.get(field.key()));
            let conflict = match (stored, written) {
                (Some(existing), _) if existing != found => Some((existing, None)),
                (None, Some(&(existing, first_line))) if existing != found => {
                    Some((existing, Some(first_line)))
                }
                _ => None,
            };
            if let Some((existing, first_line)) = conflict {
                return Err(ValidationError::FieldTypeConflict {
                    measurement: measurement.to_owned(),
                    field: field.key().to_owned(),
                    existing,
                    found,
                    first_line,
                });
            }
        }
        for field in point.fields() {
            if self.schema.field_type(measurement, field.key()).is_none() {
                self.written
                    .entry(measurement.to_owned())
                    .or_default()
                    .entry(field.key().to_owned())
                    .or_insert((field.value().field_type(), line));
            }
        }
        Ok(())
    }

    /// Adds the field types of the points that passed to the schema.
    pub fn commit(self) {
        for (measurement, fields) in self.written {
            for (field, (field_type, _)) in fields {
                self.schema.insert(&measurement, &field, field_type);
            }
        }
    }

    fn check_names(&self, point: &Point<'_>) -> Result<(), ValidationError> {
        if point.tags().any(|tag| tag.key() == "time") {
            return Err(ValidationError::ReservedTime { what: "tag" });
        }
        if point.fields().iter().any(|field| field.key() == "time") {
            return Err(ValidationError::ReservedTime { what: "field" });
        }
        if let Some(tag) = point
            .tags()
            .find(|tag| point.fields().iter().any(|f| f.key() == tag.key()))
        {
            return Err(ValidationError::TagAndField {
                key: tag.key().to_owned(),
            });
        }
        if self.reject_underscore_names {
            let names = std::iter::once(("measurement", point.measurement()))
                .chain(point.tags().map(|t| ("tag key", t.key())))
                .chain(point.fields().iter().map(|f| ("field key", f.key())));
            for (what, name) in names {
                if name.starts_with('_') {
                    return Err(ValidationError::ReservedUnderscore {
                        what,
                        name: excerpt(name.as_bytes()),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Keeps the last of each repeated field key, or refuses keys repeated
/// with different types.
fn resolve_repeated_fields(point: &mut Point<'_>) -> Result<(), ValidationError> {
    let fields = point.fields();
    let mut last: HashMap<&str, (usize, FieldType)> = HashMap::new();
    let mut repeated = false;
    for (index, field) in fields.iter().enumerate() {
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
            .iter()
            .enumerate()
            .map(|(index, field)| {
                last.get(field.key())
                    .is_some_and(|&(kept, _)| kept == index)
            })
            .collect();
        let mut keep = std::iter::repeat_n(true, point.tag_count).chain(keep);
        point.entries.retain(|_| keep.next().unwrap_or(true));
    }
    Ok(())
}
