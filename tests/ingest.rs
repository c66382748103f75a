//! The `ingest` example server, started as a subprocess on a free port and
//! driven over HTTP/1.1 with a small client on a raw TCP stream: the three
//! write APIs, tokens, gzip bodies, partial writes, field type conflicts
//! across requests, the body limit, precisions, and the two reads.
//!
//! The real clients (curl with the commands of InfluxDB's guide, and the
//! two Python client libraries) are driven by `.ci/ingest-clients`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "common/example.rs"]
mod example;

use example::example_binary;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

/// The sample of the crate: 26 points of two rooms, timestamps in seconds.
const SAMPLE: &str = include_str!("../examples/home.lp");

/// What `lp table --precision s examples/home.lp` prints.
const SAMPLE_TABLE: &str = include_str!("data/home-table.md");

/// The token every server here is started with.
const TOKEN: &str = "test-token";

/// The built example, `target/<profile>/examples/ingest`, built once per
/// test run (a no-op when it is up to date), as `tests/lp_cli.rs` does.
fn ingest_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| example_binary("ingest"))
}

// ---------------------------------------------------------------------------
// The server and a small HTTP client
// ---------------------------------------------------------------------------

/// A running server, killed when dropped.
struct Server {
    child: Child,
    addr: String,
    /// Its standard error, line by line, as it comes.
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    /// Starts `ingest --addr 127.0.0.1:0 --token TOKEN EXTRA..` and waits
    /// for the address it prints.
    fn start(extra: &[&str]) -> Server {
        let mut child = Command::new(ingest_binary())
            .args(["--addr", "127.0.0.1:0", "--token", TOKEN])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ingest starts");

        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().unwrap();
        let lines = Arc::clone(&log);
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                lines.lock().unwrap().push(line.unwrap());
            }
        });

        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let addr = first
            .trim_end()
            .strip_prefix("ingest: listening on http://")
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!(
                    "unexpected first line {first:?}; log: {:?}",
                    log.lock().unwrap()
                )
            })
            .to_owned();
        Server { child, addr, log }
    }

    /// Sends a request with the server's token.
    fn send(&self, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let token = format!("Token {TOKEN}");
        let mut all = vec![("Authorization", token.as_str())];
        all.extend_from_slice(headers);
        http(&self.addr, method, target, &all, body)
    }

    fn post(&self, target: &str, body: &str) -> Reply {
        self.send("POST", target, &[], body.as_bytes())
    }

    fn get(&self, target: &str) -> Reply {
        self.send("GET", target, &[], b"")
    }

    /// `GET /api/v3/query_lp?db=DB`, which must succeed.
    fn stored(&self, db: &str) -> String {
        let reply = self.get(&format!("/api/v3/query_lp?db={db}"));
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.text()
    }

    /// `GET /table?db=DB`, which must succeed.
    fn table(&self, db: &str) -> String {
        let reply = self.get(&format!("/table?db={db}"));
        assert_eq!(reply.status, 200, "{reply:?}");
        reply.text()
    }

    /// Waits until a log line contains `text`, and returns it.
    fn log_line(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let lines = self.log.lock().unwrap().clone();
            if let Some(line) = lines.iter().find(|line| line.contains(text)) {
                return line.clone();
            }
            assert!(
                Instant::now() < deadline,
                "no log line contains {text:?}: {lines:#?}"
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    fn json(&self) -> Value {
        assert_eq!(
            self.header("content-type"),
            Some("application/json; charset=utf-8"),
            "{self:?}"
        );
        serde_json::from_slice(&self.body).unwrap_or_else(|err| panic!("{err}: {self:?}"))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// One HTTP/1.1 request on its own connection (`Connection: close`).
fn http(addr: &str, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    // A server may answer before reading the whole body (413), so a failed
    // write is no failure: the answer says what happened.
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body));
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse_reply(&raw)
}

fn parse_reply(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(raw)));
    let head = std::str::from_utf8(&raw[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.to_owned(), value.trim().to_owned())
        })
        .collect();
    let mut reply = Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    };
    if reply.header("transfer-encoding") == Some("chunked") {
        reply.body = unchunked(&reply.body);
    }
    if let Some(length) = reply.header("content-length") {
        assert_eq!(
            reply.body.len(),
            length.parse::<usize>().unwrap(),
            "{reply:?}"
        );
    }
    reply.headers.retain(|(name, _)| name != "date");
    reply
}

/// The body of a `Transfer-Encoding: chunked` answer, which must be
/// complete (end with the empty chunk).
fn unchunked(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = raw
            .windows(2)
            .position(|window| window == b"\r\n")
            .expect("a chunk size line");
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..line_end]).unwrap(), 16)
            .expect("a hexadecimal chunk size");
        raw = &raw[line_end + 2..];
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&raw[..size]);
        assert_eq!(&raw[size..size + 2], b"\r\n");
        raw = &raw[size + 2..];
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn now_nanos() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    i64::try_from(since.as_nanos()).unwrap()
}

/// The partial-write answer's `data`, as (line number, original line,
/// error message) triples.
fn rejected_lines(reply: &Reply) -> Vec<(u64, String, String)> {
    assert_eq!(reply.status, 400, "{reply:?}");
    let answer = reply.json();
    assert_eq!(answer["error"], "partial write of line protocol occurred");
    answer["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["line_number"].as_u64().unwrap(),
                item["original_line"].as_str().unwrap().to_owned(),
                item["error_message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The sample through each API
// ---------------------------------------------------------------------------

#[test]
fn the_sample_through_each_write_api_gives_the_sample_table() {
    let server = Server::start(&[]);
    for (db, target) in [
        ("v1", "/write?db=v1&precision=s"),
        ("v2", "/api/v2/write?bucket=v2&org=my-org&precision=s"),
        ("v3", "/api/v3/write_lp?db=v3&precision=second"),
        ("auto", "/api/v3/write_lp?db=auto"),
    ] {
        let reply = server.post(target, SAMPLE);
        assert_eq!(reply.status, 204, "{target}: {reply:?}");
        assert!(reply.body.is_empty(), "{reply:?}");
        assert_eq!(server.table(db), SAMPLE_TABLE, "{target}");
    }
}

#[test]
fn writing_the_same_points_again_changes_nothing() {
    let server = Server::start(&[]);
    for target in [
        "/write?db=home&precision=s",
        "/api/v2/write?bucket=home&precision=s",
    ] {
        assert_eq!(server.post(target, SAMPLE).status, 204);
        assert_eq!(server.table("home"), SAMPLE_TABLE);
    }
    assert_eq!(server.stored("home").lines().count(), 26);
}

#[test]
fn query_lp_answers_line_protocol_with_nanosecond_timestamps() {
    let server = Server::start(&[]);
    let body = "home,room=Living\\ Room temp=21.1,hum=35.9,co=0i 1641024000\n\
                home,room=Kitchen temp=21.0,hum=35.9,co=0i 1641024000\n";
    assert_eq!(server.post("/write?db=home&precision=s", body).status, 204);
    let reply = server.get("/api/v3/query_lp?db=home");
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        reply.text(),
        "home,room=Living\\ Room temp=21.1,hum=35.9,co=0i 1641024000000000000\n\
         home,room=Kitchen temp=21,hum=35.9,co=0i 1641024000000000000\n"
    );
}

#[test]
fn a_point_of_a_stored_series_and_time_merges_its_fields() {
    let server = Server::start(&[]);
    let first = "m,a=1,b=2 x=1,y=1 10\n";
    let second = "m,b=2,a=1 y=2,z=\"new\" 10\nm,a=1,b=2 x=5 20\n";
    assert_eq!(server.post("/api/v2/write?bucket=db", first).status, 204);
    assert_eq!(server.post("/api/v2/write?bucket=db", second).status, 204);
    assert_eq!(
        server.stored("db"),
        "m,a=1,b=2 x=1,y=2,z=\"new\" 10\nm,a=1,b=2 x=5 20\n"
    );
}

// ---------------------------------------------------------------------------
// gzip
// ---------------------------------------------------------------------------

#[test]
fn a_gzip_body_is_decompressed() {
    let server = Server::start(&[]);
    let body = gzip(SAMPLE.as_bytes());
    for (db, target) in [
        ("v1", "/write?db=v1&precision=s"),
        ("v2", "/api/v2/write?bucket=v2&precision=s"),
        ("v3", "/api/v3/write_lp?db=v3&precision=s"),
    ] {
        let reply = server.send("POST", target, &[("Content-Encoding", "gzip")], &body);
        assert_eq!(reply.status, 204, "{reply:?}");
        assert_eq!(server.table(db), SAMPLE_TABLE);
    }
    server.log_line("26 points stored, gzip body");
}

#[test]
fn a_body_that_is_not_gzip_is_refused() {
    let server = Server::start(&[]);
    let reply = server.send(
        "POST",
        "/api/v2/write?bucket=db",
        &[("Content-Encoding", "gzip")],
        b"m v=1\n",
    );
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(reply.json()["code"], "invalid");
    assert!(
        reply.json()["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid gzip body"),
        "{reply:?}"
    );
    assert_eq!(server.get("/table?db=db").status, 404, "nothing stored");
}

#[test]
fn an_unknown_content_encoding_is_415() {
    let server = Server::start(&[]);
    let reply = server.send(
        "POST",
        "/write?db=db",
        &[("Content-Encoding", "br")],
        b"m v=1\n",
    );
    assert_eq!(reply.status, 415, "{reply:?}");
    assert_eq!(
        reply.json(),
        json!({"error": "unsupported Content-Encoding `br`: use gzip or identity"})
    );
}

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

#[test]
fn a_missing_or_wrong_token_is_401_and_stores_nothing() {
    let server = Server::start(&[]);
    let targets = [
        "/write?db=db",
        "/api/v2/write?bucket=db",
        "/api/v3/write_lp?db=db",
    ];
    let wrong = [
        vec![],
        vec![("Authorization", "Token wrong")],
        vec![("Authorization", "Bearer wrong")],
        vec![("Authorization", "Token test-token-and-more")],
        vec![("Authorization", "Basic dGVzdC10b2tlbg==")],
        vec![("Authorization", TOKEN)],
    ];
    for target in targets {
        for headers in &wrong {
            let reply = http(&server.addr, "POST", target, headers, b"m v=1\n");
            assert_eq!(reply.status, 401, "{target} {headers:?}: {reply:?}");
        }
    }
    let v1 = http(
        &server.addr,
        "POST",
        "/write?db=db&u=me&p=wrong",
        &[],
        b"m v=1\n",
    );
    assert_eq!(v1.status, 401);
    assert_eq!(v1.json(), json!({"error": "invalid token"}));
    let v2 = http(
        &server.addr,
        "POST",
        "/api/v2/write?bucket=db",
        &[],
        b"m v=1\n",
    );
    assert_eq!(
        v2.json(),
        json!({"code": "unauthorized", "message": "missing token: send `Authorization: Token TOKEN`"})
    );
    // Only v1 takes the token as a query parameter.
    let v3 = http(
        &server.addr,
        "POST",
        "/api/v3/write_lp?db=db&p=test-token",
        &[],
        b"m v=1\n",
    );
    assert_eq!(v3.status, 401);

    let reply = server.get("/api/v3/query_lp?db=db");
    assert_eq!(reply.status, 404, "nothing stored, not even the database");
    assert_eq!(reply.json(), json!({"error": "database not found: db"}));
}

#[test]
fn the_right_token_is_taken_in_each_form() {
    let server = Server::start(&[]);
    let bearer = format!("Bearer {TOKEN}");
    let token = format!("token {TOKEN}");
    let v1_query = format!("/write?db=db&u=anyone&p={TOKEN}");
    let cases = [
        (
            "/api/v2/write?bucket=db",
            vec![("Authorization", bearer.as_str())],
            "a v=1 1\n",
        ),
        (
            "/api/v3/write_lp?db=db",
            vec![("Authorization", token.as_str())],
            "b v=1 1\n",
        ),
        (v1_query.as_str(), vec![], "c v=1 1\n"),
    ];
    for (target, headers, body) in &cases {
        let reply = http(&server.addr, "POST", target, headers, body.as_bytes());
        assert_eq!(reply.status, 204, "{target}: {reply:?}");
    }
    assert_eq!(server.stored("db"), "a v=1 1\nb v=1 1000000000\nc v=1 1\n");
    let log = server.log_line("POST /write?db=db&u=anyone");
    assert!(log.contains("&p=[redacted]"), "{log}");
    assert!(!log.contains(TOKEN), "{log}");
}

#[test]
fn reads_need_the_token_too() {
    let server = Server::start(&[]);
    assert_eq!(server.post("/write?db=db", "m v=1 1\n").status, 204);
    for target in ["/api/v3/query_lp?db=db", "/table?db=db"] {
        assert_eq!(http(&server.addr, "GET", target, &[], b"").status, 401);
        assert_eq!(server.get(target).status, 200);
    }
}

// ---------------------------------------------------------------------------
// Partial writes and field types
// ---------------------------------------------------------------------------

#[test]
fn a_bad_line_among_good_ones_is_a_partial_write() {
    let server = Server::start(&[]);
    let body = "home,room=Kitchen temp=21.0,co=0i 1641024000\n\
                home,room=Kitchen temp=hot,co=0i 1641027600\n\
                home,room=Kitchen temp=22.7,co=1i 1641031200\n";
    for (db, target) in [
        ("v1", "/write?db=v1&precision=s"),
        ("v2", "/api/v2/write?bucket=v2&precision=s"),
        ("v3", "/api/v3/write_lp?db=v3&precision=s"),
    ] {
        let reply = server.post(target, body);
        assert_eq!(
            rejected_lines(&reply),
            [(
                2,
                "home,room=Kitchen temp=hot,co=0i 1641027600".to_owned(),
                "invalid field value: `hot` for field `temp` is not a number".to_owned()
            )],
            "{target}"
        );
        assert_eq!(
            server.stored(db),
            "home,room=Kitchen temp=21,co=0i 1641024000000000000\n\
             home,room=Kitchen temp=22.7,co=1i 1641031200000000000\n",
            "{target}: the good lines are stored"
        );
    }
    server.log_line("2 points stored, 1 line rejected");
}

#[test]
fn accept_partial_false_stores_nothing_when_a_line_is_bad() {
    let server = Server::start(&[]);
    let body = "m v=1i 1\nm v=oops 2\nm v=3i 3\n";
    let reply = server.post(
        "/api/v3/write_lp?db=db&precision=s&accept_partial=false",
        body,
    );
    // The answer says that nothing was stored, not that a partial write
    // occurred.
    assert_eq!(reply.status, 400, "{reply:?}");
    assert_eq!(
        reply.json()["error"],
        "no points were written: line 2 was rejected and partial writes are not accepted"
    );
    assert_eq!(reply.json()["data"][0]["line_number"], 2);
    assert_eq!(server.stored("db"), "");
    // The field type of the refused batch was not kept either.
    assert_eq!(
        server.post("/api/v3/write_lp?db=db", "m v=1.5 4\n").status,
        204
    );

    let reply = server.post("/api/v3/write_lp?db=db&accept_partial=true", body);
    assert_eq!(reply.status, 400);
    let reply = server.post("/api/v3/write_lp?db=db&accept_partial=maybe", body);
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.json(),
        json!({"error": "invalid accept_partial `maybe`: use true or false"})
    );
}

#[test]
fn a_field_type_conflict_across_requests_is_rejected() {
    let server = Server::start(&[]);
    let first = "home,room=Kitchen temp=21.0,co=0i 1641024000\n";
    let second = "home,room=Kitchen temp=23.0,co=0 1641027600\n\
                  home,room=Kitchen temp=22.7,co=1i 1641031200\n";
    assert_eq!(
        server
            .post("/api/v2/write?bucket=db&precision=s", first)
            .status,
        204
    );
    let reply = server.post("/api/v2/write?bucket=db&precision=s", second);
    assert_eq!(
        rejected_lines(&reply),
        [(
            1,
            "home,room=Kitchen temp=23.0,co=0 1641027600".to_owned(),
            "field type conflict: field `co` of measurement `home` is integer (already stored), not float"
                .to_owned()
        )]
    );
    assert_eq!(server.stored("db").lines().count(), 2);

    // Each database has its own field types.
    assert_eq!(
        server
            .post("/api/v2/write?bucket=other&precision=s", second)
            .status,
        400
    );
    assert_eq!(
        server
            .post("/api/v2/write?bucket=fresh", "home co=0 1\n")
            .status,
        204
    );
}

// ---------------------------------------------------------------------------
// Bodies parsed as they arrive
// ---------------------------------------------------------------------------

#[test]
fn a_line_over_the_limit_is_rejected_and_the_others_stored() {
    let server = Server::start(&["--max-line-bytes", "1024"]);
    let long = format!("m,host=b value=\"{}\" 2", "x".repeat(1100));
    // Exactly at the limit, its line feed counted, is fine.
    let at_limit = format!("m,host=c value=\"{}\" 3", "y".repeat(1023 - 19));
    assert_eq!(at_limit.len() + 1, 1024);
    let body = format!("m,host=a value=\"ok\" 1\n{long}\n{at_limit}\n");
    for (db, body) in [
        ("plain", body.clone().into_bytes()),
        ("gzip", gzip(body.as_bytes())),
    ] {
        // Small compressed, over the line limit once inflated.
        assert!(db == "plain" || body.len() < 1024);
        let reply = server.send(
            "POST",
            &format!("/api/v3/write_lp?db={db}"),
            &[(
                "Content-Encoding",
                if db == "gzip" { "gzip" } else { "identity" },
            )],
            &body,
        );
        let rejected = rejected_lines(&reply);
        assert_eq!(rejected.len(), 1, "{reply:?}");
        assert_eq!(rejected[0].0, 2);
        assert_eq!(rejected[0].2, "line is longer than the limit of 1024 bytes");
        assert_eq!(server.stored(db).lines().count(), 2, "{db}");
    }
}

/// Starts a write of `content_length` bytes by hand, sending `first`.
fn start_write(server: &Server, content_length: usize, first: &[u8]) -> TcpStream {
    let mut stream = connect(&server.addr);
    write!(
        stream,
        "POST /api/v3/write_lp?db=db HTTP/1.1\r\nHost: x\r\nAuthorization: Token {TOKEN}\r\nConnection: close\r\nContent-Length: {content_length}\r\n\r\n"
    )
    .unwrap();
    stream.write_all(first).unwrap();
    stream
}

#[test]
fn the_lines_of_a_body_are_stored_as_they_arrive() {
    let server = Server::start(&[]);
    let (first, second) = ("m v=1 1\nm v=2 2\n", "m v=3 3\n");
    let mut stream = start_write(&server, first.len() + second.len(), first.as_bytes());
    // The first lines are stored while the body is still being sent.
    let deadline = Instant::now() + Duration::from_secs(10);
    // (Auto precision: 1 is taken as seconds.)
    while server.get("/api/v3/query_lp?db=db").text() != "m v=1 1000000000\nm v=2 2000000000\n" {
        assert!(Instant::now() < deadline, "the first lines were not stored");
        thread::sleep(Duration::from_millis(20));
    }
    stream.write_all(second.as_bytes()).unwrap();
    let (raw, _) = read_until_closed(&mut stream);
    assert!(
        raw.starts_with(b"HTTP/1.1 204"),
        "{:?}",
        String::from_utf8_lossy(&raw)
    );
    assert_eq!(
        server.stored("db"),
        "m v=1 1000000000\nm v=2 2000000000\nm v=3 3000000000\n"
    );
}

#[test]
fn a_write_cut_short_keeps_the_lines_before_and_says_so() {
    let server = Server::start(&["--body-timeout", "1"]);
    let first = "m v=1 1\nm v=oops 2\n";
    let mut stream = start_write(&server, 1000, first.as_bytes());
    let (raw, _) = read_until_closed(&mut stream);
    let reply = parse_reply(&raw);
    assert_eq!(reply.status, 408, "{reply:?}");
    assert_eq!(
        reply.json(),
        json!({"error": "the body was not received within the time set by --body-timeout (before it: 1 point stored, 1 line rejected)"})
    );
    assert_eq!(server.stored("db"), "m v=1 1000000000\n");
}

/// The peak resident memory of process `pid`, in bytes.
#[cfg(target_os = "linux")]
fn peak_memory(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .unwrap();
    let kib: usize = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[cfg(target_os = "linux")]
#[test]
fn a_large_body_takes_memory_for_a_line_and_a_read() {
    let server = Server::start(&[]);
    // 24 MiB of lines that all update the same 64 points, so the store
    // stays small while the body is large; one of them too long.
    let line = |i: usize| {
        format!(
            "m,host=h{} value={i}i,text=\"{}\" {}\n",
            i % 64,
            "é".repeat(40),
            i % 4
        )
    };
    let mut chunk = String::new();
    for i in 0..4096 {
        chunk.push_str(&line(i));
    }
    let copies = (24 << 20) / chunk.len();
    let long = format!("m v=\"{}\"\n", "z".repeat(2 << 20));
    let content_length = chunk.len() * copies + long.len();
    let mut stream = start_write(&server, content_length, b"");
    for copy in 0..copies {
        if copy == copies / 2 {
            stream.write_all(long.as_bytes()).unwrap();
        }
        stream.write_all(chunk.as_bytes()).unwrap();
    }
    let (raw, _) = read_until_closed(&mut stream);
    let reply = parse_reply(&raw);
    let rejected = rejected_lines(&reply);
    assert_eq!(rejected.len(), 1, "{reply:?}");
    assert_eq!(rejected[0].0, (copies / 2 * 4096 + 1) as u64);
    assert_eq!(server.stored("db").lines().count(), 64);
    // A buffered body alone would take 24 MiB; the server holds a line
    // (1 MiB at most: the long one is skipped, not kept) and a read, and
    // peaks under 10 MiB in all.
    let peak = peak_memory(server.child.id());
    assert!(peak < 16 << 20, "peak memory {} MiB", peak >> 20);
}

#[test]
fn a_gzip_body_of_many_members_is_read_member_by_member() {
    let server = Server::start(&[]);
    // 100,000 empty members (2 MB), then one with a line: each member
    // costs its bytes only.
    let mut body = empty_gzip_members(100_000);
    body.extend(gzip(b"m v=1 1\n"));
    let started = Instant::now();
    let reply = server.send(
        "POST",
        "/write?db=db",
        &[("Content-Encoding", "gzip")],
        &body,
    );
    assert_eq!(reply.status, 204, "{reply:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(server.stored("db"), "m v=1 1\n");
}

// ---------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------

#[test]
fn a_bad_precision_is_400_naming_the_accepted_values() {
    let server = Server::start(&[]);
    let v1 = server.post("/write?db=db&precision=us", "m v=1 1\n");
    assert_eq!(v1.status, 400);
    assert_eq!(
        v1.json(),
        json!({"error": "invalid precision `us`: use n, u, ms, s, m or h"})
    );
    let v2 = server.post("/api/v2/write?bucket=db&precision=h", "m v=1 1\n");
    assert_eq!(v2.status, 400);
    assert_eq!(
        v2.json(),
        json!({"code": "invalid", "message": "invalid precision `h`: use ns, us, ms or s"})
    );
    let v3 = server.post("/api/v3/write_lp?db=db&precision=minute", "m v=1 1\n");
    assert_eq!(v3.status, 400);
    assert_eq!(
        v3.json(),
        json!({"error": "invalid precision `minute`: use auto, nanosecond, microsecond, millisecond or second (or ns, us, ms, s)"})
    );
    assert_eq!(server.get("/table?db=db").status, 404, "nothing stored");
}

#[test]
fn a_missing_database_is_400() {
    let server = Server::start(&[]);
    let v1 = server.post("/write?precision=s", "m v=1 1\n");
    assert_eq!(v1.status, 400);
    assert_eq!(
        v1.json(),
        json!({"error": "missing database: name it with the query parameter `db`, as in ?db=NAME"})
    );
    let v2 = server.post("/api/v2/write?org=my-org&bucket=", "m v=1 1\n");
    assert_eq!(v2.status, 400);
    assert_eq!(
        v2.json()["message"],
        "missing database: name it with the query parameter `bucket`, as in ?bucket=NAME"
    );
    assert_eq!(server.post("/api/v3/write_lp", "m v=1 1\n").status, 400);
    assert_eq!(server.get("/table").status, 400);
    assert_eq!(server.get("/api/v3/query_lp").status, 400);
}

#[test]
fn each_precision_scales_timestamps_to_nanoseconds() {
    let server = Server::start(&[]);
    let cases = [
        (
            "/write?db=db&precision=h",
            "a v=1 2\n",
            "a v=1 7200000000000\n",
        ),
        (
            "/write?db=db&precision=m",
            "b v=1 2\n",
            "b v=1 120000000000\n",
        ),
        ("/write?db=db&precision=u", "c v=1 2\n", "c v=1 2000\n"),
        ("/write?db=db&precision=n", "d v=1 2\n", "d v=1 2\n"),
        (
            "/api/v2/write?bucket=db&precision=ms",
            "e v=1 2\n",
            "e v=1 2000000\n",
        ),
        (
            "/api/v2/write?bucket=db&precision=us",
            "f v=1 2\n",
            "f v=1 2000\n",
        ),
        ("/api/v2/write?bucket=db", "g v=1 2\n", "g v=1 2\n"),
        (
            "/api/v3/write_lp?db=db&precision=millisecond",
            "h v=1 2\n",
            "h v=1 2000000\n",
        ),
        (
            "/api/v3/write_lp?db=db&precision=ns",
            "i v=1 2\n",
            "i v=1 2\n",
        ),
    ];
    let mut expected = String::new();
    for (target, body, stored) in cases {
        assert_eq!(server.post(target, body).status, 204, "{target}");
        expected.push_str(stored);
    }
    assert_eq!(server.stored("db"), expected);

    let overflow = server.post("/write?db=db&precision=h", "j v=1 9223372036854775807\n");
    assert_eq!(rejected_lines(&overflow).len(), 1);
}

#[test]
fn auto_precision_guesses_each_timestamps_unit() {
    let server = Server::start(&[]);
    let body = "m,unit=s v=1 1641024000\n\
                m,unit=ms v=1 1641024000000\n\
                m,unit=us v=1 1641024000000000\n\
                m,unit=ns v=1 1641024000000000000\n\
                m,unit=small v=1 -4\n";
    assert_eq!(server.post("/api/v3/write_lp?db=db", body).status, 204);
    assert_eq!(
        server.stored("db"),
        "m,unit=s v=1 1641024000000000000\n\
         m,unit=ms v=1 1641024000000000000\n\
         m,unit=us v=1 1641024000000000000\n\
         m,unit=ns v=1 1641024000000000000\n\
         m,unit=small v=1 -4000000000\n"
    );
}

#[test]
fn a_line_without_a_timestamp_gets_the_time_of_the_write() {
    let server = Server::start(&[]);
    let before = now_nanos();
    assert_eq!(
        server
            .post("/api/v2/write?bucket=s&precision=s", "m v=1\n")
            .status,
        204
    );
    assert_eq!(
        server.post("/api/v2/write?bucket=ns", "m v=1\n").status,
        204
    );
    let after = now_nanos();

    let time = |db: &str| -> i64 {
        let stored = server.stored(db);
        stored
            .trim_end()
            .rsplit(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let seconds = time("s");
    assert_eq!(seconds % 1_000_000_000, 0, "truncated to the precision");
    assert!((before - before % 1_000_000_000..=after).contains(&seconds));
    let nanos = time("ns");
    assert!((before..=after).contains(&nanos));
}

// ---------------------------------------------------------------------------
// The rest
// ---------------------------------------------------------------------------

#[test]
fn unknown_databases_and_endpoints_are_404() {
    let server = Server::start(&[]);
    let reply = server.get("/table?db=nothing");
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.json(),
        json!({"error": "database not found: nothing"})
    );
    let reply = server.get("/api/v3/query_sql?db=db");
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.json(),
        json!({"error": "no endpoint at /api/v3/query_sql"})
    );
    assert_eq!(server.get("/write?db=db").status, 405);
}

#[test]
fn the_table_titles_each_measurement_when_there_are_several() {
    let server = Server::start(&[]);
    let body = "cpu,host=a usage=0.5 1000000000\nmem,host=a used=10i 1000000000\n";
    assert_eq!(server.post("/api/v2/write?bucket=db", body).status, 204);
    assert_eq!(
        server.table("db"),
        "name: cpu\n\
         | time                 | host | usage |\n\
         | :------------------- | :--- | ----: |\n\
         | 1970-01-01T00:00:01Z | a    |   0.5 |\n\
         \n\
         name: mem\n\
         | time                 | host | used |\n\
         | :------------------- | :--- | ---: |\n\
         | 1970-01-01T00:00:01Z | a    |   10 |\n"
    );
}

#[test]
fn each_request_is_logged_on_one_line() {
    let server = Server::start(&[]);
    assert_eq!(server.post("/write?db=db&precision=s", SAMPLE).status, 204);
    let line = server.log_line("POST /write?db=db&precision=s");
    assert!(
        line.starts_with(
            "INFO ingest: POST /write?db=db&precision=s -> 204 No Content (26 points stored) in "
        ),
        "{line}"
    );
    assert!(line.ends_with(" ms"), "{line}");
    server.get("/table?db=db");
    server.log_line("GET /table?db=db -> 200 OK");
}

#[test]
fn the_command_line_is_checked() {
    let run = |args: &[&str]| {
        Command::new(ingest_binary())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let help = run(&["--help"]);
    assert!(help.status.success());
    assert!(
        String::from_utf8(help.stdout)
            .unwrap()
            .starts_with("usage: ingest ")
    );
    for args in [
        &["--max-line-bytes", "0"][..],
        &["--max-line-bytes=lots"],
        &["--max-body-bytes", "1024"],
        &["--max-databases", "-1"],
        &["--max-tables", "0"],
        &["--max-columns", ""],
        &["--max-memory-bytes", "1.5"],
        &["--max-read-rows", "0"],
        &["--max-read-bytes", "x"],
        &["--header-timeout", "0"],
        &["--body-timeout", "forever"],
        &["--max-connections", "0"],
        &["--token"],
        &["--port", "1"],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.starts_with("ERROR ingest: "), "{args:?}: {stderr}");
    }
    let taken = Server::start(&[]);
    let output = run(&["--addr", &taken.addr]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("cannot listen on"), "{stderr}");
}

// ---------------------------------------------------------------------------
// Hostile clients
// ---------------------------------------------------------------------------

/// A connection to `addr` with a read timeout, for requests sent by hand.
fn connect(addr: &str) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Reads until the server closes the connection (or 10 s pass) and returns
/// what it sent and how long it took.
fn read_until_closed(stream: &mut TcpStream) -> (Vec<u8>, Duration) {
    let started = Instant::now();
    let mut raw = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return (raw, started.elapsed()),
            Ok(n) => raw.extend_from_slice(&buffer[..n]),
        }
    }
}

#[test]
fn many_bad_lines_list_the_first_100_and_count_all() {
    let server = Server::start(&[]);
    // 10 KB of gzip that inflates to 5,000 bad lines.
    let body = gzip(&b"x\n".repeat(5000));
    let reply = server.send(
        "POST",
        "/api/v3/write_lp?db=db",
        &[("Content-Encoding", "gzip")],
        &body,
    );
    assert_eq!(reply.status, 400, "{reply:?}");
    assert!(reply.body.len() < 20_000, "{} bytes", reply.body.len());
    let answer = reply.json();
    assert_eq!(
        answer["error"],
        "partial write of line protocol occurred: 5000 lines were rejected, the first 100 are listed"
    );
    let data = answer["data"].as_array().unwrap();
    assert_eq!(data.len(), 100);
    assert_eq!(data[99]["line_number"], 100);
    server.log_line("0 points stored, 5000 lines rejected, gzip body");
}

#[test]
fn reads_stop_at_the_row_limit_with_a_note() {
    let server = Server::start(&["--max-read-rows", "10"]);
    let body: String = (0..25)
        .map(|i| format!("m,host=h{i:02} v={i}i {i}\n"))
        .collect();
    assert_eq!(server.post("/api/v2/write?bucket=db", &body).status, 204);

    let stored = server.stored("db");
    let lines: Vec<&str> = stored.lines().collect();
    assert_eq!(lines.len(), 11, "{stored}");
    assert_eq!(lines[0], "m,host=h00 v=0i 0");
    assert_eq!(lines[9], "m,host=h09 v=9i 9");
    assert_eq!(
        lines[10],
        "# truncated: the answer stops after 10 points (--max-read-rows); 15 more of 25 points not shown"
    );
    // The cut answer is still line protocol: written back, it stores the
    // ten points shown.
    assert_eq!(
        server.post("/api/v2/write?bucket=copy", &stored).status,
        204
    );
    assert_eq!(server.stored("copy"), lines[..10].join("\n") + "\n");

    let table = server.table("db");
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 2 + 10 + 2, "{table}");
    assert_eq!(lines[12], "");
    assert_eq!(
        lines[13],
        "(the first 10 of 25 points are shown: the limit set by --max-read-rows)"
    );
}

#[test]
fn reads_stop_at_the_byte_limit_with_a_note() {
    let server = Server::start(&["--max-read-bytes", "200"]);
    let body: String = (0..25)
        .map(|i| format!("m,host=h{i:02} v={i}i {i}\n"))
        .collect();
    assert_eq!(server.post("/api/v2/write?bucket=db", &body).status, 204);

    let stored = server.stored("db");
    let (shown, note) = stored.trim_end().rsplit_once('\n').unwrap();
    assert!(shown.len() <= 200, "{stored}");
    assert_eq!(shown.lines().count(), 200 / "m,host=h00 v=0i 0\n".len());
    assert!(
        note.starts_with("# truncated: the answer stops before 200 bytes (--max-read-bytes); "),
        "{note}"
    );

    let table = server.table("db");
    let (shown, note) = table.trim_end().rsplit_once("\n\n").unwrap();
    assert!(shown.len() <= 200, "{table}");
    assert!(shown.lines().all(|line| line.starts_with('|')), "{table}");
    assert!(note.contains("--max-read-bytes"), "{note}");
}

#[test]
fn the_column_limit_holds_when_a_point_is_rewritten_with_new_fields() {
    let server = Server::start(&["--max-columns", "8"]);
    // time, the tag and five fields: seven columns.
    let first = "m,host=a f0=0,f1=1,f2=2,f3=3,f4=4 1\n";
    assert_eq!(server.post("/api/v2/write?bucket=db", first).status, 204);
    // The same series and time, with new field keys: one more fits.
    let second = "m,host=a g0=0 1\nm,host=a g1=1,g2=2 1\n";
    let reply = server.post("/api/v2/write?bucket=db", second);
    assert_eq!(
        rejected_lines(&reply),
        [(
            2,
            "m,host=a g1=1,g2=2 1".to_owned(),
            "column limit reached: measurement `m` would have 10 columns (time, tags and fields), at most 8 are allowed"
                .to_owned()
        )]
    );
    assert_eq!(
        server.stored("db"),
        "m,host=a f0=0,f1=1,f2=2,f3=3,f4=4,g0=0 1\n"
    );
}

#[test]
fn the_table_limit_counts_the_tables_of_every_database() {
    let server = Server::start(&["--max-tables", "3"]);
    assert_eq!(
        server.post("/write?db=a", "t1 v=1 1\nt2 v=1 1\n").status,
        204
    );
    let reply = server.post("/write?db=b", "t3 v=1 1\nt4 v=1 1\n");
    assert_eq!(
        rejected_lines(&reply),
        [(
            2,
            "t4 v=1 1".to_owned(),
            "table limit reached: measurement `t4` would be table 2 of at most 1 in this database: the limit is 3 tables across databases (--max-tables), and other databases hold 2"
                .to_owned()
        )]
    );
    assert_eq!(server.stored("b"), "t3 v=1 1\n");
    // The tables already there take more points.
    assert_eq!(server.post("/write?db=a", "t2 v=2 2\n").status, 204);
}

#[test]
fn the_database_limit_is_422() {
    let server = Server::start(&["--max-databases", "2"]);
    assert_eq!(server.post("/write?db=a", "m v=1 1\n").status, 204);
    assert_eq!(server.post("/write?db=b", "m v=1 1\n").status, 204);
    let reply = server.post("/api/v2/write?bucket=c", "m v=1 1\n");
    assert_eq!(reply.status, 422, "{reply:?}");
    assert_eq!(
        reply.json(),
        json!({"code": "unprocessable entity", "message": "cannot create database `c`: the limit of 2 databases is reached (--max-databases)"})
    );
    assert_eq!(server.get("/table?db=c").status, 404);
    assert_eq!(server.post("/write?db=a", "m v=2 2\n").status, 204);
}

#[test]
fn the_memory_limit_is_507_and_keeps_what_was_stored() {
    let server = Server::start(&["--max-memory-bytes", "100000"]);
    let mut stored = 0;
    let mut full = None;
    for batch in 0..100 {
        let body: String = (0..10)
            .map(|i| format!("m,host=h{batch}_{i} value={i}i {batch}\n"))
            .collect();
        let reply = server.post("/api/v2/write?bucket=db", &body);
        if reply.status == 204 {
            stored += 10;
        } else {
            full = Some(reply);
            break;
        }
    }
    let reply = full.expect("the store fills up");
    assert_eq!(reply.status, 507, "{reply:?}");
    let message = reply.json()["message"].as_str().unwrap().to_owned();
    // The body is stored as it arrives: the points of the lines before the
    // one that found the store full are kept, and the answer says so.
    let line: usize = message
        .strip_prefix("the store is full: the point of line ")
        .and_then(|rest| rest.split_once(' '))
        .and_then(|(line, _)| line.parse().ok())
        .unwrap_or_else(|| panic!("{message}"));
    assert!((1..=10).contains(&line), "{message}");
    assert!(
        message.contains("past the memory limit of 100000 bytes (--max-memory-bytes"),
        "{message}"
    );
    if line > 1 {
        assert!(
            message.ends_with(&format!(
                "(before it: {} stored, 0 lines rejected)",
                if line == 2 {
                    "1 point".to_owned()
                } else {
                    format!("{} points", line - 1)
                }
            )),
            "{message}"
        );
    }
    stored += line - 1;
    // Roughly 300 to 1,000 bytes a point of this size, by the estimate.
    assert!((100..=340).contains(&stored), "{stored} points stored");
    assert_eq!(server.stored("db").lines().count(), stored);

    // A body written whole (accept_partial=false) stores nothing when the
    // store is full.
    let reply = server.post(
        "/api/v3/write_lp?db=db&accept_partial=false",
        "m,host=new1 value=1i 0\nm,host=new2 value=1i 0\n",
    );
    assert_eq!(reply.status, 507, "{reply:?}");
    assert!(
        reply.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("the store is full: its 2 points would take about "),
        "{reply:?}"
    );
    assert_eq!(server.stored("db").lines().count(), stored);
    // Rewriting a stored point takes no more room.
    assert_eq!(
        server
            .post("/api/v2/write?bucket=db", "m,host=h0_0 value=7i 0\n")
            .status,
        204
    );
}

#[test]
fn a_whole_body_its_client_gives_up_on_gives_its_memory_back() {
    let server = Server::start(&["--max-memory-bytes", "200000"]);
    // 60,000 bytes of a body written whole, held against the limit while
    // it arrives; then the client goes away before the end.
    let body = format!("m,host=a value=\"{}\" 1\n", "x".repeat(980)).repeat(60);
    assert_eq!(body.len(), 60_000);
    for _ in 0..3 {
        let mut stream = connect(&server.addr);
        write!(
            stream,
            "POST /api/v3/write_lp?db=db&accept_partial=false HTTP/1.1\r\nHost: x\r\nAuthorization: Token {TOKEN}\r\nContent-Length: {}\r\n\r\n",
            body.len() + 1_000
        )
        .unwrap();
        stream.write_all(body.as_bytes()).unwrap();
        thread::sleep(Duration::from_millis(200));
    }
    thread::sleep(Duration::from_millis(200));
    // This one takes its 60,000 bytes and about as much again for its
    // points (estimated as 60 new ones): had the three bodies kept their
    // 180,000 bytes, it would not fit.
    let reply = server.post("/api/v3/write_lp?db=db&accept_partial=false", &body);
    assert_eq!(reply.status, 204, "{reply:?}");
    assert_eq!(server.stored("db").lines().count(), 1);
}

#[test]
fn the_token_is_checked_before_the_body_is_read() {
    let server = Server::start(&[]);
    for (target, auth) in [
        ("/api/v2/write?bucket=db", ""),
        ("/write?db=db", "Authorization: Token wrong\r\n"),
    ] {
        let mut stream = connect(&server.addr);
        // Ten megabytes announced, none sent: the answer cannot wait for
        // them.
        write!(
            stream,
            "POST {target} HTTP/1.1\r\nHost: x\r\n{auth}Content-Length: 10485760\r\n\r\n"
        )
        .unwrap();
        let (raw, took) = read_until_closed(&mut stream);
        let reply = parse_reply(&raw);
        assert_eq!(reply.status, 401, "{reply:?}");
        assert!(took < Duration::from_secs(5), "{took:?}");
    }
}

#[test]
fn a_connection_that_never_finishes_its_headers_is_closed() {
    let server = Server::start(&["--header-timeout", "0.5"]);
    let mut stream = connect(&server.addr);
    stream
        .write_all(b"POST /write?db=db HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let (raw, took) = read_until_closed(&mut stream);
    assert!(took < Duration::from_secs(5), "{took:?}: {raw:?}");
    // Nothing was answered: there was no request.
    assert!(
        raw.is_empty() || raw.starts_with(b"HTTP/1.1 408"),
        "{raw:?}"
    );
}

#[test]
fn an_idle_kept_alive_connection_is_closed() {
    let server = Server::start(&["--header-timeout", "0.5"]);
    let mut stream = connect(&server.addr);
    write!(stream, "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let (raw, took) = read_until_closed(&mut stream);
    assert!(raw.starts_with(b"HTTP/1.1 204"), "{raw:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn a_body_sent_too_slowly_is_408() {
    let server = Server::start(&["--body-timeout", "0.5"]);
    let mut stream = connect(&server.addr);
    write!(
        stream,
        "POST /write?db=db HTTP/1.1\r\nHost: x\r\nAuthorization: Token {TOKEN}\r\nContent-Length: 100\r\n\r\nm v=1 1"
    )
    .unwrap();
    let (raw, took) = read_until_closed(&mut stream);
    let reply = parse_reply(&raw);
    assert_eq!(reply.status, 408, "{reply:?}");
    assert_eq!(
        reply.json(),
        json!({"error": "the body was not received within the time set by --body-timeout"})
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(server.get("/table?db=db").status, 404, "nothing stored");
}

#[test]
fn connections_past_the_limit_wait_for_one_to_close() {
    let server = Server::start(&["--max-connections", "2", "--header-timeout", "1"]);
    // Two connections that send nothing hold both places...
    let idle: Vec<TcpStream> = (0..2).map(|_| connect(&server.addr)).collect();
    thread::sleep(Duration::from_millis(200));
    // ...so a third waits until the header timeout closes them.
    let started = Instant::now();
    let reply = server.post("/write?db=db", "m v=1 1\n");
    let took = started.elapsed();
    assert_eq!(reply.status, 204, "{reply:?}");
    assert!(took >= Duration::from_millis(500), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    drop(idle);
}

/// `count` empty gzip members, one after another.
fn empty_gzip_members(count: usize) -> Vec<u8> {
    gzip(b"").repeat(count)
}

#[test]
fn v1_takes_basic_auth_with_the_token_as_password() {
    let server = Server::start(&[]);
    // base64("anyone:test-token"), as the influx shell sends it.
    let basic = ("Authorization", "Basic YW55b25lOnRlc3QtdG9rZW4=");
    let reply = http(&server.addr, "POST", "/write?db=db", &[basic], b"m v=1 1\n");
    assert_eq!(reply.status, 204, "{reply:?}");
    assert_eq!(server.stored("db"), "m v=1 1\n");
    // The v2 and v3 APIs take tokens only.
    for target in ["/api/v2/write?bucket=db", "/api/v3/write_lp?db=db"] {
        let reply = http(&server.addr, "POST", target, &[basic], b"m v=2 2\n");
        assert_eq!(reply.status, 401, "{target}: {reply:?}");
    }
    // base64("anyone:wrong").
    let wrong = ("Authorization", "Basic YW55b25lOndyb25n");
    let reply = http(&server.addr, "POST", "/write?db=db", &[wrong], b"m v=2 2\n");
    assert_eq!(reply.status, 401);
    assert_eq!(reply.json(), json!({"error": "invalid token"}));
    let garbage = ("Authorization", "Basic !!!");
    let reply = http(
        &server.addr,
        "POST",
        "/write?db=db",
        &[garbage],
        b"m v=2 2\n",
    );
    assert_eq!(reply.status, 401);
    assert_eq!(server.stored("db"), "m v=1 1\n");
}

#[test]
fn ping_and_health_answer_as_influxdb_does_without_a_token() {
    let server = Server::start(&[]);
    let ping = http(&server.addr, "GET", "/ping", &[], b"");
    assert_eq!(ping.status, 204, "{ping:?}");
    assert!(
        ping.header("x-influxdb-version")
            .unwrap()
            .starts_with("lineproto-ingest-"),
        "{ping:?}"
    );
    let head = http(&server.addr, "HEAD", "/ping", &[], b"");
    assert_eq!(head.status, 204);
    let health = http(&server.addr, "GET", "/health", &[], b"");
    assert_eq!(health.status, 200);
    let answer = health.json();
    assert_eq!(answer["status"], "pass");
    assert_eq!(answer["name"], "ingest");
}

#[test]
fn a_long_read_does_not_hold_up_writes_to_another_database() {
    // Wide enough that laying the table out takes a while: 128 points of
    // 64 field keys each, all different (8,193 columns, a million cells).
    let server = Server::start(&["--max-columns", "10000", "--max-read-bytes", "100000000"]);
    for request in 0..32 {
        let body: String = (0..4)
            .map(|i| {
                let point = request * 4 + i;
                let fields: Vec<String> = (0..64).map(|k| format!("f{point}_{k}=1")).collect();
                format!("m {} {point}\n", fields.join(","))
            })
            .collect();
        assert_eq!(server.post("/api/v2/write?bucket=wide", &body).status, 204);
    }
    let addr = server.addr.clone();
    let read = thread::spawn(move || {
        let started = Instant::now();
        let token = format!("Token {TOKEN}");
        let reply = http(
            &addr,
            "GET",
            "/table?db=wide",
            &[("Authorization", &token)],
            b"",
        );
        assert_eq!(reply.status, 200);
        started.elapsed()
    });
    let mut slowest = Duration::ZERO;
    let mut writes = 0;
    while !read.is_finished() {
        let started = Instant::now();
        let body = format!("m v={writes}i {writes}\n");
        assert_eq!(server.post("/api/v2/write?bucket=other", &body).status, 204);
        slowest = slowest.max(started.elapsed());
        writes += 1;
        thread::sleep(Duration::from_millis(20));
    }
    let took = read.join().unwrap();
    assert!(
        slowest < Duration::from_millis(500),
        "a write to another database took {slowest:?} while the read took {took:?}"
    );
}
