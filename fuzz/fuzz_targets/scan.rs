//! The scanner's vector path against its scalar path: on any bytes, at
//! every starting offset and for the stop bytes of every element, both
//! find the same first stop byte.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Some((start, set, vector, scalar)) = lineproto::fuzzing::scanner_disagreement(bytes) {
        panic!("from offset {start}, stop set {set}: vector path {vector}, scalar path {scalar}");
    }
});
