//! Tidy checks over the whole tree, run by plain `cargo test`: every module says what it holds, no stubs,
//! and unsafe code only where it is documented.

use std::fs;
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace root").to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "target") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources() -> Vec<(PathBuf, String)> {
    let root = workspace_root();
    let mut files = Vec::new();
    for dir in ["crates", "benches", "xtask"] {
        rust_files(&root.join(dir), &mut files);
    }
    files.sort();
    files.into_iter().map(|p| (p.clone(), fs::read_to_string(&p).expect("readable source"))).collect()
}

#[test]
fn every_source_file_opens_with_a_module_doc() {
    let missing: Vec<_> = sources()
        .into_iter()
        .filter(|(_, text)| !text.trim_start().starts_with("//!"))
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(missing.is_empty(), "files without a `//!` opening line: {missing:#?}");
}

#[test]
fn no_stubs_in_code() {
    // Built at run time so this file does not match its own search.
    let stubs = ["todo", "unimplemented"].map(|m| format!("{m}!("));
    let found: Vec<_> = sources()
        .into_iter()
        .filter(|(path, _)| !path.ends_with("tidy.rs"))
        .flat_map(|(path, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, line)| {
                    !line.trim_start().starts_with("//") && stubs.iter().any(|s| line.contains(s))
                })
                .map(|(i, _)| format!("{}:{}", path.display(), i + 1))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(found.is_empty(), "stubs left in: {found:#?}");
}

#[test]
fn crates_without_unsafe_forbid_it_and_unsafe_blocks_say_why() {
    let root = workspace_root();
    let files = sources();
    let mut problems = Vec::new();
    for crate_dir in fs::read_dir(root.join("crates")).unwrap().flatten().map(|e| e.path()) {
        let crate_files: Vec<_> =
            files.iter().filter(|(p, _)| p.starts_with(crate_dir.join("src"))).collect();
        let uses_unsafe = crate_files.iter().any(|(_, t)| t.contains("unsafe {") || t.contains("unsafe fn"));
        let lib = fs::read_to_string(crate_dir.join("src/lib.rs")).unwrap_or_default();
        if !uses_unsafe && !lib.contains("#![forbid(unsafe_code)]") {
            problems.push(format!("{} has no unsafe code but does not forbid it", crate_dir.display()));
        }
        for (path, text) in &crate_files {
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if line.contains("unsafe {") && !line.trim_start().starts_with("//") {
                    // The comment block right above the line (or the statement it starts).
                    let mut start = i;
                    while start > 0 && lines[start - 1].trim_start().starts_with("//") {
                        start -= 1;
                    }
                    let above = lines[start.saturating_sub(2)..i].join("\n");
                    if !above.contains("SAFETY:") && !line.contains("SAFETY:") {
                        problems.push(format!(
                            "{}:{} unsafe block without a SAFETY comment",
                            path.display(),
                            i + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
