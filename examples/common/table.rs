//! Points as pipe tables, the way a query of the written data shows them:
//! one table per measurement, a `time` column in RFC 3339, the tag columns,
//! then the field columns, numbers aligned right.
//!
//! Shared by the `lp` and `ingest` examples, which include this file with
//! `#[path = "common/table.rs"] mod table;` so both print the same table.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use lineproto::{Field, FieldValue, Point, Tag};

/// Writes one pipe table per measurement, measurements sorted by name, a
/// blank line between tables and each titled `name: MEASUREMENT` when there
/// is more than one.
pub(crate) fn write_tables(out: &mut impl Write, points: &[Point<'_>]) -> io::Result<()> {
    let mut measurements: BTreeMap<&str, Vec<&Point<'_>>> = BTreeMap::new();
    for point in points {
        measurements
            .entry(point.measurement())
            .or_default()
            .push(point);
    }
    let titled = measurements.len() > 1;
    for (index, (name, points)) in measurements.iter().enumerate() {
        if index > 0 {
            out.write_all(b"\n")?;
        }
        if titled {
            writeln!(out, "name: {name}")?;
        }
        Table::of(points).write(out)?;
    }
    Ok(())
}

/// How a column's cells line up.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

struct Column {
    header: String,
    align: Align,
}

/// The cells of one measurement's table, before padding.
struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// The table of `points`, all of one measurement: a `time` column, the
    /// tag keys sorted, the field keys sorted; rows sorted by series (tag
    /// values in key order, a missing tag as empty) and then by time (no
    /// time first).
    fn of(points: &[&Point<'_>]) -> Table {
        let tag_keys: BTreeSet<&str> = points
            .iter()
            .flat_map(|point| point.tags())
            .map(Tag::key)
            .collect();
        let field_keys: BTreeSet<&str> = points
            .iter()
            .flat_map(|point| point.fields())
            .map(Field::key)
            .collect();

        let mut sorted: Vec<(Vec<&str>, Option<i64>, &Point<'_>)> = points
            .iter()
            .map(|&point| {
                let series = tag_keys
                    .iter()
                    .map(|key| point.tag(key).unwrap_or_default())
                    .collect();
                (series, point.timestamp(), point)
            })
            .collect();
        sorted.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));

        let mut columns = vec![Column {
            header: "time".to_owned(),
            align: Align::Left,
        }];
        columns.extend(tag_keys.iter().map(|key| Column {
            header: (*key).to_owned(),
            align: Align::Left,
        }));
        columns.extend(field_keys.iter().map(|key| Column {
            header: (*key).to_owned(),
            align: field_align(points, key),
        }));

        let rows = sorted
            .iter()
            .map(|(series, time, point)| {
                let mut row = vec![time.map(rfc3339).unwrap_or_default()];
                row.extend(series.iter().map(|value| (*value).to_owned()));
                row.extend(field_keys.iter().map(|key| {
                    point
                        .field(key)
                        .map(|value| field_cell(&value))
                        .unwrap_or_default()
                }));
                row
            })
            .collect();
        Table { columns, rows }
    }

    /// Writes the header row, the alignment row and the rows, every cell
    /// padded to its column's width.
    fn write(&self, out: &mut impl Write) -> io::Result<()> {
        let headers: Vec<String> = self
            .columns
            .iter()
            .map(|column| escape_cell(&column.header))
            .collect();
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| row.iter().map(|cell| escape_cell(cell)).collect())
            .collect();

        let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count().max(3)).collect();
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }

        self.write_row(out, &headers, &widths)?;
        out.write_all(b"|")?;
        for (column, &width) in self.columns.iter().zip(&widths) {
            let dashes = "-".repeat(width.saturating_sub(1));
            match column.align {
                Align::Left => write!(out, " :{dashes} |")?,
                Align::Right => write!(out, " {dashes}: |")?,
            }
        }
        out.write_all(b"\n")?;
        for row in &rows {
            self.write_row(out, row, &widths)?;
        }
        Ok(())
    }

    fn write_row(
        &self,
        out: &mut impl Write,
        cells: &[String],
        widths: &[usize],
    ) -> io::Result<()> {
        out.write_all(b"|")?;
        for ((cell, column), &width) in cells.iter().zip(&self.columns).zip(widths) {
            // Padded by hand: `format!`'s width is a `u16`, and a cell may
            // be far wider (a 64 KiB string value).
            let padding = width.saturating_sub(cell.chars().count());
            out.write_all(b" ")?;
            match column.align {
                Align::Left => {
                    out.write_all(cell.as_bytes())?;
                    write_spaces(out, padding)?;
                }
                Align::Right => {
                    write_spaces(out, padding)?;
                    out.write_all(cell.as_bytes())?;
                }
            }
            out.write_all(b" |")?;
        }
        out.write_all(b"\n")
    }
}

/// Writes `count` spaces.
fn write_spaces(out: &mut impl Write, mut count: usize) -> io::Result<()> {
    const SPACES: &[u8; 64] = &[b' '; 64];
    while count > 0 {
        let now = count.min(SPACES.len());
        out.write_all(SPACES.get(..now).unwrap_or_default())?;
        count -= now;
    }
    Ok(())
}

/// Numeric field columns align right; a column with any string or boolean
/// value aligns left.
fn field_align(points: &[&Point<'_>], key: &str) -> Align {
    let numeric = points
        .iter()
        .filter_map(|point| point.field(key))
        .all(|value| {
            matches!(
                value,
                FieldValue::Float(_) | FieldValue::Integer(_) | FieldValue::UInteger(_)
            )
        });
    if numeric { Align::Right } else { Align::Left }
}

/// A field value as a person reads it: `21` (not `21.0`), `-3`, `7`,
/// `true`, `text`.
fn field_cell(value: &FieldValue<'_>) -> String {
    match value {
        // `FieldValue`'s Display writes floats in the shortest round-trip
        // form, switching to exponents only for extreme magnitudes.
        FieldValue::Float(_) => value.to_string(),
        FieldValue::Integer(value) => value.to_string(),
        FieldValue::UInteger(value) => value.to_string(),
        FieldValue::Boolean(value) => value.to_string(),
        FieldValue::String(text) => text.to_string(),
    }
}

/// A cell's text with `|` escaped, line breaks and tabs shown as `\n`,
/// `\r` and `\t`, and other control characters as their Unicode pictures,
/// so the table keeps one row per line and its columns line up.
fn escape_cell(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => escaped.push_str("\\|"),
            '\n' => escaped.push_str("\\n"),
            '\r' => escaped.push_str("\\r"),
            '\t' => escaped.push_str("\\t"),
            c => escaped.push(control_picture(c).unwrap_or(c)),
        }
    }
    escaped
}

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// Nanoseconds since the Unix epoch as RFC 3339 in UTC:
/// `2022-01-01T08:00:00Z`, with a fraction only when it is not zero
/// (`2022-01-01T08:00:00.5Z`).
fn rfc3339(nanos: i64) -> String {
    let seconds = nanos.div_euclid(NANOS_PER_SECOND);
    let fraction = nanos.rem_euclid(NANOS_PER_SECOND);
    let (year, month, day) = civil_from_days(seconds.div_euclid(SECONDS_PER_DAY));
    let second_of_day = seconds.rem_euclid(SECONDS_PER_DAY);
    let mut text = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    );
    if fraction != 0 {
        let digits = format!("{fraction:09}");
        text.push('.');
        text.push_str(digits.trim_end_matches('0'));
    }
    text.push('Z');
    text
}

/// The proleptic Gregorian date of a day number (days since 1970-01-01,
/// negative before it), after Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468; // days since 0000-03-01
    let era = shifted.div_euclid(146_097); // 400-year eras
    let day_of_era = shifted.rem_euclid(146_097); // [0, 146096]
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153; // [0, 11], March is 0
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The Unicode control picture (U+2400 block) of a control character
/// other than tab: `␀`...`␟` for 0x00-0x1F, `␡` for 0x7F.
pub(crate) fn control_picture(c: char) -> Option<char> {
    match c {
        '\t' => None,
        '\0'..='\x1f' => char::from_u32(0x2400 + u32::from(c)),
        '\x7f' => Some('\u{2421}'),
        _ => None,
    }
}
