//! Conversions built on every core (the `arrow` and `rayon` features).
//!
//! The body is cut into pieces as [`Parallel`](crate::parallel::Parallel)
//! cuts it, and each piece is converted on its thread against the schema
//! as the call found it, into batches of its own. The pieces are then
//! taken in order. A piece is kept as it is when converting it after the
//! pieces before it would have made the same rows and refused the same
//! lines with the same errors: its new columns agree with theirs (no name
//! a tag in one and a field in the other, no field of two types), the
//! tables and columns of both fit the schema's caps, and, if they wrote
//! any, it refused no line for a rule that weighs what earlier lines
//! wrote (a name that is a tag and a field, a field of another type, the
//! caps), which with more written before might refuse it for another of
//! them or name another first line or count. Otherwise it is
//! converted again, on the calling thread, going on from what the pieces
//! before it wrote, exactly as converting the whole body would reach it.
//! Last, each measurement's batches are concatenated, on the pool, table
//! by table and column by column: its tags' dictionaries merged in the
//! order their values first appear, and a column a piece does not have
//! null in its rows.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, DictionaryArray, Int32Array, RecordBatch, StringArray, make_array,
};
use arrow_buffer::{BooleanBufferBuilder, NullBuffer};
use arrow_data::transform::MutableArrayData;
use arrow_schema::{ArrowError, DataType, FieldRef, Schema as ArrowSchema};

use super::{Conversion, Converter, MAX_COLUMN_TEXT, Map, nanos_now};
use crate::batch::{BatchOptions, Pending, Refusals, Schema, Validator};
use crate::lines::Points;
use crate::parallel::{Rayon, starts};
use crate::pieces::{self, Pool};

/// The fewest bytes in a piece of a conversion: a piece's converter makes
/// and finishes every column of the tables it meets, which for a body of
/// many measurements is a cost of its own (a few milliseconds for
/// thousands of columns), so a conversion takes one piece a thread, each
/// of at least a mebibyte, where a parse takes four.
const PIECE_BYTES: usize = 1 << 20;

/// What converting one piece made: where the piece began (its offset and
/// line number), its batches, its refusals and what its validator passed.
struct Piece {
    start: (usize, usize),
    batches: Vec<(String, RecordBatch)>,
    refusals: Refusals,
    pending: Pending,
}

impl Conversion {
    /// As [`convert`](Self::convert), with the body cut into pieces that
    /// are converted on rayon's thread pool (the global pool, or the one
    /// the call runs in), one for each of its threads and at least 1 MiB
    /// each, and their batches concatenated: the same batches, errors and
    /// schema as [`convert`](Self::convert) makes of the same body.
    ///
    /// A piece is converted against the schema as the call found it, and
    /// kept when that gives what converting it after the pieces before it
    /// would; a piece that does not (it gives a field another type than
    /// an earlier piece, passes a cap with them, or refuses a line for a
    /// rule that weighs what earlier lines wrote) is converted again on
    /// the calling thread, going on from the pieces before it. A body
    /// over 2 GiB, where a column's text could reach Arrow's limit across
    /// pieces, is converted on the calling thread alone.
    ///
    /// # Errors
    ///
    /// Arrow's error, as for [`convert`](Self::convert).
    ///
    /// ```
    /// use lineproto::arrow::Conversion;
    /// use lineproto::{BatchOptions, Schema};
    ///
    /// let body = "cpu,host=a usage=0.5 1\ncpu,host=b usage=0.7 2\n".repeat(50_000);
    /// let mut schema = Schema::new();
    /// let conversion = Conversion::convert_parallel(body.as_bytes(), &BatchOptions::new(), &mut schema)?;
    /// let (name, batch) = &conversion.batches()[0];
    /// assert_eq!((name.as_str(), batch.num_rows()), ("cpu", 100_000));
    /// # Ok::<(), arrow_schema::ArrowError>(())
    /// ```
    pub fn convert_parallel(
        body: &[u8],
        options: &BatchOptions,
        schema: &mut Schema,
    ) -> Result<Conversion, ArrowError> {
        if body.len() > MAX_COLUMN_TEXT {
            return Conversion::convert(body, options, schema);
        }
        let pieces = rayon::current_num_threads().min(body.len() / PIECE_BYTES);
        convert_in_pieces(
            &Rayon,
            body,
            options,
            schema,
            &starts(body, Some(pieces)),
            true,
        )
    }
}

/// Converts `body` in the pieces that begin at `starts` on `pool`, each
/// piece started where the one before stopped if that one is done
/// (`chain`), as [`pieces::parse_pieces`] takes them.
pub(crate) fn convert_in_pieces(
    pool: &(impl Pool + Sync),
    body: &[u8],
    options: &BatchOptions,
    schema: &mut Schema,
    starts: &[usize],
    chain: bool,
) -> Result<Conversion, ArrowError> {
    // One time for the lines without one, as one conversion has.
    let default_time = options
        .parse_options()
        .default_time()
        .unwrap_or_else(nanos_now);
    let base: &Schema = schema;
    let convert = |points: &mut Points<'_>| -> Result<Piece, ArrowError> {
        let start = (points.offset(), points.next_line_number());
        let mut schema = base.clone();
        let mut converter = Converter::new(options, &mut schema);
        converter.default_time = default_time;
        converter.read(points);
        converter.finish_piece(start)
    };
    let pieces = pieces::parse_pieces(pool, body, options.parse_options(), starts, chain, &convert);

    let mut pending = Pending::default();
    let mut refusals = Refusals::new(options);
    let mut tables: Vec<(String, Vec<RecordBatch>)> = Vec::new();
    let mut table_of: Map<String, usize> = Map::default();
    let mut pieces = pieces.into_iter().peekable();
    while let Some(piece) = pieces.next() {
        let mut piece = piece?;
        // Kept as it is if its tables and columns agree with those of the
        // pieces before, and it refused no line for a rule that weighs
        // what they wrote, unless they wrote nothing.
        let fits = (pending.is_empty() || !piece.refusals.weighs_earlier_lines)
            && pending.absorb(std::mem::take(&mut piece.pending), schema);
        if !fits {
            let stop = match pieces.peek() {
                Some(Ok(next)) => next.start.0,
                _ => usize::MAX,
            };
            let mut points = Points::piece(body, options.parse_options(), piece.start, stop);
            let validator = Validator::resume(schema, std::mem::take(&mut pending))
                .with_reject_underscore_names(options.reject_underscore_names());
            let mut converter = Converter::new_with(options, validator);
            converter.default_time = default_time;
            converter.read(&mut points);
            piece = converter.finish_piece(piece.start)?;
            pending = std::mem::take(&mut piece.pending);
        }
        refusals.extend(piece.refusals);
        if refusals.rejected {
            return Ok(Conversion {
                batches: Vec::new(),
                errors: refusals.errors,
                error_count: refusals.count,
            });
        }
        for (name, batch) in piece.batches {
            match table_of.get(&name) {
                Some(&at) => {
                    if let Some((_, batches)) = tables.get_mut(at) {
                        batches.push(batch);
                    }
                }
                None => {
                    table_of.insert(name.clone(), tables.len());
                    tables.push((name, vec![batch]));
                }
            }
        }
    }
    pending.commit(schema);
    let batches = pool
        .map(tables, &|(name, batches)| {
            Ok((name, concat(pool, batches)?))
        })
        .into_iter()
        .collect::<Result<_, ArrowError>>()?;
    Ok(Conversion {
        batches,
        errors: refusals.errors,
        error_count: refusals.count,
    })
}

impl<'s> Converter<'s> {
    /// The batches, refusals and what the validator passed, the schema
    /// left as it was.
    fn finish_piece(self, start: (usize, usize)) -> Result<Piece, ArrowError> {
        let (batches, refusals, validator) = self.into_parts()?;
        Ok(Piece {
            start,
            batches,
            refusals,
            pending: validator.into_pending(),
        })
    }
}

/// One measurement's batches as one, each column put together on `pool`:
/// the columns of all of them, tags by name, fields by name, then `time`,
/// as a conversion orders them; a column a batch does not have is null
/// in its rows.
fn concat(pool: &(impl Pool + Sync), batches: Vec<RecordBatch>) -> Result<RecordBatch, ArrowError> {
    let Some(first) = batches.first() else {
        return Err(ArrowError::InvalidArgumentError("no batch".to_owned()));
    };
    if batches.len() == 1 {
        return Ok(first.clone());
    }
    let metadata = first.schema().metadata().clone();
    let time = first.schema().field_with_name("time")?.clone();
    let mut fields: Vec<FieldRef> = Vec::new();
    let mut named: Map<String, ()> = Map::default();
    let columns: Vec<HashMap<&str, &ArrayRef>> = batches
        .iter()
        .map(|batch| {
            batch
                .schema_ref()
                .fields()
                .iter()
                .map(|field| field.name().as_str())
                .zip(batch.columns())
                .collect()
        })
        .collect();
    for batch in &batches {
        for field in batch.schema_ref().fields() {
            if field.name() != "time" && named.insert(field.name().clone(), ()).is_none() {
                fields.push(Arc::clone(field));
            }
        }
    }
    let is_field = |field: &FieldRef| !matches!(field.data_type(), DataType::Dictionary(..));
    fields.sort_by(|a, b| (is_field(a), a.name()).cmp(&(is_field(b), b.name())));
    fields.push(Arc::new(time));
    let rows: Vec<usize> = batches.iter().map(RecordBatch::num_rows).collect();
    let arrays = pool
        .map(fields.clone(), &|field| {
            let parts: Vec<(Option<&ArrayRef>, usize)> = columns
                .iter()
                .zip(&rows)
                .map(|(columns, &rows)| (columns.get(field.name().as_str()).copied(), rows))
                .collect();
            match field.data_type() {
                DataType::Dictionary(..) => concat_dictionaries(&parts),
                _ => concat_columns(&parts),
            }
        })
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(
        Arc::new(ArrowSchema::new(fields).with_metadata(metadata)),
        arrays,
    )
}

/// Columns of one type one after the other, `None` as `rows` nulls.
fn concat_columns(parts: &[(Option<&ArrayRef>, usize)]) -> Result<ArrayRef, ArrowError> {
    let data: Vec<_> = parts
        .iter()
        .filter_map(|(array, _)| array.map(|array| array.to_data()))
        .collect();
    let capacity = parts.iter().map(|(_, rows)| rows).sum();
    let mut merged = MutableArrayData::new(data.iter().collect(), true, capacity);
    let mut next = 0;
    for &(array, rows) in parts {
        if array.is_some() {
            merged.try_extend(next, 0, rows)?;
            next += 1;
        } else {
            merged.try_extend_nulls(rows)?;
        }
    }
    Ok(make_array(merged.freeze()))
}

/// Tag columns one after the other, `None` as `rows` nulls, with one
/// dictionary of their values in the order they first appear.
fn concat_dictionaries(parts: &[(Option<&ArrayRef>, usize)]) -> Result<ArrayRef, ArrowError> {
    let capacity = parts.iter().map(|(_, rows)| rows).sum();
    let mut keys: Vec<i32> = Vec::with_capacity(capacity);
    let mut valid = BooleanBufferBuilder::new(capacity);
    let mut values: Vec<&str> = Vec::new();
    let mut key_of: Map<&str, i32> = Map::default();
    let too_many = || ArrowError::DictionaryKeyOverflowError;
    for &(array, rows) in parts {
        let Some(array) = array else {
            keys.resize(keys.len() + rows, 0);
            valid.append_n(rows, false);
            continue;
        };
        let array: &DictionaryArray<Int32Type> = array.as_dictionary();
        let dictionary: &StringArray = array.values().as_string();
        let mut renumbered = Vec::with_capacity(dictionary.len());
        for value in dictionary.iter() {
            let value = value.unwrap_or_default();
            let key = match key_of.get(value) {
                Some(&key) => key,
                None => {
                    let key = i32::try_from(values.len()).map_err(|_| too_many())?;
                    key_of.insert(value, key);
                    values.push(value);
                    key
                }
            };
            renumbered.push(key);
        }
        for key in array.keys() {
            let key = key.and_then(|key| renumbered.get(usize::try_from(key).ok()?).copied());
            keys.push(key.unwrap_or(0));
            valid.append(key.is_some());
        }
    }
    let nulls = NullBuffer::new(valid.finish());
    let nulls = (nulls.null_count() > 0).then_some(nulls);
    let keys = Int32Array::new(keys.into(), nulls);
    let values: ArrayRef = Arc::new(StringArray::from(values));
    Ok(Arc::new(DictionaryArray::try_new(keys, values)?))
}

/// Where converting `body` in pieces cut after the line feeds `picks`
/// chooses (by their order, cycling), the pieces one after the other,
/// each started at its cut and each where the one before stopped,
/// differs from converting it whole: in its batches (their columns, rows,
/// dictionaries and metadata), refusals or schema; `None` if it does not.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn pieces_disagreement(
    body: &[u8],
    options: &BatchOptions,
    schema: &Schema,
    picks: &[bool],
) -> Option<String> {
    let starts = pieces::picked_starts(body, picks);
    // A fixed time for lines without one, which the two would read apart.
    let options = options.with_parse_options(
        options
            .parse_options()
            .with_default_time(options.parse_options().default_time().unwrap_or(7)),
    );
    let described = |conversion: Result<Conversion, ArrowError>| {
        conversion.map(|conversion| {
            format!(
                "batches {:?}\nerrors {} {:?}",
                conversion.batches, conversion.error_count, conversion.errors
            )
        })
    };
    let mut whole_schema = schema.clone();
    let whole = described(Conversion::convert(body, &options, &mut whole_schema));
    for chain in [false, true] {
        let mut pieces_schema = schema.clone();
        let found = convert_in_pieces(
            &pieces::InOrder,
            body,
            &options,
            &mut pieces_schema,
            &starts,
            chain,
        );
        let found = described(found);
        if format!("{found:?}") != format!("{whole:?}") || pieces_schema != whole_schema {
            return Some(format!(
                "pieces at {starts:?} (chained: {chain}) gave\n{found:?}\n{pieces_schema:?}\nthe whole\n{whole:?}\n{whole_schema:?}"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arrow::tests::line;
    use proptest::prelude::*;

    /// A line of one of a few measurements of steady tags and field
    /// types, as most bodies are: their tags' dictionaries span pieces.
    fn steady_line() -> impl Strategy<Value = String> {
        (
            0..3usize,
            0..6usize,
            proptest::option::of(0..3usize),
            0..4usize,
            0..100i64,
        )
            .prop_map(|(measurement, host, region, text, time)| {
                let region = region
                    .map(|region| format!(",region=r{region}"))
                    .unwrap_or_default();
                format!("s{measurement},host=h{host}{region} n={time}i,x=0.5,s=\"t{text}\" {time}")
            })
    }

    /// A line that one piece alone refuses for naming a field as a tag,
    /// and the whole for giving an earlier piece's field another type:
    /// the field types are checked first.
    #[test]
    fn a_refusal_that_an_earlier_piece_would_change_is_converted_again() {
        let body = b"m a=1.5 1\nm b=3i 2\nm,b=v a=2i 3\n";
        let disagreement = pieces_disagreement(body, &BatchOptions::new(), &Schema::new(), &[true]);
        assert_eq!(disagreement, None);
        let mut schema = Schema::new();
        let conversion = convert_in_pieces(
            &pieces::InOrder,
            body,
            &BatchOptions::new(),
            &mut schema,
            &[0, 10],
            true,
        )
        .unwrap();
        assert_eq!(
            conversion.errors()[0].message(),
            "field type conflict: field `a` of measurement `m` is float (first written on line 1), not integer"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// Converting in pieces gives what converting the whole gives,
        /// however the pieces are cut, whatever the caps and options:
        /// fields that change type from piece to piece, names that are
        /// tags in one piece and fields in another, caps passed only
        /// with the pieces together, refused lines whose errors name
        /// earlier pieces' lines, strings with line feeds across cuts.
        #[test]
        fn pieces_convert_as_the_whole(
            lines in proptest::collection::vec(prop_oneof![line(), steady_line()], 0..40),
            picks in proptest::collection::vec(any::<bool>(), 1..8),
            max_tables in 1..8usize,
            max_columns in 2..8usize,
            accept_partial in any::<bool>(),
            max_errors in 0..5usize,
            known in proptest::option::of(line()),
        ) {
            let body = lines.join("\n");
            let options = BatchOptions::new()
                .with_accept_partial(accept_partial)
                .with_max_errors(max_errors);
            let mut schema = Schema::new()
                .with_max_tables(max_tables)
                .with_max_columns_per_table(max_columns);
            if let Some(known) = known {
                // A schema that already holds a table.
                let _ = Conversion::convert(known.as_bytes(), &BatchOptions::new(), &mut schema);
            }
            let disagreement = pieces_disagreement(body.as_bytes(), &options, &schema, &picks);
            prop_assert!(disagreement.is_none(), "{}", disagreement.unwrap_or_default());
        }
    }
}
