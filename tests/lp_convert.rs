//! `lp convert --to arrow`, as `../shared/lp-cli.md` specifies it: Arrow
//! IPC streams, one per measurement, read back here with arrow-ipc.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "common/example.rs"]
mod example;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use arrow_array::RecordBatch;
use arrow_ipc::reader::StreamReader;

/// Runs `lp ARGS` with `stdin` as standard input.
fn lp(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(example::example_binary("lp"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lp starts");
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_owned();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let output = child.wait_with_output().expect("lp runs");
    writer.join().unwrap();
    output
}

/// The batches of one Arrow IPC stream.
fn read_stream(bytes: &[u8]) -> Vec<RecordBatch> {
    StreamReader::try_new(bytes, None)
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn one_measurement_goes_to_standard_output() {
    let sample = std::fs::read("examples/home.lp").unwrap();
    let run = lp(&["convert", "--to", "arrow", "--precision", "s"], &sample);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let batches = read_stream(&run.stdout);
    assert_eq!(batches.len(), 1);
    let batch = &batches[0];
    assert_eq!(batch.num_rows(), 26);
    let names: Vec<&str> = batch
        .schema_ref()
        .fields()
        .iter()
        .map(|field| field.name().as_str())
        .collect();
    assert_eq!(names, ["room", "co", "hum", "temp", "time"]);
    assert_eq!(batch.schema().metadata()["iox::measurement::name"], "home");
}

#[test]
fn many_measurements_need_a_pick_or_a_directory() {
    let body = b"a,t=x f=1i 1\nb g=2.5 2\nb g=oops 3\n";
    let run = lp(&["convert", "--to", "arrow"], body);
    assert_eq!(run.status.code(), Some(2));
    assert!(run.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("--measurement NAME"), "{stderr}");

    let run = lp(&["convert", "--to", "arrow", "--measurement", "b"], body);
    assert_eq!(run.status.code(), Some(1));
    let batches = read_stream(&run.stdout);
    assert_eq!(batches[0].num_rows(), 1);
    assert_eq!(
        String::from_utf8_lossy(&run.stderr),
        "3:5: invalid field value: `oops` for field `g` is not a number\nb g=oops 3\n    ^\n"
    );

    let dir = std::env::temp_dir().join(format!("lp-convert-{}", std::process::id()));
    let run = lp(
        &[
            "convert",
            "--to",
            "arrow",
            "--output-dir",
            dir.to_str().unwrap(),
        ],
        b"a,t=x f=1i 1\nmy/cpu g=2.5 2\n",
    );
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files, ["a.arrows", "my%2Fcpu.arrows"]);
    let cpu = read_stream(&std::fs::read(dir.join("my%2Fcpu.arrows")).unwrap());
    assert_eq!(
        cpu[0].schema().metadata()["iox::measurement::name"],
        "my/cpu"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn convert_asks_for_its_format() {
    for args in [
        &["convert"][..],
        &["convert", "--to", "parquet"],
        &[
            "convert",
            "--to",
            "arrow",
            "--measurement",
            "a",
            "--output-dir",
            "x",
        ],
    ] {
        let run = lp(args, b"m f=1\n");
        assert_eq!(run.status.code(), Some(2), "{args:?}");
        assert!(run.stdout.is_empty());
    }
}
