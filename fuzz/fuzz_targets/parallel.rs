//! A parallel parse of arbitrary bytes yields exactly what `parse_with`
//! yields on the whole buffer, in order, with the same line numbers: on
//! rayon's pool in 1 to 64 pieces and in a piece after every line feed,
//! and one piece after the other, in pieces cut after any line feeds,
//! each piece started at its cut and each where the one before stopped.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use lineproto::parallel::Parallel;
use lineproto::{ParseOptions, Point, Points};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    /// Pieces on the pool, 1 to 64.
    pieces: u8,
    /// Which line feeds the pieces one after the other are cut after, by
    /// their order, cycling.
    picks: Vec<bool>,
    max_line_length: Option<u8>,
    data: &'a [u8],
}

/// Each result with the line number the iterator gives for it.
fn described(points: &mut Points<'_>) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    while let Some(result) = points.next() {
        out.push((
            points.line_number(),
            format!("{:?}", result.map(Point::into_owned)),
        ));
    }
    out
}

fuzz_target!(|input: Input<'_>| {
    let mut options = ParseOptions::new();
    if let Some(limit) = input.max_line_length {
        options = options.with_max_line_length(usize::from(limit).max(1));
    }
    let text = String::from_utf8_lossy(input.data);
    if let Some(err) = lineproto::fuzzing::pieces_disagreement(input.data, options, &input.picks) {
        panic!("{err} in {text:?}");
    }
    let whole = described(&mut lineproto::parse_with(input.data, options));
    let pieces = usize::from(input.pieces % 64) + 1;
    for pieces in [pieces, input.data.len().max(1)] {
        let parallel = Parallel::new()
            .with_parse_options(options)
            .with_pieces(pieces);
        let on_the_pool = parallel.map(input.data, described).concat();
        assert_eq!(on_the_pool, whole, "{pieces} pieces of {text:?}");
    }
    let owned = Parallel::new()
        .with_parse_options(options)
        .with_pieces(pieces)
        .parse_owned(input.data);
    let expected: Vec<_> = lineproto::parse_with(input.data, options)
        .map(|result| result.map(Point::into_owned))
        .collect();
    assert_eq!(format!("{owned:?}"), format!("{expected:?}"), "{text:?}");
});
