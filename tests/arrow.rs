//! The `arrow` feature: every row read back from the record batches is
//! the point `Batch` keeps for that line, with the same storage rules.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "common/arrow_rows.rs"]
mod arrow_rows;
#[path = "../benches/data.rs"]
#[allow(dead_code)]
mod data;
#[path = "common/points.rs"]
mod points;

use std::collections::BTreeMap;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, TimestampNanosecondType};
use arrow_rows::{rows, tables_of};
use arrow_schema::{DataType, TimeUnit};
use lineproto::arrow::Conversion;
use lineproto::{Batch, BatchOptions, ParseOptions, Schema, ValidationError};
use points::{Parsed, Value, parsed_of};
use proptest::prelude::*;

/// What the conversion must give: the points `Batch` keeps, by
/// measurement in order of first appearance, tags and fields sorted by
/// name (the column order), the default time where a line had none.
fn expected(body: &[u8], options: &BatchOptions) -> (Vec<(String, Vec<Parsed>)>, Vec<usize>) {
    let batch = Batch::parse(body, options, &mut Schema::new());
    let tables = tables_of(&batch);
    let lines = batch.errors().iter().map(|err| err.line()).collect();
    (tables, lines)
}

fn check(body: &[u8], options: &BatchOptions) {
    let conversion = Conversion::convert(body, options, &mut Schema::new()).unwrap();
    let (tables, error_lines) = expected(body, options);
    let got: Vec<(String, Vec<Parsed>)> = conversion
        .batches()
        .iter()
        .map(|(name, batch)| (name.clone(), rows(batch)))
        .collect();
    assert_eq!(got, tables, "{}", String::from_utf8_lossy(body));
    let lines: Vec<usize> = conversion.errors().iter().map(|err| err.line()).collect();
    assert_eq!(lines, error_lines);
}

#[test]
fn every_data_set_reads_back_as_the_batch_of_points() {
    let options = BatchOptions::new()
        .with_parse_options(ParseOptions::new().with_default_time(7))
        .with_max_errors(usize::MAX);
    for body in [
        data::home(500),
        data::tsbs_cpu(200),
        data::telegraf(300),
        data::escapes(500),
        data::floats(500),
    ] {
        check(&body, &options);
    }
}

#[test]
fn the_schema_is_influxdb_3s() {
    let body = b"home,room=Kitchen,floor=1 temp=21.0,co=0i,n=1u,on=t,note=\"x\" 5\nhome,room=Hall temp=20.5 6\n";
    let conversion = Conversion::convert(body, &BatchOptions::new(), &mut Schema::new()).unwrap();
    let (name, batch) = &conversion.batches()[0];
    assert_eq!(name, "home");
    let schema = batch.schema();
    let columns: Vec<(&str, &DataType, &str)> = schema
        .fields()
        .iter()
        .map(|field| {
            (
                field.name().as_str(),
                field.data_type(),
                field.metadata()["iox::column::type"].as_str(),
            )
        })
        .collect();
    let tag = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    let time = DataType::Timestamp(TimeUnit::Nanosecond, None);
    assert_eq!(
        columns,
        [
            ("floor", &tag, "iox::column_type::tag"),
            ("room", &tag, "iox::column_type::tag"),
            ("co", &DataType::Int64, "iox::column_type::field::integer"),
            ("n", &DataType::UInt64, "iox::column_type::field::uinteger"),
            ("note", &DataType::Utf8, "iox::column_type::field::string"),
            ("on", &DataType::Boolean, "iox::column_type::field::boolean"),
            ("temp", &DataType::Float64, "iox::column_type::field::float"),
            ("time", &time, "iox::column_type::timestamp"),
        ]
    );
    assert!(!schema.field_with_name("time").unwrap().is_nullable());
    // The second line has no `floor`, `co`, ...: nulls.
    assert!(batch.column(0).is_null(1) && batch.column(2).is_null(1));
    assert!(!batch.column(1).is_null(1));
    // Dictionary keys are shared by equal values.
    let rooms = batch.column(1).as_dictionary::<Int32Type>();
    assert_eq!(rooms.values().len(), 2);
}

#[test]
fn bad_lines_are_reported_once_with_their_line_and_add_nothing() {
    let body = b"m,t=a f=1i 1\nm f=1.5 2\nm,f=x g=1 3\nm t=1i 4\nm f=\nm,t=b f=2i 5\n";
    let conversion = Conversion::convert(body, &BatchOptions::new(), &mut Schema::new()).unwrap();
    let errors: Vec<(usize, String)> = conversion
        .errors()
        .iter()
        .map(|err| (err.line(), err.original_line().to_owned()))
        .collect();
    assert_eq!(
        errors,
        [
            (2, "m f=1.5 2".to_owned()),
            (3, "m,f=x g=1 3".to_owned()),
            (4, "m t=1i 4".to_owned()),
            (5, "m f=".to_owned()),
        ]
    );
    assert!(matches!(
        conversion.errors()[1].kind(),
        lineproto::LineErrorKind::Validation(ValidationError::TagAndField { key }) if key == "f"
    ));
    assert_eq!(conversion.batches()[0].1.num_rows(), 2);
}

#[test]
fn caps_on_tables_and_columns_are_errors_of_the_line_that_crosses_them() {
    let mut schema = Schema::new()
        .with_max_tables(2)
        .with_max_columns_per_table(3);
    let body = b"a f=1 1\nb f=1 1\nc f=1 1\na,t=1 f=2 2\na,t=1 f=2,g=3 3\n";
    let conversion = Conversion::convert(body, &BatchOptions::new(), &mut schema).unwrap();
    let lines: Vec<usize> = conversion.errors().iter().map(|err| err.line()).collect();
    assert_eq!(lines, [3, 5]);
    let rows: Vec<(&str, usize)> = conversion
        .batches()
        .iter()
        .map(|(name, batch)| (name.as_str(), batch.num_rows()))
        .collect();
    assert_eq!(rows, [("a", 2), ("b", 1)]);
    assert_eq!(schema.measurements().count(), 2);
}

#[test]
fn a_rejected_body_gives_no_batches() {
    let options = BatchOptions::new().with_accept_partial(false);
    let conversion =
        Conversion::convert(b"m f=1 1\nm f=\nm f=2 2\n", &options, &mut Schema::new()).unwrap();
    assert!(conversion.batches().is_empty());
    assert_eq!(conversion.error_count(), 1);
}

/// Lines of a few measurements whose tag keys (`t*`) and field keys (`f*`)
/// never meet, with every field type, repeated fields and type conflicts
/// between lines, escapes and missing timestamps.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let tag =
        (0..3u8, "[a-c]{1,2}( x)?").prop_map(|(k, v)| format!(",t{k}={}", v.replace(' ', "\\ ")));
    let value = prop_oneof![
        (-5i64..5).prop_map(|v| format!("{v}i")),
        (0u64..5).prop_map(|v| format!("{v}u")),
        (-50i32..50).prop_map(|v| format!("{}", f64::from(v) / 4.0)),
        any::<bool>().prop_map(|v| v.to_string()),
        "[a-z \"]{0,4}".prop_map(|v| format!("\"{}\"", v.replace('"', "\\\""))),
    ];
    let field = (0..3u8, value).prop_map(|(k, v)| format!("f{k}={v}"));
    let line = (
        prop_oneof![Just("m"), Just("n"), Just("m\\ 2")],
        proptest::collection::vec(tag, 0..3),
        proptest::collection::vec(field, 1..4),
        proptest::option::of(0i64..100),
    )
        .prop_map(|(m, tags, fields, ts)| {
            let mut line = format!("{m}{} {}", tags.concat(), fields.join(","));
            if let Some(ts) = ts {
                line.push_str(&format!(" {ts}"));
            }
            line
        });
    proptest::collection::vec(line, 0..30).prop_map(|lines| lines.join("\n").into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_bodies_read_back_as_the_batch_of_points(body in body()) {
        let options = BatchOptions::new()
            .with_parse_options(ParseOptions::new().with_default_time(-1))
            .with_max_errors(usize::MAX);
        check(&body, &options);
    }
}

#[test]
fn the_batches_keep_the_rows_in_order_per_measurement() {
    let body = b"m,t=a f=1 3\nn g=1 1\nm f=2 2\n";
    let conversion = Conversion::convert(body, &BatchOptions::new(), &mut Schema::new()).unwrap();
    let got: BTreeMap<&str, Vec<Parsed>> = conversion
        .batches()
        .iter()
        .map(|(name, batch)| (name.as_str(), rows(batch)))
        .collect();
    let times: Vec<Option<i64>> = got["m"].iter().map(|row| row.timestamp).collect();
    assert_eq!(times, [Some(3), Some(2)]);
}

/// What the conversion must give, from the storage rules as the crate
/// docs state them, kept naively: per measurement, what each name is (a
/// tag, or a field of one type) once a line that passed made it so. A
/// line is refused if a field key repeats with another type, if a name is
/// `time`, if a name is both a tag and a field of the line, or if a name
/// is a tag where it was a field (or a field of another type) in an
/// earlier line that passed; repeated fields of one type keep the last.
fn naive(body: &[u8], options: &ParseOptions) -> (Vec<(String, Vec<Parsed>)>, Vec<usize>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        Tag,
        Field(std::mem::Discriminant<Value>),
    }
    let mut kinds: BTreeMap<(String, String), Kind> = BTreeMap::new();
    let mut tables: Vec<(String, Vec<Parsed>)> = Vec::new();
    let mut errors = Vec::new();
    let mut points = lineproto::parse_with(body, *options);
    while let Some(result) = points.next() {
        let Ok(point) = result else {
            errors.push(result.unwrap_err().line());
            continue;
        };
        let line = points.line_number();
        let parsed = parsed_of(&point);
        let mut fields: Vec<(String, Value)> = Vec::new();
        let mut ok = true;
        for (key, value) in parsed.fields {
            match fields.iter_mut().find(|(k, _)| *k == key) {
                Some(kept) if std::mem::discriminant(&kept.1) == std::mem::discriminant(&value) => {
                    kept.1 = value;
                }
                Some(_) => ok = false,
                None => fields.push((key, value)),
            }
        }
        let names: Vec<(&String, Kind)> = parsed
            .tags
            .iter()
            .map(|(key, _)| (key, Kind::Tag))
            .chain(
                fields
                    .iter()
                    .map(|(key, value)| (key, Kind::Field(std::mem::discriminant(value)))),
            )
            .collect();
        ok &= names.iter().all(|(key, kind)| {
            *key != "time"
                && names
                    .iter()
                    .all(|(other, other_kind)| other != key || other_kind == kind)
                && kinds
                    .get(&(parsed.measurement.clone(), (*key).clone()))
                    .is_none_or(|known| known == kind)
        });
        if !ok {
            errors.push(line);
            continue;
        }
        for (key, kind) in &names {
            kinds.insert((parsed.measurement.clone(), (*key).clone()), *kind);
        }
        let mut row = Parsed {
            measurement: parsed.measurement,
            tags: parsed.tags,
            fields,
            timestamp: parsed.timestamp,
        };
        row.tags.sort();
        row.fields.sort_by(|a, b| a.0.cmp(&b.0));
        match tables.iter_mut().find(|(name, _)| *name == row.measurement) {
            Some((_, rows)) => rows.push(row),
            None => tables.push((row.measurement.clone(), vec![row])),
        }
    }
    (tables, errors)
}

/// The rows and the refused lines of a conversion.
fn outcome(conversion: &Conversion) -> (Vec<(String, Vec<Parsed>)>, Vec<usize>) {
    let tables = conversion
        .batches()
        .iter()
        .map(|(name, batch)| (name.clone(), rows(batch)))
        .collect();
    let lines = conversion.errors().iter().map(|err| err.line()).collect();
    (tables, lines)
}

/// Lines whose tag keys and field keys come from one small pool, so that
/// names are tags in some lines and fields in others, fields repeat in a
/// line with one type or two, and shapes change from line to line.
fn clashing_body() -> impl Strategy<Value = Vec<u8>> {
    let key = prop_oneof![Just("a"), Just("b"), Just("c"), Just("time")];
    let tag = (key.clone(), "[x-z]{1,2}").prop_map(|(k, v)| format!(",{k}={v}"));
    let value = prop_oneof![
        (-5i64..5).prop_map(|v| format!("{v}i")),
        (0u64..5).prop_map(|v| format!("{v}u")),
        (-5i32..5).prop_map(|v| format!("{v}.5")),
        any::<bool>().prop_map(|v| v.to_string()),
        "[a-z]{0,3}".prop_map(|v| format!("\"{v}\"")),
    ];
    let field = (key, value).prop_map(|(k, v)| format!("{k}={v}"));
    let line = (
        prop_oneof![Just("m"), Just("n")],
        proptest::collection::vec(tag, 0..3),
        proptest::collection::vec(field, 1..4),
        0i64..100,
    )
        .prop_map(|(m, tags, fields, ts)| {
            format!("{m}{} {} {ts}", tags.concat(), fields.join(","))
        });
    proptest::collection::vec(line, 0..40).prop_map(|lines| lines.join("\n").into_bytes())
}

/// A reader that hands out at most `step` bytes a read.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let count = self.step.min(buf.len()).min(self.bytes.len());
        buf[..count].copy_from_slice(&self.bytes[..count]);
        self.bytes = &self.bytes[count..];
        Ok(count)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn names_that_change_kind_or_type_follow_the_naive_rules(body in clashing_body()) {
        let options = BatchOptions::new().with_max_errors(usize::MAX);
        let conversion = Conversion::convert(&body, &options, &mut Schema::new()).unwrap();
        prop_assert_eq!(outcome(&conversion), naive(&body, &options.parse_options()));
    }

    #[test]
    fn a_reader_read_a_few_bytes_at_a_time_converts_as_the_whole_body(
        body in clashing_body(),
        step in 1usize..64,
    ) {
        let options = BatchOptions::new().with_max_errors(usize::MAX);
        let whole = Conversion::convert(&body, &options, &mut Schema::new()).unwrap();
        let read = Conversion::from_reader(Trickle { bytes: &body, step }, &options, &mut Schema::new()).unwrap();
        prop_assert_eq!(outcome(&read), outcome(&whole));
        let texts = |conversion: &Conversion| -> Vec<String> {
            conversion.errors().iter().map(|err| err.original_line().to_owned()).collect()
        };
        prop_assert_eq!(texts(&read), texts(&whole));
    }

    #[test]
    fn points_convert_as_their_lines(body in clashing_body()) {
        let options = BatchOptions::new().with_max_errors(usize::MAX);
        let points: Vec<lineproto::Point<'_>> = lineproto::parse(&body).filter_map(Result::ok).collect();
        let text: Vec<u8> = points.iter().map(|point| format!("{point}\n")).collect::<String>().into_bytes();
        let from_points = Conversion::from_points(&points, &options, &mut Schema::new()).unwrap();
        let from_text = Conversion::convert(&text, &options, &mut Schema::new()).unwrap();
        prop_assert_eq!(outcome(&from_points), outcome(&from_text));
    }
}

#[test]
fn a_point_that_cannot_be_written_is_refused_as_its_line() {
    let points = [
        lineproto::Point::builder("m")
            .field("f", 1.0)
            .timestamp(1)
            .build()
            .unwrap(),
        lineproto::Point::new(),
        lineproto::Point::builder("m")
            .field("f", 2.0)
            .build()
            .unwrap(),
    ];
    let options = BatchOptions::new().with_parse_options(ParseOptions::new().with_default_time(9));
    let conversion = Conversion::from_points(&points, &options, &mut Schema::new()).unwrap();
    assert_eq!(conversion.errors().len(), 1);
    assert_eq!(conversion.errors()[0].line(), 2);
    assert!(matches!(
        conversion.errors()[0].kind(),
        lineproto::LineErrorKind::Validation(ValidationError::InvalidPoint(_))
    ));
    let (_, batch) = &conversion.batches()[0];
    let times = batch
        .column_by_name("time")
        .unwrap()
        .as_primitive::<TimestampNanosecondType>();
    assert_eq!(times.values(), &[1, 9]);
}

#[test]
fn a_failing_reader_is_an_io_error_and_leaves_the_schema_alone() {
    struct Failing(usize);
    impl std::io::Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("disk gone"));
            }
            self.0 -= 1;
            let line = b"m f=1 1\n";
            buf[..line.len()].copy_from_slice(line);
            Ok(line.len())
        }
    }
    let mut schema = Schema::new();
    let err = Conversion::from_reader(Failing(3), &BatchOptions::new(), &mut schema).unwrap_err();
    assert!(
        matches!(err, arrow_schema::ArrowError::IoError(..)),
        "{err}"
    );
    assert_eq!(schema.measurements().count(), 0);
}

#[test]
fn a_schema_carried_from_an_earlier_conversion_keeps_each_name_a_tag_or_a_field() {
    let mut schema = Schema::new();
    let options = BatchOptions::new();
    let first = Conversion::convert(b"m,t=a f=1 1\n", &options, &mut schema).unwrap();
    assert_eq!(first.error_count(), 0);
    let second = Conversion::convert(
        b"m t=1i 2\nm,f=x g=1 3\nm,t=b f=2 4\n",
        &options,
        &mut schema,
    )
    .unwrap();
    let lines: Vec<usize> = second.errors().iter().map(|err| err.line()).collect();
    assert_eq!(lines, [1, 2]);
    assert!(matches!(
        second.errors()[0].kind(),
        lineproto::LineErrorKind::Validation(ValidationError::TagAndField { key }) if key == "t"
    ));
    assert_eq!(second.batches()[0].1.num_rows(), 1);
}

/// Lines of two measurements whose tag sets first repeat, then are all new
/// (more than a thousand of them), then repeat again, with fields that
/// change type and name tags: the conversion remembers series, then stops
/// remembering them, and reads back the same rows and refusals either way.
#[test]
fn series_seen_before_new_or_no_longer_remembered_convert_alike() {
    let mut body = String::new();
    let mut line = |series: usize, n: usize| {
        let measurement = if series % 2 == 0 { "m" } else { "n\\ 2" };
        let value = match n % 7 {
            0 => "\"text\"".to_owned(),
            1 => format!("{n}i"),
            _ => format!("{n}.5"),
        };
        let field = if n % 11 == 0 { "host" } else { "f" };
        body.push_str(&format!(
            "{measurement},host=h{series},rack=r{} {field}={value},g=t {n}\n",
            series % 3
        ));
    };
    for n in 0..600 {
        line(n % 5, n);
    }
    for n in 600..2600 {
        line(n, n);
    }
    for n in 2600..3200 {
        line(n % 7, n);
    }
    let options = BatchOptions::new().with_max_errors(usize::MAX);
    check(body.as_bytes(), &options);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Owned points keep no series, so converting them never takes a
    /// line's table and tag keys from the series cache: the batches are
    /// those of the body, whose lines do.
    #[test]
    fn series_remembered_or_not_give_the_same_batches(body in clashing_body()) {
        let options = BatchOptions::new().with_max_errors(usize::MAX);
        let owned: Vec<lineproto::Point<'static>> = lineproto::parse(&body)
            .filter_map(Result::ok)
            .map(lineproto::Point::into_owned)
            .collect();
        let from_owned = Conversion::from_points(&owned, &options, &mut Schema::new()).unwrap();
        let from_body = Conversion::convert(&body, &options, &mut Schema::new()).unwrap();
        let batches = |conversion: &Conversion| conversion.batches().to_vec();
        prop_assert_eq!(batches(&from_owned), batches(&from_body));
    }
}

/// A tag value that ends in a backslash, read from a doubled one, is
/// kept by the conversion of its line, as `Batch` keeps it; the same
/// point handed to `from_points` is refused, since the writer could not
/// write it (readers disagree on a trailing `\\`).
#[test]
fn a_tag_value_ending_in_a_backslash_converts_from_its_line_but_not_as_a_point() {
    let body = b"m,path=C:\\\\ f=1 1\nm,path=D f=2 2\n";
    let options = BatchOptions::new();
    check(body, &options);
    let conversion = Conversion::convert(body, &options, &mut Schema::new()).unwrap();
    let (_, batch) = &conversion.batches()[0];
    assert_eq!(
        rows(batch)[0].tags,
        [("path".to_owned(), "C:\\".to_owned())]
    );

    let points: Vec<lineproto::Point<'_>> = lineproto::parse(body).map(Result::unwrap).collect();
    assert!(matches!(
        points[0].validate(),
        Err(lineproto::InvalidPoint::TrailingBackslash { .. })
    ));
    let from_points = Conversion::from_points(&points, &options, &mut Schema::new()).unwrap();
    assert_eq!(from_points.errors().len(), 1);
    assert_eq!(from_points.errors()[0].line(), 1);
    assert_eq!(from_points.batches()[0].1.num_rows(), 1);
}

/// `convert_parallel` against `convert` on the same body: the same
/// batches (their columns, dictionaries and metadata, compared as they
/// print), refusals and schema.
fn assert_parallel_converts_as_convert(body: &[u8], options: &BatchOptions, schema: &Schema) {
    let (mut whole, mut pieces) = (schema.clone(), schema.clone());
    let expected = Conversion::convert(body, options, &mut whole).unwrap();
    let found = Conversion::convert_parallel(body, options, &mut pieces).unwrap();
    assert_eq!(
        format!("{:?}", found.batches()),
        format!("{:?}", expected.batches())
    );
    assert_eq!(found.errors(), expected.errors());
    assert_eq!(found.error_count(), expected.error_count());
    assert_eq!(pieces, whole);
}

#[test]
fn converting_on_every_core_gives_what_converting_on_one_gives() {
    // Several MiB, so that the body is cut into pieces: measurements that
    // appear piece after piece, a tag value and a field type that change
    // far into the body, a name that becomes a field where it was a tag,
    // a table past the cap, strings with line feeds.
    let mut body = Vec::new();
    body.extend(data::home(20_000));
    body.extend(data::escapes(5_000));
    body.extend(b"home,room=Attic temp=\"warm\" 9\n");
    body.extend(data::telegraf(5_000));
    body.extend(b"home,room=Cellar temp=1i,temp=2i 10\nhome,temp=x t=1 11\nlate v=\"a\nb\" 12\n");
    body.extend(data::home(20_000));
    body.extend(data::tsbs_cpu(5_000));
    assert!(body.len() > 4 << 20, "{}", body.len());
    let options = BatchOptions::new().with_parse_options(ParseOptions::new().with_default_time(7));
    for threads in [2, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            assert_parallel_converts_as_convert(&body, &options, &Schema::new());
            assert_parallel_converts_as_convert(&body, &options, &Schema::new().with_max_tables(3));
            let strict = options.with_accept_partial(false);
            assert_parallel_converts_as_convert(&body, &strict, &Schema::new());
        });
    }
}
