//! A float field value against the standard library: whatever token of
//! number characters is written, the parser gives the same `f64` as
//! `str::parse` (bit for bit), an out-of-range error exactly when that is
//! infinite, and an error for anything outside the dialect's float syntax.
//! Exponents from 655,360 up are left out: there `str::parse` saturates.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lineproto::{ParseErrorKind, ValueProblem};

fuzz_target!(|token: &[u8]| {
    if token.is_empty() || !token.iter().all(|b| b"0123456789.eE+-".contains(b)) {
        return;
    }
    let line = [b"m f=", token].concat();
    let parsed = match lineproto::parse(&line).next().expect("one line") {
        Ok(point) => Ok(point.field("f").expect("a field f").as_f64()),
        Err(err) => Err(err.kind().clone()),
    };
    let Some(exponent) = float_exponent(token) else {
        return assert!(parsed.is_err(), "{token:?} is no float but gave {parsed:?}");
    };
    if exponent >= 655_360 {
        return;
    }
    let expected: f64 = std::str::from_utf8(token).unwrap().parse().unwrap();
    match parsed {
        Ok(Some(value)) => assert_eq!(value.to_bits(), expected.to_bits()),
        Err(ParseErrorKind::InvalidFieldValue {
            problem: ValueProblem::FloatOutOfRange,
            ..
        }) => assert!(expected.is_infinite(), "{expected} called out of range"),
        other => panic!("{expected} read as {other:?}"),
    }
});

/// The magnitude of the exponent (saturating) if `token` is
/// `-?(digits(.digits?)?|.digits)([eE][+-]?digits)?`.
fn float_exponent(token: &[u8]) -> Option<u64> {
    let unsigned = token.strip_prefix(b"-").unwrap_or(token);
    let (mantissa, exponent) = match unsigned.iter().position(|&b| b == b'e' || b == b'E') {
        Some(e) => (&unsigned[..e], Some(&unsigned[e + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.iter().position(|&b| b == b'.') {
        Some(dot) => (&mantissa[..dot], Some(&mantissa[dot + 1..])),
        None => (mantissa, None),
    };
    let digits = |part: &[u8]| part.iter().all(u8::is_ascii_digit);
    let fraction_digits = fraction.map_or(0, <[u8]>::len);
    if !digits(whole) || !fraction.is_none_or(digits) || whole.len() + fraction_digits == 0 {
        return None;
    }
    let Some(exponent) = exponent else {
        return Some(0);
    };
    let exponent = exponent
        .strip_prefix(b"-")
        .or_else(|| exponent.strip_prefix(b"+"))
        .unwrap_or(exponent);
    if exponent.is_empty() || !digits(exponent) {
        return None;
    }
    Some(exponent.iter().fold(0u64, |value, &d| {
        value.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}
