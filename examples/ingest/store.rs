//! The points of one database, and what storing them costs in memory.

use std::collections::HashMap;
use std::mem::size_of;

use lineproto::{Field, Point, Schema};

/// The points of one database and the field types they fixed.
pub(crate) struct Database {
    pub(crate) schema: Schema,
    /// In the order first written. Points are only appended or replaced
    /// in place, never removed, so a reader can walk them by index between
    /// locks.
    pub(crate) points: Vec<Point<'static>>,
    /// Where each series and time is in `points`.
    index: HashMap<SeriesTime, usize>,
}

/// What identifies a stored point: measurement and tag set (sorted by key),
/// packed into one allocation, and timestamp.
#[derive(PartialEq, Eq, Hash)]
struct SeriesTime {
    series: Box<[u8]>,
    time: Option<i64>,
}

impl SeriesTime {
    /// The identity of `point`, whose tags are sorted: each name and value
    /// prefixed by its length, so that no two series share a key.
    fn of(point: &Point<'_>) -> Self {
        let mut series = Vec::new();
        let mut push = |text: &str| {
            series.extend_from_slice(&text.len().to_le_bytes());
            series.extend_from_slice(text.as_bytes());
        };
        push(point.measurement());
        for tag in point.tags() {
            push(tag.key());
            push(tag.value());
        }
        SeriesTime {
            series: series.into_boxed_slice(),
            time: point.timestamp(),
        }
    }
}

/// The bytes the allocator adds to each block it hands out (size class
/// rounding and bookkeeping), as a flat estimate.
const ALLOCATION_OVERHEAD: usize = 16;

/// The bytes a point keeps for each tag or field: where its key is, and its
/// value (a string value as where its text is).
const ENTRY_BYTES: usize = 48;

/// An estimate of the memory one stored point takes: the `Point` in the
/// vector (counted twice, since a growing vector may hold twice the slots it
/// uses), its list of tags and fields, the one string that holds all its
/// names and string values once owned, and its entry in the index (hash
/// table slot, control byte, and the packed series key).
pub(crate) fn point_bytes(point: &Point<'_>) -> usize {
    let text: usize = point.measurement().len()
        + point
            .tags()
            .map(|tag| tag.key().len() + tag.value().len())
            .sum::<usize>()
        + point.fields().map(field_text_len).sum::<usize>()
        + ALLOCATION_OVERHEAD;
    let entries = (point.tags().len() + point.fields().len()) * ENTRY_BYTES + ALLOCATION_OVERHEAD;
    let series_key = size_of::<usize>() * (1 + 2 * point.tags().len())
        + point.measurement().len()
        + point
            .tags()
            .map(|tag| tag.key().len() + tag.value().len())
            .sum::<usize>()
        + ALLOCATION_OVERHEAD;
    // A hash table slot, its control byte, and the slack of a table grown
    // by doubling (counted as a second slot).
    let index_entry = 2 * (size_of::<(SeriesTime, usize)>() + 1);
    2 * size_of::<Point<'static>>() + entries + text + series_key + index_entry
}

/// The length of the text of a field: its key, and its value if a string.
fn field_text_len(field: Field<'_>) -> usize {
    field.key().len() + field.value().as_str().map_or(0, str::len)
}

impl Database {
    /// A database without points, checked against `schema`.
    pub(crate) fn new(schema: Schema) -> Self {
        Database {
            schema,
            points: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// The tables (measurements) the schema knows.
    pub(crate) fn tables(&self) -> usize {
        self.schema.measurements().count()
    }

    /// Stores `point`, or merges its fields into the stored point of the
    /// same series and time, once `reserve` grants what the estimate of
    /// the memory held grows by; if it refuses, nothing changes. Returns
    /// that growth, and what a merge released.
    pub(crate) fn upsert<E>(
        &mut self,
        mut point: Point<'static>,
        reserve: impl FnOnce(usize) -> Result<(), E>,
    ) -> Result<(usize, usize), E> {
        point.sort_tags();
        let key = SeriesTime::of(&point);
        let stored = self
            .index
            .get(&key)
            .and_then(|&index| self.points.get_mut(index));
        match stored {
            Some(stored) => {
                let before = point_bytes(stored);
                let merged = merged(stored, point);
                let after = point_bytes(&merged);
                let grown = after.saturating_sub(before);
                reserve(grown)?;
                *stored = merged;
                Ok((grown, before.saturating_sub(after)))
            }
            None => {
                let added = point_bytes(&point);
                reserve(added)?;
                self.index.insert(key, self.points.len());
                self.points.push(point);
                Ok((added, 0))
            }
        }
    }
}

/// `update` with the fields of `stored` it does not set, as InfluxDB
/// merges a point into the one it overwrites. The merged fields are all
/// columns of the table, which the schema caps, so a merge never grows a
/// point past the column limit.
fn merged(stored: &Point<'static>, update: Point<'static>) -> Point<'static> {
    let kept = stored
        .fields()
        .filter(|field| update.field(field.key()).is_none());
    if kept.clone().next().is_none() {
        return update;
    }
    // `Point` offers no way to add fields, so build the merged point anew
    // from the two, then copy it out of them.
    let mut builder = Point::builder(update.measurement());
    for tag in update.tags() {
        builder = builder.tag(tag.key(), tag.value());
    }
    for field in kept.chain(update.fields()) {
        builder = builder.field(field.key(), field.value());
    }
    if let Some(time) = update.timestamp() {
        builder = builder.timestamp(time);
    }
    // Both points were valid and their field keys are distinct, so the
    // builder accepts the merge; keep the update should it ever not.
    let merged = builder.build().map(Point::into_owned);
    merged.unwrap_or(update)
}
