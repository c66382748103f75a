//! The `lp` example driven as a subprocess, against its command-line
//! contract: `parse`, `encode`, `check` and `table`, their output formats
//! and their exit statuses.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "common/example.rs"]
mod example;

use example::example_binary;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::thread;

use serde_json::{Value, json};

/// The sample of the crate: 26 points of two rooms, timestamps in seconds.
const SAMPLE: &str = include_str!("../examples/home.lp");

/// The path of the sample, for tests that pass a FILE argument.
fn sample_path() -> String {
    format!("{}/examples/home.lp", env!("CARGO_MANIFEST_DIR"))
}

/// The built example, `target/<profile>/examples/lp`, next to the
/// `deps` directory this test binary runs from. It is built once per test
/// run (a no-op when it is up to date), so a stale binary is never tested.
fn lp_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| example_binary("lp"))
}

/// What one run of `lp` produced.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn stdout_lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect()
    }
}

/// Starts `lp ARGS` with its standard streams piped.
fn spawn_lp(args: &[&str]) -> std::process::Child {
    Command::new(lp_binary())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lp starts")
}

/// Runs `lp ARGS` with `stdin` as standard input.
fn lp(args: &[&str], stdin: &str) -> Run {
    let mut child = spawn_lp(args);
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_owned();
    // `lp` may exit before reading (a usage error), so a failed write is
    // no failure of the test.
    let writer = thread::spawn(move || {
        let _ = input.write_all(stdin.as_bytes());
    });
    let output = child.wait_with_output().expect("lp runs");
    writer.join().unwrap();
    Run {
        code: output.status.code().expect("lp exits with a status"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

fn assert_usage_error(run: &Run) {
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(run.stderr.starts_with("lp: "), "{run:?}");
}

// ---------------------------------------------------------------------------
// parse
// ---------------------------------------------------------------------------

#[test]
fn parse_gives_one_object_per_point_of_the_sample() {
    let run = lp(&["parse", "--precision", "s", &sample_path()], "");
    assert_eq!(run.code, 0, "{run:?}");
    let points = run.json_lines();
    assert_eq!(points.len(), 26);

    assert_eq!(
        points[0],
        json!({
            "name": "home",
            "tags": [{"key": "room", "value": "Living Room"}],
            "fields": [
                {"key": "temp", "value": {"float": 21.1}},
                {"key": "hum", "value": {"float": 35.9}},
                {"key": "co", "value": {"int": 0}},
            ],
            "time": 1_641_024_000_000_000_000_i64,
        })
    );
    // Keys in the contract's order, floats in their shortest form.
    assert_eq!(
        run.stdout_lines()[0],
        r#"{"name":"home","tags":[{"key":"room","value":"Living Room"}],"fields":[{"key":"temp","value":{"float":21.1}},{"key":"hum","value":{"float":35.9}},{"key":"co","value":{"int":0}}],"time":1641024000000000000}"#
    );

    for (point, line) in points.iter().zip(SAMPLE.lines()) {
        let seconds: i64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        assert_eq!(point["name"], "home");
        assert_eq!(point["time"], seconds * 1_000_000_000);
        assert_eq!(point["fields"].as_array().unwrap().len(), 3);
    }
    assert_eq!(points[25]["tags"][0]["value"], "Kitchen");
    assert_eq!(points[25]["fields"][2]["value"]["int"], 26);
}

#[test]
fn parse_reports_a_bad_line_in_its_place_and_goes_on() {
    let run = lp(&["parse"], "m v=1\nm temp=oops 5\nm v=2\n");
    assert_eq!(run.code, 1, "{run:?}");
    let lines = run.json_lines();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["fields"][0]["value"]["float"], 1.0);
    assert_eq!(
        lines[1],
        json!({"error": {
            "line": 2,
            "column": 8,
            "message": "invalid field value: `oops` for field `temp` is not a number",
        }})
    );
    assert_eq!(lines[2]["fields"][0]["value"]["float"], 2.0);
    assert!(run.stderr.is_empty(), "{run:?}");
}

#[test]
fn parse_error_positions_count_blank_and_comment_lines() {
    let run = lp(&["parse"], "\n# comment\nm,t=a  x=1,y=\n");
    assert_eq!(run.code, 1);
    let lines = run.json_lines();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["error"]["line"], 3);
    assert_eq!(lines[0]["error"]["column"], 14);
    let message = lines[0]["error"]["message"].as_str().unwrap();
    assert!(message.contains("`y`"), "{message}");
}

#[test]
fn parse_prints_nothing_for_blank_and_comment_lines() {
    let run = lp(
        &["parse"],
        "\n   \n# comment\n  # indented comment\r\nm v=1\n\n",
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "{\"name\":\"m\",\"tags\":[],\"fields\":[{\"key\":\"v\",\"value\":{\"float\":1}}],\"time\":null}\n"
    );

    let run = lp(&["parse"], "# only a comment\n\n");
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
}

#[test]
fn parse_keeps_every_field_type_and_unescapes() {
    let input = concat!(
        r#"m\ x,t=a\ b\,c,e=x=y u=18446744073709551615u,i=-9223372036854775808i,"#,
        r#"f=-1.5e-3,b=T,s="say \"hi\" \\ C:\temp",big=1e300 -1"#,
        "\n"
    );
    let run = lp(&["parse"], input);
    assert_eq!(run.code, 0, "{run:?}");
    let point = &run.json_lines()[0];
    assert_eq!(point["name"], "m x");
    assert_eq!(
        point["tags"],
        json!([{"key": "t", "value": "a b,c"}, {"key": "e", "value": "x=y"}])
    );
    let fields = point["fields"].as_array().unwrap();
    let keys: Vec<&str> = fields.iter().map(|f| f["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["u", "i", "f", "b", "s", "big"]);
    assert_eq!(fields[0]["value"], json!({"uint": u64::MAX}));
    assert_eq!(fields[1]["value"], json!({"int": i64::MIN}));
    assert_eq!(fields[2]["value"], json!({"float": -0.0015}));
    assert_eq!(fields[3]["value"], json!({"bool": true}));
    assert_eq!(
        fields[4]["value"],
        json!({"string": r#"say "hi" \ C:\temp"#})
    );
    assert_eq!(fields[5]["value"], json!({"float": 1e300}));
    assert_eq!(point["time"], -1);
    // Integers print exactly, not through a float.
    assert!(run.stdout.contains(r#"{"uint":18446744073709551615}"#));
    assert!(run.stdout.contains(r#"{"int":-9223372036854775808}"#));
}

#[test]
fn parse_gives_lines_without_timestamp_the_default_time_unscaled() {
    let input = "m v=1\nm v=2 5\n";
    let run = lp(
        &[
            "parse",
            "--precision",
            "s",
            "--default-time",
            "1700000000000000000",
        ],
        input,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let times: Vec<Value> = run.json_lines().iter().map(|p| p["time"].clone()).collect();
    assert_eq!(
        times,
        [
            json!(1_700_000_000_000_000_000_i64),
            json!(5_000_000_000_i64)
        ]
    );

    let run = lp(&["parse", "--default-time=-5"], input);
    let times: Vec<Value> = run.json_lines().iter().map(|p| p["time"].clone()).collect();
    assert_eq!(times, [json!(-5), json!(5)]);

    let run = lp(&["parse"], input);
    let times: Vec<Value> = run.json_lines().iter().map(|p| p["time"].clone()).collect();
    assert_eq!(times, [Value::Null, json!(5)]);
}

#[test]
fn parse_scales_timestamps_by_the_precision() {
    let cases: [(&str, i64); 15] = [
        ("ns", 1_500),
        ("n", 1_500),
        ("nanosecond", 1_500),
        ("us", 1_500_000),
        ("u", 1_500_000),
        ("µs", 1_500_000),
        ("microsecond", 1_500_000),
        ("ms", 1_500_000_000),
        ("millisecond", 1_500_000_000),
        ("s", 1_500_000_000_000),
        ("second", 1_500_000_000_000),
        ("m", 90_000_000_000_000),
        ("minute", 90_000_000_000_000),
        ("h", 5_400_000_000_000_000),
        ("hour", 5_400_000_000_000_000),
    ];
    for (precision, nanos) in cases {
        let inline = format!("--precision={precision}");
        for args in [
            vec!["parse", "--precision", precision],
            vec!["parse", &inline],
        ] {
            let run = lp(&args, "m v=1 1500\n");
            assert_eq!(run.code, 0, "{precision}: {run:?}");
            assert_eq!(run.json_lines()[0]["time"], nanos, "{precision}");
        }
    }
    let run = lp(&["parse", "--precision", "s"], "m v=1 10000000000\n");
    assert_eq!(run.code, 1, "{run:?}");
    let error = &run.json_lines()[0]["error"];
    assert_eq!(error["line"], 1);
    assert!(
        error["message"].as_str().unwrap().contains("does not fit"),
        "{error}"
    );
}

#[test]
fn parse_reads_standard_input_without_file_or_with_dash() {
    for args in [&["parse"][..], &["parse", "-"][..]] {
        let run = lp(args, "m v=1i\n");
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(run.json_lines()[0]["fields"][0]["value"], json!({"int": 1}));
    }
}

#[test]
fn a_reader_that_goes_away_stops_lp_quietly() {
    // lp streams its input, so it may stop reading before all was written.
    let (first, code) =
        first_line_then_hang_up(&["parse", "--precision", "s"], SAMPLE.repeat(2_000));
    assert!(first.starts_with(r#"{"name":"home""#), "{first}");
    assert_eq!(code, 0);
}

// ---------------------------------------------------------------------------
// encode
// ---------------------------------------------------------------------------

#[test]
fn encode_turns_parse_output_back_into_the_sample() {
    let parsed = lp(&["parse", "--precision", "s", &sample_path()], "");
    assert_eq!(parsed.code, 0);
    let encoded = lp(&["encode", "--precision", "s"], &parsed.stdout);
    assert_eq!(encoded.code, 0, "{encoded:?}");
    assert!(encoded.stderr.is_empty(), "{encoded:?}");
    // The writer prints floats in their shortest form, `21` for `21.0`;
    // apart from that the lines come back byte for byte.
    let expected = SAMPLE.replace(".0,", ",").replace(".0 ", " ");
    assert_ne!(expected, SAMPLE);
    assert_eq!(encoded.stdout, expected);

    // And they mean the same points.
    let reparsed = lp(&["parse", "--precision", "s"], &encoded.stdout);
    assert_eq!(reparsed.stdout, parsed.stdout);
}

#[test]
fn encode_writes_canonical_lines_back_byte_for_byte() {
    let lines = concat!(
        r"home,room=Living\ Room temp=21.1,hum=35.9,co=0i 1641024000",
        "\n",
        r#"m\,x,t\ k=v\=1 s="a \"q\" \ C:\temp\\",u=1u,i=-1i,b=true,f=0.5,g=1e300 -1"#,
        "\n",
        "m,multi=line s=\"one\ntwo\"\n",
    );
    let parsed = lp(&["parse", "--precision", "ms"], lines);
    assert_eq!(parsed.code, 0, "{parsed:?}");
    let encoded = lp(&["encode", "--precision", "ms"], &parsed.stdout);
    assert_eq!(encoded.code, 0, "{encoded:?}");
    assert_eq!(encoded.stdout, lines);
}

#[test]
fn encode_converts_time_to_the_precision_by_flooring() {
    let input = concat!(
        r#"{"name":"m","tags":[],"fields":[{"key":"v","value":{"float":1}}],"time":-1}"#,
        "\n",
        r#"{"name":"m","tags":[],"fields":[{"key":"v","value":{"float":1}}],"time":1999999999}"#,
        "\n",
        r#"{"name":"m","tags":[],"fields":[{"key":"v","value":{"float":1}}],"time":null}"#,
        "\n",
        r#"{"name":"m","fields":[{"key":"v","value":{"uint":7}}]}"#,
        "\n",
    );
    let run = lp(&["encode", "--precision", "s"], input);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "m v=1 -1\nm v=1 1\nm v=1\nm v=7u\n");

    let run = lp(&["encode", "--precision=ms"], input);
    assert_eq!(run.stdout, "m v=1 -1\nm v=1 1999\nm v=1\nm v=7u\n");

    let run = lp(&["encode"], input);
    assert_eq!(run.stdout, "m v=1 -1\nm v=1 1999999999\nm v=1\nm v=7u\n");
}

#[test]
fn encode_reports_bad_records_by_line_and_writes_the_good_ones() {
    let good = r#"{"name":"m","tags":[],"fields":[{"key":"v","value":{"int":1}}],"time":5}"#;
    let bad = [
        // 2: no fields
        r#"{"name":"m","tags":[],"fields":[],"time":null}"#,
        // 3: empty name
        r#"{"name":"","tags":[],"fields":[{"key":"v","value":{"int":1}}],"time":null}"#,
        // 4: a float given as a string
        r#"{"name":"m","tags":[],"fields":[{"key":"v","value":{"float":"1.5"}}],"time":null}"#,
        // 5: an error record of `parse`
        r#"{"error":{"line":3,"column":17,"message":"invalid field value"}}"#,
        // 6: not JSON
        r#"{"name":"m","#,
        // 7: int out of range
        r#"{"name":"m","fields":[{"key":"v","value":{"int":9223372036854775808}}]}"#,
        // 8: two types at once
        r#"{"name":"m","fields":[{"key":"v","value":{"float":1,"int":1}}]}"#,
        // 9: empty field key
        r#"{"name":"m","fields":[{"key":"","value":{"bool":true}}]}"#,
        // 10: time is not an integer
        r#"{"name":"m","fields":[{"key":"v","value":{"bool":true}}],"time":1.5}"#,
    ];
    let input = format!("{good}\n{}\n{good}\n", bad.join("\n"));
    let run = lp(&["encode"], &input);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.stdout, "m v=1i 5\nm v=1i 5\n");

    let complaints: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(complaints.len(), bad.len(), "{}", run.stderr);
    for (complaint, line) in complaints.iter().zip(2..) {
        assert!(
            complaint.starts_with(&format!("lp: line {line}: ")),
            "{complaint}"
        );
    }
    assert!(complaints[0].contains("no fields"), "{}", complaints[0]);
    assert!(
        complaints[1].contains("measurement name is empty"),
        "{}",
        complaints[1]
    );
    assert!(complaints[2].contains("float"), "{}", complaints[2]);
    assert!(complaints[3].contains("error record"), "{}", complaints[3]);
    assert!(complaints[4].contains("invalid JSON"), "{}", complaints[4]);
}

#[test]
fn encode_skips_blank_lines_but_counts_them() {
    let run = lp(&["encode"], "\n  \n{\"name\":\"m\"}\n\n");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.is_empty());
    assert!(run.stderr.starts_with("lp: line 3: "), "{}", run.stderr);

    let run = lp(&["encode"], "\n\n");
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "")
    );
}

// ---------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------

#[test]
fn check_shows_each_bad_line_with_a_caret_and_a_summary() {
    let input = "m v=1\n\nm temp=oops 5\n# comment\nm\ts=1\nm v=2\n";
    let run = lp(&["check"], input);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.stdout,
        concat!(
            "3:8: invalid field value: `oops` for field `temp` is not a number\n",
            "m temp=oops 5\n",
            "       ^\n",
            "5:2: control character tab in measurement\n",
            "m\ts=1\n",
            " ^\n",
            "6 lines, 2 points, 2 errors\n",
        )
    );
}

#[test]
fn check_lines_the_caret_up_under_tabs_and_multibyte_text() {
    let line = "m s=\"é\tx\",v=bad";
    let run = lp(&["check"], &format!("{line}\r\n"));
    assert_eq!(run.code, 1, "{run:?}");
    let column = line.find("bad").unwrap() + 1;
    let lines = run.stdout_lines();
    assert_eq!(lines.len(), 4, "{}", run.stdout);
    assert!(
        lines[0].starts_with(&format!("1:{column}: ")),
        "{}",
        lines[0]
    );
    assert_eq!(lines[1], line);
    // `m s="é` is six characters (seven bytes), then the tab, then `x",v=`.
    assert_eq!(lines[2], "      \t     ^");
    assert_eq!(lines[3], "1 lines, 0 points, 1 errors");
}

#[test]
fn check_draws_control_characters_so_they_cannot_garble_the_report() {
    let run = lp(&["check"], "m v=1\rx\nm\x1b[2J v=1\nm v=1 5\r");
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.stdout,
        concat!(
            "1:6: expected `,`, space or end of line after value of field `v`, found carriage return\n",
            "m v=1\u{240d}x\n",
            "     ^\n",
            "2:2: control character byte 0x1B in measurement\n",
            "m\u{241b}[2J v=1\n",
            " ^\n",
            "3:8: expected end of line after timestamp, found carriage return\n",
            "m v=1 5\u{240d}\n",
            "       ^\n",
            "3 lines, 0 points, 3 errors\n",
        )
    );
}

#[test]
fn check_counts_physical_lines() {
    let run = lp(&["check", &sample_path()], "");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "26 lines, 26 points, 0 errors\n")
    );

    for (input, summary) in [
        ("", "0 lines, 0 points, 0 errors\n"),
        ("\n", "1 lines, 0 points, 0 errors\n"),
        ("m v=1", "1 lines, 1 points, 0 errors\n"),
        ("m v=1\nm v=2", "2 lines, 2 points, 0 errors\n"),
        ("m v=1\r\nm v=2\r\n", "2 lines, 2 points, 0 errors\n"),
        ("m s=\"a\nb\"\n# c\n\n", "4 lines, 1 points, 0 errors\n"),
    ] {
        let run = lp(&["check"], input);
        assert_eq!((run.code, run.stdout.as_str()), (0, summary), "{input:?}");
    }
}

#[test]
fn check_applies_the_precision() {
    let run = lp(&["check", "--precision", "h"], "m v=1 9223372036854\n");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.starts_with("1:7: "), "{}", run.stdout);
    assert!(run.stdout.ends_with("1 lines, 0 points, 1 errors\n"));
}

// ---------------------------------------------------------------------------
// table
// ---------------------------------------------------------------------------

#[test]
fn table_of_the_sample_equals_the_expected_file() {
    let expected = include_str!("data/home-table.md");
    let run = lp(&["table", "--precision", "s", &sample_path()], "");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, expected);
}

#[test]
fn table_prints_one_titled_table_per_measurement() {
    let input = concat!(
        "mem,host=b used=10i 2000000000\n",
        "cpu,host=b,cpu=0 usage=0.5 1000000000\n",
        "cpu,host=a usage=1.25,note=\"x|y\" 1500000000\n",
        "mem,host=a used=7i,ok=true\n",
        "cpu,host=a usage=2 500000000\n",
    );
    let run = lp(&["table"], input);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        concat!(
            "name: cpu\n",
            "| time                   | cpu | host | note | usage |\n",
            "| :--------------------- | :-- | :--- | :--- | ----: |\n",
            "| 1970-01-01T00:00:00.5Z |     | a    |      |     2 |\n",
            "| 1970-01-01T00:00:01.5Z |     | a    | x\\|y |  1.25 |\n",
            "| 1970-01-01T00:00:01Z   | 0   | b    |      |   0.5 |\n",
            "\n",
            "name: mem\n",
            "| time                 | host | ok   | used |\n",
            "| :------------------- | :--- | :--- | ---: |\n",
            "|                      | a    | true |    7 |\n",
            "| 1970-01-01T00:00:02Z | b    |      |   10 |\n",
        )
    );
}

#[test]
fn table_formats_times_in_utc_across_the_whole_range() {
    let input = concat!(
        "m v=1 -1\n",
        "m v=2 -86400000000000\n",
        "m v=3 951782400123000000\n",
        "m v=4 -9223372036854775808\n",
        "m v=5 9223372036854775807\n",
        "m v=6 0\n",
        "m v=7\n",
    );
    let run = lp(&["table"], input);
    assert_eq!(run.code, 0, "{run:?}");
    let rows: Vec<(String, String)> = run.stdout_lines()[2..]
        .iter()
        .map(|row| {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            (cells[1].to_owned(), cells[2].to_owned())
        })
        .collect();
    let expected = [
        ("", "7"),
        ("1677-09-21T00:12:43.145224192Z", "4"),
        ("1969-12-31T00:00:00Z", "2"),
        ("1969-12-31T23:59:59.999999999Z", "1"),
        ("1970-01-01T00:00:00Z", "6"),
        ("2000-02-29T00:00:00.123Z", "3"),
        ("2262-04-11T23:47:16.854775807Z", "5"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(time, v)| ((*time).to_owned(), (*v).to_owned()))
        .collect();
    assert_eq!(rows, expected);
}

#[test]
fn table_uses_the_last_of_repeated_fields_and_aligns_by_type() {
    let input = "m,b=x v=1,v=2.5,s=\"wide\ttext\",n=-3i,u=4u 1\nm v=10 2\n";
    let run = lp(&["table"], input);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        concat!(
            "| time                           | b   |   n | s          |   u |   v |\n",
            "| :----------------------------- | :-- | --: | :--------- | --: | --: |\n",
            "| 1970-01-01T00:00:00.000000002Z |     |     |            |     |  10 |\n",
            "| 1970-01-01T00:00:00.000000001Z | x   |  -3 | wide\\ttext |   4 | 2.5 |\n",
        )
    );
}

#[test]
fn table_reports_bad_lines_on_stderr_and_fails() {
    let run = lp(&["table"], "m v=1 1000000000\nm v=oops\n");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("| 1970-01-01T00:00:01Z |"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("line 2, column 5"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------
// usage
// ---------------------------------------------------------------------------

#[test]
fn usage_and_io_errors_exit_with_status_2() {
    assert_usage_error(&lp(&[], ""));
    assert_usage_error(&lp(&["frobnicate"], "m v=1\n"));
    assert_usage_error(&lp(&["parse", "--precision", "sec"], "m v=1\n"));
    assert_usage_error(&lp(&["table", "--precision=NS"], "m v=1\n"));
    assert_usage_error(&lp(&["parse", "--precision"], "m v=1\n"));
    assert_usage_error(&lp(&["parse", "--default-time", "soon"], "m v=1\n"));
    assert_usage_error(&lp(&["encode", "--default-time", "5"], ""));
    assert_usage_error(&lp(&["check", "--verbose"], "m v=1\n"));
    assert_usage_error(&lp(&["parse", "a.lp", "b.lp"], ""));

    let missing = lp(&["parse", "/nonexistent/lineproto/missing.lp"], "");
    assert_usage_error(&missing);
    assert!(missing.stderr.contains("missing.lp"), "{missing:?}");

    let unknown = lp(&["frobnicate"], "");
    assert!(unknown.stderr.contains("frobnicate"), "{unknown:?}");
    let precision = lp(&["parse", "--precision", "sec"], "");
    assert!(precision.stderr.contains("sec"), "{precision:?}");
}

#[test]
fn help_prints_the_usage_on_stdout() {
    for args in [&["--help"][..], &["help"][..], &["parse", "-h"][..]] {
        let run = lp(args, "");
        assert_eq!(run.code, 0, "{run:?}");
        assert!(run.stdout.starts_with("usage: lp parse"), "{run:?}");
    }
}

// ---------------------------------------------------------------------------
// check: storage rules and the partial-write answer
// ---------------------------------------------------------------------------

#[test]
fn check_reports_storage_rules_at_column_one() {
    let run = lp(&["check"], "m v=1i\nm v=1.5\nm,t=a t=1\nm v=2i\n");
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.stdout,
        "2:1: field type conflict: field `v` of measurement `m` is integer (first written on line 1), not float\n\
         m v=1.5\n\
         ^\n\
         3:1: `t` is both a tag and a field\n\
         m,t=a t=1\n\
         ^\n\
         4 lines, 2 points, 2 errors\n"
    );
}

#[test]
fn check_json_is_influxdbs_partial_write_answer() {
    let run = lp(
        &["check", "--format", "json"],
        "m v=1i\nm v=oops\nm v=1.5\n",
    );
    assert_eq!(run.code, 1, "{run:?}");
    let answer: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(answer["error"], "partial write of line protocol occurred");
    let data = answer["data"].as_array().unwrap();
    let lines: Vec<(i64, &str)> = data
        .iter()
        .map(|e| {
            (
                e["line_number"].as_i64().unwrap(),
                e["original_line"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(lines, [(2, "m v=oops"), (3, "m v=1.5")]);
    assert!(
        data[0]["error_message"]
            .as_str()
            .unwrap()
            .starts_with("invalid field value")
    );

    let clean = lp(
        &["check", "--format=json", "--precision", "s", &sample_path()],
        "",
    );
    assert_eq!(
        (clean.code, clean.stdout.as_str()),
        (0, "{\"data\":[]}\n"),
        "{clean:?}"
    );
}

#[test]
fn check_rejects_an_unknown_format() {
    let run = lp(&["check", "--format", "xml"], "");
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("invalid --format `xml`"), "{run:?}");
}

// ---------------------------------------------------------------------------
// Hostile input, limits and a failing output
// ---------------------------------------------------------------------------

/// The rows of a pipe table, each checked to have as many characters as
/// the header row: the columns line up however wide a cell is.
fn aligned_rows(table: &str) -> Vec<&str> {
    let rows: Vec<&str> = table.lines().collect();
    let width = rows[0].chars().count();
    for row in &rows {
        assert_eq!(row.chars().count(), width, "a row out of line");
    }
    rows
}

#[test]
fn table_lines_up_cells_wider_than_a_format_width() {
    // A format width is a u16: cells of 65,536 characters and more used to
    // make `table` panic.
    let tag = "t".repeat(70_000);
    let at_limit = "s".repeat(65_536);
    let pipes = "|".repeat(32_768); // shown as `\|`: 65,536 characters
    let emoji = "🦀".repeat(65_536);
    let input = format!(
        "m,tag={tag} s=\"{at_limit}\" 1\nm,tag=b s=\"{pipes}\" 2\nm,tag=c s=\"{emoji}\" 3\n"
    );
    let run = lp(&["table", "--max-string-length", "0"], &input);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows = aligned_rows(&run.stdout);
    assert_eq!(rows.len(), 5);
    assert!(rows[2].contains(&tag) || rows[3].contains(&tag) || rows[4].contains(&tag));
    assert!(run.stdout.contains(&at_limit));
    assert!(run.stdout.contains(&"\\|".repeat(32_768)));
    assert!(run.stdout.contains(&emoji));
    // A header as wide.
    let key = "k".repeat(66_000);
    let run = lp(&["table"], &format!("m {key}=1i 1\n"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(aligned_rows(&run.stdout)[0].contains(&key));
}

/// Runs `lp ARGS` on `input`, reads the first line of its output and then
/// closes the pipe, as `lp ARGS | head -1` does; returns that line and
/// the exit status.
fn first_line_then_hang_up(args: &[&str], input: String) -> (String, i32) {
    let mut child = spawn_lp(args);
    let mut stdin = child.stdin.take().unwrap();
    // lp may stop reading once its reader has gone: a failed write is no
    // failure of the test.
    let writer = thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut first = String::new();
    {
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut first).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    (first, output.status.code().unwrap())
}

#[test]
fn a_reader_that_goes_away_keeps_the_verdict_of_the_lines_read() {
    let bad = "m v=oops\n".repeat(200_000);
    let (first, code) = first_line_then_hang_up(&["check"], bad.clone());
    assert!(first.starts_with("1:5: invalid field value"), "{first}");
    assert_eq!(code, 1);
    let (first, code) = first_line_then_hang_up(&["check", "--format", "json"], bad.clone());
    assert!(first.starts_with("{\"error\""), "{first}");
    assert_eq!(code, 1);
    let (first, code) = first_line_then_hang_up(&["parse"], bad);
    assert!(first.starts_with("{\"error\""), "{first}");
    assert_eq!(code, 1);
}

#[test]
fn a_closed_standard_output_exits_2() {
    let run = |redirect: &str| {
        Command::new("sh")
            .arg("-c")
            .arg(format!("exec \"$0\" parse --precision s \"$1\" {redirect}"))
            .arg(lp_binary())
            .arg(sample_path())
            .output()
            .unwrap()
    };
    let closed = run(">&-");
    assert_eq!(closed.status.code(), Some(2), "{closed:?}");
    assert_eq!(
        String::from_utf8_lossy(&closed.stderr),
        "lp: cannot write the output: standard output is closed\n"
    );
    // Output thrown away on purpose is no failure.
    let discarded = run(">/dev/null");
    assert_eq!(discarded.status.code(), Some(0), "{discarded:?}");
    // A device that refuses writes is a write failure.
    if Path::new("/dev/full").exists() {
        let full = run(">/dev/full");
        assert_eq!(full.status.code(), Some(2), "{full:?}");
        assert!(
            String::from_utf8_lossy(&full.stderr).starts_with("lp: cannot write the output: "),
            "{full:?}"
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn check_memory_stays_bounded_whatever_the_number_of_bad_lines() {
    // Every bad line is reported as it is found, not kept: 1,000,000 bad
    // lines used to hold about 145 MB.
    let lines = 1_000_000;
    for format in ["text", "json"] {
        let mut child = spawn_lp(&["check", "--format", format]);
        let mut stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        // Count the output as it comes, so lp never waits on a full pipe.
        let reader = thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut buffer = Vec::new();
            let mut bytes = 0;
            loop {
                buffer.clear();
                match reader.read_until(b'\n', &mut buffer).unwrap() {
                    0 => return bytes,
                    n => bytes += n,
                }
            }
        });
        let chunk = "x\n".repeat(10_000);
        for _ in 0..lines / 10_000 {
            stdin.write_all(chunk.as_bytes()).unwrap();
        }
        stdin.flush().unwrap();
        // Wait until lp has read all of it (it has written the last line's
        // report), with stdin still open so that lp is still running.
        let pid = child.id();
        let status = format!("/proc/{pid}/status");
        let peak_kib = |text: &str| -> u64 {
            text.lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap()
        };
        let mut peak = 0;
        for _ in 0..600 {
            let io = std::fs::read_to_string(format!("/proc/{pid}/io")).unwrap_or_default();
            let read: u64 = io
                .lines()
                .find_map(|line| line.strip_prefix("rchar:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            peak = peak_kib(&std::fs::read_to_string(&status).unwrap());
            if read >= 2 * lines as u64 {
                break;
            }
            thread::sleep(std::time::Duration::from_millis(100));
        }
        drop(stdin);
        let output = child.wait_with_output().unwrap();
        let written = reader.join().unwrap();
        assert_eq!(output.status.code(), Some(1));
        assert!(written > 20 * lines, "{written}");
        assert!(peak < 64 * 1024, "{format}: peak RSS {peak} KiB");
    }
}

#[test]
fn check_caps_the_tables_and_columns_it_remembers() {
    let input: String = (0..2_100).map(|i| format!("m{i} v=1\n")).collect();
    let run = lp(&["check"], &input);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.starts_with(
            "2001:1: table limit reached: measurement `m2000` would be table 2001 of at most 2000\n"
        ),
        "{}",
        &run.stdout[..200]
    );
    assert!(
        run.stdout
            .ends_with("2100 lines, 2000 points, 100 errors\n")
    );
    let run = lp(&["check", "--max-tables", "0"], &input);
    assert_eq!(run.code, 0, "{run:?}");
    let run = lp(
        &["check", "--max-tables=10", "--max-columns-per-table", "2"],
        "a v=1\nb v=1,w=2\n",
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .starts_with("2:1: column limit reached: measurement `b` would have 3 columns"),
        "{run:?}"
    );
    assert_usage_error(&lp(&["check", "--max-tables", "many"], ""));
    assert_usage_error(&lp(&["parse", "--max-tables", "1"], ""));
}

#[test]
fn the_parser_limits_can_be_raised_lowered_and_lifted() {
    let long = format!("m s=\"{}\"\n", "x".repeat(100_000));
    assert_eq!(lp(&["parse"], &long).code, 1);
    let run = lp(&["parse", "--max-string-length", "0"], &long);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.json_lines()[0]["fields"][0]["value"]["string"]
            .as_str()
            .unwrap()
            .len(),
        100_000
    );

    let run = lp(&["parse", "--max-tags", "1"], "m,a=1,b=2 v=1\n");
    assert_eq!(
        run.json_lines()[0]["error"]["message"],
        "more than 1 tags in one line"
    );
    let run = lp(&["check", "--max-fields=1"], "m a=1,b=2\n");
    assert!(
        run.stdout
            .starts_with("1:7: more than 1 fields in one line"),
        "{run:?}"
    );
    let run = lp(&["table", "--max-line-length", "8"], "m v=1 1\nm v=1 123\n");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("line 2, column 9: line is longer than the limit of 8 bytes"),
        "{run:?}"
    );
    let run = lp(
        &[
            "parse",
            "--max-line-length",
            "0",
            "--max-tags",
            "0",
            "--max-fields",
            "0",
        ],
        "m v=1\n",
    );
    assert_eq!(run.code, 0, "{run:?}");

    assert_usage_error(&lp(&["parse", "--max-tags", "-1"], ""));
    assert_usage_error(&lp(&["parse", "--max-line-length"], ""));
    assert_usage_error(&lp(&["encode", "--max-tags", "2"], ""));
}

#[test]
fn a_byte_order_mark_at_the_start_is_skipped() {
    let run = lp(&["parse"], "\u{feff}home v=1 1\n\u{feff}m v=2 2\n");
    assert_eq!(run.code, 0, "{run:?}");
    let points = run.json_lines();
    assert_eq!(points[0]["name"], "home");
    assert_eq!(points[1]["name"], "\u{feff}m");
    let run = lp(&["check"], "\u{feff}m v=x\n");
    assert!(run.stdout.starts_with("1:5: "), "{run:?}");
}

#[test]
fn a_stray_quote_loses_no_good_line() {
    let mut input = String::from("m s=\"never closed\n");
    for i in 0..10_000 {
        input.push_str(&format!("cpu,host=h{i} usage=0.5 {i}\n"));
    }
    input.push_str("m s=\"pairs with the stray quote\" 1\n");
    let run = lp(&["check", "--max-line-length", "65536"], &input);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .starts_with("1:18: line is longer than the limit of 65536 bytes\n"),
        "{run:?}"
    );
    assert!(
        run.stdout
            .ends_with("10002 lines, 10001 points, 1 errors\n"),
        "{run:?}"
    );
}
