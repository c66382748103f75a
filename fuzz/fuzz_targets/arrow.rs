//! Line protocol into Arrow record batches. The first six bytes set the
//! options, the rest is the body:
//!
//! - byte 0: bit 0 turns partial writes off, bit 1 leaves the schema's caps
//!   at their defaults;
//! - bytes 1 and 2: the caps on tables (1 to 8) and columns per table
//!   (2 to 17);
//! - byte 3: the most errors kept (0 to 7);
//! - bytes 4 and 5: two read sizes (1 to 256) that `from_reader`'s reads
//!   take in turn, and byte 5 the lines of a group (1 to 16).
//!
//! Every row read back from the batches is the point `Batch` keeps for
//! its line, with the same storage rules, and the refused lines are
//! `Batch`'s; `from_reader` over those reads gives the same batches,
//! refusals and schema as `convert`; so does converting in groups, table
//! by table, as a body of many measurements is, and converting in pieces
//! cut after the line feeds byte 4's bits pick (`convert_parallel`'s
//! pieces, one after the other); with partial writes on,
//! `from_points` over the body's good points gives the same batches
//! (unless one of them could not be written, which it refuses).
#![no_main]

#[path = "../../tests/common/arrow_rows.rs"]
mod arrow_rows;
#[path = "../../tests/common/points.rs"]
mod points;

use std::io::{self, Read};

use libfuzzer_sys::fuzz_target;
use lineproto::arrow::Conversion;
use lineproto::{Batch, BatchOptions, ParseOptions, Point, Schema};
use points::Parsed;

/// A reader that hands out `data` in reads of the sizes given, in turn.
struct Reads<'a> {
    data: &'a [u8],
    sizes: [usize; 2],
    turn: usize,
}

impl Read for Reads<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let size = self.sizes[self.turn % 2];
        self.turn += 1;
        let n = size.min(buf.len()).min(self.data.len());
        let (now, later) = self.data.split_at(n);
        buf[..n].copy_from_slice(now);
        self.data = later;
        Ok(n)
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&[flags, tables, columns, errors, read, other], body)) = input.split_first_chunk()
    else {
        return;
    };
    let accept_partial = flags & 1 == 0;
    let options = BatchOptions::new()
        .with_accept_partial(accept_partial)
        .with_max_errors(usize::from(errors % 8))
        .with_parse_options(ParseOptions::new().with_default_time(7));
    let schema = if flags & 2 == 0 {
        Schema::new()
            .with_max_tables(1 + usize::from(tables % 8))
            .with_max_columns_per_table(2 + usize::from(columns % 16))
    } else {
        Schema::new()
    };

    let mut converted = schema.clone();
    let conversion = Conversion::convert(body, &options, &mut converted)
        .unwrap_or_else(|err| panic!("convert failed: {err}"));

    // The oracle: the points `Batch` keeps, by measurement in order of
    // first appearance, and the lines it refuses.
    let mut kept = schema.clone();
    let batch = Batch::parse(body, &options, &mut kept);
    let expected = arrow_rows::tables_of(&batch);
    let found: Vec<(String, Vec<Parsed>)> = conversion
        .batches()
        .iter()
        .map(|(name, batch)| (name.clone(), arrow_rows::rows(batch)))
        .collect();
    assert_eq!(
        found,
        expected,
        "rows of {:?}",
        String::from_utf8_lossy(body)
    );
    let lines = |errors: &[lineproto::LineError]| -> Vec<usize> {
        errors.iter().map(lineproto::LineError::line).collect()
    };
    assert_eq!(lines(conversion.errors()), lines(batch.errors()));
    assert_eq!(conversion.error_count(), batch.error_count());
    assert_eq!(converted, kept, "the schema learnt");

    // The same body read a few bytes at a time.
    let reads = Reads {
        data: body,
        sizes: [1 + usize::from(read), 1 + usize::from(other)],
        turn: 0,
    };
    let mut streamed = schema.clone();
    let from_reader = Conversion::from_reader(reads, &options, &mut streamed)
        .unwrap_or_else(|err| panic!("from_reader failed: {err}"));
    assert_eq!(from_reader.batches(), conversion.batches());
    assert_eq!(from_reader.errors(), conversion.errors());
    assert_eq!(from_reader.error_count(), conversion.error_count());
    assert_eq!(streamed, converted);

    // In groups, table by table.
    let group_lines = 1 + usize::from(other % 16);
    if let Some(disagreement) =
        lineproto::fuzzing::arrow_grouping_disagreement(body, &options, &schema, group_lines)
    {
        panic!("{disagreement} in {:?}", String::from_utf8_lossy(body));
    }

    // In pieces cut after the line feeds the bits of `read` pick, by
    // their order, cycling: each piece started at its cut and each where
    // the one before stopped, converted against the schema as it was and
    // kept, or converted again after the pieces before it.
    let picks: Vec<bool> = (0..8).map(|bit| read >> bit & 1 == 1).collect();
    if let Some(disagreement) =
        lineproto::fuzzing::arrow_pieces_disagreement(body, &options, &schema, &picks)
    {
        panic!("{disagreement} in {:?}", String::from_utf8_lossy(body));
    }

    // The body's good points, made owned (so that no series is kept),
    // when the writer could write each: `from_points` refuses one it
    // could not (a name or tag value ending in a backslash), which
    // `convert` keeps.
    let points: Vec<Point<'static>> = lineproto::parse_with(body, options.parse_options())
        .filter_map(Result::ok)
        .map(Point::into_owned)
        .collect();
    if accept_partial && points.iter().all(|point| point.validate().is_ok()) {
        let from_points = Conversion::from_points(&points, &options, &mut schema.clone())
            .unwrap_or_else(|err| panic!("from_points failed: {err}"));
        assert_eq!(from_points.batches(), conversion.batches());
    }
});
