//! `ingest`: an HTTP server that accepts line protocol the way InfluxDB
//! does, built on `lineproto`, and keeps the points in memory.
//!
//! ```text
//! cargo run --release --example ingest -- [--addr HOST:PORT] [--token TOKEN] [LIMITS..]
//! ```
//!
//! It listens on `127.0.0.1:8181` by default (`--addr 127.0.0.1:0` picks a
//! free port) and prints `ingest: listening on http://ADDR` once it
//! accepts connections, then one line per request on standard error.
//!
//! Writes, as InfluxDB's getting-started guide sends them:
//!
//! | endpoint | database | `precision` (default first) |
//! |---|---|---|
//! | `POST /write?db=NAME[&rp=RP]` (v1) | `db` | `ns` (also `n`), `u`, `ms`, `s`, `m`, `h` |
//! | `POST /api/v2/write?bucket=NAME[&org=ORG]` (v2) | `bucket` | `ns`, `us`, `ms`, `s` |
//! | `POST /api/v3/write_lp?db=NAME[&accept_partial=true\|false]` | `db` | `auto`, `nanosecond`, `microsecond`, `millisecond`, `second` (or `ns`, `n`, `us`, `u`, `ms`, `s`) |
//!
//! `rp` and `org` are accepted and ignored: a database is named by `db` or
//! `bucket` alone. `auto` guesses each timestamp's unit from its magnitude
//! as InfluxDB 3 does. Lines without a timestamp get the server's time,
//! truncated to the precision.
//!
//! Reads: `GET /api/v3/query_lp?db=NAME` answers the points as line
//! protocol with nanosecond timestamps; `GET /table?db=NAME` as the tables
//! `lp table` prints. Both are streamed and bounded (see the limits).
//!
//! Status, as InfluxDB answers them and without a token: `GET /ping` (or
//! `HEAD`) is `204` with an `X-Influxdb-Version` header; `GET /health` is
//! `200` with `{"name":"ingest","message":"ready for queries and writes","status":"pass",..}`.
//!
//! With `--token TOKEN`, every other request needs `Authorization: Token
//! TOKEN` (or `Bearer TOKEN`); the v1 endpoint also takes InfluxDB 1's
//! `Authorization: Basic` (any user name, the token as password, as the
//! `influx` shell and the 1.x client libraries send it) and `?u=USER&p=TOKEN`.
//! Without it the answer is `401` and nothing is stored; the token is
//! checked before the body is read. Without `--token`, every request is
//! let in. Bodies may be sent with `Content-Encoding: gzip` (one gzip
//! stream or several one after another, as concatenated files give).
//!
//! Bodies are parsed as they arrive, not buffered: each read's complete
//! lines are parsed and stored before the next read, so a request holds
//! at most one line (`--max-line-bytes`) and one read (64 KiB) of its
//! body, whatever the body's size, and a body has no size limit of its
//! own (`--body-timeout` bounds how long it may take). The exception is a
//! v3 write with `accept_partial=false`: it stores all of its points or
//! none, which is known only at the body's end, so its body is held whole
//! until then, counted against `--max-memory-bytes`.
//!
//! Answers follow InfluxDB: `204 No Content` when every line was stored;
//! `400` with InfluxDB 3's partial-write JSON when some line was not
//! (`{"error":"partial write of line protocol occurred","data":[{"original_line":..,"line_number":..,"error_message":..}]}`),
//! the good lines stored unless `accept_partial=false` (then nothing is,
//! and the `error` says so). At most the first 100 rejected lines are
//! listed, as InfluxDB 3 does, and the answer says how many there were in
//! all. `400` names the accepted values for a bad precision or a missing
//! database. Other errors are JSON in the API's own shape:
//! `{"code":..,"message":..}` for v2, `{"error":..}` otherwise.
//!
//! Storage follows InfluxDB's rules: a field keeps the type it was first
//! stored with (a line giving it another type is rejected, within a
//! request or across requests, one `lineproto::Schema` per database), and
//! a point with the measurement, tag set and timestamp of a stored one
//! updates it, its fields merged into the stored ones (so writing the same
//! data twice changes nothing).
//!
//! Limits, each set by a flag (defaults in brackets), each answer naming
//! the limit it hit:
//!
//! | flag | bounds | answer when passed |
//! |---|---|---|
//! | `--max-line-bytes N` [1 MiB] | a line of a body, after gzip decompression (so the memory a request takes) | `400`, the line listed: `line is longer than the limit of N bytes`; the other lines are stored (none with `accept_partial=false`) |
//! | `--max-databases N` [5, InfluxDB 3 Core's] | databases; a write creating one more is refused | `422` |
//! | `--max-tables N` [2,000, InfluxDB 3 Core's] | tables (measurements), across databases; a line of a new table past it is rejected | `400`, the line listed: `table limit reached: ..` |
//! | `--max-columns N` [500, InfluxDB 3 Core's] | the columns of one table: `time`, tag keys and field keys (so a point rewritten with new fields never grows past it either) | `400`, the line listed: `column limit reached: ..` |
//! | `--max-memory-bytes N` [1 GiB] | the estimated memory of the stored points (per point: its tags, fields and strings, its slot in the store and in the index), and of the bodies held whole | `507`, naming the line it stopped at: the points of the lines before it are stored (with `accept_partial=false`, no line is named and nothing is stored) |
//! | `--max-read-rows N` [100,000] | the points (rows) of one read answer | answer cut, with a note |
//! | `--max-read-bytes N` [16 MiB] | the bytes of one read answer (and `/table` copies and lays out at most N/6 cells) | answer cut, with a note |
//! | `--header-timeout SECONDS` [10] | the time to send a request's headers, counted from the connection's start or, on a kept-alive connection, from the end of the previous answer: so it also closes idle connections | connection closed |
//! | `--body-timeout SECONDS` [60] | the time to send a request's body, all of it | `408` |
//! | `--max-connections N` [512] | open connections; more wait to be accepted | (they wait) |
//!
//! Tables and columns are checked line by line, as InfluxDB 3 does, so a
//! write past them is a partial write whose answer names the limit. A
//! write cut short (the memory full, the body timed out or its gzip data
//! broken) keeps what it stored of the lines before; its answer says how
//! many points that was, and how many lines before it were rejected. The
//! new fields and tables of the lines checked before it stay in the
//! schema (for the memory limit, those of the whole read it stopped in),
//! as do those of a write with `accept_partial=false` refused for the
//! memory limit.
//!
//! A read's answer cut by a limit ends with a note: a `#` comment line for
//! `query_lp` (which line protocol ignores, so the answer can be written
//! back), a line after a blank one for `/table`. `query_lp` copies and
//! formats 512 points at a time as the client reads; `/table` lays its
//! tables out whole (one table answer at a time per core, since that takes
//! memory in proportion to the cells) and then sends the text in chunks.
//! A read locks its database only while copying points out, never while
//! formatting or sending, and no request locks more than one database, so
//! a read never holds up a write to another database. A write locks its
//! database for one read's lines at a time (at most 64 KiB and one line),
//! never while waiting for the client, and parses them on the async
//! worker that read them (waiting for the lock, when another request
//! holds it, off the worker); a whole body (`accept_partial=false`) and
//! the formatting of reads run on the blocking thread pool, off the async
//! workers.

use std::collections::HashMap;
use std::convert::Infallible;
use std::ffi::OsString;
use std::fmt;
use std::io::{self, Write};
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, TryLockError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use async_compression::tokio::bufread::GzipDecoder;
use axum::Router;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::TryStreamExt;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use lineproto::{
    AsyncStream, Batch, BatchOptions, Chunk, LineError, ParseOptions, Point, Precision, Schema,
    Validator,
};
use serde_json::json;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::Semaphore;
use tokio_util::io::StreamReader;
use tower_http::timeout::{RequestBodyDeadlineLayer, TimeoutError};

#[path = "common/cli.rs"]
mod cli;
#[path = "ingest/reads.rs"]
mod reads;
#[path = "ingest/store.rs"]
mod store;
#[path = "common/table.rs"]
mod table;

use reads::ReadLimits;
use store::{Database, point_bytes};

const USAGE: &str = "\
usage: ingest [--addr HOST:PORT] [--token TOKEN] [--max-line-bytes N]
              [--max-databases N] [--max-tables N] [--max-columns N]
              [--max-memory-bytes N]
              [--max-read-rows N] [--max-read-bytes N]
              [--header-timeout SECONDS] [--body-timeout SECONDS]
              [--max-connections N]
";

const DETAILS: &str = "
  --addr HOST:PORT      where to listen (default 127.0.0.1:8181; port 0 picks one)
  --token TOKEN         the token every write and read must carry (default:
                        none needed)
  --max-line-bytes N    the longest line of a body, after gzip decompression;
                        a longer line is rejected (default 1048576, 1 MiB)
  --max-databases N     the most databases (default 5, as InfluxDB 3 Core)
  --max-tables N        the most tables (measurements), across databases
                        (default 2000, as InfluxDB 3 Core)
  --max-columns N       the most columns of one table: time, tags and fields
                        (default 500, as InfluxDB 3 Core)
  --max-memory-bytes N  the most memory the stored points may take, as
                        estimated (default 1073741824, 1 GiB)
  --max-read-rows N     the most points one read answers (default 100000)
  --max-read-bytes N    the most bytes one read answers (default 16777216)
  --header-timeout S    seconds to send a request's headers, and the most a
                        kept-alive connection may sit idle (default 10)
  --body-timeout S      seconds to send a request's body (default 60)
  --max-connections N   the most open connections (default 512)

Writes: POST /write?db=NAME (v1), POST /api/v2/write?bucket=NAME (v2),
        POST /api/v3/write_lp?db=NAME, each with an optional &precision=P.
Reads:  GET /api/v3/query_lp?db=NAME (line protocol), GET /table?db=NAME.
Status: GET /ping, GET /health (no token needed).
";

const DEFAULT_ADDR: &str = "127.0.0.1:8181";
const DEFAULT_MAX_LINE_BYTES: usize = 1024 * 1024;
/// InfluxDB 3 Core's default `--num-database-limit`.
const DEFAULT_MAX_DATABASES: usize = 5;
/// InfluxDB 3 Core's default `--num-table-limit`, across databases.
const DEFAULT_MAX_TABLES: usize = Schema::DEFAULT_MAX_TABLES;
/// InfluxDB 3 Core's default `--num-total-columns-per-table-limit`.
const DEFAULT_MAX_COLUMNS: usize = Schema::DEFAULT_MAX_COLUMNS_PER_TABLE;
const DEFAULT_MAX_MEMORY_BYTES: usize = 1024 * 1024 * 1024;
const DEFAULT_MAX_READ_ROWS: usize = 100_000;
const DEFAULT_MAX_READ_BYTES: usize = 16 * 1024 * 1024;
const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// How long shutting down waits for the requests under way.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// What `X-Influxdb-Version` says.
const VERSION: &str = concat!("lineproto-ingest-", env!("CARGO_PKG_VERSION"));

fn main() -> ExitCode {
    let config = match Config::from_args(std::env::args_os().skip(1)) {
        Ok(Some(config)) => config,
        Ok(None) => return print_help(),
        Err(message) => {
            log("ERROR", format_args!("{message}\n{USAGE}"));
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            log("ERROR", format_args!("cannot start the runtime: {err}"));
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            log("ERROR", message);
            ExitCode::FAILURE
        }
    }
}

/// Prints the usage text on standard output.
fn print_help() -> ExitCode {
    let mut stdout = io::stdout().lock();
    match write!(stdout, "{USAGE}{DETAILS}") {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(2),
    }
}

/// Writes `LEVEL ingest: message` to standard error (`INFO`, `WARN` or
/// `ERROR`). A failing standard
/// error leaves nowhere to complain, so its errors are ignored (unlike
/// `eprintln!`, which would panic).
fn log(level: &str, message: impl fmt::Display) {
    let _ = writeln!(io::stderr().lock(), "{level} ingest: {message}");
}

/// Listens, prints the address, and serves until Ctrl-C: each connection
/// is served by hyper with a header read timeout, at most
/// `--max-connections` at once (the next connection is accepted when one
/// closes).
async fn serve(config: Config) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(&config.addr)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", config.addr))?;
    let addr = listener
        .local_addr()
        .map_err(|err| format!("cannot read the address listened on: {err}"))?;
    announce(&addr.to_string(), config.token.is_some())?;
    let net = config.net;
    let app = router(Arc::new(Server::new(config)), net.body_timeout);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(net.header_timeout);
    let connections = Arc::new(Semaphore::new(net.max_connections));
    let graceful = GracefulShutdown::new();
    let interrupted = interrupted();
    tokio::pin!(interrupted);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => permit,
            () = &mut interrupted => break,
        };
        let Ok(permit) = permit else { break };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut interrupted => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(err) => {
                // Out of file descriptors, most likely: let some close.
                log("WARN", format_args!("cannot accept a connection: {err}"));
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(app.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A connection ends in an error when its client goes away or
            // is too slow; neither is the server's problem.
            let _ = connection.await;
            drop(permit);
        });
    }
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        log("WARN", "some connections were still open: closed");
    }
    Ok(())
}

/// Prints the address on standard output (flushed, for whoever waits for
/// it) and how requests are authorized.
fn announce(addr: &str, token: bool) -> Result<(), String> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "ingest: listening on http://{addr}")
        .and_then(|()| stdout.flush())
        .map_err(|err| format!("cannot write to standard output: {err}"))?;
    if token {
        log("INFO", "requests need the token given with --token");
    } else {
        log("WARN", "no --token given: requests are let in without one");
    }
    Ok(())
}

/// Resolves on Ctrl-C; never, if Ctrl-C cannot be listened for.
async fn interrupted() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
    log("INFO", "interrupted: shutting down");
}

// ---------------------------------------------------------------------------
// The command line
// ---------------------------------------------------------------------------

/// The server's settings.
struct Config {
    addr: String,
    token: Option<String>,
    limits: Limits,
    net: Net,
}

/// What the store and the requests may take.
#[derive(Clone, Copy)]
struct Limits {
    max_line_bytes: usize,
    max_databases: usize,
    max_tables: usize,
    max_columns: usize,
    max_memory_bytes: usize,
    read: ReadLimits,
}

/// How long clients may take, and how many may be connected.
#[derive(Clone, Copy)]
struct Net {
    header_timeout: Duration,
    body_timeout: Duration,
    max_connections: usize,
}

impl Config {
    /// Reads the arguments after the program name: `None` asks for help,
    /// an error is a message for standard error.
    fn from_args(args: impl IntoIterator<Item = OsString>) -> Result<Option<Config>, String> {
        let mut config = Config {
            addr: DEFAULT_ADDR.to_owned(),
            token: None,
            limits: Limits {
                max_line_bytes: DEFAULT_MAX_LINE_BYTES,
                max_databases: DEFAULT_MAX_DATABASES,
                max_tables: DEFAULT_MAX_TABLES,
                max_columns: DEFAULT_MAX_COLUMNS,
                max_memory_bytes: DEFAULT_MAX_MEMORY_BYTES,
                read: ReadLimits {
                    rows: DEFAULT_MAX_READ_ROWS,
                    bytes: DEFAULT_MAX_READ_BYTES,
                },
            },
            net: Net {
                header_timeout: DEFAULT_HEADER_TIMEOUT,
                body_timeout: DEFAULT_BODY_TIMEOUT,
                max_connections: DEFAULT_MAX_CONNECTIONS,
            },
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let arg = arg
                .into_string()
                .map_err(|arg| format!("invalid argument `{}`", arg.to_string_lossy()))?;
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) => (name, Some(value.to_owned())),
                None => (arg.as_str(), None),
            };
            let limits = &mut config.limits;
            let net = &mut config.net;
            match name {
                "-h" | "--help" => return Ok(None),
                "--addr" => config.addr = cli::option_value(name, inline, &mut args)?,
                "--token" => {
                    let token = cli::option_value(name, inline, &mut args)?;
                    if token.is_empty() {
                        return Err("--token needs a non-empty value".to_owned());
                    }
                    config.token = Some(token);
                }
                "--max-line-bytes" => limits.max_line_bytes = count(name, inline, &mut args)?,
                "--max-body-bytes" => {
                    return Err(
                        "--max-body-bytes is gone: bodies are parsed as they arrive, so their size costs no memory; --max-line-bytes bounds each line"
                            .to_owned(),
                    );
                }
                "--max-databases" => limits.max_databases = count(name, inline, &mut args)?,
                "--max-tables" => limits.max_tables = count(name, inline, &mut args)?,
                "--max-columns" => limits.max_columns = count(name, inline, &mut args)?,
                "--max-memory-bytes" => limits.max_memory_bytes = count(name, inline, &mut args)?,
                "--max-read-rows" => limits.read.rows = count(name, inline, &mut args)?,
                "--max-read-bytes" => limits.read.bytes = count(name, inline, &mut args)?,
                "--max-connections" => net.max_connections = count(name, inline, &mut args)?,
                "--header-timeout" => net.header_timeout = seconds(name, inline, &mut args)?,
                "--body-timeout" => net.body_timeout = seconds(name, inline, &mut args)?,
                _ => return Err(format!("unknown argument `{arg}`")),
            }
        }
        Ok(Some(config))
    }
}

/// The value of a count option: a positive whole number.
fn count(
    name: &str,
    inline: Option<String>,
    rest: &mut impl Iterator<Item = OsString>,
) -> Result<usize, String> {
    let value = cli::option_value(name, inline, rest)?;
    match value.parse() {
        Ok(count) if count > 0 && count <= Semaphore::MAX_PERMITS => Ok(count),
        _ => Err(format!(
            "invalid {name} `{value}`: expected a positive whole number"
        )),
    }
}

/// The value of a timeout option: a positive number of seconds (`0.5`).
fn seconds(
    name: &str,
    inline: Option<String>,
    rest: &mut impl Iterator<Item = OsString>,
) -> Result<Duration, String> {
    let value = cli::option_value(name, inline, rest)?;
    value
        .parse::<f64>()
        .ok()
        .filter(|seconds| *seconds > 0.0 && *seconds <= 1e9)
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .ok_or_else(|| format!("invalid {name} `{value}`: expected a positive number of seconds"))
}

// ---------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------

/// A request body as it arrives, decompressed.
type Body = Pin<Box<dyn AsyncRead + Send>>;

/// The query string, decoded.
type Params = HashMap<String, String>;

/// The shared state of every request.
type Shared = State<Arc<Server>>;

fn router(server: Arc<Server>, body_timeout: Duration) -> Router {
    Router::new()
        .route("/write", post(write_v1))
        .route("/api/v2/write", post(write_v2))
        .route("/api/v3/write_lp", post(write_v3))
        .route("/api/v3/query_lp", get(query_lp))
        .route("/table", get(table))
        .route("/ping", get(ping))
        .route("/health", get(health))
        .fallback(not_found)
        .layer(RequestBodyDeadlineLayer::new(body_timeout))
        .layer(middleware::from_fn(log_request))
        .with_state(server)
}

async fn write_v1(State(server): Shared, request: Request) -> Response {
    server.write(Api::V1, request).await
}

async fn write_v2(State(server): Shared, request: Request) -> Response {
    server.write(Api::V2, request).await
}

async fn write_v3(State(server): Shared, request: Request) -> Response {
    server.write(Api::V3, request).await
}

async fn query_lp(State(server): Shared, uri: Uri, headers: HeaderMap) -> Response {
    server.read(&uri, &headers, Answer::LineProtocol).await
}

async fn table(State(server): Shared, uri: Uri, headers: HeaderMap) -> Response {
    server.read(&uri, &headers, Answer::Tables).await
}

/// InfluxDB's `/ping`: `204`, the version in a header.
async fn ping() -> Response {
    (
        StatusCode::NO_CONTENT,
        [("X-Influxdb-Version", VERSION), ("X-Influxdb-Build", "OSS")],
    )
        .into_response()
}

/// InfluxDB's `/health`.
async fn health() -> Response {
    let body = json!({
        "name": "ingest",
        "message": "ready for queries and writes",
        "status": "pass",
        "checks": [],
        "version": VERSION,
        "commit": "",
    });
    (StatusCode::OK, json_body(body.to_string())).into_response()
}

async fn not_found(uri: Uri) -> Response {
    Failure::new(
        StatusCode::NOT_FOUND,
        format!("no endpoint at {}", uri.path()),
    )
    .into_response(Api::V3)
}

/// Logs one line per request: method, target (the v1 token hidden),
/// status, what happened, and how long it took (for a read, until its
/// answer starts).
async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let target = shown_target(request.uri());
    let method = request.method().clone();
    let response = next.run(request).await;
    let note = response
        .extensions()
        .get::<Note>()
        .map(|note| format!(" ({})", note.0))
        .unwrap_or_default();
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    log(
        "INFO",
        format_args!(
            "{method} {target} -> {}{note} in {millis:.1} ms",
            response.status()
        ),
    );
    response
}

/// The path and query of `uri`, with the value of `p` (the v1 token)
/// replaced.
fn shown_target(uri: &Uri) -> String {
    let Some(query) = uri.query() else {
        return uri.path().to_owned();
    };
    let pairs: Vec<&str> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some(("p", _)) => "p=[redacted]",
            _ => pair,
        })
        .collect();
    format!("{}?{}", uri.path(), pairs.join("&"))
}

/// What a request came to, for the log line.
#[derive(Clone)]
struct Note(String);

/// The decoded query string of `uri`.
fn params(uri: &Uri) -> Result<Params, Failure> {
    Query::<Params>::try_from_uri(uri)
        .map(|Query(params)| params)
        .map_err(|rejection| Failure::bad_request(rejection.body_text()))
}

// ---------------------------------------------------------------------------
// The APIs
// ---------------------------------------------------------------------------

/// The three write APIs differ in parameter names, accepted precisions and
/// the shape of their error bodies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Api {
    V1,
    V2,
    V3,
}

/// The unit of the timestamps of a request.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TimeUnit {
    /// Each timestamp's unit guessed from its magnitude (InfluxDB 3).
    Auto,
    Fixed(Precision),
}

const NS: TimeUnit = TimeUnit::Fixed(Precision::Nanoseconds);
const US: TimeUnit = TimeUnit::Fixed(Precision::Microseconds);
const MS: TimeUnit = TimeUnit::Fixed(Precision::Milliseconds);
const S: TimeUnit = TimeUnit::Fixed(Precision::Seconds);

impl Api {
    /// The query parameter that names the database.
    fn database_param(self) -> &'static str {
        match self {
            Api::V1 | Api::V3 => "db",
            Api::V2 => "bucket",
        }
    }

    /// Every `precision` value the API accepts, and its unit.
    fn precisions(self) -> &'static [(&'static str, TimeUnit)] {
        match self {
            Api::V1 => &[
                ("ns", NS),
                ("n", NS),
                ("u", US),
                ("ms", MS),
                ("s", S),
                ("m", TimeUnit::Fixed(Precision::Minutes)),
                ("h", TimeUnit::Fixed(Precision::Hours)),
            ],
            Api::V2 => &[("ns", NS), ("us", US), ("ms", MS), ("s", S)],
            Api::V3 => &[
                ("auto", TimeUnit::Auto),
                ("nanosecond", NS),
                ("microsecond", US),
                ("millisecond", MS),
                ("second", S),
                ("ns", NS),
                ("n", NS),
                ("us", US),
                ("u", US),
                ("ms", MS),
                ("s", S),
            ],
        }
    }

    /// The unit without a `precision` parameter.
    fn default_unit(self) -> TimeUnit {
        match self {
            Api::V1 | Api::V2 => NS,
            Api::V3 => TimeUnit::Auto,
        }
    }

    /// The accepted precisions, as an error message lists them.
    fn precision_hint(self) -> &'static str {
        match self {
            Api::V1 => "n, u, ms, s, m or h",
            Api::V2 => "ns, us, ms or s",
            Api::V3 => "auto, nanosecond, microsecond, millisecond or second (or ns, us, ms, s)",
        }
    }

    /// The unit named by the `precision` parameter.
    fn time_unit(self, params: &Params) -> Result<TimeUnit, Failure> {
        let Some(name) = params.get("precision").filter(|name| !name.is_empty()) else {
            return Ok(self.default_unit());
        };
        self.precisions()
            .iter()
            .find(|(accepted, _)| accepted == name)
            .map(|&(_, unit)| unit)
            .ok_or_else(|| {
                Failure::bad_request(format!(
                    "invalid precision `{name}`: use {}",
                    self.precision_hint()
                ))
            })
    }

    /// What a write asks for, from its query string.
    fn write_request(self, params: &Params) -> Result<WriteRequest, Failure> {
        Ok(WriteRequest {
            database: database(params, self.database_param())?,
            unit: self.time_unit(params)?,
            accept_partial: match self {
                Api::V3 => accept_partial(params)?,
                Api::V1 | Api::V2 => true,
            },
        })
    }
}

/// The database named by the parameter `param`.
fn database(params: &Params, param: &str) -> Result<String, Failure> {
    params
        .get(param)
        .filter(|name| !name.is_empty())
        .cloned()
        .ok_or_else(|| {
            Failure::bad_request(format!(
                "missing database: name it with the query parameter `{param}`, as in ?{param}=NAME"
            ))
        })
}

/// The `accept_partial` parameter of the v3 API (default `true`).
fn accept_partial(params: &Params) -> Result<bool, Failure> {
    match params.get("accept_partial").map(String::as_str) {
        None | Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(Failure::bad_request(format!(
            "invalid accept_partial `{other}`: use true or false"
        ))),
    }
}

/// What a write asks for.
struct WriteRequest {
    database: String,
    unit: TimeUnit,
    accept_partial: bool,
}

impl WriteRequest {
    /// How to parse the body, `now` being the time of lines without one
    /// and `max_line_bytes` the longest line.
    fn parse_options(&self, now: i64, max_line_bytes: usize) -> ParseOptions {
        ParseOptions::new()
            .with_precision(self.unit.parse_precision())
            .with_default_time(self.unit.truncate(now))
            .with_max_line_length(max_line_bytes)
    }
}

impl TimeUnit {
    /// The precision the parser reads timestamps in: `Auto` reads them as
    /// written and [`TimeUnit::rescale`] scales them after.
    fn parse_precision(self) -> Precision {
        match self {
            TimeUnit::Auto => Precision::Nanoseconds,
            TimeUnit::Fixed(precision) => precision,
        }
    }

    /// `nanos` rounded down to a whole unit, as InfluxDB stores the
    /// server's time.
    fn truncate(self, nanos: i64) -> i64 {
        match self {
            TimeUnit::Auto => nanos,
            TimeUnit::Fixed(precision) => precision
                .to_nanos(precision.from_nanos(nanos))
                .unwrap_or(nanos),
        }
    }

    /// Scales a timestamp read by [`TimeUnit::parse_precision`] to
    /// nanoseconds.
    fn rescale(self, point: &mut Point<'_>) {
        if let (TimeUnit::Auto, Some(written)) = (self, point.timestamp()) {
            point.set_timestamp(Some(guessed_nanos(written)));
        }
    }
}

/// InfluxDB 3's `auto` precision: a timestamp is taken as seconds when it
/// would be under 5 s as nanoseconds, as milliseconds under 5,000 s, as
/// microseconds under 5,000,000 s, and as nanoseconds otherwise. Each bound
/// keeps the scaled value below 5 * 10^18, within `i64`.
fn guessed_nanos(written: i64) -> i64 {
    let factor = match written.unsigned_abs() / 1_000_000_000 {
        0..5 => 1_000_000_000,
        5..5_000 => 1_000_000,
        5_000..5_000_000 => 1_000,
        _ => 1,
    };
    written.saturating_mul(factor)
}

/// How a request failed: its status and a message for the client.
#[derive(Debug)]
struct Failure {
    status: StatusCode,
    message: String,
}

impl Failure {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Failure::new(StatusCode::BAD_REQUEST, message)
    }

    /// The JSON answer in the shape of `api`: InfluxDB 2's
    /// `{"code":..,"message":..}`, or `{"error":..}` for v1 and v3.
    fn into_response(self, api: Api) -> Response {
        let body = match api {
            Api::V2 => json!({ "code": v2_code(self.status), "message": self.message }),
            Api::V1 | Api::V3 => json!({ "error": self.message }),
        };
        let mut response = (self.status, json_body(body.to_string())).into_response();
        response.extensions_mut().insert(Note(self.message));
        response
    }
}

/// InfluxDB 2's error code for a status.
fn v2_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::NOT_FOUND => "not found",
        StatusCode::PAYLOAD_TOO_LARGE => "request too large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported media type",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable entity",
        StatusCode::REQUEST_TIMEOUT => "request timeout",
        status if status.is_server_error() => "internal error",
        _ => "invalid",
    }
}

/// A JSON body with its content type.
fn json_body(body: String) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
}

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

/// Which read a request asks for.
#[derive(Clone, Copy)]
enum Answer {
    LineProtocol,
    Tables,
}

/// The settings and the databases. The map is locked only to find or add
/// a database; each database has its own lock, so requests to different
/// databases never wait for each other.
struct Server {
    token: Option<String>,
    limits: Limits,
    databases: RwLock<HashMap<String, Arc<Mutex<Database>>>>,
    /// The tables of every database.
    tables: AtomicUsize,
    /// The estimated bytes of every stored point, across databases.
    memory: AtomicUsize,
    /// Permits to lay out a table: one per core.
    renders: Arc<Semaphore>,
}

impl Server {
    fn new(config: Config) -> Self {
        Server {
            token: config.token,
            limits: config.limits,
            databases: RwLock::new(HashMap::new()),
            tables: AtomicUsize::new(0),
            memory: AtomicUsize::new(0),
            renders: Arc::new(Semaphore::new(
                std::thread::available_parallelism().map_or(1, usize::from),
            )),
        }
    }

    /// Handles a write of any API.
    async fn write(self: Arc<Self>, api: Api, request: Request) -> Response {
        match self.try_write(api, request).await {
            Ok(written) => written.into_response(),
            Err(failure) => failure.into_response(api),
        }
    }

    /// Checks the query and the token (so a request that fails them never
    /// has its body read), then parses and stores the body as it arrives:
    /// line by line with partial writes accepted, whole otherwise.
    async fn try_write(self: Arc<Self>, api: Api, request: Request) -> Result<Written, Failure> {
        let (parts, body) = request.into_parts();
        let params = params(&parts.uri)?;
        self.authorize(api, &parts.headers, &params)?;
        let request = api.write_request(&params)?;
        let encoding = content_encoding(&parts.headers)?;
        let body = StreamReader::new(body.into_data_stream().map_err(io::Error::other));
        let body: Body = match encoding {
            Encoding::Identity => Box::pin(body),
            Encoding::Gzip => {
                let mut decoder = GzipDecoder::new(body);
                decoder.multiple_members(true);
                Box::pin(decoder)
            }
        };
        let now = now_nanos();
        if request.accept_partial {
            self.write_as_it_arrives(&request, body, now, encoding)
                .await
        } else {
            self.write_whole(request, body, now, encoding).await
        }
    }

    /// Parses the body as it arrives, a read at a time, and stores the
    /// good lines of each read before the next: memory per request is
    /// bounded by the line limit and one read, whatever the body's size.
    /// The database is locked for each read's lines only, never while
    /// waiting for the client; it is created with the first lines, so a
    /// body that fails before it has any creates nothing.
    async fn write_as_it_arrives(
        &self,
        request: &WriteRequest,
        body: Body,
        now: i64,
        encoding: Encoding,
    ) -> Result<Written, Failure> {
        let options = request.parse_options(now, self.limits.max_line_bytes);
        let mut stream = AsyncStream::with_options(body, options);
        let mut written = Written::new(encoding);
        let mut database = None;
        loop {
            let chunk = match stream.next_chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(err) => return Err(written.cut_short(self.read_failure(&err, encoding))),
            };
            self.store_chunk(request, &mut database, chunk, &mut written)
                .map_err(|failure| written.cut_short(failure))?;
        }
        if database.is_none() {
            self.database(&request.database, true)?;
        }
        Ok(written)
    }

    /// Checks and stores the complete lines of one read, holding the lock
    /// of the database (and no other) meanwhile; creates the database
    /// (once) if the read has a line.
    fn store_chunk(
        &self,
        request: &WriteRequest,
        database: &mut Option<Arc<Mutex<Database>>>,
        mut chunk: Chunk<'_>,
        written: &mut Written,
    ) -> Result<(), Failure> {
        let mut point = Point::new();
        let Some(mut parsed) = chunk.next_into(&mut point) else {
            return Ok(());
        };
        let database = match database {
            Some(database) => database,
            None => database.insert(self.database(&request.database, true)?),
        };
        let mut database = lock_on_worker(database);
        let database = &mut *database;
        let (room, others) = self.table_room(database);
        let own = database.tables();
        // Each line in order: a point to store, or the JSON of its error.
        let mut lines = Vec::new();
        let mut validator = Validator::new(&mut database.schema);
        loop {
            let line = chunk.line_number();
            let checked = match parsed {
                Err(err) => Err(LineError::from_parse_error(
                    &err,
                    chunk.line_text(err.line()),
                )),
                Ok(()) => match validator.check(&mut point, line) {
                    Ok(()) => Ok(point),
                    Err(kind) => Err(LineError::from_validation_error(
                        line,
                        kind,
                        chunk.line_text(line),
                    )),
                },
            };
            lines.push((
                line,
                checked.map_err(|error| self.with_table_limit(error.to_json(), room, others)),
            ));
            point = Point::new();
            match chunk.next_into(&mut point) {
                Some(next) => parsed = next,
                None => break,
            }
        }
        validator.commit();
        self.tables
            .fetch_add(database.tables().saturating_sub(own), Ordering::SeqCst);
        for (line, checked) in lines {
            let mut point = match checked {
                Ok(point) => point,
                Err(error) => {
                    written.refuse(error);
                    continue;
                }
            };
            request.unit.rescale(&mut point);
            let (_, released) = database.upsert(point.into_owned(), |wanted| {
                self.reserve(wanted).map_err(|used| {
                    self.store_full(
                        format_args!(
                            "the point of line {line} would take about {wanted} more bytes"
                        ),
                        used,
                    )
                })
            })?;
            self.release(released);
            written.stored += 1;
        }
        Ok(())
    }

    /// Reads the whole body, then stores all of its points or none: a
    /// write with `accept_partial=false` stores nothing if any line is bad,
    /// and whether one is can only be known at the body's end. While it is
    /// read, the body counts against the memory limit.
    async fn write_whole(
        self: Arc<Self>,
        request: WriteRequest,
        mut body: Body,
        now: i64,
        encoding: Encoding,
    ) -> Result<Written, Failure> {
        let mut whole = Vec::new();
        // Given back however the request ends: a client that goes away
        // drops this future at an `await`.
        let mut held = Held {
            server: &self,
            bytes: 0,
        };
        let read = loop {
            let more = match body.read_buf(&mut whole).await {
                Ok(0) => break Ok(()),
                Ok(more) => more,
                Err(err) => break Err(self.read_failure(&err, encoding)),
            };
            if let Err(used) = held.take(more) {
                break Err(self.store_full(
                    format_args!(
                        "a body written with accept_partial=false is held whole until its end, and this one takes more than {} bytes",
                        held.bytes
                    ),
                    used,
                ));
            }
        };
        let stored = match read.and_then(|()| self.database(&request.database, true)) {
            Ok(database) => {
                let server = Arc::clone(&self);
                tokio::task::spawn_blocking(move || {
                    server.store_whole(&request, &database, &whole, now, encoding)
                })
                .await
                .unwrap_or_else(|_| {
                    Err(Failure::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "the write failed",
                    ))
                })
            }
            Err(failure) => Err(failure),
        };
        drop(held);
        stored
    }

    /// Parses and stores a whole body, holding the lock of its database
    /// (and no other) while it parses: all its points or, if a line is
    /// bad, none.
    fn store_whole(
        &self,
        request: &WriteRequest,
        database: &Mutex<Database>,
        body: &[u8],
        now: i64,
        encoding: Encoding,
    ) -> Result<Written, Failure> {
        let mut database = lock(database);
        let database = &mut *database;
        let (room, others) = self.table_room(database);
        let own = database.tables();
        let options = BatchOptions::new()
            .with_parse_options(request.parse_options(now, self.limits.max_line_bytes))
            .with_accept_partial(false);
        let batch = Batch::parse(body, &options, &mut database.schema);
        self.tables
            .fetch_add(database.tables().saturating_sub(own), Ordering::SeqCst);
        let mut written = Written::new(encoding);
        if let Some(answer) = batch.partial_write_json() {
            written.rejected = batch.error_count();
            written.answer = Some(self.with_table_limit(answer, room, others));
            return Ok(written);
        }
        let mut points = batch.into_points();
        // Reserve the memory the points could take (as many new points)
        // before storing any, then give back what merges saved.
        let wanted: usize = points.iter().map(point_bytes).sum();
        self.reserve(wanted).map_err(|used| {
            self.store_full(
                format_args!(
                    "its {} points would take about {wanted} more bytes",
                    points.len()
                ),
                used,
            )
        })?;
        let (mut added, mut released) = (0usize, 0usize);
        for mut point in points.drain(..) {
            request.unit.rescale(&mut point);
            // Reserved above.
            let Ok((more, less)) =
                database.upsert(point.into_owned(), |_| Ok::<(), Infallible>(()));
            added += more;
            released += less;
            written.stored += 1;
        }
        self.release(wanted.saturating_sub(added).saturating_add(released));
        Ok(written)
    }

    /// The tables `database` may still add, and how many the other
    /// databases hold: the table limit holds across databases, so this one
    /// may have the tables the others leave. (Two writes to two databases
    /// at once may each take the same room; the memory limit bounds what
    /// that costs.)
    fn table_room(&self, database: &mut Database) -> (usize, usize) {
        let own = database.tables();
        let others = self.tables.load(Ordering::SeqCst).saturating_sub(own);
        let room = self.limits.max_tables.saturating_sub(others);
        database.schema = std::mem::take(&mut database.schema).with_max_tables(room);
        (room, others)
    }

    /// Takes `bytes` of the memory limit, or says how much is in use.
    fn reserve(&self, bytes: usize) -> Result<(), usize> {
        let budget = self.limits.max_memory_bytes;
        self.memory
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                used.checked_add(bytes).filter(|&total| total <= budget)
            })
            .map(drop)
    }

    /// Gives back `bytes` of the memory limit.
    fn release(&self, bytes: usize) {
        let _ = self
            .memory
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                Some(used.saturating_sub(bytes))
            });
    }

    /// The answer when the memory limit is reached.
    fn store_full(&self, what: fmt::Arguments<'_>, used: usize) -> Failure {
        Failure::new(
            StatusCode::INSUFFICIENT_STORAGE,
            format!(
                "the store is full: {what}, past the memory limit of {} bytes (--max-memory-bytes; about {used} in use)",
                self.limits.max_memory_bytes
            ),
        )
    }

    /// Why reading a body failed: the client, the body timeout, or (for
    /// a gzip body) its compressed data.
    fn read_failure(&self, err: &io::Error, encoding: Encoding) -> Failure {
        let mut source = err
            .get_ref()
            .map(|inner| inner as &(dyn std::error::Error + 'static));
        let from_client = source.is_some_and(|inner| inner.is::<axum::Error>());
        while let Some(error) = source {
            if error.is::<TimeoutError>() {
                return Failure::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "the body was not received within the time set by --body-timeout",
                );
            }
            source = error.source();
        }
        match encoding {
            Encoding::Gzip if !from_client => {
                Failure::bad_request(format!("invalid gzip body: {err}"))
            }
            _ => Failure::bad_request(format!("cannot read the body: {err}")),
        }
    }

    /// The database `name`: created when `create` and it is new, if the
    /// database limit allows.
    fn database(&self, name: &str, create: bool) -> Result<Arc<Mutex<Database>>, Failure> {
        let not_found =
            || Failure::new(StatusCode::NOT_FOUND, format!("database not found: {name}"));
        if let Some(database) = self.read_databases().get(name) {
            return Ok(Arc::clone(database));
        }
        if !create {
            return Err(not_found());
        }
        let mut databases = self
            .databases
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(database) = databases.get(name) {
            return Ok(Arc::clone(database));
        }
        if databases.len() >= self.limits.max_databases {
            return Err(Failure::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "cannot create database `{name}`: the limit of {} databases is reached (--max-databases)",
                    self.limits.max_databases
                ),
            ));
        }
        let database = Arc::new(Mutex::new(Database::new(
            Schema::new().with_max_columns_per_table(self.limits.max_columns),
        )));
        databases.insert(name.to_owned(), Arc::clone(&database));
        Ok(database)
    }

    /// The map of databases, for looking one up. Nothing panics while
    /// holding a lock, and were something to, the points stored are still
    /// worth serving, so a poisoned lock is taken as it is.
    fn read_databases(
        &self,
    ) -> std::sync::RwLockReadGuard<'_, HashMap<String, Arc<Mutex<Database>>>> {
        self.databases
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Handles a read: finds the database, then streams its answer.
    async fn read(&self, uri: &Uri, headers: &HeaderMap, answer: Answer) -> Response {
        let database = params(uri).and_then(|params| {
            self.authorize(Api::V3, headers, &params)?;
            self.database(&database(&params, "db")?, false)
        });
        let database = match database {
            Ok(database) => database,
            Err(failure) => return failure.into_response(Api::V3),
        };
        let body = match answer {
            Answer::LineProtocol => reads::line_protocol(database, self.limits.read),
            Answer::Tables => {
                reads::tables(database, self.limits.read, Arc::clone(&self.renders)).await
            }
        };
        ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
    }

    /// Checks the token of a request, when the server has one.
    fn authorize(&self, api: Api, headers: &HeaderMap, params: &Params) -> Result<(), Failure> {
        let Some(expected) = &self.token else {
            return Ok(());
        };
        let given = match api {
            Api::V1 => header_token(headers)
                .or_else(|| basic_password(headers))
                .or_else(|| params.get("p").cloned()),
            Api::V2 | Api::V3 => header_token(headers),
        };
        match given {
            Some(token) if same_secret(token.as_bytes(), expected.as_bytes()) => Ok(()),
            Some(_) => Err(Failure::new(StatusCode::UNAUTHORIZED, "invalid token")),
            None => Err(Failure::new(
                StatusCode::UNAUTHORIZED,
                match api {
                    Api::V1 => {
                        "missing token: send `Authorization: Token TOKEN`, `Authorization: Basic` with the token as password, or ?u=USER&p=TOKEN"
                    }
                    Api::V2 | Api::V3 => "missing token: send `Authorization: Token TOKEN`",
                },
            )),
        }
    }

    /// `answer` with each table-limit error naming the limit across
    /// databases, when other databases took part of it (the schema of one
    /// database knows only the room it was given).
    fn with_table_limit(&self, answer: String, room: usize, others: usize) -> String {
        if others == 0 {
            return answer;
        }
        answer.replace(
            &format!(" of at most {room}\""),
            &format!(
                " of at most {room} in this database: the limit is {} tables across databases (--max-tables), and other databases hold {others}\"",
                self.limits.max_tables
            ),
        )
    }
}

/// Memory taken from the limit for as long as it lives.
struct Held<'s> {
    server: &'s Server,
    bytes: usize,
}

impl Held<'_> {
    /// Takes `bytes` more, or says how much is in use.
    fn take(&mut self, bytes: usize) -> Result<(), usize> {
        self.server.reserve(bytes)?;
        self.bytes += bytes;
        Ok(())
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.server.release(self.bytes);
    }
}

/// A database, locked from an async worker: at once if no one holds it,
/// else waiting off the worker (`block_in_place` hands the worker's other
/// tasks to another thread meanwhile), so that a write parsing a whole
/// body under the lock on the blocking pool holds up no other request.
fn lock_on_worker(database: &Mutex<Database>) -> MutexGuard<'_, Database> {
    match database.try_lock() {
        Ok(guard) => guard,
        Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
        Err(TryLockError::WouldBlock) => tokio::task::block_in_place(|| lock(database)),
    }
}

/// A database, locked. Nothing panics while holding the lock, and were
/// something to, the points stored are still worth serving, so a poisoned
/// lock is taken as it is.
fn lock(database: &Mutex<Database>) -> MutexGuard<'_, Database> {
    database.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The token of an `Authorization: Token T` or `Bearer T` header.
fn header_token(headers: &HeaderMap) -> Option<String> {
    let (scheme, token) = authorization(headers)?;
    let known = scheme.eq_ignore_ascii_case("token") || scheme.eq_ignore_ascii_case("bearer");
    known.then(|| token.to_owned())
}

/// The password of an `Authorization: Basic BASE64(USER:PASSWORD)` header,
/// which InfluxDB 1 clients send; an empty string when the header is
/// Basic but malformed (so the answer is "invalid token").
fn basic_password(headers: &HeaderMap) -> Option<String> {
    let (scheme, credentials) = authorization(headers)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let password = base64_decode(credentials)
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .and_then(|decoded| {
            decoded
                .split_once(':')
                .map(|(_, password)| password.to_owned())
        });
    Some(password.unwrap_or_default())
}

/// The scheme and the credentials of the `Authorization` header.
fn authorization(headers: &HeaderMap) -> Option<(&str, &str)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, credentials) = value.trim().split_once(' ')?;
    Some((scheme, credentials.trim()))
}

/// Standard base64 (padding optional), or `None` if `text` is not.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut buffer = 0u32;
    let mut bits = 0;
    for byte in text.trim_end_matches('=').bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Compares two secrets in a time that depends on their lengths only.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0, |differences, (a, b)| differences | (a ^ b))
            == 0
}

/// How a body is encoded.
#[derive(Clone, Copy)]
enum Encoding {
    Identity,
    Gzip,
}

fn content_encoding(headers: &HeaderMap) -> Result<Encoding, Failure> {
    let Some(value) = headers.get(header::CONTENT_ENCODING) else {
        return Ok(Encoding::Identity);
    };
    match value.to_str().map(str::trim) {
        Ok(name) if name.eq_ignore_ascii_case("gzip") => Ok(Encoding::Gzip),
        Ok(name) if name.eq_ignore_ascii_case("identity") || name.is_empty() => {
            Ok(Encoding::Identity)
        }
        _ => Err(Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "unsupported Content-Encoding `{}`: use gzip or identity",
                String::from_utf8_lossy(value.as_bytes())
            ),
        )),
    }
}

/// Nanoseconds since the Unix epoch (0 before it, `i64::MAX` after 2262).
fn now_nanos() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_nanos()).unwrap_or(i64::MAX)
        })
}

/// What a write came to.
struct Written {
    stored: usize,
    rejected: usize,
    /// The partial-write answer of a whole body, when a line was rejected.
    answer: Option<String>,
    /// The first rejected lines of a body stored as it arrives, each as
    /// the JSON object the answer lists.
    listed: Vec<String>,
    /// Whether the body came compressed.
    gzip: bool,
}

impl Written {
    fn new(encoding: Encoding) -> Self {
        Written {
            stored: 0,
            rejected: 0,
            answer: None,
            listed: Vec::new(),
            gzip: matches!(encoding, Encoding::Gzip),
        }
    }

    /// Counts a rejected line, and lists it if it is among the first
    /// [`BatchOptions::DEFAULT_MAX_ERRORS`], as InfluxDB 3 does.
    fn refuse(&mut self, line: String) {
        self.rejected += 1;
        if self.listed.len() < BatchOptions::DEFAULT_MAX_ERRORS {
            self.listed.push(line);
        }
    }

    /// `failure`, saying what was stored of the body before it.
    fn cut_short(&self, mut failure: Failure) -> Failure {
        if self.stored > 0 || self.rejected > 0 {
            failure.message.push_str(&format!(
                " (before it: {} stored, {} rejected)",
                counted(self.stored, "point"),
                counted(self.rejected, "line")
            ));
        }
        failure
    }

    /// InfluxDB 3's partial-write answer, when a line was rejected.
    fn answer(&mut self) -> Option<String> {
        if let Some(answer) = self.answer.take() {
            return Some(answer);
        }
        if self.rejected == 0 {
            return None;
        }
        let mut error = String::from(PARTIAL_WRITE);
        if self.rejected > self.listed.len() {
            error.push_str(&format!(
                ": {} lines were rejected, the first {} are listed",
                self.rejected,
                self.listed.len()
            ));
        }
        Some(format!(
            r#"{{"error":{},"data":[{}]}}"#,
            json!(error),
            self.listed.join(",")
        ))
    }
}

/// The `error` of InfluxDB 3's answer to a write some of whose lines
/// were rejected.
const PARTIAL_WRITE: &str = "partial write of line protocol occurred";

impl IntoResponse for Written {
    fn into_response(mut self) -> Response {
        let mut note = format!("{} stored", counted(self.stored, "point"));
        if self.rejected > 0 {
            note.push_str(&format!(", {} rejected", counted(self.rejected, "line")));
        }
        if self.gzip {
            note.push_str(", gzip body");
        }
        let mut response = match self.answer() {
            None => StatusCode::NO_CONTENT.into_response(),
            Some(answer) => (StatusCode::BAD_REQUEST, json_body(answer)).into_response(),
        };
        response.extensions_mut().insert(Note(note));
        response
    }
}

/// `1 point`, `2 points`.
fn counted(count: usize, noun: &str) -> String {
    match count {
        1 => format!("1 {noun}"),
        _ => format!("{count} {noun}s"),
    }
}
