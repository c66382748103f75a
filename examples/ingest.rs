//! `ingest`: an HTTP server that accepts line protocol the way InfluxDB
//! does, built on `lineproto`, and keeps the points in memory.
//!
//! ```text
//! cargo run --release --example ingest -- [--addr HOST:PORT] [--token TOKEN] [--max-body-bytes N]
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
//! `lp table` prints.
//!
//! With `--token TOKEN`, every request needs `Authorization: Token TOKEN`
//! (or `Bearer TOKEN`; the v1 endpoint also takes `?u=USER&p=TOKEN`),
//! else the answer is `401` and nothing is stored. Without `--token`,
//! every request is let in. Bodies may be sent with `Content-Encoding:
//! gzip`; a body (compressed or not) over `--max-body-bytes` (10 MiB by
//! default) is answered with `413`.
//!
//! Answers follow InfluxDB: `204 No Content` when every line was stored;
//! `400` with InfluxDB 3's partial-write JSON when some line was not
//! (`{"error":"partial write of line protocol occurred","data":[{"original_line":..,"line_number":..,"error_message":..}]}`),
//! the good lines stored unless `accept_partial=false`; `400` naming the
//! accepted values for a bad precision or a missing database. Other errors
//! are JSON in the API's own shape: `{"code":..,"message":..}` for v2,
//! `{"error":..}` otherwise.
//!
//! Storage follows InfluxDB's rules: a field keeps the type it was first
//! stored with (a line giving it another type is rejected, within a
//! request or across requests, one `lineproto::Schema` per database), and
//! a point with the measurement, tag set and timestamp of a stored one
//! updates it, its fields merged into the stored ones (so writing the same
//! data twice changes nothing).

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::io::{self, Read, Write};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use flate2::read::MultiGzDecoder;
use lineproto::{Batch, BatchOptions, ParseOptions, Point, Precision, Schema};
use serde_json::json;

#[path = "common/cli.rs"]
mod cli;
#[path = "common/table.rs"]
mod table;

const USAGE: &str = "\
usage: ingest [--addr HOST:PORT] [--token TOKEN] [--max-body-bytes N]
";

const DETAILS: &str = "
  --addr HOST:PORT      where to listen (default 127.0.0.1:8181; port 0 picks one)
  --token TOKEN         the token every request must carry (default: none needed)
  --max-body-bytes N    the largest body accepted, before and after gzip
                        decompression (default 10485760, 10 MiB)

Writes: POST /write?db=NAME (v1), POST /api/v2/write?bucket=NAME (v2),
        POST /api/v3/write_lp?db=NAME, each with an optional &precision=P.
Reads:  GET /api/v3/query_lp?db=NAME (line protocol), GET /table?db=NAME.
";

const DEFAULT_ADDR: &str = "127.0.0.1:8181";
const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

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

/// Listens, prints the address, and serves until Ctrl-C.
async fn serve(config: Config) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(&config.addr)
        .await
        .map_err(|err| format!("cannot listen on {}: {err}", config.addr))?;
    let addr = listener
        .local_addr()
        .map_err(|err| format!("cannot read the address listened on: {err}"))?;
    announce(&addr.to_string(), config.token.is_some())?;
    let app = router(Arc::new(Server::new(config)));
    axum::serve(listener, app)
        .with_graceful_shutdown(interrupted())
        .await
        .map_err(|err| format!("the server failed: {err}"))
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
    max_body_bytes: usize,
}

impl Config {
    /// Reads the arguments after the program name: `None` asks for help,
    /// an error is a message for standard error.
    fn from_args(args: impl IntoIterator<Item = OsString>) -> Result<Option<Config>, String> {
        let mut config = Config {
            addr: DEFAULT_ADDR.to_owned(),
            token: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
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
                "--max-body-bytes" => {
                    config.max_body_bytes =
                        byte_count(&cli::option_value(name, inline, &mut args)?)?;
                }
                _ => return Err(format!("unknown argument `{arg}`")),
            }
        }
        Ok(Some(config))
    }
}

/// The value of `--max-body-bytes`: a positive number of bytes.
fn byte_count(value: &str) -> Result<usize, String> {
    match value.parse() {
        Ok(bytes) if bytes > 0 => Ok(bytes),
        _ => Err(format!(
            "invalid --max-body-bytes `{value}`: expected a positive number of bytes"
        )),
    }
}

// ---------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------

/// The query string, decoded.
type Params = HashMap<String, String>;

/// The shared state of every request.
type Shared = State<Arc<Server>>;

fn router(server: Arc<Server>) -> Router {
    Router::new()
        .route("/write", post(write_v1))
        .route("/api/v2/write", post(write_v2))
        .route("/api/v3/write_lp", post(write_v3))
        .route("/api/v3/query_lp", get(query_lp))
        .route("/table", get(table))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(server.max_body_bytes))
        .layer(middleware::from_fn(log_request))
        .with_state(server)
}

async fn write_v1(
    State(server): Shared,
    query: Result<Query<Params>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    server.write(Api::V1, query, &headers, body)
}

async fn write_v2(
    State(server): Shared,
    query: Result<Query<Params>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    server.write(Api::V2, query, &headers, body)
}

async fn write_v3(
    State(server): Shared,
    query: Result<Query<Params>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    server.write(Api::V3, query, &headers, body)
}

async fn query_lp(
    State(server): Shared,
    query: Result<Query<Params>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    server.read(query, &headers, line_protocol)
}

async fn table(
    State(server): Shared,
    query: Result<Query<Params>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    server.read(query, &headers, tables)
}

async fn not_found(uri: Uri) -> Response {
    Failure::new(
        StatusCode::NOT_FOUND,
        format!("no endpoint at {}", uri.path()),
    )
    .into_response(Api::V3)
}

/// Logs one line per request: method, target (the v1 token hidden),
/// status, what happened, and how long it took.
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
    /// How to parse the body, `now` being the time of lines without one.
    fn batch_options(&self, now: i64) -> BatchOptions {
        let parse = ParseOptions::new()
            .with_precision(self.unit.parse_precision())
            .with_default_time(self.unit.truncate(now));
        BatchOptions::new()
            .with_parse_options(parse)
            .with_accept_partial(self.accept_partial)
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

/// The settings and the databases.
struct Server {
    token: Option<String>,
    max_body_bytes: usize,
    databases: Mutex<HashMap<String, Database>>,
}

impl Server {
    fn new(config: Config) -> Self {
        Server {
            token: config.token,
            max_body_bytes: config.max_body_bytes,
            databases: Mutex::new(HashMap::new()),
        }
    }

    /// Handles a write of any API.
    fn write(
        &self,
        api: Api,
        query: Result<Query<Params>, QueryRejection>,
        headers: &HeaderMap,
        body: Result<Bytes, BytesRejection>,
    ) -> Response {
        match self.try_write(api, query, headers, body) {
            Ok(written) => written.into_response(),
            Err(failure) => failure.into_response(api),
        }
    }

    fn try_write(
        &self,
        api: Api,
        query: Result<Query<Params>, QueryRejection>,
        headers: &HeaderMap,
        body: Result<Bytes, BytesRejection>,
    ) -> Result<Written, Failure> {
        let Query(params) =
            query.map_err(|rejection| Failure::bad_request(rejection.body_text()))?;
        self.authorize(api, headers, &params)?;
        let request = api.write_request(&params)?;
        let encoding = content_encoding(headers)?;
        let body = self.decoded_body(body, encoding)?;
        // Parsing runs on the async worker, under the lock that keeps the
        // field types of concurrent writes consistent: at hundreds of MB/s,
        // a 10 MiB body holds both for tens of milliseconds.
        let mut databases = self.databases();
        let database = databases.entry(request.database.clone()).or_default();
        let written = database.write(&body, &request, now_nanos());
        Ok(Written {
            gzip: matches!(encoding, Encoding::Gzip),
            ..written
        })
    }

    /// Handles a read: `render` turns the points of the database the
    /// query names into the body.
    fn read(
        &self,
        query: Result<Query<Params>, QueryRejection>,
        headers: &HeaderMap,
        render: impl FnOnce(&[Point<'static>]) -> Result<Vec<u8>, Failure>,
    ) -> Response {
        match self.try_read(query, headers, render) {
            Ok(text) => {
                ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
            }
            Err(failure) => failure.into_response(Api::V3),
        }
    }

    fn try_read(
        &self,
        query: Result<Query<Params>, QueryRejection>,
        headers: &HeaderMap,
        render: impl FnOnce(&[Point<'static>]) -> Result<Vec<u8>, Failure>,
    ) -> Result<Vec<u8>, Failure> {
        let Query(params) =
            query.map_err(|rejection| Failure::bad_request(rejection.body_text()))?;
        self.authorize(Api::V3, headers, &params)?;
        let name = database(&params, "db")?;
        let databases = self.databases();
        let database = databases.get(&name).ok_or_else(|| {
            Failure::new(StatusCode::NOT_FOUND, format!("database not found: {name}"))
        })?;
        render(&database.points)
    }

    /// The databases, locked. Nothing panics while holding the lock, and
    /// were something to, the points stored are still worth serving, so a
    /// poisoned lock is taken as it is.
    fn databases(&self) -> MutexGuard<'_, HashMap<String, Database>> {
        self.databases
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Checks the token of a request, when the server has one.
    fn authorize(&self, api: Api, headers: &HeaderMap, params: &Params) -> Result<(), Failure> {
        let Some(expected) = &self.token else {
            return Ok(());
        };
        let given = header_token(headers).or_else(|| match api {
            Api::V1 => params.get("p").map(String::as_str),
            Api::V2 | Api::V3 => None,
        });
        match given {
            Some(token) if same_secret(token.as_bytes(), expected.as_bytes()) => Ok(()),
            Some(_) => Err(Failure::new(StatusCode::UNAUTHORIZED, "invalid token")),
            None => Err(Failure::new(
                StatusCode::UNAUTHORIZED,
                match api {
                    Api::V1 => {
                        "missing token: send `Authorization: Token TOKEN` or ?u=USER&p=TOKEN"
                    }
                    Api::V2 | Api::V3 => "missing token: send `Authorization: Token TOKEN`",
                },
            )),
        }
    }

    /// The body, decompressed, within the size limit.
    fn decoded_body(
        &self,
        body: Result<Bytes, BytesRejection>,
        encoding: Encoding,
    ) -> Result<Bytes, Failure> {
        let body = body.map_err(|rejection| match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => self.too_large("the body"),
            status => Failure::new(status, rejection.body_text()),
        })?;
        match encoding {
            Encoding::Identity => Ok(body),
            Encoding::Gzip => self.gunzip(&body),
        }
    }

    /// Decompresses a gzip body, refusing to inflate it past the limit.
    fn gunzip(&self, body: &[u8]) -> Result<Bytes, Failure> {
        let limit = u64::try_from(self.max_body_bytes).unwrap_or(u64::MAX);
        let mut inflated = Vec::new();
        MultiGzDecoder::new(body)
            .take(limit.saturating_add(1))
            .read_to_end(&mut inflated)
            .map_err(|err| Failure::bad_request(format!("invalid gzip body: {err}")))?;
        if inflated.len() > self.max_body_bytes {
            return Err(self.too_large("the decompressed body"));
        }
        Ok(Bytes::from(inflated))
    }

    fn too_large(&self, what: &str) -> Failure {
        Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "{what} is larger than the limit of {} bytes",
                self.max_body_bytes
            ),
        )
    }
}

/// The token of an `Authorization: Token T` or `Bearer T` header.
fn header_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let known = scheme.eq_ignore_ascii_case("token") || scheme.eq_ignore_ascii_case("bearer");
    known.then(|| token.trim())
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

// ---------------------------------------------------------------------------
// A database
// ---------------------------------------------------------------------------

/// The points of one database and the field types they fixed.
#[derive(Default)]
struct Database {
    schema: Schema,
    /// In the order first written.
    points: Vec<Point<'static>>,
    /// Where each series and time is in `points`.
    index: HashMap<SeriesTime, usize>,
}

/// What identifies a stored point: measurement, tag set (sorted by key)
/// and timestamp.
#[derive(PartialEq, Eq, Hash)]
struct SeriesTime {
    measurement: String,
    tags: Vec<(String, String)>,
    time: Option<i64>,
}

impl SeriesTime {
    /// The identity of `point`, whose tags are sorted.
    fn of(point: &Point<'_>) -> Self {
        SeriesTime {
            measurement: point.measurement().to_owned(),
            tags: point
                .tags()
                .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
                .collect(),
            time: point.timestamp(),
        }
    }
}

impl Database {
    /// Parses `body`, checks it against the field types stored, and
    /// stores its good points (none when the request refuses partial
    /// writes and a line is bad).
    fn write(&mut self, body: &[u8], request: &WriteRequest, now: i64) -> Written {
        let batch = Batch::parse(body, &request.batch_options(now), &mut self.schema);
        let rejected = batch.errors().len();
        let answer = batch.partial_write_json();
        let points = batch.into_points();
        let stored = points.len();
        for mut point in points {
            request.unit.rescale(&mut point);
            self.upsert(point.into_owned());
        }
        Written {
            stored,
            rejected,
            answer,
            gzip: false,
        }
    }

    /// Stores `point`, or merges its fields into the stored point of the
    /// same series and time.
    fn upsert(&mut self, mut point: Point<'static>) {
        point.sort_tags();
        let key = SeriesTime::of(&point);
        let stored = self
            .index
            .get(&key)
            .and_then(|&index| self.points.get_mut(index));
        match stored {
            Some(stored) => *stored = merged(stored, point),
            None => {
                self.index.insert(key, self.points.len());
                self.points.push(point);
            }
        }
    }
}

/// `update` with the fields of `stored` it does not set, as InfluxDB
/// merges a point into the one it overwrites.
fn merged(stored: &Point<'static>, update: Point<'static>) -> Point<'static> {
    let kept = stored
        .fields()
        .iter()
        .filter(|field| update.field(field.key()).is_none());
    if kept.clone().next().is_none() {
        return update;
    }
    // `Point` offers no way to add fields, so build the merged point anew.
    let mut builder = Point::builder(update.measurement().to_owned());
    for tag in update.tags() {
        builder = builder.tag(tag.key().to_owned(), tag.value().to_owned());
    }
    for field in kept.chain(update.fields()) {
        builder = builder.field(field.key().to_owned(), field.value().clone());
    }
    if let Some(time) = update.timestamp() {
        builder = builder.timestamp(time);
    }
    // Both points were valid and their field keys are distinct, so the
    // builder accepts the merge; keep the update should it ever not.
    builder.build().unwrap_or(update)
}

/// What a write came to.
struct Written {
    stored: usize,
    rejected: usize,
    /// The partial-write answer, when a line was rejected.
    answer: Option<String>,
    /// Whether the body came compressed.
    gzip: bool,
}

impl IntoResponse for Written {
    fn into_response(self) -> Response {
        let mut note = format!("{} stored", counted(self.stored, "point"));
        if self.rejected > 0 {
            note.push_str(&format!(", {} rejected", counted(self.rejected, "line")));
        }
        if self.gzip {
            note.push_str(", gzip body");
        }
        let mut response = match self.answer {
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

// ---------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------

/// The points as line protocol, nanosecond timestamps, one per line.
fn line_protocol(points: &[Point<'static>]) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    for point in points {
        point
            .write_to_vec(&mut out, Precision::Nanoseconds)
            .map_err(|err| Failure::new(StatusCode::INTERNAL_SERVER_ERROR, err.to_string()))?;
    }
    Ok(out)
}

/// The points as the tables `lp table` prints.
fn tables(points: &[Point<'static>]) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    table::write_tables(&mut out, points)
        .map_err(|err| Failure::new(StatusCode::INTERNAL_SERVER_ERROR, err.to_string()))?;
    Ok(out)
}
