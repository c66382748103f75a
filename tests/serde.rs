//! The `serde` feature: points and errors through serde_json and back.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

#[path = "../benches/data.rs"]
#[allow(dead_code)]
mod data;

use lineproto::{
    Batch, BatchOptions, Element, FieldValue, InvalidPoint, LineError, ParseError, ParseErrorKind,
    Point, Precision, Schema,
};
use serde_json::json;

#[test]
fn a_point_is_a_record_of_name_tags_fields_and_time() {
    let point = Point::parse_line(
        r#"home,room=Living\ Room temp=21.5,co=3i,n=7u,on=t,note="a \"b\"",temp=22 1641024000000000000"#,
    )
    .unwrap();
    let value = serde_json::to_value(&point).unwrap();
    assert_eq!(
        value,
        json!({
            "name": "home",
            "tags": [{"key": "room", "value": "Living Room"}],
            "fields": [
                {"key": "temp", "value": {"float": 21.5}},
                {"key": "co", "value": {"int": 3}},
                {"key": "n", "value": {"uint": 7}},
                {"key": "on", "value": {"bool": true}},
                {"key": "note", "value": {"string": "a \"b\""}},
                {"key": "temp", "value": {"float": 22.0}},
            ],
            "time": 1641024000000000000i64,
        })
    );
    let back: Point<'_> = serde_json::from_value(value).unwrap();
    assert_eq!(back, point);
    let none = serde_json::to_value(Point::parse_line("m f=1").unwrap()).unwrap();
    assert_eq!(none["time"], json!(null));
}

#[test]
fn every_point_of_every_data_set_comes_back_equal() {
    for input in [
        data::home(500),
        data::tsbs_cpu(200),
        data::telegraf(300),
        data::escapes(500),
        data::floats(500),
    ] {
        for point in lineproto::parse(&input) {
            let point = point.unwrap();
            let text = serde_json::to_string(&point).unwrap();
            let back: Point<'_> = serde_json::from_str(&text).unwrap();
            assert_eq!(back, point, "{text}");
            // Floats come back to the bit.
            for (a, b) in back.fields().zip(point.fields()) {
                if let (FieldValue::Float(x), FieldValue::Float(y)) = (a.value(), b.value()) {
                    assert_eq!(x.to_bits(), y.to_bits(), "{text}");
                }
            }
        }
    }
}

#[test]
fn points_are_read_owned_from_any_source() {
    let text = r#"{"name":"cpu","tags":[{"key":"host","value":"a"}],"fields":[{"key":"s","value":{"string":"x\ny"}}]}
{"name":"mem","fields":[{"key":"used","value":{"int":5}}],"time":7}"#;
    let points: Vec<Point<'static>> = serde_json::Deserializer::from_reader(text.as_bytes())
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!(points[0].tag("host"), Some("a"));
    assert_eq!(points[0].field("s"), Some(FieldValue::String("x\ny")));
    assert_eq!(points[0].timestamp(), None);
    assert_eq!(points[1].to_string(), "mem used=5i 7");
}

#[test]
fn a_record_that_is_no_valid_point_is_an_error() {
    let cases = [
        (
            json!({"name": "", "fields": [{"key": "f", "value": {"int": 1}}]}),
            "the measurement name is empty",
        ),
        (
            json!({"name": "m", "fields": []}),
            "the point has no fields",
        ),
        (
            json!({"name": "m", "tags": [{"key": "k", "value": "v\\"}], "fields": [{"key": "f", "value": {"int": 1}}]}),
            "ends in a backslash",
        ),
        (json!({"name": "m"}), "missing field `fields`"),
        (
            json!({"name": "m", "fields": [], "extra": 1}),
            "unknown field `extra`",
        ),
        (
            json!({"name": "m", "fields": [{"key": "f", "value": {"float": "1"}}]}),
            "expected a float",
        ),
        (
            json!({"name": "m", "fields": [{"key": "f", "value": {"decimal": 1}}]}),
            "unknown variant `decimal`",
        ),
    ];
    for (record, message) in cases {
        let err = serde_json::from_value::<Point<'_>>(record.clone()).unwrap_err();
        assert!(err.to_string().contains(message), "{record}: {err}");
    }
}

#[test]
fn errors_come_back_equal() {
    let errors: Vec<ParseError> = lineproto::parse(
        "m f=x\nm,t=1,t=2 f=1\nm f=\"open\nm f=1 99999999999999999999\nm\x01 f=1\n".as_bytes(),
    )
    .filter_map(Result::err)
    .collect();
    assert_eq!(errors.len(), 5);
    for err in &errors {
        let text = serde_json::to_string(err).unwrap();
        let back: ParseError = serde_json::from_str(&text).unwrap();
        assert_eq!(&back, err, "{text}");
    }
    assert_eq!(
        serde_json::to_value(&errors[1]).unwrap(),
        json!({"line": 2, "column": 7, "offset": 12, "kind": {"duplicate_tag_key": {"key": "t"}}})
    );

    let invalid = [
        InvalidPoint::TrailingBackslash {
            element: Element::TagValue,
            text: "v\\".into(),
        },
        InvalidPoint::NonFiniteFloat {
            key: "f".into(),
            value: lineproto::NonFinite::NegativeInfinity,
        },
        InvalidPoint::TimestampOverflow {
            value: 1,
            precision: Precision::Hours,
        },
        InvalidPoint::NoFields,
    ];
    for err in invalid {
        let back: InvalidPoint =
            serde_json::from_str(&serde_json::to_string(&err).unwrap()).unwrap();
        assert_eq!(back, err);
    }
    assert_eq!(
        serde_json::to_value(Precision::Microseconds).unwrap(),
        json!("us")
    );

    let batch = Batch::parse(
        b"m f=1i\nm f=1.5\nm,_t=1 f=1i\n",
        &BatchOptions::new().with_reject_underscore_names(true),
        &mut Schema::new(),
    );
    assert_eq!(batch.errors().len(), 2);
    for err in batch.errors() {
        let back: LineError = serde_json::from_str(&serde_json::to_string(err).unwrap()).unwrap();
        assert_eq!(&back, err);
    }
    assert!(matches!(
        serde_json::from_value::<ParseErrorKind>(json!("no_point")),
        Ok(ParseErrorKind::NoPoint)
    ));
}
