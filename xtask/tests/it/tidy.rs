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

/// The layers ARCHITECTURE.md states, lowest first: the numbered list after "The layers, lowest first".
fn stated_layers() -> Vec<Vec<String>> {
    let map = fs::read_to_string(workspace_root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let start = map.find("The layers, lowest first").expect("ARCHITECTURE.md states the layers");
    map[start..]
        .lines()
        .skip_while(|line| !line.starts_with("1. "))
        .take_while(|line| line.split_once(". ").is_some_and(|(n, _)| n.parse::<usize>().is_ok()))
        .map(|line| line.split('`').skip(1).step_by(2).map(str::to_string).collect())
        .collect()
}

/// Workspace crates named in the `[dependencies]` table of a Cargo.toml.
fn workspace_dependencies(manifest: &str, crates: &[String]) -> Vec<String> {
    let mut in_dependencies = false;
    let mut found = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        let name = line.split(['=', '.', ' ']).next().unwrap_or_default();
        if in_dependencies && crates.iter().any(|c| c == name) {
            found.push(name.to_string());
        }
    }
    found
}

#[test]
fn crates_depend_only_on_lower_layers_as_the_map_states() {
    let layers = stated_layers();
    assert!(layers.len() >= 4, "ARCHITECTURE.md lists the layers as a numbered list: {layers:?}");
    let layer_of = |name: &str| layers.iter().position(|layer| layer.iter().any(|c| c == name));
    let listed: Vec<String> = layers.concat();
    let mut problems = Vec::new();
    for dir in fs::read_dir(workspace_root().join("crates")).unwrap().flatten().map(|e| e.path()) {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let Some(own) = layer_of(&name) else {
            problems.push(format!("crates/{name} is not in ARCHITECTURE.md's layer list"));
            continue;
        };
        let manifest = fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
        for dependency in workspace_dependencies(&manifest, &listed) {
            let theirs = layer_of(&dependency).expect("listed");
            if theirs >= own {
                problems.push(format!(
                    "{name} (layer {}) depends on {dependency} (layer {}): only lower layers",
                    own + 1,
                    theirs + 1
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// Library files allowed over 400 lines, with the reason, from `xtask/tidy-long-files.txt`
/// (`path: reason` per line).
fn long_file_allowances() -> Vec<(String, String)> {
    let text = fs::read_to_string(workspace_root().join("xtask/tidy-long-files.txt")).unwrap_or_default();
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once(": ").map(|(p, r)| (p.trim().to_string(), r.trim().to_string())))
        .collect()
}

#[test]
fn no_library_file_over_400_lines_without_a_reason() {
    let root = workspace_root();
    let allowed = long_file_allowances();
    let mut problems = Vec::new();
    for (path, text) in sources() {
        let relative = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        let is_library =
            relative.starts_with("crates/") && relative.contains("/src/") && !relative.ends_with("main.rs");
        let lines = text.lines().count();
        if !is_library || lines <= 400 {
            continue;
        }
        match allowed.iter().find(|(p, _)| *p == relative) {
            Some((_, reason)) if reason.len() >= 20 => {}
            Some(_) => problems.push(format!("{relative}: the allow-list entry needs a reason")),
            None => problems.push(format!(
                "{relative} has {lines} lines: split it, or add `{relative}: <why>` to xtask/tidy-long-files.txt"
            )),
        }
    }
    for (path, _) in &allowed {
        let lines = fs::read_to_string(root.join(path)).map(|t| t.lines().count()).unwrap_or(0);
        if lines <= 400 {
            problems.push(format!(
                "{path} is in xtask/tidy-long-files.txt but has {lines} lines: remove the entry"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
