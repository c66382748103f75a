//! The scanner's fast paths against its scalar path: on any bytes, at
//! every starting offset and for the stop bytes of every element, the
//! vector scan and the stop index find the same first stop byte as a scan
//! of one byte at a time, and the ASCII check of a short token agrees with
//! a plain one.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Some(disagreement) = lineproto::fuzzing::scanner_disagreement(bytes) {
        panic!("{disagreement}");
    }
});
