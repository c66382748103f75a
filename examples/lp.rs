//! `lp`: line protocol on the command line, built on `lineproto`.
//!
//! ```text
//! cargo run --release --example lp -- parse  [--precision P] [--default-time NS] [FILE]
//! cargo run --release --example lp -- encode [--precision P] [FILE]
//! cargo run --release --example lp -- check  [--precision P] [FILE]
//! cargo run --release --example lp -- table  [--precision P] [FILE]
//! cargo run --release --example lp -- convert --to arrow [--measurement NAME | --output-dir DIR] [FILE]
//! ```
//!
//! `parse`, `check` and `table` also take the parser's limits:
//! `--max-line-length BYTES`, `--max-tags N`, `--max-fields N` and
//! `--max-string-length BYTES`, each `0` for no limit; the defaults are the
//! crate's (16 MiB, 1,024, 1,024, 64 KiB).
//!
//! FILE absent or `-` reads standard input. P is the timestamp precision:
//! `ns`, `us`, `µs`, `ms`, `s`, `m` or `h` (also `n`, `u` and the long names
//! `nanosecond` ... `hour`); the default is `ns`. Options may also be
//! written `--precision=P`.
//!
//! - `parse` turns line protocol into JSON Lines: one object per point,
//!   `{"name":..,"tags":[{"key":..,"value":..}],"fields":[{"key":..,"value":{"float":21.1}}],"time":..}`,
//!   with the field value one of `float`, `int`, `uint`, `bool`, `string`
//!   and `time` in nanoseconds (or `null`). A bad line prints
//!   `{"error":{"line":L,"column":C,"message":M}}` in its place. Lines
//!   without a timestamp get `--default-time NS` (nanoseconds, not scaled).
//! - `encode` reads that JSON back and writes line protocol, timestamps
//!   converted to the precision (floored). A record that is not a valid
//!   point writes nothing and is reported, with its line number, on
//!   standard error.
//! - `check` prints each bad line the way a compiler shows an error
//!   (`LINE:COLUMN: message`, the line, a caret under the column) and ends
//!   with `N lines, N points, N errors`. Besides syntax it applies
//!   InfluxDB's storage rules (field type conflicts, repeated fields of two
//!   types, a key both tag and field, `time` as a key, and InfluxDB 3
//!   Core's caps of 2,000 tables and 500 columns per table, changed with
//!   `--max-tables N` and `--max-columns-per-table N`, `0` for none); a line
//!   breaking one is shown at column 1. Past a cap, every line that would
//!   add a table or column is reported; the lines of known tables are
//!   still checked. With `--format json` it prints InfluxDB's partial-write
//!   answer instead: `{"error":"partial write of line protocol
//!   occurred","data":[{"original_line":..,"line_number":..,
//!   "error_message":..}]}`, or `{"data":[]}` when every line is good.
//!   Either way each bad line is written as soon as it is found, so the
//!   memory `check` takes does not grow with the number of bad lines.
//! - `table` prints the points as pipe tables, one per measurement, sorted by
//!   series and time, with RFC 3339 times:
//!   `cargo run --release --example lp -- table --precision s examples/home.lp`.
//!   `--default-time NS` works here (and for `check`) as for `parse`.
//! - `convert --to arrow` writes the points as Arrow IPC streams, one per
//!   measurement, in the schema InfluxDB 3 uses (`lineproto::arrow`): to
//!   standard output when the input holds one measurement or
//!   `--measurement NAME` picks one, otherwise into `--output-dir DIR` as
//!   `DIR/<measurement>.arrows` (the name percent-encoded where it is not a
//!   safe file name). Bad lines are reported on standard error as `check`
//!   reports them, and add nothing.
//!
//! `parse`, `check`, `table` and `convert` read their input as a stream,
//! with the input's memory bounded by the longest line (16 MiB at most),
//! so a file of any size can be piped through them; `table` keeps the
//! points it prints, and `convert` the columns it writes.
//!
//! Exit status: 0 when every line is good, 1 when any line failed, 2 for a
//! usage or I/O error (with a message on standard error). When the reader
//! of standard output goes away (`lp check big.lp | head`: a broken pipe),
//! `lp` stops at once, quietly, with the status of the lines it had read:
//! 1 if any of them failed, else 0. Any other failure to write standard
//! output, a closed standard output (`>&-`) included, exits 2 with a
//! message.

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lineproto::arrow::Conversion;
use lineproto::{
    BatchOptions, FieldValue, LineError, ParseError, ParseOptions, Point, Precision, Schema,
    Stream, StreamError, Validator,
};
use serde::Serialize;
use serde_json::Value;

#[path = "common/cli.rs"]
mod cli;
#[path = "common/table.rs"]
mod table;

use table::control_picture;

const SYNOPSIS: &str = "\
usage: lp parse  [--precision P] [--default-time NS] [LIMITS] [FILE]
       lp encode [--precision P] [FILE]
       lp check  [--precision P] [--format text|json] [--max-tables N]
                 [--max-columns-per-table N] [LIMITS] [FILE]
       lp table  [--precision P] [LIMITS] [FILE]
       lp convert --to arrow [--measurement NAME | --output-dir DIR]
                 [--precision P] [--max-tables N] [--max-columns-per-table N]
                 [LIMITS] [FILE]
";

const DETAILS: &str = "
  parse   line protocol in, one JSON object per point out
  encode  JSON Lines in (the schema `parse` writes), line protocol out
  check   report bad lines with a caret under the column, then a summary
  table   the points as pipe tables, one per measurement
  convert the points as Arrow IPC streams, one per measurement

FILE absent or `-` reads standard input. P is ns, us, µs, ms, s, m or h
(also n, u and the long names nanosecond ... hour); the default is ns.
NS is a time in nanoseconds since the Unix epoch, given to lines without
a timestamp (parse, check, table).

LIMITS, for parse, check and table (0 lifts a limit):
  --max-line-length BYTES    default 16777216 (16 MiB)
  --max-tags N               default 1024
  --max-fields N             default 1024
  --max-string-length BYTES  default 65536 (64 KiB, unescaped)
check's caps on what it remembers (0 lifts a cap):
  --max-tables N             default 2000
  --max-columns-per-table N  default 500 (time, tags and fields)

Exit status: 0 all lines good, 1 some line failed, 2 usage or I/O error.
When the reader of the output goes away, the status of the lines read.
";

fn main() -> ExitCode {
    let invocation = match parse_args(std::env::args_os().skip(1)) {
        Ok(Request::Run(invocation)) => invocation,
        Ok(Request::Help) => return print_help(),
        Err(message) => {
            report(format_args!("{message}\n{SYNOPSIS}(`lp --help` says more)"));
            return ExitCode::from(2);
        }
    };
    let input = match invocation.input.open() {
        Ok(input) => input,
        Err(message) => {
            report(message);
            return ExitCode::from(2);
        }
    };

    if standard_output_is_closed() {
        report("cannot write the output: standard output is closed");
        return ExitCode::from(2);
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failures = 0;
    let result = invocation
        .run(input, &mut out, &mut failures)
        .and_then(|()| out.flush().map_err(Failure::Output));
    let verdict = if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    match result {
        Ok(()) => verdict,
        // The reader has gone (`lp check big.lp | head`): nobody is left to
        // tell, so stop quietly, with the status of the lines read.
        Err(Failure::Output(err)) if err.kind() == io::ErrorKind::BrokenPipe => verdict,
        Err(Failure::Output(err)) => {
            report(format_args!("cannot write the output: {err}"));
            ExitCode::from(2)
        }
        Err(Failure::Input(err)) => {
            report(format_args!("cannot read {}: {err}", invocation.input));
            ExitCode::from(2)
        }
        Err(Failure::Usage(message)) => {
            report(message);
            ExitCode::from(2)
        }
    }
}

/// Whether the program was started with standard output closed (`>&-`).
///
/// The Rust runtime then opens `/dev/null` in its place before `main`, so
/// every write would succeed and the output be lost without a word. That
/// replacement is told apart from a `> /dev/null` of the shell by its
/// access mode: the runtime opens it for reading and writing, a shell's
/// redirection for writing only. Only Linux shows this (in `/proc`);
/// elsewhere a closed standard output goes unnoticed.
fn standard_output_is_closed() -> bool {
    let is_dev_null =
        fs::read_link("/proc/self/fd/1").is_ok_and(|path| path == Path::new("/dev/null"));
    is_dev_null
        && fs::read_to_string("/proc/self/fdinfo/1").is_ok_and(|info| {
            info.lines()
                .find_map(|line| line.strip_prefix("flags:"))
                .and_then(|flags| u32::from_str_radix(flags.trim(), 8).ok())
                // O_ACCMODE is 3, O_RDWR 2.
                .is_some_and(|flags| flags & 3 == 2)
        })
}

/// An I/O error, by the side it happened on.
#[derive(Debug)]
enum Failure {
    Input(io::Error),
    Output(io::Error),
    /// The input asks for something the command line did not say.
    Usage(String),
}

/// Most `?`s in the subcommands are writes.
impl From<io::Error> for Failure {
    fn from(err: io::Error) -> Self {
        Failure::Output(err)
    }
}

/// Prints the usage text on standard output.
fn print_help() -> ExitCode {
    let mut stdout = io::stdout().lock();
    let written = stdout
        .write_all(SYNOPSIS.as_bytes())
        .and_then(|()| stdout.write_all(DETAILS.as_bytes()));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(2),
    }
}

/// Writes `lp: message` to standard error. A failing standard error leaves
/// nowhere to complain, so its errors are ignored (unlike `eprintln!`,
/// which would panic).
fn report(message: impl fmt::Display) {
    let _ = writeln!(io::stderr().lock(), "lp: {message}");
}

// ---------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------

/// What the command line asks for.
enum Request {
    Help,
    Run(Box<Invocation>),
}

/// A subcommand with its options and input.
struct Invocation {
    subcommand: Subcommand,
    precision: Precision,
    default_time: Option<i64>,
    /// The parser's limits, without the precision and default time.
    limits: ParseOptions,
    /// `check`'s caps, as an empty schema.
    schema: Schema,
    format: Format,
    /// `convert`: whether `--to arrow` was given, the measurement picked,
    /// the directory to write into.
    to_arrow: bool,
    measurement: Option<String>,
    output_dir: Option<PathBuf>,
    input: Input,
}

/// How `check` reports.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Subcommand {
    Parse,
    Encode,
    Check,
    Table,
    Convert,
}

impl Subcommand {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "parse" => Some(Subcommand::Parse),
            "encode" => Some(Subcommand::Encode),
            "check" => Some(Subcommand::Check),
            "table" => Some(Subcommand::Table),
            "convert" => Some(Subcommand::Convert),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Subcommand::Parse => "parse",
            Subcommand::Encode => "encode",
            Subcommand::Check => "check",
            Subcommand::Table => "table",
            Subcommand::Convert => "convert",
        }
    }

    /// Whether the subcommand reads line protocol (and so takes
    /// `--default-time`).
    fn reads_line_protocol(self) -> bool {
        self != Subcommand::Encode
    }
}

/// Where the input comes from.
enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    /// The input, opened. An error is a message for standard error.
    fn open(&self) -> Result<Box<dyn Read>, String> {
        match self {
            Input::Stdin => Ok(Box::new(io::stdin().lock())),
            Input::File(path) => fs::File::open(path)
                .map(|file| Box::new(file) as Box<dyn Read>)
                .map_err(|err| format!("cannot read {self}: {err}")),
        }
    }
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Stdin => f.write_str("standard input"),
            Input::File(path) => write!(f, "`{}`", path.display()),
        }
    }
}

/// Reads the arguments after the program name. An error is a message for
/// standard error.
fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Request, String> {
    let mut args = args.into_iter();
    let Some(first) = args.next() else {
        return Err("missing subcommand".to_owned());
    };
    let subcommand = match first.to_str() {
        Some("-h" | "--help" | "help") => return Ok(Request::Help),
        Some(name) => {
            Subcommand::from_name(name).ok_or_else(|| format!("unknown subcommand `{name}`"))?
        }
        None => {
            return Err(format!("unknown subcommand `{}`", first.to_string_lossy()));
        }
    };

    let mut invocation = Invocation {
        subcommand,
        precision: Precision::default(),
        default_time: None,
        limits: ParseOptions::new(),
        schema: Schema::new(),
        format: Format::Text,
        to_arrow: false,
        measurement: None,
        output_dir: None,
        input: Input::Stdin,
    };
    let mut file: Option<OsString> = None;
    let mut only_files = false;
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--") if !only_files => only_files = true,
            Some("-h" | "--help") if !only_files => return Ok(Request::Help),
            Some(option) if !only_files && option.starts_with('-') && option != "-" => {
                apply_option(&mut invocation, option, &mut args)?;
            }
            _ if file.is_some() => return Err("more than one FILE given".to_owned()),
            _ => file = Some(arg),
        }
    }
    if let Some(file) = file.filter(|file| file != "-") {
        invocation.input = Input::File(PathBuf::from(file));
    }
    if invocation.subcommand == Subcommand::Convert && !invocation.to_arrow {
        return Err("`convert` needs `--to arrow`".to_owned());
    }
    if invocation.measurement.is_some() && invocation.output_dir.is_some() {
        return Err("`--measurement` and `--output-dir` exclude each other".to_owned());
    }
    Ok(Request::Run(Box::new(invocation)))
}

/// Applies one option (`--name VALUE` or `--name=VALUE`), taking its value
/// from `rest` when it is not inline.
fn apply_option(
    invocation: &mut Invocation,
    option: &str,
    rest: &mut impl Iterator<Item = OsString>,
) -> Result<(), String> {
    let (name, inline) = match option.split_once('=') {
        Some((name, value)) => (name, Some(value.to_owned())),
        None => (option, None),
    };
    match name {
        "--precision" => {
            let value = cli::option_value(name, inline, rest)?;
            invocation.precision = value
                .parse()
                .map_err(|err| format!("invalid --precision: {err}"))?;
        }
        "--default-time" if invocation.subcommand.reads_line_protocol() => {
            let value = cli::option_value(name, inline, rest)?;
            let nanos = value.parse().map_err(|_| {
                format!(
                    "invalid --default-time `{value}`: expected an integer number of nanoseconds"
                )
            })?;
            invocation.default_time = Some(nanos);
        }
        "--max-line-length" | "--max-tags" | "--max-fields" | "--max-string-length"
            if invocation.subcommand.reads_line_protocol() =>
        {
            let limit = limit_value(name, cli::option_value(name, inline, rest)?)?;
            let limits = invocation.limits;
            invocation.limits = match name {
                "--max-line-length" => limits.with_max_line_length(limit),
                "--max-tags" => limits.with_max_tags(limit),
                "--max-fields" => limits.with_max_fields(limit),
                _ => limits.with_max_string_length(limit),
            };
        }
        "--max-tables" | "--max-columns-per-table"
            if matches!(
                invocation.subcommand,
                Subcommand::Check | Subcommand::Convert
            ) =>
        {
            let limit = limit_value(name, cli::option_value(name, inline, rest)?)?;
            let schema = std::mem::take(&mut invocation.schema);
            invocation.schema = match name {
                "--max-tables" => schema.with_max_tables(limit),
                _ => schema.with_max_columns_per_table(limit),
            };
        }
        "--to" if invocation.subcommand == Subcommand::Convert => {
            match cli::option_value(name, inline, rest)?.as_str() {
                "arrow" => invocation.to_arrow = true,
                other => return Err(format!("invalid --to `{other}`: expected arrow")),
            }
        }
        "--measurement" if invocation.subcommand == Subcommand::Convert => {
            invocation.measurement = Some(cli::option_value(name, inline, rest)?);
        }
        "--output-dir" if invocation.subcommand == Subcommand::Convert => {
            invocation.output_dir = Some(PathBuf::from(cli::option_value(name, inline, rest)?));
        }
        "--format" if invocation.subcommand == Subcommand::Check => {
            invocation.format = match cli::option_value(name, inline, rest)?.as_str() {
                "text" => Format::Text,
                "json" => Format::Json,
                other => return Err(format!("invalid --format `{other}`: expected text or json")),
            };
        }
        _ => {
            return Err(format!(
                "unknown option `{name}` for `{}`",
                invocation.subcommand.name()
            ));
        }
    }
    Ok(())
}

/// A limit's value: a whole number, `0` meaning no limit.
fn limit_value(name: &str, value: String) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(0) => Ok(usize::MAX),
        Ok(limit) => Ok(limit),
        Err(_) => Err(format!(
            "invalid {name} `{value}`: expected a whole number (0 for no limit)"
        )),
    }
}

impl Invocation {
    fn parse_options(&self) -> ParseOptions {
        let options = self.limits.with_precision(self.precision);
        match self.default_time {
            Some(nanos) => options.with_default_time(nanos),
            None => options,
        }
    }

    /// Runs the subcommand, counting the lines (or records) that failed
    /// in `failures` as it goes, so that the count holds even when the
    /// output fails half-way.
    fn run(
        &self,
        mut input: impl Read,
        out: &mut impl Write,
        failures: &mut usize,
    ) -> Result<(), Failure> {
        match self.subcommand {
            Subcommand::Parse => parse(input, self.parse_options(), out, failures),
            Subcommand::Encode => {
                let mut all = Vec::new();
                input.read_to_end(&mut all).map_err(Failure::Input)?;
                Ok(encode(&all, self.precision, out, failures)?)
            }
            Subcommand::Check => check(
                input,
                self.parse_options(),
                self.schema.clone(),
                self.format,
                out,
                failures,
            ),
            Subcommand::Table => table(input, self.parse_options(), out, failures),
            Subcommand::Convert => convert(input, self, out, failures),
        }
    }
}

// ---------------------------------------------------------------------------
// parse: line protocol in, JSON Lines out
// ---------------------------------------------------------------------------

/// Writes one JSON object per point or bad line.
fn parse(
    input: impl Read,
    options: ParseOptions,
    out: &mut impl Write,
    failures: &mut usize,
) -> Result<(), Failure> {
    let mut stream = Stream::with_options(input, options);
    while let Some(mut chunk) = stream.next_chunk().map_err(Failure::Input)? {
        let mut point = Point::new();
        while let Some(result) = chunk.next_into(&mut point) {
            match result {
                Ok(()) => write_point_json(out, &point)?,
                Err(err) => {
                    *failures += 1;
                    write_error_json(out, &err)?;
                }
            }
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

/// The point as the record of `Point`'s `Serialize`:
/// `{"name":..,"tags":[..],"fields":[..],"time":..}`, floats in the
/// crate's shortest form.
fn write_point_json(out: &mut impl Write, point: &Point<'_>) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, ShortFloats);
    point.serialize(&mut serializer)?;
    Ok(())
}

/// JSON as serde_json writes it, but floats as line protocol writes them
/// (`21`, `21.5`, `1e300`): the shortest form that reads back as the same
/// `f64`, and a valid JSON number. The parser never yields a NaN or an
/// infinity, which JSON could not hold.
struct ShortFloats;

impl serde_json::ser::Formatter for ShortFloats {
    fn write_f64<W: ?Sized + Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        write!(writer, "{}", FieldValue::Float(value))
    }
}

/// `{"error":{"line":L,"column":C,"message":M}}`.
fn write_error_json(out: &mut impl Write, err: &ParseError) -> io::Result<()> {
    #[derive(serde::Serialize)]
    struct Record {
        error: Position,
    }
    #[derive(serde::Serialize)]
    struct Position {
        line: usize,
        column: usize,
        message: String,
    }
    let record = Record {
        error: Position {
            line: err.line(),
            column: err.column(),
            message: err.kind().to_string(),
        },
    };
    serde_json::to_writer(&mut *out, &record)?;
    Ok(())
}

// ---------------------------------------------------------------------------
// encode: JSON Lines in, line protocol out
// ---------------------------------------------------------------------------

/// Writes one line of line protocol per JSON record; reports bad records on
/// standard error with their line number.
fn encode(
    input: &[u8],
    precision: Precision,
    out: &mut impl Write,
    failures: &mut usize,
) -> io::Result<()> {
    let mut line = Vec::new();
    for (index, record) in input.split(|&byte| byte == b'\n').enumerate() {
        if record.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        line.clear();
        match encode_record(record, precision, &mut line) {
            Ok(()) => out.write_all(&line)?,
            Err(message) => {
                *failures += 1;
                report(format_args!("line {}: {message}", index + 1));
            }
        }
    }
    Ok(())
}

/// Appends the line protocol of one JSON record to `out`, or says why it
/// cannot.
fn encode_record(record: &[u8], precision: Precision, out: &mut Vec<u8>) -> Result<(), String> {
    let value: Value = serde_json::from_slice(record).map_err(|err| {
        // serde_json appends "at line 1 column C"; the line is ours to name.
        let text = err.to_string();
        let suffix = format!(" at line {} column {}", err.line(), err.column());
        let message = text.strip_suffix(&suffix).unwrap_or(&text);
        format!("invalid JSON at column {}: {message}", err.column())
    })?;
    if let Some(error) = value.get("error") {
        return Err(format!("an error record, not a point: {error}"));
    }
    // Names and strings are borrowed from the JSON value; the point is
    // checked as the builder checks it.
    let point: Point<'_> = serde_path_to_error::deserialize(&value).map_err(|err| {
        match err.path().to_string().as_str() {
            "." => err.inner().to_string(),
            path => format!("{path}: {}", err.inner()),
        }
    })?;
    point
        .write_to_vec(out, precision)
        .map_err(|err| err.to_string())
}

// ---------------------------------------------------------------------------
// check: a human report
// ---------------------------------------------------------------------------

/// Shows every bad line (syntax, or InfluxDB's storage rules) with a caret
/// under the column, then a summary; or, with `--format json`, InfluxDB's
/// partial-write answer. Each bad line is written when it is found and not
/// kept, and the schema is capped, so memory stays bounded by the longest
/// line whatever the input.
fn check(
    input: impl Read,
    options: ParseOptions,
    mut schema: Schema,
    format: Format,
    out: &mut impl Write,
    failures: &mut usize,
) -> Result<(), Failure> {
    let mut input = LineCounter::new(input);
    let mut validator = Validator::new(&mut schema);
    let mut stream = Stream::with_options(&mut input, options);
    let mut good = 0_usize;
    while let Some(mut chunk) = stream.next_chunk().map_err(Failure::Input)? {
        let mut point = Point::new();
        while let Some(result) = chunk.next_into(&mut point) {
            let error = match result {
                Ok(()) => {
                    let line = chunk.line_number();
                    match validator.check(&mut point, line) {
                        Ok(()) => {
                            good += 1;
                            continue;
                        }
                        Err(kind) => {
                            LineError::from_validation_error(line, kind, chunk.line_text(line))
                        }
                    }
                }
                Err(err) => LineError::from_parse_error(&err, chunk.line_text(err.line())),
            };
            *failures += 1;
            match format {
                Format::Text => write_diagnostic(out, &error)?,
                Format::Json => {
                    if *failures == 1 {
                        out.write_all(PARTIAL_WRITE_START.as_bytes())?;
                    } else {
                        out.write_all(b",")?;
                    }
                    out.write_all(error.to_json().as_bytes())?;
                }
            }
        }
    }
    drop(stream);
    match format {
        Format::Text => writeln!(
            out,
            "{} lines, {good} points, {} errors",
            input.lines(),
            failures
        )?,
        Format::Json if *failures == 0 => writeln!(out, "{{\"data\":[]}}")?,
        Format::Json => writeln!(out, "]}}")?,
    }
    Ok(())
}

/// How InfluxDB's partial-write answer starts, up to its first error.
const PARTIAL_WRITE_START: &str = r#"{"error":"partial write of line protocol occurred","data":["#;

/// A reader that counts the physical lines passing through it: a last line
/// without a line feed counts, a final line feed does not start a new one.
struct LineCounter<R> {
    inner: R,
    line_feeds: usize,
    last_byte: Option<u8>,
}

impl<R: Read> LineCounter<R> {
    fn new(inner: R) -> Self {
        LineCounter {
            inner,
            line_feeds: 0,
            last_byte: None,
        }
    }

    fn lines(&self) -> usize {
        self.line_feeds + usize::from(self.last_byte.is_some_and(|byte| byte != b'\n'))
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        let data = buf.get(..read).unwrap_or_default();
        self.line_feeds += data.iter().filter(|&&byte| byte == b'\n').count();
        if let Some(&last) = data.last() {
            self.last_byte = Some(last);
        }
        Ok(read)
    }
}

/// `LINE:COLUMN: message`, the line, and a caret under the column (column 1
/// for a line that breaks a storage rule).
///
/// The line is shown as lossy UTF-8 with control characters other than tab
/// drawn as their Unicode pictures (`␍`, `␛`), one character each, so a
/// stray carriage return or escape sequence cannot garble the terminal or
/// move the caret.
fn write_diagnostic(out: &mut impl Write, error: &LineError) -> io::Result<()> {
    let column = error.column().unwrap_or(1);
    let text = error.original_line().as_bytes();
    writeln!(out, "{}:{column}: {}", error.line(), error.message())?;
    let shown: String = String::from_utf8_lossy(text)
        .chars()
        .map(|c| control_picture(c).unwrap_or(c))
        .collect();
    writeln!(out, "{shown}")?;
    writeln!(out, "{}", caret_line(text, column))
}

/// Spaces (a tab under a tab) up to the 1-based byte `column`, then `^`.
/// One space per character, so the caret lines up under multibyte UTF-8.
fn caret_line(text: &[u8], column: usize) -> String {
    let before = text.get(..column.saturating_sub(1)).unwrap_or(text);
    let mut caret: String = String::from_utf8_lossy(before)
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    caret.push('^');
    caret
}

// ---------------------------------------------------------------------------
// convert: line protocol in, Arrow IPC streams out
// ---------------------------------------------------------------------------

/// Converts the input, read as a stream, into one record batch per
/// measurement and writes each as an Arrow IPC stream; bad lines go to
/// standard error as `check` shows them.
fn convert(
    input: impl Read,
    invocation: &Invocation,
    out: &mut impl Write,
    failures: &mut usize,
) -> Result<(), Failure> {
    let options = BatchOptions::new()
        .with_parse_options(invocation.parse_options())
        .with_max_errors(usize::MAX);
    let mut schema = invocation.schema.clone();
    let mut input = InputErrors {
        reader: input,
        failed: None,
    };
    let converted = Conversion::from_reader(&mut input, &options, &mut schema);
    if let Some(err) = input.failed {
        return Err(Failure::Input(err));
    }
    let conversion = converted.map_err(arrow_failure)?;
    for error in conversion.errors() {
        *failures += 1;
        let mut report = Vec::new();
        write_diagnostic(&mut report, error)?;
        let _ = io::stderr().lock().write_all(&report);
    }
    let mut batches = conversion.into_batches();
    if let Some(picked) = &invocation.measurement {
        batches.retain(|(name, _)| name == picked);
    }
    match (&invocation.output_dir, batches.as_slice()) {
        (Some(dir), _) => {
            fs::create_dir_all(dir)?;
            for (name, batch) in &batches {
                let path = dir.join(format!("{}.arrows", file_name(name)));
                let file = io::BufWriter::new(fs::File::create(&path)?);
                write_ipc_stream(file, batch)?;
            }
            Ok(())
        }
        (None, []) => Ok(()),
        (None, [(_, batch)]) => write_ipc_stream(out, batch),
        (None, _) => Err(Failure::Usage(format!(
            "the input holds {} measurements: pick one with --measurement NAME, or write them all with --output-dir DIR",
            batches.len()
        ))),
    }
}

/// A reader that keeps its first error, so that a failed read is told
/// apart from a failed write of the conversion's output.
struct InputErrors<R> {
    reader: R,
    failed: Option<io::Error>,
}

impl<R: Read> Read for InputErrors<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buf).inspect_err(|err| {
            if err.kind() != io::ErrorKind::Interrupted {
                self.failed
                    .get_or_insert_with(|| io::Error::new(err.kind(), err.to_string()));
            }
        })
    }
}

/// Writes `batch` as one Arrow IPC stream.
fn write_ipc_stream(out: impl Write, batch: &arrow_array::RecordBatch) -> Result<(), Failure> {
    let mut writer =
        arrow_ipc::writer::StreamWriter::try_new(out, &batch.schema()).map_err(arrow_failure)?;
    writer.write(batch).map_err(arrow_failure)?;
    writer.finish().map_err(arrow_failure)?;
    writer.into_inner().map_err(arrow_failure)?.flush()?;
    Ok(())
}

/// An Arrow error as a failure of the output (Arrow reports I/O errors
/// of the writer it was given that way).
fn arrow_failure(err: arrow_schema::ArrowError) -> Failure {
    match err {
        arrow_schema::ArrowError::IoError(_, err) => Failure::Output(err),
        other => Failure::Output(io::Error::other(other)),
    }
}

/// `name` as a file name: ASCII letters, digits, `-`, `_` and `.` (not
/// leading) kept, every other byte as `%XX`.
fn file_name(name: &str) -> String {
    let mut file = String::with_capacity(name.len());
    for (index, byte) in name.bytes().enumerate() {
        let safe = byte.is_ascii_alphanumeric()
            || byte == b'-'
            || byte == b'_'
            || (byte == b'.' && index > 0);
        if safe {
            file.push(char::from(byte));
        } else {
            file.push_str(&format!("%{byte:02X}"));
        }
    }
    file
}

// ---------------------------------------------------------------------------
// table: the points as a person reads them
// ---------------------------------------------------------------------------

/// Prints one pipe table per measurement; reports bad lines on standard
/// error.
fn table(
    input: impl Read,
    options: ParseOptions,
    out: &mut impl Write,
    failures: &mut usize,
) -> Result<(), Failure> {
    let mut points = Vec::new();
    for item in Stream::with_options(input, options).into_owned_points() {
        match item {
            Ok(point) => points.push(point),
            Err(StreamError::Line(err)) => {
                *failures += 1;
                report(err);
            }
            Err(StreamError::Io(err)) => return Err(Failure::Input(err)),
        }
    }
    table::write_tables(out, &points)?;
    Ok(())
}
