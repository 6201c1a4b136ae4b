//! The build's shape: one integration-test binary per package (`tests/it/main.rs` with modules). Each test
//! binary links its package's whole dependency tree (arrow, parquet, ...); 48 of them made `target/` 17 GB
//! of debug artefacts and most of the test build's link time.

use std::fs;
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace root").to_path_buf()
}

/// Every package directory of the workspace: `crates/*`, `benches`, `xtask`.
fn packages() -> Vec<PathBuf> {
    let root = workspace_root();
    let mut dirs: Vec<PathBuf> = fs::read_dir(root.join("crates"))
        .expect("crates/ readable")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").is_file())
        .collect();
    dirs.push(root.join("benches"));
    dirs.push(root.join("xtask"));
    dirs.sort();
    dirs
}

/// What in `package` would make cargo build a second integration-test binary.
fn extra_test_binaries(package: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let manifest = fs::read_to_string(package.join("Cargo.toml")).expect("Cargo.toml readable");
    if manifest.lines().any(|line| line.trim() == "[[test]]") {
        found.push(format!("{}: a [[test]] target in Cargo.toml", package.display()));
    }
    let Ok(entries) = fs::read_dir(package.join("tests")) else { return found };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_rust_file = path.extension().is_some_and(|e| e == "rs");
        let is_binary_dir = path.is_dir() && path.join("main.rs").is_file() && !path.ends_with("it");
        if is_rust_file || is_binary_dir {
            found.push(format!("{} (put it in tests/it/ as a module)", path.display()));
        }
    }
    found
}

#[test]
fn each_package_has_at_most_one_integration_test_binary() {
    let problems: Vec<String> = packages().iter().flat_map(|p| extra_test_binaries(p)).collect();
    assert!(problems.is_empty(), "second integration-test binaries: {problems:#?}");
}

#[test]
fn the_check_notices_a_second_binary() {
    let dir = std::env::temp_dir().join(format!("xtask-build-shape-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("tests/it")).expect("temp package");
    fs::write(dir.join("Cargo.toml"), "[package]\nname = \"p\"\n").expect("manifest");
    fs::write(dir.join("tests/it/main.rs"), "//! one\n").expect("main");
    assert!(extra_test_binaries(&dir).is_empty());
    fs::write(dir.join("tests/second.rs"), "//! two\n").expect("second");
    fs::write(dir.join("Cargo.toml"), "[package]\nname = \"p\"\n\n[[test]]\nname = \"x\"\n")
        .expect("manifest");
    let found = extra_test_binaries(&dir);
    let _ = fs::remove_dir_all(&dir);
    assert_eq!(found.len(), 2, "{found:#?}");
}
