//! Timestamp conversions against an `i128` oracle: `to_nanos` is the exact
//! product when it fits and an error when not; `from_nanos` floors.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lineproto::Precision;

fuzz_target!(|input: (i64, u8)| {
    let (value, index) = input;
    let precision = Precision::ALL[usize::from(index) % Precision::ALL.len()];
    assert_eq!(precision.as_str().parse::<Precision>(), Ok(precision));
    let unit: i128 = match precision.as_str() {
        "ns" => 1,
        "us" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60 * 1_000_000_000,
        "h" => 3_600 * 1_000_000_000,
        other => panic!("unknown precision {other}"),
    };
    let product = i128::from(value) * unit;
    match precision.to_nanos(value) {
        Ok(nanos) => assert_eq!(i128::from(nanos), product),
        Err(err) => assert!(i64::try_from(product).is_err(), "{err} for {value}"),
    }
    let floored = i128::from(value).div_euclid(unit);
    assert_eq!(i128::from(precision.from_nanos(value)), floored);
});
