//! Every public item of the crate shows how it is used: its doc comment
//! holds a code example, which `cargo test` runs as a doctest.
//!
//! Read from the sources, since the lint that would say so
//! (`rustdoc::missing_doc_code_examples`) is unstable. An item is public
//! when it is declared `pub` (not `pub(crate)`) outside a test module,
//! outside the hidden `fuzzing` module and not only for it; its doc comment
//! is the run of `///` and attribute lines just above it.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::fs;
use std::path::Path;

/// The public items of one source file without an example: `file:line
/// declaration`.
fn items_without_example(path: &Path) -> Vec<String> {
    let source = fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = source.lines().collect();
    let mut missing = Vec::new();
    // Test modules are at the end of each file, from `#[cfg(test)]` on.
    let end = lines
        .iter()
        .position(|line| line.trim() == "#[cfg(test)]")
        .unwrap_or(lines.len());
    let mut hidden_depth: Option<usize> = None;
    for (index, line) in lines[..end].iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(depth) = hidden_depth {
            if indent <= depth && trimmed.starts_with('}') {
                hidden_depth = None;
            }
            continue;
        }
        if trimmed.starts_with("pub mod fuzzing") {
            hidden_depth = Some(indent);
            continue;
        }
        let public = [
            "pub fn ",
            "pub const fn ",
            "pub struct ",
            "pub enum ",
            "pub trait ",
            "pub type ",
            "pub const ",
        ]
        .iter()
        .any(|start| trimmed.starts_with(start));
        if !public {
            continue;
        }
        let above: Vec<&str> = lines[..index]
            .iter()
            .rev()
            .map(|above| above.trim_start())
            .take_while(|above| above.starts_with("///") || above.starts_with("#["))
            .collect();
        // Entry points for the fuzz targets, and the README's doctests:
        // not part of the API.
        if above.contains(&"#[cfg(feature = \"fuzzing\")]") || above.contains(&"#[cfg(doctest)]") {
            continue;
        }
        let has_example = above.iter().any(|above| above.starts_with("/// ```"));
        if !has_example {
            missing.push(format!("{}:{} {}", path.display(), index + 1, trimmed));
        }
    }
    missing
}

#[test]
fn every_public_item_has_an_example() {
    let mut files: Vec<_> = fs::read_dir("src")
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .collect();
    files.sort();
    let mut public_items = 0;
    let mut missing = Vec::new();
    for path in &files {
        let source = fs::read_to_string(path).unwrap();
        public_items += source.matches("\npub ").count() + source.matches("    pub fn ").count();
        missing.extend(items_without_example(path));
    }
    assert!(
        public_items > 100,
        "the sources were not read: {public_items}"
    );
    assert!(
        missing.is_empty(),
        "{} public items without an example:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

/// The checker itself finds an item without an example, and passes one
/// with an example.
#[test]
fn the_check_sees_a_missing_example() {
    let dir = std::env::temp_dir().join(format!("lineproto-docs-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let file = dir.join("item.rs");
    fs::write(
        &file,
        "/// Has one.\n///\n/// ```\n/// assert!(true);\n/// ```\n#[must_use]\npub fn shown() {}\n\n/// Has none.\npub fn bare() {}\npub(crate) fn inner() {}\n#[cfg(test)]\nmod tests {\n    pub fn helper() {}\n}\n",
    )
    .unwrap();
    let missing = items_without_example(&file);
    fs::remove_dir_all(&dir).unwrap();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(missing[0].ends_with(":10 pub fn bare() {}"), "{missing:?}");
}
