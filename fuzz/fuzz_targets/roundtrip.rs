//! A structured point through the builder, the writer (at any precision)
//! and the parser: what the builder accepts is written, and reads back as
//! the same point with its timestamp floored to the precision.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use lineproto::{FieldValue, InvalidPoint, ParseOptions, Point, Precision};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    measurement: &'a str,
    tags: Vec<(&'a str, &'a str)>,
    fields: Vec<(&'a str, Value<'a>)>,
    timestamp: Option<i64>,
    precision: u8,
}

#[derive(Arbitrary, Debug)]
enum Value<'a> {
    Float(f64),
    Integer(i64),
    UInteger(u64),
    Boolean(bool),
    String(&'a str),
}

fuzz_target!(|input: Input<'_>| {
    let precision = Precision::ALL[usize::from(input.precision) % Precision::ALL.len()];
    let mut builder = Point::builder(input.measurement);
    for (key, value) in input.tags {
        builder = builder.tag(key, value);
    }
    for (key, value) in input.fields {
        builder = match value {
            Value::Float(v) => builder.field(key, v),
            Value::Integer(v) => builder.field(key, v),
            Value::UInteger(v) => builder.field(key, v),
            Value::Boolean(v) => builder.field(key, v),
            Value::String(v) => builder.field(key, v),
        };
    }
    if let Some(ts) = input.timestamp {
        builder = builder.timestamp(ts);
    }
    let point = match builder.build() {
        Ok(point) => point,
        Err(err) => return assert!(!err.to_string().is_empty()),
    };

    // The time the written line stands for: the unit it falls inside.
    let floored = point
        .timestamp()
        .map(|t| precision.to_nanos(precision.from_nanos(t)));
    let mut out = b"previous line\n".to_vec();
    match point.write_to_vec(&mut out, precision) {
        Ok(()) => {}
        Err(InvalidPoint::TimestampOutOfRange { .. }) if precision != Precision::Nanoseconds => {
            assert!(matches!(floored, Some(Err(_))), "refused a writable time");
            return assert_eq!(out, b"previous line\n", "a refused line left bytes");
        }
        Err(err) => panic!("{point:?} was built but cannot be written: {err}"),
    }
    let mut expected = point.clone();
    expected.set_timestamp(floored.map(|t| t.expect("wrote an unreadable time")));

    let options = ParseOptions::new()
        .with_precision(precision)
        .without_limits();
    let mut back = lineproto::parse_with(&out, options);
    assert!(
        back.next().is_some_and(|r| r.is_err()),
        "the previous line parsed"
    );
    let again = back
        .next()
        .expect("no point written")
        .expect("written line is bad");
    assert!(back.next().is_none(), "one point written as several lines");
    assert!(
        same(&expected, &again),
        "{point:?} written as {out:?} reads back as {again:?}"
    );
});

/// Equality with floats compared by their bits (so `-0` is not `0`).
fn same(a: &Point<'_>, b: &Point<'_>) -> bool {
    a.measurement() == b.measurement()
        && a.tags().eq(b.tags())
        && a.timestamp() == b.timestamp()
        && a.fields().len() == b.fields().len()
        && a.fields().zip(b.fields()).all(|(x, y)| {
            x.key() == y.key()
                && match (x.value(), y.value()) {
                    (FieldValue::Float(x), FieldValue::Float(y)) => x.to_bits() == y.to_bits(),
                    (x, y) => x == y,
                }
        })
}
