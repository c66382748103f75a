//! Parsing and writing throughput, `lineproto` beside `influxdb-line-protocol`
//! on the same bytes in the same run.
//!
//! Every iteration folds every name, tag, field and timestamp into a
//! checksum and asserts both the point count and the checksum, so neither
//! crate can skip work.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod data;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use influxdb_line_protocol as idb;
use lineproto::{FieldValue, ParseOptions, Point, Precision};

/// What a consumer of every element of a point would compute.
fn checksum(point: &Point<'_>) -> u64 {
    let mut sum = point.measurement().len() as u64;
    for tag in point.tags() {
        sum += (tag.key().len() + tag.value().len()) as u64;
    }
    for field in point.fields() {
        sum = sum
            .wrapping_add(field.key().len() as u64)
            .wrapping_add(value_sum(&field.value()));
    }
    sum.wrapping_add(point.timestamp().unwrap_or(0) as u64)
}

fn value_sum(value: &FieldValue<'_>) -> u64 {
    match value {
        FieldValue::Float(v) => v.to_bits() >> 40,
        FieldValue::Integer(v) => *v as u64,
        FieldValue::UInteger(v) => *v,
        FieldValue::Boolean(v) => u64::from(*v),
        FieldValue::String(s) => s.len() as u64,
    }
}

fn idb_checksum(line: &idb::ParsedLine<'_>) -> u64 {
    let mut sum = line.series.measurement.len() as u64;
    for (key, value) in line.series.tag_set.iter().flatten() {
        sum += (key.len() + value.len()) as u64;
    }
    for (key, value) in &line.field_set {
        sum = sum
            .wrapping_add(key.len() as u64)
            .wrapping_add(match value {
                idb::FieldValue::F64(v) => v.to_bits() >> 40,
                idb::FieldValue::I64(v) => *v as u64,
                idb::FieldValue::U64(v) => *v,
                idb::FieldValue::Boolean(v) => u64::from(*v),
                idb::FieldValue::String(s) => s.len() as u64,
            });
    }
    sum.wrapping_add(line.timestamp.unwrap_or(0) as u64)
}

struct DataSet {
    name: String,
    bytes: Vec<u8>,
    points: usize,
    checksum: u64,
}

/// The sizes every data set is measured at: one that fits in cache, one
/// that must come from memory.
const SIZES: [(&str, usize); 2] = [("1MiB", 1 << 20), ("64MiB", 64 << 20)];

/// Makes a data set of the given number of lines.
type Generator = fn(usize) -> Vec<u8>;

/// Every data set at every size, made once per run: `home-1MiB`,
/// `escapes-64MiB` and so on.
fn data_sets() -> &'static [DataSet] {
    static SETS: std::sync::OnceLock<Vec<DataSet>> = std::sync::OnceLock::new();
    SETS.get_or_init(|| {
        let shapes: [(&str, Generator); 5] = [
            ("home", data::home),
            ("tsbs-cpu", data::tsbs_cpu),
            ("telegraf", data::telegraf),
            ("escapes", data::escapes),
            ("floats", data::floats),
        ];
        let mut sets = Vec::new();
        for (size_name, size) in SIZES {
            for (name, generate) in shapes {
                let bytes = data::of_size(generate, size);
                let (mut points, mut sum) = (0, 0u64);
                for point in lineproto::parse(&bytes) {
                    sum = sum.wrapping_add(checksum(&point.unwrap()));
                    points += 1;
                }
                sets.push(DataSet {
                    name: format!("{name}-{size_name}"),
                    bytes,
                    points,
                    checksum: sum,
                });
            }
        }
        sets
    })
}

/// Whether a data set is one of the large ones, which take fewer samples.
fn is_large(set: &DataSet) -> bool {
    set.bytes.len() > 8 << 20
}

/// The floor any parser of these bytes is measured against: one table
/// look-up per byte, counting the bytes line protocol gives a meaning to
/// (space, `,`, `=`, `"`, `\` and LF).
fn byte_class_scan(bytes: &[u8]) -> usize {
    static SPECIAL: [u8; 256] = {
        let mut table = [0u8; 256];
        let mut i = 0;
        let specials = *b" ,=\"\\\n";
        while i < specials.len() {
            table[specials[i] as usize] = 1;
            i += 1;
        }
        table
    };
    bytes
        .iter()
        .map(|&b| usize::from(SPECIAL[usize::from(b)]))
        .sum()
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group.sample_size(10);
    for set in data_sets() {
        let text = std::str::from_utf8(&set.bytes).unwrap();
        group.throughput(Throughput::Bytes(set.bytes.len() as u64));
        let specials = byte_class_scan(&set.bytes);
        group.bench_function(BenchmarkId::new("byte-class-scan", &set.name), |b| {
            b.iter(|| assert_eq!(byte_class_scan(black_box(&set.bytes)), specials))
        });
        group.bench_function(BenchmarkId::new("lineproto", &set.name), |b| {
            b.iter(|| {
                let (mut count, mut sum) = (0, 0u64);
                for point in lineproto::parse(black_box(&set.bytes)) {
                    sum = sum.wrapping_add(checksum(&point.unwrap()));
                    count += 1;
                }
                assert_eq!((count, sum), (set.points, set.checksum));
            })
        });
        group.bench_function(BenchmarkId::new("influxdb-line-protocol", &set.name), |b| {
            b.iter(|| {
                let (mut count, mut sum) = (0, 0u64);
                for line in idb::parse_lines(black_box(text)) {
                    sum = sum.wrapping_add(idb_checksum(&line.unwrap()));
                    count += 1;
                }
                assert_eq!((count, sum), (set.points, set.checksum));
            })
        });
    }
    group.finish();
}

fn parse_reuse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_reuse");
    group.sample_size(10);
    for set in data_sets() {
        group.throughput(Throughput::Bytes(set.bytes.len() as u64));
        group.bench_function(BenchmarkId::new("lineproto", &set.name), |b| {
            let mut point = Point::new();
            b.iter(|| parse_reusing(set, &mut point));
        });
    }
    group.finish();
}

/// Parses `set` through `next_into` into `point`, folding every element
/// into the checksum, and checks the count and the checksum.
fn parse_reusing<'a>(set: &'a DataSet, point: &mut Point<'a>) {
    let (mut count, mut sum) = (0, 0u64);
    let mut points = lineproto::parse(black_box(&set.bytes));
    while let Some(result) = points.next_into(point) {
        result.unwrap();
        sum = sum.wrapping_add(checksum(point));
        count += 1;
    }
    assert_eq!((count, sum), (set.points, set.checksum));
}

/// Writing the points of each data set. The large sets are left out: the
/// writer's cost per point does not depend on how many there are, and
/// holding 64 MiB of parsed points would measure the allocator.
fn write(c: &mut Criterion) {
    let mut group = c.benchmark_group("write");
    group.sample_size(10);
    for set in data_sets().iter().filter(|set| !is_large(set)) {
        let points: Vec<Point<'_>> = lineproto::parse(&set.bytes).map(Result::unwrap).collect();
        group.throughput(Throughput::Elements(points.len() as u64));
        group.bench_function(BenchmarkId::new("lineproto", &set.name), |b| {
            let mut out = Vec::with_capacity(set.bytes.len() * 2);
            b.iter(|| {
                out.clear();
                for point in &points {
                    point
                        .write_to_vec(&mut out, Precision::Nanoseconds)
                        .unwrap();
                }
                black_box(&out);
            })
        });
        group.bench_function(BenchmarkId::new("influxdb-line-protocol", &set.name), |b| {
            b.iter(|| {
                let mut builder = idb::builder::LineProtocolBuilder::new_with(Vec::with_capacity(
                    set.bytes.len() * 2,
                ));
                for point in &points {
                    let mut line = builder.measurement(point.measurement());
                    for tag in point.tags() {
                        line = line.tag(tag.key(), tag.value());
                    }
                    let mut fields = point.fields();
                    let first = fields.next().unwrap();
                    let mut line = idb_field(line, first.key(), &first.value());
                    for field in fields {
                        line = idb_field_more(line, field.key(), &field.value());
                    }
                    builder = match point.timestamp() {
                        Some(ts) => line.timestamp(ts).close_line(),
                        None => line.close_line(),
                    };
                }
                black_box(builder.build());
            })
        });
    }
    group.finish();
}

type IdbAfterTag = idb::builder::LineProtocolBuilder<Vec<u8>, idb::builder::AfterMeasurement>;
type IdbAfterField = idb::builder::LineProtocolBuilder<Vec<u8>, idb::builder::AfterField>;

fn idb_field(line: IdbAfterTag, key: &str, value: &FieldValue<'_>) -> IdbAfterField {
    match value {
        FieldValue::Float(v) => line.field(key, *v),
        FieldValue::Integer(v) => line.field(key, *v),
        FieldValue::UInteger(v) => line.field(key, *v),
        FieldValue::Boolean(v) => line.field(key, *v),
        FieldValue::String(s) => line.field(key, s.as_ref()),
    }
}

fn idb_field_more(line: IdbAfterField, key: &str, value: &FieldValue<'_>) -> IdbAfterField {
    match value {
        FieldValue::Float(v) => line.field(key, *v),
        FieldValue::Integer(v) => line.field(key, *v),
        FieldValue::UInteger(v) => line.field(key, *v),
        FieldValue::Boolean(v) => line.field(key, *v),
        FieldValue::String(s) => line.field(key, s.as_ref()),
    }
}

/// Per-byte cost as lines grow: the same shape at one and ten times the
/// length (more tags, more fields, a longer string) must not cost more per
/// byte.
fn line_length(c: &mut Criterion) {
    let mut group = c.benchmark_group("line_length");
    for scale in [1, 10] {
        let bytes = data::wide(2_000 / scale, scale);
        let points = lineproto::parse(&bytes).count();
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(BenchmarkId::new("lineproto", format!("{scale}x")), |b| {
            let mut point = Point::new();
            b.iter(|| {
                let (mut count, mut sum) = (0, 0u64);
                let mut parsed = lineproto::parse(black_box(&bytes));
                while let Some(result) = parsed.next_into(&mut point) {
                    result.unwrap();
                    sum = sum.wrapping_add(checksum(&point));
                    count += 1;
                }
                assert_eq!(count, points);
                black_box(sum);
            })
        });
    }
    group.finish();
}

/// The stream over an in-memory reader, next to `parse_reuse` on the same
/// bytes: the cost of reading in 64 KiB pieces and finding where lines end.
fn stream(c: &mut Criterion) {
    let mut group = c.benchmark_group("stream");
    group.sample_size(10);
    for set in data_sets() {
        group.throughput(Throughput::Bytes(set.bytes.len() as u64));
        group.bench_function(BenchmarkId::new("lineproto", &set.name), |b| {
            b.iter(|| {
                let (mut count, mut sum) = (0, 0u64);
                let mut stream = lineproto::Stream::new(black_box(&set.bytes[..]));
                while let Some(chunk) = stream.next_chunk().unwrap() {
                    add_chunk(chunk, &mut count, &mut sum);
                }
                assert_eq!((count, sum), (set.points, set.checksum));
            })
        });
    }
    group.finish();
}

/// Adds the points of a stream's `chunk` to `count` and their checksums
/// to `sum`, parsing each into one point kept for the chunk.
fn add_chunk(mut chunk: lineproto::Chunk<'_>, count: &mut usize, sum: &mut u64) {
    let mut point = Point::new();
    while let Some(result) = chunk.next_into(&mut point) {
        result.unwrap();
        *sum = sum.wrapping_add(checksum(&point));
        *count += 1;
    }
}

/// A hostile input for `adversarial`: its name, bytes, the options that
/// let it through, and how many points and errors it must give.
struct Hostile {
    name: &'static str,
    bytes: Vec<u8>,
    options: ParseOptions,
    results: (usize, usize),
}

/// Hostile inputs of about `size` bytes (see `tests/hostile.rs`), with
/// `home` of the same size to compare against.
fn hostile_inputs(size: usize) -> Vec<Hostile> {
    // Lines of up to `size` bytes are let through: the inputs measure the
    // cost of long lines, not the limit.
    let defaults = ParseOptions::new().with_max_line_length(2 * size);
    let mut tags = b"m".to_vec();
    let mut count = 0;
    while tags.len() < size {
        tags.extend_from_slice(format!(",t{count}=v{count}").as_bytes());
        count += 1;
    }
    tags.extend_from_slice(b" f=1");
    let mut escaped_tags = b"m".to_vec();
    let mut escaped_count = 0;
    while escaped_tags.len() < size {
        escaped_tags.extend_from_slice(
            format!(",t\\ {escaped_count}\\,k=v\\=\\ {escaped_count}").as_bytes(),
        );
        escaped_count += 1;
    }
    escaped_tags.extend_from_slice(b" f=1");
    // 100,000 tags whose keys and values are dense with escapes, as long
    // as it takes to fill the size.
    let value_len = (size / 100_000).saturating_sub(16).max(4);
    let value: String = "ab\\ cd\\,ef".chars().cycle().take(value_len).collect();
    let value = value.trim_end_matches('\\');
    let mut long_escaped_tags = b"m".to_vec();
    for i in 0..100_000 {
        long_escaped_tags.extend_from_slice(format!(",k\\ e\\,y{i}={value}").as_bytes());
    }
    long_escaped_tags.extend_from_slice(b" f=1");
    let string = |unit: &[u8]| {
        let mut line = b"m s=\"".to_vec();
        line.extend_from_slice(&unit.repeat(size / unit.len()));
        line.push(b'"');
        line
    };
    let mut multi_line_strings = b"m ".to_vec();
    let mut string_fields = 0;
    while multi_line_strings.len() < size {
        multi_line_strings.extend_from_slice(format!("f{string_fields}=\"a\nb\",").as_bytes());
        string_fields += 1;
    }
    multi_line_strings.extend_from_slice(b"z=1");
    let digit_lines = size >> 20;
    let home = data::home(size / 57);
    let home_points = lineproto::parse(&home).count();
    vec![
        Hostile {
            name: "home",
            bytes: home,
            options: defaults,
            results: (home_points, 0),
        },
        Hostile {
            name: "backslashes",
            bytes: [vec![b'\\'; size & !1], b" f=1".to_vec()].concat(),
            options: defaults,
            results: (1, 0),
        },
        Hostile {
            name: "tags",
            bytes: tags,
            options: defaults.with_max_tags(count),
            results: (1, 0),
        },
        Hostile {
            name: "escaped-tags",
            bytes: escaped_tags,
            options: defaults.with_max_tags(escaped_count),
            results: (1, 0),
        },
        Hostile {
            name: "100k-escaped-tags",
            bytes: long_escaped_tags,
            options: defaults.with_max_tags(100_000),
            results: (1, 0),
        },
        Hostile {
            // The closing quote never comes: the error is known only at
            // the end of the input.
            name: "unterminated-string",
            bytes: string(b"x")
                .split_last()
                .map(|(_, open)| open.to_vec())
                .unwrap(),
            options: defaults.with_max_string_length(size),
            results: (0, 1),
        },
        Hostile {
            // A long good line whose very last byte is wrong.
            name: "error-in-last-byte",
            bytes: [string(b"x"), b" x".to_vec()].concat(),
            options: defaults.with_max_string_length(size),
            results: (0, 1),
        },
        Hostile {
            name: "string",
            bytes: string(b"x"),
            options: defaults.with_max_string_length(size),
            results: (1, 0),
        },
        Hostile {
            name: "escaped-quotes",
            bytes: string(br#"\\\""#),
            options: defaults.with_max_string_length(size),
            results: (1, 0),
        },
        Hostile {
            // Every read brings line feeds and quotes, none of which ends
            // the line.
            name: "multi-line-strings",
            bytes: multi_line_strings,
            options: defaults.with_max_fields(string_fields + 1),
            results: (1, 0),
        },
        Hostile {
            name: "million-digit-floats",
            bytes: [b"m f=".as_slice(), &[b'1'; 1 << 20], b"\n"]
                .concat()
                .repeat(digit_lines),
            options: defaults,
            results: (0, digit_lines),
        },
        Hostile {
            name: "blank-lines",
            bytes: [vec![b'\n'; size], b"m f=1".to_vec()].concat(),
            options: defaults,
            results: (1, 0),
        },
        Hostile {
            name: "delimiters",
            bytes: b", =\"\\".repeat(size / 5),
            options: defaults,
            results: (0, 1),
        },
        Hostile {
            // An unclosed quote on the first line: the string runs to the
            // end of the input, and every line after it is parsed again.
            name: "stray-quote",
            bytes: [b"m s=\"never closed\n".as_slice(), &data::home(size / 57)].concat(),
            options: defaults,
            results: (home_points, 1),
        },
        Hostile {
            name: "delimiter-lines",
            bytes: b", =\"\\\n".repeat(size / 6),
            options: defaults,
            results: (0, size / 6),
        },
    ]
}

/// A reader that gives at most `most` bytes per read.
struct ShortReads<'a> {
    bytes: &'a [u8],
    most: usize,
}

impl std::io::Read for ShortReads<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let len = buf.len().min(self.most).min(self.bytes.len());
        let (head, rest) = self.bytes.split_at(len);
        buf[..len].copy_from_slice(head);
        self.bytes = rest;
        Ok(len)
    }
}

/// Throughput on hostile input at 1, 4 and 16 MiB, next to `home`, through
/// `next_into` on the whole buffer and through a `Stream` whose reads give
/// 64 KiB, 4 KiB or (at 1 MiB) one byte at a time: a quadratic path would
/// show as a rate that falls with the size.
fn adversarial(c: &mut Criterion) {
    let mut group = c.benchmark_group("adversarial");
    group.sample_size(10);
    for mib in [1, 4, 16] {
        for input in hostile_inputs(mib << 20) {
            group.throughput(Throughput::Bytes(input.bytes.len() as u64));
            let id = BenchmarkId::new(input.name, format!("{mib}MiB"));
            group.bench_function(id, |b| {
                let mut point = Point::new();
                b.iter(|| {
                    let mut parsed = lineproto::parse_with(black_box(&input.bytes), input.options);
                    let (mut points, mut errors) = (0, 0);
                    while let Some(result) = parsed.next_into(&mut point) {
                        match result {
                            Ok(()) => points += 1,
                            Err(_) => errors += 1,
                        }
                    }
                    assert_eq!((points, errors), input.results, "{}", input.name);
                })
            });
            // The stream asks for 64 KiB at a time; the reader gives all
            // of it, or at most 4 KiB (a socket's share) or 1 byte.
            for (reads, most) in [("", usize::MAX), ("-4KiB-reads", 4096), ("-1B-reads", 1)] {
                if most == 1 && mib > 1 {
                    continue;
                }
                let name = format!("{}-stream{reads}", input.name);
                let id = BenchmarkId::new(name, format!("{mib}MiB"));
                group.bench_function(id, |b| {
                    b.iter(|| {
                        let reader = ShortReads {
                            bytes: black_box(&input.bytes[..]),
                            most,
                        };
                        let mut stream = lineproto::Stream::with_options(reader, input.options);
                        let (mut points, mut errors) = (0, 0);
                        while let Some(mut chunk) = stream.next_chunk().unwrap() {
                            let mut point = Point::new();
                            while let Some(result) = chunk.next_into(&mut point) {
                                match result {
                                    Ok(()) => points += 1,
                                    Err(_) => errors += 1,
                                }
                            }
                        }
                        assert_eq!((points, errors), input.results, "{}", input.name);
                    })
                });
            }
        }
    }
    group.finish();
}

/// `Batch::parse` (parsing and InfluxDB's storage rules) on lines of
/// 1,024 tags and 1,024 fields, at 1 MiB and 4 MiB: the per-line checks
/// (a key both tag and field, repeated fields, the schema's caps) must
/// cost the same per byte at both sizes, and grow with a line's width, not
/// with its width squared.
fn validate(c: &mut Criterion) {
    use lineproto::{Batch, BatchOptions, Schema};
    let tags: Vec<String> = (0..1024).map(|i| format!("t{i}=v")).collect();
    let fields: Vec<String> = (0..1024).map(|i| format!("f{i}=1")).collect();
    let line = format!("m,{} {} 1\n", tags.join(","), fields.join(","));
    let mut group = c.benchmark_group("validate");
    group.sample_size(10);
    for mib in [1, 4] {
        let bytes = line.repeat((mib << 20) / line.len());
        let lines = bytes.len() / line.len();
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(BenchmarkId::new("wide-lines", format!("{mib}MiB")), |b| {
            b.iter(|| {
                let mut schema = Schema::new().with_max_columns_per_table(usize::MAX);
                let batch = Batch::parse(
                    black_box(bytes.as_bytes()),
                    &BatchOptions::new(),
                    &mut schema,
                );
                assert_eq!((batch.points().len(), batch.error_count()), (lines, 0));
            })
        });
    }
    group.finish();
}

/// Line protocol into Arrow record batches, one per measurement: the
/// crate's converter, on one thread and on every core
/// (`Conversion::convert_parallel`); its own `next_into` parse of the same bytes, the
/// ceiling a converter built on it can reach; and influxdb-line-protocol
/// with its lines appended to Arrow builders value by value
/// ([`idb_arrow`]), what a user without the converter would write.
fn arrow(c: &mut Criterion) {
    use arrow_schema::ArrowError;
    use lineproto::arrow::Conversion;
    use lineproto::{BatchOptions, Schema};
    let mut group = c.benchmark_group("arrow");
    group.sample_size(10);
    for set in data_sets()
        .iter()
        .filter(|set| !set.name.starts_with("floats"))
    {
        let text = std::str::from_utf8(&set.bytes).unwrap();
        group.throughput(Throughput::Bytes(set.bytes.len() as u64));
        type Convert = fn(&[u8], &BatchOptions, &mut Schema) -> Result<Conversion, ArrowError>;
        let converters: [(&str, Convert); 2] = [
            ("lineproto", Conversion::convert),
            ("parallel", Conversion::convert_parallel),
        ];
        for (name, convert) in converters {
            group.bench_function(BenchmarkId::new(name, &set.name), |b| {
                b.iter(|| {
                    let conversion = convert(
                        black_box(&set.bytes),
                        &BatchOptions::new(),
                        &mut Schema::new(),
                    )
                    .unwrap();
                    let rows: usize = conversion
                        .batches()
                        .iter()
                        .map(|(_, batch)| batch.num_rows())
                        .sum();
                    assert_eq!((rows, conversion.error_count()), (set.points, 0));
                })
            });
        }
        group.bench_function(BenchmarkId::new("next_into", &set.name), |b| {
            let mut point = Point::new();
            b.iter(|| parse_reusing(set, &mut point));
        });
        group.bench_function(BenchmarkId::new("influxdb-line-protocol", &set.name), |b| {
            b.iter(|| assert_eq!(idb_arrow::convert(black_box(text)), set.points))
        });
    }
    group.finish();
}

/// The baseline of the `arrow` group: influxdb-line-protocol's lines
/// appended to Arrow builders value by value, a builder per column found
/// through a map, nulls for the rows before a column first appears.
mod idb_arrow {
    use std::collections::HashMap;
    use std::sync::Arc;

    use arrow_array::builder::{
        ArrayBuilder, BooleanBuilder, Float64Builder, Int64Builder, StringBuilder,
        StringDictionaryBuilder, TimestampNanosecondBuilder, UInt64Builder,
    };
    use arrow_array::types::Int32Type;
    use arrow_array::{ArrayRef, RecordBatch};
    use influxdb_line_protocol::{FieldValue, parse_lines};

    #[derive(Default)]
    struct Table {
        rows: usize,
        tags: HashMap<String, StringDictionaryBuilder<Int32Type>>,
        fields: HashMap<String, Box<dyn ArrayBuilder>>,
        time: TimestampNanosecondBuilder,
    }

    fn pad(builder: &mut dyn ArrayBuilder, rows: usize) {
        let missing = rows - builder.len();
        let any = builder.as_any_mut();
        if let Some(b) = any.downcast_mut::<Float64Builder>() {
            b.append_nulls(missing);
        } else if let Some(b) = any.downcast_mut::<Int64Builder>() {
            b.append_nulls(missing);
        } else if let Some(b) = any.downcast_mut::<UInt64Builder>() {
            b.append_nulls(missing);
        } else if let Some(b) = any.downcast_mut::<BooleanBuilder>() {
            b.append_nulls(missing);
        } else if let Some(b) = any.downcast_mut::<StringBuilder>() {
            b.append_nulls(missing);
        }
    }

    /// Converts `text`, returning the rows of all batches.
    pub(super) fn convert(text: &str) -> usize {
        let mut tables: HashMap<String, Table> = HashMap::new();
        for line in parse_lines(text) {
            let line = line.unwrap();
            let table = tables
                .entry(line.series.measurement.to_string())
                .or_default();
            let rows = table.rows;
            for (key, value) in line.series.tag_set.iter().flatten() {
                let builder = table.tags.entry(key.to_string()).or_default();
                builder.append_nulls(rows - builder.len());
                builder.append(value.as_str()).unwrap();
            }
            for (key, value) in &line.field_set {
                let builder = table
                    .fields
                    .entry(key.to_string())
                    .or_insert_with(|| match value {
                        FieldValue::F64(_) => Box::new(Float64Builder::new()),
                        FieldValue::I64(_) => Box::new(Int64Builder::new()),
                        FieldValue::U64(_) => Box::new(UInt64Builder::new()),
                        FieldValue::Boolean(_) => Box::new(BooleanBuilder::new()),
                        FieldValue::String(_) => Box::new(StringBuilder::new()),
                    });
                pad(builder.as_mut(), rows);
                let any = builder.as_any_mut();
                match value {
                    FieldValue::F64(v) => any
                        .downcast_mut::<Float64Builder>()
                        .unwrap()
                        .append_value(*v),
                    FieldValue::I64(v) => {
                        any.downcast_mut::<Int64Builder>().unwrap().append_value(*v)
                    }
                    FieldValue::U64(v) => any
                        .downcast_mut::<UInt64Builder>()
                        .unwrap()
                        .append_value(*v),
                    FieldValue::Boolean(v) => any
                        .downcast_mut::<BooleanBuilder>()
                        .unwrap()
                        .append_value(*v),
                    FieldValue::String(v) => any
                        .downcast_mut::<StringBuilder>()
                        .unwrap()
                        .append_value(v.as_str()),
                }
            }
            table.time.append_value(line.timestamp.unwrap_or(0));
            table.rows += 1;
        }
        let mut rows = 0;
        for (_, mut table) in tables {
            let mut columns: Vec<(String, ArrayRef)> = Vec::new();
            for (name, mut builder) in table.tags {
                builder.append_nulls(table.rows - builder.len());
                columns.push((name, Arc::new(builder.finish())));
            }
            for (name, mut builder) in table.fields {
                pad(builder.as_mut(), table.rows);
                columns.push((name, builder.finish()));
            }
            columns.push(("time".to_owned(), Arc::new(table.time.finish())));
            rows += RecordBatch::try_from_iter(columns).unwrap().num_rows();
        }
        rows
    }
}

/// One buffer parsed on both cores of the machine (`Parallel`, on rayon's
/// pool) beside `next_into` on one thread, and beside two plain threads
/// each parsing one half (what the machine allows), at 256 MiB: four
/// copies of each
/// 64 MiB set, so that nothing of it is in cache, and lines whose strings
/// hold line feeds, where a cut falls inside a string and the piece after
/// it is parsed again. Each piece checksums its points as `next_into`
/// does; the sums must agree.
fn parallel(c: &mut Criterion) {
    use lineproto::parallel::Parallel;
    let mut group = c.benchmark_group("parallel");
    group.sample_size(10);
    let quadruple = |bytes: &[u8]| bytes.repeat(4);
    let mut sets: Vec<(String, Vec<u8>)> = data_sets()
        .iter()
        .filter(|set| {
            ["home-64MiB", "tsbs-cpu-64MiB", "telegraf-64MiB"].contains(&set.name.as_str())
        })
        .map(|set| (set.name.replace("64MiB", "256MiB"), quadruple(&set.bytes)))
        .collect();
    let strings = data::of_size(data::multiline_strings, 64 << 20);
    sets.push(("strings-256MiB".to_owned(), quadruple(&strings)));
    let out_of_step = data::of_size(data::out_of_step_strings, 64 << 20);
    sets.push(("out-of-step-256MiB".to_owned(), quadruple(&out_of_step)));
    for (name, bytes) in &sets {
        // Each set's sums, made once and only when one of its benchmarks
        // runs: a filtered-out group does not parse 256 MiB per set.
        let sums = std::cell::OnceCell::new();
        let expected = || *sums.get_or_init(|| sequential_sum(bytes));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(BenchmarkId::new("next_into", name), |b| {
            b.iter(|| assert_eq!(sequential_sum(black_box(bytes)), expected()))
        });
        if !name.starts_with("strings") && !name.starts_with("out-of-step") {
            // What the machine allows: two threads of its own, each
            // parsing one half, cut where a line begins (these sets hold
            // no line feed inside a line).
            let middle = bytes.len() / 2;
            let half = middle
                + bytes[middle..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(0, |lf| lf + 1);
            group.bench_function(BenchmarkId::new("two-threads", name), |b| {
                b.iter(|| {
                    let (first, second) = bytes.split_at(half);
                    let (a, b) = std::thread::scope(|scope| {
                        let other = scope.spawn(|| sequential_sum(black_box(second)));
                        (sequential_sum(black_box(first)), other.join().unwrap())
                    });
                    assert_eq!((a.0 + b.0, a.1.wrapping_add(b.1)), expected());
                })
            });
        }
        group.bench_function(BenchmarkId::new("lineproto", name), |b| {
            b.iter(|| {
                let pieces = Parallel::new().map(black_box(bytes), |points| {
                    let (mut count, mut sum, mut point) = (0, 0u64, Point::new());
                    while let Some(result) = points.next_into(&mut point) {
                        // A piece cut inside a line gives errors before it
                        // is parsed again; the sums only count points.
                        if result.is_ok() {
                            sum = sum.wrapping_add(checksum(&point));
                            count += 1;
                        }
                    }
                    (count, sum)
                });
                let total = pieces.iter().fold((0, 0u64), |(c, s), &(count, sum)| {
                    (c + count, s.wrapping_add(sum))
                });
                assert_eq!(total, expected());
            })
        });
    }
    group.finish();
}

/// An input handed out at most `size` bytes a read, as a socket delivers
/// it: to `Stream` as an `io::Read`, to `AsyncStream` as an `AsyncRead`
/// that is always ready.
struct Delivered<'a> {
    data: &'a [u8],
    size: usize,
}

impl Delivered<'_> {
    fn give(&mut self, buf: &mut [u8]) -> usize {
        let n = self.size.min(buf.len()).min(self.data.len());
        let (now, later) = self.data.split_at(n);
        buf[..n].copy_from_slice(now);
        self.data = later;
        n
    }
}

impl std::io::Read for Delivered<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        Ok(self.give(buf))
    }
}

impl tokio::io::AsyncRead for Delivered<'_> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let n = self.give(buf.initialize_unfilled());
        buf.advance(n);
        std::task::Poll::Ready(Ok(()))
    }
}

/// `AsyncStream` beside `Stream` on the same 64 MiB, delivered in reads of
/// a TCP segment (1,460 bytes) and of 64 KiB, each checksumming every
/// point: the cost of parsing as the bytes arrive in async code.
fn async_stream(c: &mut Criterion) {
    let mut group = c.benchmark_group("async_stream");
    group.sample_size(10);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for set in data_sets()
        .iter()
        .filter(|set| set.name.ends_with("-64MiB") && !set.name.starts_with("floats"))
    {
        group.throughput(Throughput::Bytes(set.bytes.len() as u64));
        for (size_name, size) in [("1460B", 1460), ("64KiB", 64 * 1024)] {
            let data = format!("{}-{size_name}", set.name);
            group.bench_function(BenchmarkId::new("Stream", &data), |b| {
                b.iter(|| {
                    let reader = Delivered {
                        data: black_box(&set.bytes),
                        size,
                    };
                    let mut stream = lineproto::Stream::new(reader);
                    let (mut count, mut sum) = (0, 0u64);
                    while let Some(chunk) = stream.next_chunk().unwrap() {
                        add_chunk(chunk, &mut count, &mut sum);
                    }
                    assert_eq!((count, sum), (set.points, set.checksum));
                })
            });
            group.bench_function(BenchmarkId::new("lineproto", &data), |b| {
                b.iter(|| {
                    runtime.block_on(async {
                        let reader = Delivered {
                            data: black_box(&set.bytes),
                            size,
                        };
                        let mut stream = lineproto::AsyncStream::new(reader);
                        let (mut count, mut sum) = (0, 0u64);
                        while let Some(chunk) = stream.next_chunk().await.unwrap() {
                            add_chunk(chunk, &mut count, &mut sum);
                        }
                        assert_eq!((count, sum), (set.points, set.checksum));
                    })
                })
            });
        }
    }
    group.finish();
}

/// The points of `bytes` and the sum of their checksums, parsed with
/// `next_into` on one thread.
fn sequential_sum(bytes: &[u8]) -> (usize, u64) {
    let (mut count, mut sum, mut point) = (0, 0u64, Point::new());
    let mut points = lineproto::parse(bytes);
    while let Some(result) = points.next_into(&mut point) {
        if result.is_ok() {
            sum = sum.wrapping_add(checksum(&point));
            count += 1;
        }
    }
    (count, sum)
}

criterion_group!(
    benches,
    parse,
    parse_reuse,
    stream,
    write,
    line_length,
    adversarial,
    validate,
    arrow,
    parallel,
    async_stream
);
criterion_main!(benches);
