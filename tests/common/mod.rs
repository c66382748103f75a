//! Helpers shared by the test suites.

use lineproto::{ParseError, ParseOptions, Point};

/// Runs `input` through the iterator and through `next_into` with one
/// reused point, asserts that both give the same results (compared with
/// `Debug` too, so `-0.0` and `0.0` differ) and stay done at the end, and
/// returns them.
pub(crate) fn parse_both(
    input: &[u8],
    options: ParseOptions,
) -> Vec<Result<Point<'static>, ParseError>> {
    let mut iter = lineproto::parse_with(input, options);
    let via_iter: Vec<Result<Point<'static>, ParseError>> = iter
        .by_ref()
        .map(|result| result.map(Point::into_owned))
        .collect();
    assert!(iter.next().is_none(), "the iterator is fused");

    let mut points = lineproto::parse_with(input, options);
    let mut point = Point::new();
    let mut via_reuse = Vec::new();
    while let Some(result) = points.next_into(&mut point) {
        via_reuse.push(result.map(|()| point.clone().into_owned()));
    }
    assert!(
        points.next_into(&mut point).is_none(),
        "next_into stays done"
    );

    assert_eq!(
        via_iter,
        via_reuse,
        "iterator and next_into disagree on {:?}",
        String::from_utf8_lossy(input)
    );
    assert_eq!(format!("{via_iter:?}"), format!("{via_reuse:?}"));
    via_iter
}
