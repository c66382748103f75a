//! Heap allocations per parsed point, counted by a wrapping global
//! allocator. Allocation counts are deterministic, so unlike timings they
//! can be asserted in a test.
//!
//! The allocator's counters are process-wide, and the standard test harness
//! allocates on other threads while tests run, so this file has its own
//! `main` (`harness = false`) that runs the checks one after another on one
//! thread.
//!
//! The promise: the reuse API (`Points::next_into`) makes no allocation at
//! all once its point has grown, escape sequences or not (unescaped text
//! lands in the string the point keeps); the iterator makes exactly one
//! allocation per point, escapes or not: a point's tags and fields share one
//! list, and the names and strings it had to unescape share that same
//! allocation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../benches/data.rs"]
#[allow(dead_code)]
mod data;

use std::alloc::System;
use std::panic;
use std::process::ExitCode;

use lineproto::Point;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// How many new blocks `work` allocated (allocations and reallocations).
fn allocations(work: impl FnOnce()) -> usize {
    let region = Region::new(ALLOCATOR);
    work();
    let stats = region.change();
    stats.allocations + stats.reallocations
}

/// The lines of `input` that hold a backslash: in the generated data each
/// such line has exactly one escaped token.
fn escaped_lines(input: &[u8]) -> usize {
    input
        .split(|&b| b == b'\n')
        .filter(|line| line.contains(&b'\\'))
        .count()
}

/// Parses all of `input` through the reuse API into `point`.
fn parse_reusing<'a>(input: &'a [u8], point: &mut Point<'a>) -> usize {
    let mut points = lineproto::parse(input);
    let mut count = 0;
    while let Some(result) = points.next_into(point) {
        result.unwrap();
        count += 1;
    }
    count
}

fn the_reuse_api_allocates_nothing_for_input_without_escapes() {
    // TSBS lines, and lines of 100 tags and 100 fields, whose repeated-key
    // check must not allocate either.
    for (input, lines) in [(data::tsbs_cpu(2_000), 2_000), (data::wide(200, 10), 200)] {
        assert_eq!(escaped_lines(&input), 0);
        let mut point = Point::new();
        parse_reusing(&input, &mut point);
        let mut count = 0;
        let allocated = allocations(|| count = parse_reusing(&input, &mut point));
        assert_eq!(count, lines);
        assert_eq!(allocated, 0, "{allocated} allocations for {count} points");
    }
}

fn the_reuse_api_allocates_nothing_for_input_with_escapes() {
    // Escaped names and strings are unescaped into strings the point keeps
    // from line to line: once they have grown, nothing is allocated.
    for input in [
        data::home(2_000),
        data::telegraf(2_100),
        data::escapes(2_000),
    ] {
        assert!(escaped_lines(&input) > 0);
        let mut point = Point::new();
        parse_reusing(&input, &mut point);
        let mut count = 0;
        let allocated = allocations(|| count = parse_reusing(&input, &mut point));
        assert!(count > 0);
        assert_eq!(allocated, 0, "{allocated} allocations for {count} points");
    }
}

/// How many names and string values of `point` are not slices of `input`:
/// the ones the parser had to unescape into strings of their own.
fn owned_texts(point: &Point<'_>, input: &[u8]) -> usize {
    let inside = |text: &str| input.as_ptr_range().contains(&text.as_ptr());
    let mut texts = vec![point.measurement()];
    for tag in point.tags() {
        texts.extend([tag.key(), tag.value()]);
    }
    for field in point.fields() {
        texts.push(field.key());
        texts.extend(field.value().as_str());
    }
    texts.into_iter().filter(|text| !inside(text)).count()
}

fn the_iterator_allocates_one_block_per_point_escapes_or_not() {
    // Each point's list is allocated once, at its exact size, even where
    // the lines change shape from one measurement to the next (telegraf),
    // and the text of a point with escapes is in the same allocation. Only
    // the iterator's own working list and text grow, step by step, to the
    // widest line and the longest text (at most five and ten steps for
    // these lines).
    for input in [
        data::tsbs_cpu(1_000),
        data::home(2_000),
        data::telegraf(2_100),
        data::escapes(1_000),
    ] {
        let mut points = Vec::with_capacity(2_100);
        let allocated = allocations(|| points.extend(lineproto::parse(&input).map(Result::unwrap)));
        let lists = points.len();
        let owned: usize = points.iter().map(|point| owned_texts(point, &input)).sum();
        let texts = points
            .iter()
            .filter(|point| owned_texts(point, &input) > 0)
            .count();
        // Every owned text came from an escape sequence in the input, and
        // every line with one gave a point with a text of its own, which
        // costs no allocation of its own.
        let backslashes = input.iter().filter(|&&b| b == b'\\').count();
        assert!(owned <= backslashes);
        assert_eq!(texts, escaped_lines(&input));
        assert!(
            (lists..=lists + 15).contains(&allocated),
            "{allocated} allocations for {lists} points, {texts} of them with escapes"
        );
    }
}

fn a_detached_point_costs_a_list_and_a_text() {
    // `into_owned` copies every name and string into one new text and the
    // entries into one new list, whether the point kept them in a list and
    // a string or in one block.
    for input in [
        data::tsbs_cpu(500),
        data::home(1_000),
        data::telegraf(1_000),
        data::escapes(500),
    ] {
        let points: Vec<Point<'_>> = lineproto::parse(&input).map(Result::unwrap).collect();
        let mut owned = Vec::with_capacity(points.len());
        let allocated = allocations(|| owned.extend(points.into_iter().map(Point::into_owned)));
        assert!(!owned.is_empty());
        assert_eq!(allocated, 2 * owned.len(), "{allocated} allocations");
    }
}

fn a_stream_of_owned_points_costs_a_list_and_a_text_per_point() {
    // Through `Stream::into_owned_points`, each point costs its own list
    // and text and nothing else; the stream's buffer, the queue of points
    // of a chunk and the point each chunk is parsed into add a few
    // allocations per 64 KiB chunk.
    for input in [
        data::tsbs_cpu(2_000),
        data::home(4_000),
        data::telegraf(2_000),
        data::escapes(500),
    ] {
        let mut owned = Vec::with_capacity(4_000);
        let allocated = allocations(|| {
            let stream = lineproto::Stream::new(&input[..]);
            owned.extend(stream.into_owned_points().map(|item| item.unwrap()));
        });
        let points = owned.len();
        let chunks = input.len().div_ceil(64 << 10);
        assert!(points > 0);
        assert!(
            (2 * points..=2 * points + 10 * chunks + 20).contains(&allocated),
            "{allocated} allocations for {points} points in {chunks} chunks"
        );
    }
}

/// Writing points through one `LineWriter` allocates its two buffers
/// (the line, grown to the longest line, and the `BufWriter`'s) and
/// nothing per point, into a sink that allocates nothing either.
fn a_line_writer_allocates_nothing_per_point() {
    let input = [data::escapes(2_000), data::telegraf(2_100)].concat();
    let points: Vec<Point<'_>> = lineproto::parse(&input).map(Result::unwrap).collect();
    assert_eq!(points.len(), 4_100);
    let write_all = |rounds: usize| {
        allocations(|| {
            let mut writer = lineproto::LineWriter::new(std::io::sink());
            for _ in 0..rounds {
                for point in &points {
                    writer.write_point(point).unwrap();
                }
            }
            writer.flush().unwrap();
        })
    };
    // Ten: the BufWriter's buffer, and the line buffer growing by doubling
    // from 8 bytes to the longest line; then nothing, however many points.
    assert_eq!(write_all(1), 10);
    assert_eq!(write_all(3), 10);
}

/// Converting to Arrow allocates for each new table and column and as the
/// columns grow (by doubling), not for each point: the allocations per
/// point fall at least tenfold from 1,000 lines to 100,000. (On `escapes`,
/// whose 120 tables grow to 9,120 columns, they stay near 2 a point at
/// 100,000 lines: the doublings of that many columns.)
fn arrow_allocations_per_point_fall_as_the_body_grows() {
    use lineproto::arrow::Conversion;
    use lineproto::{BatchOptions, Schema};
    type Generator = fn(usize) -> Vec<u8>;
    let sets: [(&str, Generator); 4] = [
        ("tsbs-cpu", data::tsbs_cpu),
        ("home", data::home),
        ("telegraf", data::telegraf),
        ("escapes", data::escapes),
    ];
    for (name, generate) in sets {
        let per_point = |lines: usize| {
            let body = generate(lines);
            let points = lineproto::parse(&body).count();
            let allocated = allocations(|| {
                let conversion =
                    Conversion::convert(&body, &BatchOptions::new(), &mut Schema::new()).unwrap();
                assert_eq!(conversion.error_count(), 0);
                drop(conversion);
            });
            allocated as f64 / points as f64
        };
        let (small, large) = (per_point(1_000), per_point(100_000));
        assert!(
            large < small / 10.0,
            "{name}: {small:.3} allocations per point for 1k lines, {large:.3} for 100k"
        );
    }
}

fn main() -> ExitCode {
    let checks: [(&str, fn()); 7] = [
        (
            "arrow_allocations_per_point_fall_as_the_body_grows",
            arrow_allocations_per_point_fall_as_the_body_grows,
        ),
        (
            "a_line_writer_allocates_nothing_per_point",
            a_line_writer_allocates_nothing_per_point,
        ),
        (
            "the_reuse_api_allocates_nothing_for_input_without_escapes",
            the_reuse_api_allocates_nothing_for_input_without_escapes,
        ),
        (
            "the_reuse_api_allocates_nothing_for_input_with_escapes",
            the_reuse_api_allocates_nothing_for_input_with_escapes,
        ),
        (
            "the_iterator_allocates_one_block_per_point_escapes_or_not",
            the_iterator_allocates_one_block_per_point_escapes_or_not,
        ),
        (
            "a_detached_point_costs_a_list_and_a_text",
            a_detached_point_costs_a_list_and_a_text,
        ),
        (
            "a_stream_of_owned_points_costs_a_list_and_a_text_per_point",
            a_stream_of_owned_points_costs_a_list_and_a_text_per_point,
        ),
    ];
    let mut failed = 0;
    for (name, check) in checks {
        let passed = panic::catch_unwind(check).is_ok();
        println!("test {name} ... {}", if passed { "ok" } else { "FAILED" });
        failed += usize::from(!passed);
    }
    println!("{} passed, {failed} failed", checks.len() - failed);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
