//! Locating the crate's example programs from an integration test.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The built example `name`, `target/<profile>/examples/<name>`, next to
/// the `deps` directory the test binary runs from. `cargo build --example`
/// runs first (a no-op when it is up to date), so a stale binary is never
/// tested.
pub(crate) fn example_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps");
    let binary = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));

    let mut build = Command::new(env!("CARGO"));
    build.args(["build", "--quiet", "--example", name, "--manifest-path"]);
    build.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"));
    match profile_dir.file_name().and_then(|dir| dir.to_str()) {
        Some("debug") | None => {}
        Some("release") => {
            build.arg("--release");
        }
        Some(profile) => {
            build.args(["--profile", profile]);
        }
    }
    let status = build.status().expect("cargo runs");
    assert!(status.success(), "cargo build --example {name} failed");
    assert!(binary.exists(), "{} is missing", binary.display());
    binary
}
