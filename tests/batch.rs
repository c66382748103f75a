//! Batches: good lines kept in order, bad lines reported with their line,
//! column and text, and InfluxDB's storage rules checked above the parser.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use lineproto::{
    Batch, BatchOptions, Element, FieldType, FieldValue, LineErrorKind, ParseErrorKind,
    ParseOptions, Precision, Schema, ValidationError,
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
    let fields: Vec<(&str, FieldValue<'_>)> =
        point.fields().map(|f| (f.key(), f.value())).collect();
    assert_eq!(
        fields,
        [("b", FieldValue::Integer(2)), ("a", FieldValue::Float(3.0))]
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
fn a_name_keeps_its_kind_across_lines_and_batches() {
    let tag_then_field = parse_batch(b"m,host=a v=1\nm host=1i\nn host=1i\n");
    assert_eq!(tag_then_field.points().len(), 2);
    assert_eq!(tag_then_field.errors()[0].line(), 2);
    assert_eq!(
        validation(&tag_then_field, 0),
        ValidationError::TagAndField { key: "host".into() }
    );
    // The schema carries the kinds to the next batch, both ways.
    let mut schema = Schema::new();
    let first = Batch::parse(b"m,host=a v=1\n", &BatchOptions::new(), &mut schema);
    assert!(first.is_complete());
    let second = Batch::parse(
        b"m host=1i\nm,v=x w=1\nm,host=b v=2\n",
        &BatchOptions::new(),
        &mut schema,
    );
    let lines: Vec<usize> = second.errors().iter().map(|err| err.line()).collect();
    assert_eq!(lines, [1, 2]);
    assert_eq!(second.points().len(), 1);
}

#[test]
fn time_is_reserved_for_tags_and_fields() {
    let batch = parse_batch(b"m,time=a v=1\nm time=1\nm v=1\n");
    assert_eq!(batch.points().len(), 1);
    assert_eq!(
        validation(&batch, 0),
        ValidationError::ReservedTime {
            element: Element::TagKey
        }
    );
    assert_eq!(
        validation(&batch, 1),
        ValidationError::ReservedTime {
            element: Element::FieldKey
        }
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
                element: Element::Measurement,
                name: "_m".into()
            },
            ValidationError::ReservedUnderscore {
                element: Element::TagKey,
                name: "_t".into()
            },
            ValidationError::ReservedUnderscore {
                element: Element::FieldKey,
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

#[test]
fn a_batch_keeps_the_first_errors_and_counts_them_all() {
    let body = b"x\n".repeat(5_000);
    let batch = parse_batch(&body);
    assert_eq!(batch.errors().len(), BatchOptions::DEFAULT_MAX_ERRORS);
    assert_eq!(batch.error_count(), 5_000);
    assert_eq!(batch.errors()[99].line(), 100);
    let answer: serde_json::Value =
        serde_json::from_str(&batch.partial_write_json().unwrap()).unwrap();
    assert_eq!(
        answer["error"],
        "partial write of line protocol occurred: 5000 lines were rejected, the first 100 are listed"
    );
    assert_eq!(answer["data"].as_array().unwrap().len(), 100);

    let options = BatchOptions::new().with_max_errors(usize::MAX);
    let all = Batch::parse(&body, &options, &mut Schema::new());
    assert_eq!(all.errors().len(), 5_000);
    let none = Batch::parse(&body, &options.with_max_errors(0), &mut Schema::new());
    assert_eq!((none.errors().len(), none.error_count()), (0, 5_000));
    assert!(!none.is_complete());
    assert!(
        none.partial_write_json()
            .unwrap()
            .contains("5000 lines were rejected")
    );
}

#[test]
fn a_rejected_batch_says_that_nothing_was_written() {
    let options = BatchOptions::new().with_accept_partial(false);
    let batch = Batch::parse(b"m v=1\nm v=x\nm v=2\n", &options, &mut Schema::new());
    assert!(batch.is_rejected());
    assert!(batch.points().is_empty());
    let answer: serde_json::Value =
        serde_json::from_str(&batch.partial_write_json().unwrap()).unwrap();
    assert_eq!(
        answer["error"],
        "no points were written: line 2 was rejected and partial writes are not accepted"
    );
    assert_eq!(answer["data"][0]["line_number"], 2);
    assert!(!parse_batch(b"m v=1\nm v=x\n").is_rejected());
}

#[test]
fn new_measurements_past_the_table_cap_are_rejected() {
    let mut schema = Schema::new();
    let body: String = (0..2_500).map(|i| format!("m{i} v=1\n")).collect();
    let batch = Batch::parse(body.as_bytes(), &BatchOptions::new(), &mut schema);
    assert_eq!(batch.points().len(), Schema::DEFAULT_MAX_TABLES);
    assert_eq!(batch.error_count(), 500);
    assert_eq!(
        validation(&batch, 0),
        ValidationError::TooManyTables {
            measurement: "m2000".to_owned(),
            limit: 2_000
        }
    );
    assert_eq!(
        batch.errors()[0].message(),
        "table limit reached: measurement `m2000` would be table 2001 of at most 2000"
    );
    assert_eq!(schema.measurements().count(), 2_000);
    // Known tables still take points; new ones are still refused.
    let batch = Batch::parse(b"m7 v=2\nnew v=1\n", &BatchOptions::new(), &mut schema);
    assert_eq!(batch.points().len(), 1);
    assert_eq!(batch.errors()[0].line(), 2);
    // The cap is configurable.
    let mut small = Schema::new().with_max_tables(2);
    let batch = Batch::parse(
        b"a v=1\nb v=1\nc v=1\na v=2\n",
        &BatchOptions::new(),
        &mut small,
    );
    assert_eq!(batch.points().len(), 3);
    let mut unlimited = Schema::new().with_max_tables(usize::MAX);
    let batch = Batch::parse(body.as_bytes(), &BatchOptions::new(), &mut unlimited);
    assert!(batch.is_complete());
}

#[test]
fn points_that_would_widen_a_table_past_the_column_cap_are_rejected() {
    // time + 1 tag + 498 fields = 500 columns: at the cap.
    let fields: Vec<String> = (0..498).map(|i| format!("f{i}=1")).collect();
    let full = format!("m,t=a {}\n", fields.join(","));
    let mut schema = Schema::new();
    let batch = Batch::parse(full.as_bytes(), &BatchOptions::new(), &mut schema);
    assert!(batch.is_complete(), "{:?}", batch.errors());
    assert_eq!(schema.column_count("m"), 500);
    // Known columns are fine, in any number of points; one more is not,
    // whether a tag or a field.
    let body = b"m,t=b f0=2,f497=3\nm,u=x f0=1\nm extra=1\nm,t=c f1=1\n";
    let batch = Batch::parse(body, &BatchOptions::new(), &mut schema);
    assert_eq!(batch.points().len(), 2);
    let lines: Vec<usize> = batch.errors().iter().map(|e| e.line()).collect();
    assert_eq!(lines, [2, 3]);
    assert_eq!(
        validation(&batch, 1),
        ValidationError::TooManyColumns {
            measurement: "m".to_owned(),
            columns: 501,
            limit: 500
        }
    );
    assert_eq!(schema.column_count("m"), 500);

    // Within one batch, the columns of earlier points count.
    let mut schema = Schema::new().with_max_columns_per_table(4);
    let body = b"m,a=1 x=1\nm,b=1 y=1\nm,a=2 z=1\nm x=5\n";
    let batch = Batch::parse(body, &BatchOptions::new(), &mut schema);
    let lines: Vec<usize> = batch.errors().iter().map(|e| e.line()).collect();
    // Line 2 would make 5 (time, a, x, b, y); line 3 makes 4.
    assert_eq!(lines, [2]);
    assert_eq!(schema.column_count("m"), 4);
}

#[test]
fn a_validator_that_never_commits_stays_within_the_caps() {
    // `lp check` validates a whole stream without committing: what it
    // remembers must still be bounded by the caps.
    let mut schema = Schema::new().with_max_tables(100);
    let mut validator = lineproto::Validator::new(&mut schema);
    let mut refused = 0;
    for i in 0..10_000 {
        let line = format!("m{i},t{i}=v f{i}=1");
        let mut point = lineproto::parse(line.as_bytes()).next().unwrap().unwrap();
        if let Err(err) = validator.check(&mut point, i + 1) {
            assert!(matches!(
                err,
                ValidationError::TooManyTables { limit: 100, .. }
            ));
            refused += 1;
        }
    }
    assert_eq!(refused, 9_900);
}

/// The first tag key (in line order) that is also a field key, by
/// comparing every pair.
fn tag_also_field_oracle(tags: &[String], fields: &[String]) -> Option<String> {
    tags.iter().find(|tag| fields.contains(tag)).cloned()
}

#[test]
fn a_key_both_tag_and_field_is_found_in_lines_of_every_width() {
    for (tags, fields) in [(1, 1), (3, 5), (8, 8), (9, 8), (100, 3), (1_024, 1_024)] {
        for shared in [None, Some(0), Some(tags / 2), Some(tags - 1)] {
            let tag_keys: Vec<String> = (0..tags).map(|i| format!("t{i}")).collect();
            let mut field_keys: Vec<String> = (0..fields).map(|i| format!("f{i}")).collect();
            if let Some(index) = shared {
                let last = field_keys.len() - 1;
                field_keys[last] = tag_keys[index].clone();
            }
            let line = format!(
                "m,{} {}",
                tag_keys
                    .iter()
                    .map(|k| format!("{k}=v"))
                    .collect::<Vec<_>>()
                    .join(","),
                field_keys
                    .iter()
                    .map(|k| format!("{k}=1"))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let mut schema = Schema::new().with_max_columns_per_table(usize::MAX);
            let batch = Batch::parse(line.as_bytes(), &BatchOptions::new(), &mut schema);
            let expected = tag_also_field_oracle(&tag_keys, &field_keys);
            match expected {
                None => assert!(batch.is_complete(), "{tags}x{fields}: {:?}", batch.errors()),
                Some(key) => assert_eq!(
                    validation(&batch, 0),
                    ValidationError::TagAndField { key },
                    "{tags}x{fields}"
                ),
            }
        }
    }
}

/// A key both tag and field is found whatever the width of the line: by
/// comparing pairs, through the 64-bit filter (up to 64 tags and fields,
/// keys that share the filter's bit but differ included), or a set.
#[test]
fn a_key_both_tag_and_field_is_found_through_the_filter_of_field_keys() {
    for (tags, fields) in [(3, 3), (10, 10), (64, 64), (65, 3), (3, 100)] {
        // `kAAk`-shaped keys share length, first and last byte: one bit.
        let tag_keys: Vec<String> = (0..tags).map(|i| format!("k{i:03}k")).collect();
        let field_keys: Vec<String> = (0..fields).map(|i| format!("k{:03}k", 500 + i)).collect();
        let line = |fields: &[String]| {
            let tags: String = tag_keys.iter().map(|k| format!(",{k}=v")).collect();
            let fields: Vec<String> = fields.iter().map(|k| format!("{k}=1")).collect();
            format!("m{tags} {}\n", fields.join(","))
        };
        let body = line(&field_keys);
        let batch = parse_batch(body.as_bytes());
        assert_eq!(batch.error_count(), 0, "{tags}x{fields}");
        for clash in [0, tags / 2, tags - 1] {
            let mut keys = field_keys.clone();
            keys[fields / 2] = tag_keys[clash].clone();
            let body = line(&keys);
            let batch = parse_batch(body.as_bytes());
            let kinds: Vec<&LineErrorKind> = batch.errors().iter().map(|err| err.kind()).collect();
            assert!(
                matches!(
                    kinds[..],
                    [LineErrorKind::Validation(ValidationError::TagAndField { key })] if *key == tag_keys[clash]
                ),
                "{tags}x{fields}, clash {clash}: {kinds:?}"
            );
        }
    }
}
