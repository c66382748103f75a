//! Command-line helpers shared by the `lp` and `ingest` examples, which
//! include this file with `#[path = "common/cli.rs"] mod cli;`.

use std::ffi::OsString;

/// The value of option `name`: the inline one, or the next argument.
pub(crate) fn option_value(
    name: &str,
    inline: Option<String>,
    rest: &mut impl Iterator<Item = OsString>,
) -> Result<String, String> {
    if let Some(value) = inline {
        return Ok(value);
    }
    match rest.next() {
        Some(value) => value
            .into_string()
            .map_err(|_| format!("the value of {name} is not valid UTF-8")),
        None => Err(format!("{name} needs a value")),
    }
}
