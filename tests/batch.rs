//! Batches: good lines kept in order, bad lines reported with their line,
//! column and text, and InfluxDB's storage rules checked above the parser.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use lineproto::{
    Batch, BatchOptions, FieldType, FieldValue, LineErrorKind, ParseErrorKind, ParseOptions,
    Precision, Schema, ValidationError,
};

fn parse_batch(body: &[u8]) -> Batch<'_> {
    Batch::parse(body, &BatchOptions::new(), &mut Schema::new())
}

fn validation(batch: &Batch<'_>, index: usize) -> ValidationError {
    match batch.errors()[index].kind() {
        LineErrorKind::Validation(kind) => kind.clone(),
        other => panic!("not a validation error: {other:?}"),
    }
}

#[test]
fn good_lines_are_kept_in_order_around_bad_ones() {
    let body = b"a v=1\nb v=oops\n\n# note\nc v=3\nd v=\"open\ne v=5\n";
    let batch = parse_batch(body);
    let names: Vec<&str> = batch.points().iter().map(|p| p.measurement()).collect();
    assert_eq!(names, ["a", "c", "e"]);
    let lines: Vec<(usize, Option<usize>, &str)> = batch
        .errors()
        .iter()
        .map(|e| (e.line(), e.column(), e.original_line()))
        .collect();
    assert_eq!(
        lines,
        [(2, Some(5), "b v=oops"), (6, Some(5), "d v=\"open")]
    );
    assert!(!batch.is_complete());
}

#[test]
fn the_tutorial_batch_with_one_float_among_integers_is_a_type_conflict() {
    let body = include_bytes!("../examples/home.lp").to_vec();
    let text = String::from_utf8(body).unwrap();
    // The line InfluxDB's own tutorial once shipped: `co=0` among `co=0i`.
    let text = text.replacen("hum=36.0,co=0i 1641031200", "hum=36.0,co=0 1641031200", 1);
    let options = BatchOptions::new()
        .with_parse_options(ParseOptions::new().with_precision(Precision::Seconds));
    let mut schema = Schema::new();
    let batch = Batch::parse(text.as_bytes(), &options, &mut schema);
    assert_eq!(batch.points().len(), 25);
    assert_eq!(batch.errors().len(), 1);
    let error = &batch.errors()[0];
    assert_eq!(error.line(), 5);
    assert_eq!(
        validation(&batch, 0),
        ValidationError::FieldTypeConflict {
            measurement: "home".into(),
            field: "co".into(),
            existing: FieldType::Integer,
            found: FieldType::Float,
            first_line: Some(1),
        }
    );
    assert_eq!(
        error.to_string(),
        "line 5: field type conflict: field `co` of measurement `home` is integer (first written on line 1), not float"
    );
    assert_eq!(schema.field_type("home", "co"), Some(FieldType::Integer));
    assert_eq!(schema.field_type("home", "temp"), Some(FieldType::Float));
}

#[test]
fn a_schema_carries_types_from_one_batch_to_the_next() {
    let mut schema = Schema::new();
    let first = Batch::parse(b"m v=1i\n", &BatchOptions::new(), &mut schema);
    assert!(first.is_complete());
    let second = Batch::parse(b"m v=1.5\nother v=1.5\n", &BatchOptions::new(), &mut schema);
    assert_eq!(second.points().len(), 1);
    assert!(matches!(
        validation(&second, 0),
        ValidationError::FieldTypeConflict {
            first_line: None,
            existing: FieldType::Integer,
            found: FieldType::Float,
            ..
        }
    ));
    assert!(
        second.errors()[0]
            .message()
            .ends_with("is integer (already stored), not float")
    );
}

#[test]
fn a_seeded_schema_catches_conflicts_with_stored_data() {
    let mut schema = Schema::new();
    schema.insert("home", "temp", FieldType::String);
    let batch = Batch::parse(
        b"home temp=21.5\nhome temp=\"warm\"\n",
        &BatchOptions::new(),
        &mut schema,
    );
    assert_eq!(batch.points().len(), 1);
    assert_eq!(batch.errors()[0].line(), 1);
}

#[test]
fn repeated_field_keys_keep_the_last_of_one_type_and_reject_two_types() {
    let batch = parse_batch(b"m a=1,b=2i,a=3\nm a=1,a=\"x\"\n");
    let point = &batch.points()[0];
    let fields: Vec<(&str, &FieldValue<'_>)> = point
        .fields()
        .iter()
        .map(|f| (f.key(), f.value()))
        .collect();
    assert_eq!(
        fields,
        [
            ("b", &FieldValue::Integer(2)),
            ("a", &FieldValue::Float(3.0))
        ]
    );
    assert_eq!(
        validation(&batch, 0),
        ValidationError::RepeatedFieldType {
            field: "a".into(),
            first: FieldType::Float,
            second: FieldType::String,
        }
    );
}

#[test]
fn a_key_that_is_both_tag_and_field_is_rejected() {
    let batch = parse_batch(b"m,host=a host=1\n");
    assert_eq!(
        validation(&batch, 0),
        ValidationError::TagAndField { key: "host".into() }
    );
}

#[test]
fn time_is_reserved_for_tags_and_fields() {
    let batch = parse_batch(b"m,time=a v=1\nm time=1\nm v=1\n");
    assert_eq!(batch.points().len(), 1);
    assert_eq!(
        validation(&batch, 0),
        ValidationError::ReservedTime { what: "tag" }
    );
    assert_eq!(
        validation(&batch, 1),
        ValidationError::ReservedTime { what: "field" }
    );
    assert_eq!(
        batch.errors()[1].message(),
        "`time` is reserved for the timestamp and cannot be a field key"
    );
}

#[test]
fn underscore_names_are_rejected_only_when_asked() {
    let body = b"_m v=1\nm,_t=a v=1\nm _f=1\n";
    assert!(parse_batch(body).is_complete());
    let options = BatchOptions::new().with_reject_underscore_names(true);
    let strict = Batch::parse(body, &options, &mut Schema::new());
    assert!(strict.points().is_empty());
    let whats: Vec<ValidationError> = (0..3).map(|i| validation(&strict, i)).collect();
    assert_eq!(
        whats,
        [
            ValidationError::ReservedUnderscore {
                what: "measurement",
                name: "_m".into()
            },
            ValidationError::ReservedUnderscore {
                what: "tag key",
                name: "_t".into()
            },
            ValidationError::ReservedUnderscore {
                what: "field key",
                name: "_f".into()
            },
        ]
    );
}

#[test]
fn without_partial_writes_the_first_bad_line_rejects_the_batch() {
    let mut schema = Schema::new();
    let options = BatchOptions::new().with_accept_partial(false);
    let batch = Batch::parse(b"m v=1i\nm v=bad\nm v=3i\n", &options, &mut schema);
    assert!(batch.points().is_empty());
    assert_eq!(batch.errors().len(), 1);
    assert_eq!(batch.errors()[0].line(), 2);
    assert!(matches!(
        batch.errors()[0].kind(),
        LineErrorKind::Parse(ParseErrorKind::InvalidFieldValue { .. })
    ));
    assert_eq!(
        schema,
        Schema::new(),
        "a rejected batch teaches the schema nothing"
    );
}

#[test]
fn the_partial_write_answer_is_influxdbs_json() {
    let batch = parse_batch(b"m v=1\nm \"q\"\\=1\nm\tv=1\n");
    let json: serde_json::Value =
        serde_json::from_str(&batch.partial_write_json().unwrap()).unwrap();
    assert_eq!(json["error"], "partial write of line protocol occurred");
    let data = json["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["original_line"], "m \"q\"\\=1");
    assert_eq!(data[0]["line_number"], 2);
    assert_eq!(data[1]["original_line"], "m\tv=1");
    assert_eq!(
        data[1]["error_message"],
        "control character tab in measurement"
    );
    assert!(parse_batch(b"m v=1\n").partial_write_json().is_none());
}

#[test]
fn long_original_lines_are_cut() {
    let body = format!("m v={}x\n", "1".repeat(1000));
    let batch = parse_batch(body.as_bytes());
    let original = batch.errors()[0].original_line();
    assert_eq!(original.len(), 256 + '…'.len_utf8());
    assert!(original.ends_with('…'));
}
