//! The two reads, bounded and streamed: the database is locked only to copy
//! a few points at a time, and formatting happens after the lock is let go,
//! on the blocking thread pool.

use std::collections::{BTreeMap, HashSet};
use std::convert::Infallible;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use futures_util::stream;
use lineproto::{Point, Precision};
use tokio::sync::Semaphore;

use crate::store::Database;
use crate::{lock, table};

/// How many points `query_lp` copies out of the database per lock.
const POINTS_PER_CHUNK: usize = 512;

/// The bounds of a read answer.
#[derive(Clone, Copy)]
pub(crate) struct ReadLimits {
    /// The most points (rows) an answer shows.
    pub(crate) rows: usize,
    /// The most bytes an answer has, its closing note aside.
    pub(crate) bytes: usize,
}

impl ReadLimits {
    /// The most table cells `/table` copies and lays out: every cell
    /// prints as at least ` xxx |`, so more could not fit the byte limit
    /// anyway; it keeps the memory of a table bounded too.
    fn cells(self) -> usize {
        (self.bytes / 6).max(1)
    }
}

/// The body of `GET /api/v3/query_lp`: the points as line protocol,
/// streamed in chunks; an answer cut by a limit ends with a `#` comment
/// line (which line protocol ignores) saying why.
pub(crate) fn line_protocol(database: Arc<Mutex<Database>>, limits: ReadLimits) -> Body {
    let cursor = LineCursor {
        database,
        limits,
        next: 0,
        bytes: 0,
        done: false,
    };
    let chunks = stream::unfold(cursor, |cursor| async move {
        if cursor.done {
            return None;
        }
        let (cursor, chunk) = tokio::task::spawn_blocking(move || {
            let mut cursor = cursor;
            let chunk = cursor.chunk();
            (cursor, chunk)
        })
        .await
        .ok()?;
        Some((Ok::<_, Infallible>(Bytes::from(chunk)), cursor))
    });
    Body::from_stream(chunks)
}

/// Where a `query_lp` answer is.
struct LineCursor {
    database: Arc<Mutex<Database>>,
    limits: ReadLimits,
    /// The index of the next point to send; also how many were sent.
    next: usize,
    bytes: usize,
    done: bool,
}

impl LineCursor {
    /// The next chunk of the answer; sets `done` after the last.
    fn chunk(&mut self) -> Vec<u8> {
        let room = self.limits.rows.saturating_sub(self.next);
        let (points, total) = {
            let database = lock(&self.database);
            let end = self
                .next
                .saturating_add(POINTS_PER_CHUNK.min(room))
                .min(database.points.len());
            let points = database
                .points
                .get(self.next..end)
                .unwrap_or_default()
                .to_vec();
            (points, database.points.len())
        };
        let mut out = Vec::new();
        for point in &points {
            let start = out.len();
            if let Err(err) = point.write_to_vec(&mut out, Precision::Nanoseconds) {
                out.truncate(start);
                let _ = writeln!(out, "# a stored point cannot be written: {err}");
            }
            if self.bytes + out.len() > self.limits.bytes {
                out.truncate(start);
                let _ = writeln!(
                    out,
                    "# truncated: the answer stops before {} bytes (--max-read-bytes); {} more of {total} points not shown",
                    self.limits.bytes,
                    total - self.next,
                );
                self.done = true;
                return out;
            }
            self.next += 1;
        }
        self.bytes += out.len();
        if self.next >= total {
            self.done = true;
        } else if self.next >= self.limits.rows {
            let _ = writeln!(
                out,
                "# truncated: the answer stops after {} points (--max-read-rows); {} more of {total} points not shown",
                self.limits.rows,
                total - self.next,
            );
            self.done = true;
        }
        out
    }
}

/// How many bytes of a rendered table each chunk of the answer carries.
const TABLE_CHUNK_BYTES: usize = 64 * 1024;

/// The body of `GET /table`: the tables `lp table` prints. It shows the
/// first points written, up to the row and cell limits, copied out under
/// one short lock; a table cut by a limit is followed by a blank line and
/// a note saying why.
///
/// Laying out a table takes memory in proportion to its cells, so at most
/// `renders` permits' worth of tables are laid out at once, on the
/// blocking pool; the points copied are let go as soon as the text is
/// made, and the text (at most `--max-read-bytes`) is then sent in chunks.
pub(crate) async fn tables(
    database: Arc<Mutex<Database>>,
    limits: ReadLimits,
    renders: Arc<Semaphore>,
) -> Body {
    let Ok(permit) = renders.acquire_owned().await else {
        return Body::from("# the table could not be made\n");
    };
    let rendered = tokio::task::spawn_blocking(move || {
        let selection = Selection::of(&database, limits);
        let titled = selection.measurements.len() > 1;
        let mut state = TableState {
            measurements: selection.measurements.into_iter().collect(),
            next: 0,
            titled,
            bytes: 0,
            limits,
            note: selection.note,
            done: false,
        };
        let mut out = Vec::new();
        while !state.done {
            out.extend(state.chunk());
        }
        drop(permit);
        out
    })
    .await;
    let Ok(rendered) = rendered else {
        return Body::from("# the table could not be made\n");
    };
    let rendered = Bytes::from(rendered);
    let chunks: Vec<Result<Bytes, Infallible>> = (0..rendered.len())
        .step_by(TABLE_CHUNK_BYTES)
        .map(|start| {
            let end = start.saturating_add(TABLE_CHUNK_BYTES).min(rendered.len());
            Ok(rendered.slice(start..end))
        })
        .collect();
    Body::from_stream(stream::iter(chunks))
}

/// The points a table shows, by measurement, and why some are left out.
struct Selection {
    measurements: BTreeMap<String, Vec<Point<'static>>>,
    note: Option<String>,
}

impl Selection {
    /// Copies the first points written, while the rows stay within
    /// `limits.rows` and the cells (rows times columns, per measurement)
    /// within [`ReadLimits::cells`].
    fn of(database: &Mutex<Database>, limits: ReadLimits) -> Selection {
        let database = lock(database);
        let total = database.points.len();
        let mut measurements: BTreeMap<String, Vec<Point<'static>>> = BTreeMap::new();
        let mut columns: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
        let mut cells = 0usize;
        let mut note = None;
        for (taken, point) in database.points.iter().enumerate() {
            if taken >= limits.rows {
                note = Some(format!(
                    "(the first {taken} of {total} points are shown: the limit set by --max-read-rows)"
                ));
                break;
            }
            let known = columns.entry(point.measurement()).or_default();
            let rows = measurements.get(point.measurement()).map_or(0, Vec::len);
            let new_columns = point
                .tags()
                .map(|tag| tag.key())
                .chain(point.fields().map(|field| field.key()))
                .filter(|key| !known.contains(key))
                .count();
            // The new row, plus a cell in every earlier row for each new
            // column.
            let added = (1 + known.len() + new_columns) + rows * new_columns;
            if cells.saturating_add(added) > limits.cells() {
                note = Some(format!(
                    "(the first {taken} of {total} points are shown: more would pass the answer's limit of {} bytes set by --max-read-bytes)",
                    limits.bytes
                ));
                break;
            }
            cells += added;
            known.extend(point.tags().map(|tag| tag.key()));
            known.extend(point.fields().map(|field| field.key()));
            measurements
                .entry(point.measurement().to_owned())
                .or_default()
                .push(point.clone());
        }
        Selection { measurements, note }
    }
}

/// Where a `/table` answer is.
struct TableState {
    measurements: Vec<(String, Vec<Point<'static>>)>,
    next: usize,
    titled: bool,
    bytes: usize,
    limits: ReadLimits,
    note: Option<String>,
    done: bool,
}

impl TableState {
    /// The next measurement's table, or the closing note; sets `done`
    /// after the last chunk.
    fn chunk(&mut self) -> Vec<u8> {
        let Some((name, points)) = self.measurements.get(self.next) else {
            self.done = true;
            return self
                .note
                .take()
                .map(|note| format!("\n{note}\n").into_bytes())
                .unwrap_or_default();
        };
        let mut out = Bounded::new(self.limits.bytes.saturating_sub(self.bytes));
        let written = (|| -> io::Result<()> {
            if self.next > 0 {
                out.write_all(b"\n")?;
            }
            if self.titled {
                writeln!(out, "name: {name}")?;
            }
            table::write_tables(&mut out, points)
        })();
        self.next += 1;
        let mut out = out.into_inner();
        if written.is_err() {
            // Cut at the last whole row, and say so.
            let end = out.iter().rposition(|&b| b == b'\n').map_or(0, |at| at + 1);
            out.truncate(end);
            let shown: usize = self
                .measurements
                .iter()
                .take(self.next - 1)
                .map(|(_, points)| points.len())
                .sum();
            out.extend_from_slice(
                format!(
                    "\n(the answer stops before {} bytes, the limit set by --max-read-bytes: the table of `{name}` is cut, and the {} later tables are left out; {shown} points were shown whole before it)\n",
                    self.limits.bytes,
                    self.measurements.len() - self.next,
                )
                .as_bytes(),
            );
            self.done = true;
        }
        self.bytes += out.len();
        out
    }
}

/// A buffer that refuses to grow past a limit: the write that would pass
/// it keeps what fits and fails.
struct Bounded {
    out: Vec<u8>,
    limit: usize,
}

impl Bounded {
    fn new(limit: usize) -> Self {
        Bounded {
            out: Vec::new(),
            limit,
        }
    }

    fn into_inner(self) -> Vec<u8> {
        self.out
    }
}

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = self.limit - self.out.len();
        if room == 0 && !buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "the answer's byte limit is reached",
            ));
        }
        let taken = buf.len().min(room);
        self.out
            .extend_from_slice(buf.get(..taken).unwrap_or_default());
        Ok(taken)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
