//! The number reader: one scan of the bytes of a numeral, then its value
//! as an integer, an unsigned integer or a float.
//!
//! [`numeral`] reads `"-"? digit* ("." digit*)? ([eE] [+-]? digit+)? [iu]?`
//! once, accumulating the digits as it goes. The grammar's productions
//! (field values and timestamps) ask the [`Numeral`] for the value their
//! rule allows: [`Numeral::integer`], [`Numeral::unsigned`] or
//! [`Numeral::float`]. Each answers `Err` with the reason when the bytes
//! are not of its form or out of its range, so the error a production
//! reports comes from the same reading as the value it returns.
//!
//! Integers of up to 19 digits are accumulated without overflow checks
//! (19 digits are below 2^64); longer ones are read again with checks.
//! Floats whose digits and exponent are small enough for one exact IEEE
//! operation (Clinger's fast path: at most 19 digits worth at most 2^53,
//! and a power of ten up to 10^22) are computed from the accumulated
//! digits: every value a sensor writes with a few decimals. Other floats
//! of at most 19 digits (most values of 17 significant digits, large and
//! small exponents) are computed from the same digits by the Eisel-Lemire
//! method: one 64 by 128-bit multiplication with a table of powers of ten
//! (`crate::pow10`), which either gives the correctly rounded value or
//! says it cannot be sure. The rest (more digits, a result near a halfway
//! point, subnormal or out of range) go to `fast-float2`, an exact parser
//! of the same algorithm as the standard library's that takes the bytes
//! as they are.

use crate::bounds;
use crate::pow10;

/// Why a numeral has no value of the asked type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumberError {
    /// The bytes are not of the type's form.
    Syntax,
    /// Of the form, but outside the type's range.
    Range,
}

/// The parts of a numeral, as [`numeral`] read them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Numeral<'a> {
    /// The input the numeral starts, and its length without the suffix:
    /// its text, taken only on the rare paths that read it again.
    input: &'a [u8],
    len: usize,
    negative: bool,
    /// Whether a point or an exponent was read.
    decimal: bool,
    /// `i`, `u`, or 0 for none.
    suffix: u8,
    /// Digits before the point.
    whole: usize,
    /// Digits after the point.
    fraction: usize,
    /// The digits, whole and fraction, as one number; wrapped when there
    /// are more than 19.
    mantissa: u64,
    /// The exponent after `e` or `E`, saturated; 0 when there is none.
    exponent: i64,
}

/// Reads `"-"? digit* ("." digit*)? ([eE] [+-]? digit+)? [iu]?` from the
/// start of `input`; returns the numeral and the input after it.
///
/// It reads as far as the form goes and stops at the first byte that does
/// not fit, so `1.2.3` reads `1.2` and leaves `.3`; whether what follows
/// may end the token is the caller's rule. An `e` not followed by digits
/// is left unread.
#[inline(always)]
pub(crate) fn numeral(input: &[u8]) -> (&[u8], Numeral<'_>) {
    let (negative, unsigned) = match input {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, input),
    };
    let (whole, mantissa, mut rest) = digits(unsigned, 0);
    let mut numeral = Numeral {
        input,
        len: 0,
        negative,
        decimal: false,
        suffix: 0,
        whole,
        fraction: 0,
        mantissa,
        exponent: 0,
    };
    // The common integer, digits and a suffix, needs no more checks.
    if let [suffix @ (b'i' | b'u'), after @ ..] = rest {
        numeral.len = input.len() - rest.len();
        numeral.suffix = *suffix;
        return (after, numeral);
    }
    if let [b'.', after_point @ ..] = rest {
        let (fraction, mantissa, after) = digits(after_point, mantissa);
        numeral.decimal = true;
        numeral.fraction = fraction;
        numeral.mantissa = mantissa;
        rest = after;
    }
    if let [b'e' | b'E', after_e @ ..] = rest {
        if let Some((exponent, after)) = exponent(after_e) {
            numeral.decimal = true;
            numeral.exponent = exponent;
            rest = after;
        }
    }
    numeral.len = input.len() - rest.len();
    if let [suffix @ (b'i' | b'u'), after @ ..] = rest {
        numeral.suffix = *suffix;
        rest = after;
    }
    (rest, numeral)
}

/// `[+-]? digit+` after an `e`: the exponent (saturated) and the rest.
#[inline(always)]
fn exponent(input: &[u8]) -> Option<(i64, &[u8])> {
    let (negative, unsigned) = match input {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, input),
    };
    let count = unsigned.iter().take_while(|b| b.is_ascii_digit()).count();
    let (exponent_digits, rest) = unsigned.split_at_checked(count)?;
    if count == 0 {
        return None;
    }
    let value = exponent_digits.iter().fold(0i64, |value, &digit| {
        value
            .saturating_mul(10)
            .saturating_add(i64::from(digit - b'0'))
    });
    Some((if negative { -value } else { value }, rest))
}

/// The decimal digits at the start of `input`, appended to `value`: how
/// many, the value (wrapping, so exact only for up to 19 digits in all)
/// and the rest of the input.
///
/// Up to eight digits at a time while eight bytes remain (see
/// [`leading_digits`]), then one at a time: a nanosecond timestamp takes
/// three steps instead of nineteen, a short value one step and no loop.
#[inline(always)]
fn digits(input: &[u8], mut value: u64) -> (usize, u64, &[u8]) {
    /// `10^n` for the up to eight digits of one step.
    const SCALE: [u64; 9] = [
        1,
        10,
        100,
        1_000,
        10_000,
        100_000,
        1_000_000,
        10_000_000,
        100_000_000,
    ];
    let mut count = 0;
    while let Some(chunk) = input.get(count..).and_then(<[u8]>::first_chunk::<8>) {
        let (read, digits) = leading_digits(*chunk);
        let scale = SCALE.get(read).copied().unwrap_or(1);
        value = value.wrapping_mul(scale).wrapping_add(digits);
        count += read;
        if read < 8 {
            return (count, value, after(input, count));
        }
    }
    while let Some(&byte) = input.get(count) {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        value = value.wrapping_mul(10).wrapping_add(u64::from(digit));
        count += 1;
    }
    (count, value, after(input, count))
}

/// `input` after its first `count` bytes, or empty when it is shorter.
#[inline(always)]
fn after(input: &[u8], count: usize) -> &[u8] {
    input.split_at(count.min(input.len())).1
}

/// How many of the eight bytes of `chunk` are ASCII digits before the
/// first that is not, and their value.
///
/// The bytes are read as one little-endian word, so the first byte is the
/// lowest. A byte is a digit when its high nibble is 3 and adding 6 leaves
/// it 3; a carry out of a byte that is not a digit can only change the
/// bytes above it, which are not counted. The digits, shifted up so that
/// the bytes after them drop out and zeros (leading zeros of the number)
/// come in below, are combined in pairs, fours and the eight by three
/// multiply-and-shift steps.
#[inline(always)]
fn leading_digits(chunk: [u8; 8]) -> (usize, u64) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let word = u64::from_le_bytes(chunk);
    let high = word & (0xf0 * ONES);
    let carried = word.wrapping_add(0x06 * ONES) & (0xf0 * ONES);
    let not_digit = (high ^ (0x30 * ONES)) | (carried ^ (0x30 * ONES));
    let read = (not_digit.trailing_zeros() / 8) as usize;
    if read == 0 {
        return (0, 0);
    }
    let digits = word.wrapping_sub(0x30 * ONES) << ((8 - read) * 8);
    let pairs = (digits.wrapping_mul(10) + (digits >> 8)) & 0x00ff_00ff_00ff_00ff;
    let fours = (pairs.wrapping_mul(100) + (pairs >> 16)) & 0x0000_ffff_0000_ffff;
    (
        read,
        (fours.wrapping_mul(10_000) + (fours >> 32)) & 0xffff_ffff,
    )
}

/// The powers of ten that are exact in an `f64`.
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

impl<'a> Numeral<'a> {
    /// Every byte read but the suffix.
    fn text(&self) -> &'a [u8] {
        bounds::within(self.input, ..self.len)
    }

    /// Whether the numeral is `"-"? digit+` and nothing else, before its
    /// suffix.
    #[inline(always)]
    fn is_integer_form(&self) -> bool {
        self.whole > 0 && !self.decimal
    }

    /// The magnitude of an integer-form numeral: the accumulated digits
    /// when there are at most 19, otherwise the digits read again with
    /// overflow checks.
    #[inline(always)]
    fn magnitude(&self) -> Result<u64, NumberError> {
        if self.whole <= 19 {
            return Ok(self.mantissa);
        }
        let start = usize::from(self.negative);
        let digits = bounds::within(self.text(), start..start + self.whole);
        digits.iter().try_fold(0u64, |value, &digit| {
            value
                .checked_mul(10)
                .and_then(|value| value.checked_add(u64::from(digit - b'0')))
                .ok_or(NumberError::Range)
        })
    }

    /// The suffix: `i`, `u`, or 0 for none.
    #[inline(always)]
    pub(crate) fn suffix(&self) -> u8 {
        self.suffix
    }

    /// `"-"? digit+` with no suffix, within `i64`: a timestamp.
    #[inline(always)]
    pub(crate) fn timestamp(&self) -> Result<i64, NumberError> {
        if self.suffix != 0 {
            return Err(NumberError::Syntax);
        }
        self.signed()
    }

    /// `"-"? digit+ "i"`, within `i64`.
    #[inline(always)]
    pub(crate) fn integer(&self) -> Result<i64, NumberError> {
        if self.suffix != b'i' {
            return Err(NumberError::Syntax);
        }
        self.signed()
    }

    /// The signed value of an integer-form numeral.
    #[inline(always)]
    fn signed(&self) -> Result<i64, NumberError> {
        if !self.is_integer_form() {
            return Err(NumberError::Syntax);
        }
        let magnitude = self.magnitude()?;
        if self.negative {
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).ok()
        }
        .ok_or(NumberError::Range)
    }

    /// `digit+ "u"`, within `u64`.
    #[inline(always)]
    pub(crate) fn unsigned(&self) -> Result<u64, NumberError> {
        if self.suffix != b'u' || self.negative || !self.is_integer_form() {
            return Err(NumberError::Syntax);
        }
        self.magnitude()
    }

    /// `"-"? (digit+ ("." digit*)? | "." digit+) ([eE] [+-]? digit+)?`
    /// with no suffix, finite.
    #[inline(always)]
    pub(crate) fn float(&self) -> Result<f64, NumberError> {
        let digits = self.whole + self.fraction;
        if self.suffix != 0 || digits == 0 {
            return Err(NumberError::Syntax);
        }
        // Clinger's fast path: a mantissa and a power of ten that are both
        // exact in an f64 give the correctly rounded value in one operation.
        if digits <= 19 && self.mantissa <= 1 << 53 {
            let scale = self.exponent.saturating_sub(self.fraction as i64);
            let mantissa = self.mantissa as f64;
            let value = if scale < 0 {
                POWERS_OF_TEN
                    .get(scale.unsigned_abs() as usize)
                    .map(|power| mantissa / power)
            } else {
                POWERS_OF_TEN
                    .get(scale as usize)
                    .map(|power| mantissa * power)
            };
            if let Some(value) = value {
                return Ok(if self.negative { -value } else { value });
            }
        }
        if digits <= 19 {
            let scale = self.exponent.saturating_sub(self.fraction as i64);
            if let Some(value) = eisel_lemire(self.mantissa, scale) {
                return Ok(if self.negative { -value } else { value });
            }
        }
        exact_float(self.text())
    }
}

/// `mantissa` × 10^`scale`, correctly rounded, by the Eisel-Lemire method;
/// `None` when the method cannot be sure of the rounding (a value within
/// the error of the table of a halfway point between two floats), or the
/// value is subnormal, infinite or outside the table.
///
/// The mantissa, shifted to set its top bit, times the 128-bit mantissa
/// of 10^`scale` gives the value's leading bits; the first 64 bits of the
/// power suffice unless the product's low bits are all ones, where a carry
/// from the next 64 could change them, and then those are multiplied too.
/// The top 54 bits, rounded half to even, are the float's mantissa.
#[inline(always)]
fn eisel_lemire(mantissa: u64, scale: i64) -> Option<f64> {
    if mantissa == 0 {
        return Some(0.0);
    }
    let index = usize::try_from(scale.checked_sub(pow10::MIN_EXPONENT)?).ok()?;
    let &(power_high, power_low) = pow10::POWERS.get(index)?;
    let zeros = mantissa.leading_zeros();
    let shifted = mantissa << zeros;
    // floor(scale × log2(10)) (exact over the table), plus the bits of
    // the product above the binary point, plus the exponent bias.
    let mut exponent = ((217_706 * scale) >> 16) + 64 + 1023 - i64::from(zeros);
    let product = u128::from(shifted) * u128::from(power_high);
    let (mut high, mut low) = ((product >> 64) as u64, product as u64);
    if high & 0x1FF == 0x1FF && low.wrapping_add(shifted) < shifted {
        let wider = u128::from(shifted) * u128::from(power_low);
        let (wider_high, wider_low) = ((wider >> 64) as u64, wider as u64);
        let (merged_low, carry) = low.overflowing_add(wider_high);
        let merged_high = high.wrapping_add(u64::from(carry));
        if merged_high & 0x1FF == 0x1FF
            && merged_low.wrapping_add(1) == 0
            && wider_low.wrapping_add(shifted) < shifted
        {
            return None;
        }
        (high, low) = (merged_high, merged_low);
    }
    let top = high >> 63;
    let mut bits = high >> (top + 9);
    exponent -= 1 ^ top as i64;
    // Exactly halfway between two floats, as far as these bits tell.
    if low == 0 && high & 0x1FF == 0 && bits & 3 == 1 {
        return None;
    }
    bits += bits & 1;
    bits >>= 1;
    if bits >> 53 > 0 {
        bits >>= 1;
        exponent += 1;
    }
    if !(1..0x7FF).contains(&exponent) {
        return None;
    }
    Some(f64::from_bits(
        (exponent as u64) << 52 | bits & ((1 << 52) - 1),
    ))
}

/// The value of a float numeral of valid form that the fast path could
/// not compute, by an exact parser.
#[inline(never)]
fn exact_float(text: &[u8]) -> Result<f64, NumberError> {
    // The exact parsers saturate huge exponents, which only matters when
    // enough digits can cancel them: long tokens, normalised first.
    const SHORT_TOKEN: usize = 100;
    let value = if text.len() <= SHORT_TOKEN {
        fast_float2::parse::<f64, _>(text).ok()
    } else {
        normalized_decimal(text).parse::<f64>().ok()
    }
    .ok_or(NumberError::Syntax)?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(NumberError::Range)
    }
}

/// A float token of valid syntax rewritten as `[-]0.DIGITSeEXP` with at
/// most 801 significant digits and an exponent of a few hundred at most,
/// which the standard library parses exactly.
///
/// The standard parser is exact for any number of digits but saturates
/// large exponents, so `0.000…001e700000` (700,000 digits) would read as
/// zero. Here leading and trailing zeros go into the exponent (computed
/// with saturation), magnitudes far outside `f64` become `0e0` or `1e999`,
/// and digits past the 800th are replaced by a single `1`: every digit
/// past the 767th only decides rounding by being zero or not.
fn normalized_decimal(token: &[u8]) -> String {
    const KEPT_DIGITS: usize = 800;
    let (negative, unsigned) = match token {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, token),
    };
    let split = unsigned
        .iter()
        .position(|&b| matches!(b, b'e' | b'E'))
        .unwrap_or(unsigned.len());
    let (mantissa, exponent) = unsigned.split_at_checked(split).unwrap_or((unsigned, &[]));
    let exponent = exponent.get(1..).map_or(0, |exponent| {
        self::exponent(exponent).map_or(0, |(value, _)| value)
    });

    let whole = mantissa.iter().take_while(|&&b| b != b'.').count();
    let digits: Vec<u8> = mantissa
        .iter()
        .copied()
        .filter(u8::is_ascii_digit)
        .collect();
    let leading_zeros = digits.iter().take_while(|&&d| d == b'0').count();
    let significant = bounds::within(&digits, leading_zeros..);
    let trailing_zeros = significant.iter().rev().take_while(|&&d| d == b'0').count();
    let significant = bounds::within(significant, ..significant.len() - trailing_zeros);

    let sign = if negative { "-" } else { "" };
    if significant.is_empty() {
        return format!("{sign}0");
    }
    // value = 0.SIGNIFICANT × 10^scale
    let scale = exponent
        .saturating_add(whole as i64)
        .saturating_sub(leading_zeros as i64);
    if scale > 400 {
        return format!("{sign}1e999");
    }
    if scale < -400 {
        return format!("{sign}0");
    }
    let mut text = format!("{sign}0.");
    match significant.get(..KEPT_DIGITS) {
        Some(kept) if significant.len() > KEPT_DIGITS => {
            text.push_str(&String::from_utf8_lossy(kept));
            text.push('1');
        }
        _ => text.push_str(&String::from_utf8_lossy(significant)),
    }
    text.push_str(&format!("e{scale}"));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole of `text` as a numeral, or `None` if bytes are left.
    fn whole(text: &str) -> Option<Numeral<'_>> {
        match numeral(text.as_bytes()) {
            ([], numeral) => Some(numeral),
            _ => None,
        }
    }

    fn float(text: &str) -> Result<f64, NumberError> {
        whole(text).ok_or(NumberError::Syntax)?.float()
    }

    #[test]
    fn floats_agree_with_the_standard_library() {
        let cases = [
            "0",
            "-0",
            "1",
            "1.",
            ".5",
            "-.5",
            "21.1",
            "35.9",
            "-1.5",
            "0.1",
            "0.000001",
            "123456789012345678",
            "9007199254740992",
            "9007199254740993",
            "1.7976931348623157",
            "1.7976931348623157e308",
            "0.0000000000000000000001",
            "99999999999999.99999",
            "1e5",
            "1E+10",
            "-1.5e-3",
            "1.e5",
            "007",
            "5e-324",
            "1e22",
            "1e23",
            "123456789e-30",
        ];
        for case in cases {
            let expected: f64 = case.parse().unwrap();
            assert_eq!(
                float(case).map(f64::to_bits),
                Ok(expected.to_bits()),
                "{case}"
            );
        }
    }

    #[test]
    fn float_form_accepts_the_dialect_and_nothing_else() {
        for bad in [
            "", "-", ".", "+1", "1e", "1e+", "e5", ".e5", "1.2.3", "0x10", "1_0", "inf", "NaN",
            "--1", "1..2", "1i", "1u",
        ] {
            assert_eq!(float(bad), Err(NumberError::Syntax), "{bad}");
        }
        assert_eq!(float("1e400"), Err(NumberError::Range));
        assert_eq!(float("-1e400"), Err(NumberError::Range));
    }

    #[test]
    fn integers_cover_the_whole_range_and_no_more() {
        let integer = |text: &str| whole(text).ok_or(NumberError::Syntax)?.integer();
        let unsigned = |text: &str| whole(text).ok_or(NumberError::Syntax)?.unsigned();
        assert_eq!(integer("-9223372036854775808i"), Ok(i64::MIN));
        assert_eq!(integer("9223372036854775807i"), Ok(i64::MAX));
        assert_eq!(integer("00000000000000000000000001i"), Ok(1));
        assert_eq!(integer("9223372036854775808i"), Err(NumberError::Range));
        assert_eq!(integer("-9223372036854775809i"), Err(NumberError::Range));
        assert_eq!(integer("99999999999999999999999i"), Err(NumberError::Range));
        assert_eq!(integer("-i"), Err(NumberError::Syntax));
        assert_eq!(integer("1.5i"), Err(NumberError::Syntax));
        assert_eq!(integer("1e5i"), Err(NumberError::Syntax));
        assert_eq!(integer("1"), Err(NumberError::Syntax));
        assert_eq!(unsigned("18446744073709551615u"), Ok(u64::MAX));
        assert_eq!(unsigned("18446744073709551616u"), Err(NumberError::Range));
        assert_eq!(unsigned("-1u"), Err(NumberError::Syntax));
        assert_eq!(unsigned("1i"), Err(NumberError::Syntax));
        let timestamp = |text: &str| whole(text).ok_or(NumberError::Syntax)?.timestamp();
        assert_eq!(timestamp("-1"), Ok(-1));
        assert_eq!(timestamp("1i"), Err(NumberError::Syntax));
        assert_eq!(timestamp("9223372036854775808"), Err(NumberError::Range));
    }

    #[test]
    fn huge_decimals_are_normalized_before_the_standard_parser() {
        let cases: [(String, f64); 7] = [
            (format!("0.{}1e700000", "0".repeat(699_999)), 1.0),
            (format!("1{}e-700000", "0".repeat(699_999)), 0.1),
            (format!("-{}5e-3", "0".repeat(1000)), -0.005),
            ("1e99999999999999999999".to_owned(), f64::INFINITY),
            ("1e-99999999999999999999".to_owned(), 0.0),
            ("123.456e2".to_owned(), 12345.6),
            (format!("1.{}1", "0".repeat(2000)), 1.0),
        ];
        for (token, expected) in cases {
            let parsed: f64 = normalized_decimal(token.as_bytes()).parse().unwrap();
            assert_eq!(parsed.to_bits(), expected.to_bits(), "{}", token.len());
            if expected.is_finite() {
                assert_eq!(float(&token).map(f64::to_bits), Ok(expected.to_bits()));
            } else {
                assert_eq!(float(&token), Err(NumberError::Range));
            }
        }
        assert_eq!(float("-0e5").map(f64::to_bits), Ok((-0.0f64).to_bits()));
    }

    #[test]
    fn up_to_eight_digits_are_read_at_once_and_nothing_else_is() {
        for text in ["00000000", "12345678", "99999999", "01020304", "90000009"] {
            let chunk: [u8; 8] = text.as_bytes().try_into().unwrap();
            assert_eq!(leading_digits(chunk), (8, text.parse().unwrap()), "{text}");
        }
        for byte in (0..=255u8).filter(|byte| !byte.is_ascii_digit()) {
            for at in 0..8 {
                let mut chunk = *b"98765432";
                chunk[at] = byte;
                let expected = if at == 0 {
                    0
                } else {
                    "98765432"[..at].parse().unwrap()
                };
                assert_eq!(leading_digits(chunk), (at, expected), "{byte:#x} at {at}");
            }
        }
    }

    #[test]
    fn floats_at_the_edges_of_the_fast_methods_read_as_the_standard_library_reads_them() {
        for text in [
            // Halfway between two floats, and just off it.
            "9007199254740993",
            "9007199254740993.0000000000000000001",
            "9007199254740992.9999999999999999",
            "9007199254740995",
            "1.00000000000000011102230246251565404236316680908203125",
            "1.0000000000000001110223024625156540",
            // The largest finite float, the first that overflows, and
            // subnormals and the smallest normal.
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "2.2250738585072011e-308",
            "2.2250738585072014e-308",
            // Nineteen digits, and scales at and past the table's ends.
            "9999999999999999999",
            "9999999999999999999e-343",
            "1234567890123456789e-366",
            "1234567890123456789e-367",
            "1e-348",
            "1e347",
            "0.0000000000000000000000000000001e-320",
            "0e999",
            "-0.0",
            "0.1",
            "0.30000000000000004",
            "123456789012345678e-20",
            // Products whose first 64 bits end in ones: only the next 64
            // bits of the power decide them.
            "6568847202342540167e-197",
            "286342021591113567e-91",
            "1010317904224675900e-2",
            "2718169286835042668e-183",
            "6781211897538931733e287",
            "3398592391873939162e258",
            "232443324605060790e-1",
            "554345483694343837e270",
        ] {
            let expected = text.parse::<f64>().ok().filter(|value| value.is_finite());
            assert_eq!(
                float(text).ok().map(f64::to_bits),
                expected.map(f64::to_bits),
                "{text}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn digit_runs_read_eight_at_a_time_as_one_at_a_time(
            text in "[0-9]{0,19}[^0-9]?[0-9]{0,3}[^0-9]{0,9}"
        ) {
            let (count, value, rest) = digits(text.as_bytes(), 0);
            let run = text.bytes().take_while(u8::is_ascii_digit).count();
            proptest::prop_assert_eq!(count, run);
            proptest::prop_assert_eq!(rest, &text.as_bytes()[run..]);
            let expected = text.bytes().take(run).fold(0u64, |value, digit| {
                value.wrapping_mul(10).wrapping_add(u64::from(digit - b'0'))
            });
            proptest::prop_assert_eq!(value, expected);
        }

        #[test]
        fn every_float_reads_back_exactly(bits in proptest::prelude::any::<u64>()) {
            let value = f64::from_bits(bits);
            proptest::prop_assume!(value.is_finite());
            for text in [format!("{value:e}"), format!("{value:?}"), format!("{value}")] {
                let parsed: f64 = normalized_decimal(text.as_bytes()).parse().unwrap();
                proptest::prop_assert_eq!(parsed.to_bits(), bits, "{}", text);
                proptest::prop_assert_eq!(float(&text).map(f64::to_bits), Ok(bits), "{}", text);
            }
        }

        #[test]
        fn nineteen_digits_at_every_scale_read_as_the_standard_library_reads_them(
            mantissa in 0u64..10_000_000_000_000_000_000,
            exponent in -400i32..400,
            point in 0usize..20,
        ) {
            // The same digits with a point among them: the scale moves.
            let digits = format!("{mantissa:019}");
            let (whole, fraction) = digits.split_at(point.min(digits.len()));
            for text in [format!("{mantissa}e{exponent}"), format!("{whole}.{fraction}e{exponent}")] {
                let expected = text.parse::<f64>().ok().filter(|value| value.is_finite());
                proptest::prop_assert_eq!(float(&text).ok().map(f64::to_bits), expected.map(f64::to_bits), "{}", text);
            }
        }

        #[test]
        fn short_decimals_read_as_the_standard_library_reads_them(
            text in "-?[0-9]{0,22}(\\.[0-9]{0,22})?([eE][+-]?[0-9]{1,3})?"
        ) {
            let expected = text.parse::<f64>().ok().filter(|value| value.is_finite());
            let has_digit = text.bytes().any(|b| b.is_ascii_digit());
            let mantissa_digits = text.split(['e', 'E']).next().unwrap_or("").bytes().any(|b| b.is_ascii_digit());
            let got = float(&text).ok();
            if has_digit && mantissa_digits {
                proptest::prop_assert_eq!(got.map(f64::to_bits), expected.map(f64::to_bits), "{}", text);
            } else {
                proptest::prop_assert_eq!(got, None, "{}", text);
            }
        }
    }
}
