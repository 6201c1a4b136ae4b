//! ARCHITECTURE.md cannot drift from the tree: every path it names exists, every library crate has its
//! section in the code map, and every top-level module of a crate is named in that crate's section.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace root").to_path_buf()
}

fn architecture() -> String {
    fs::read_to_string(workspace_root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md")
}

/// Every text between backticks.
fn quoted(text: &str) -> impl Iterator<Item = &str> {
    text.split('`').skip(1).step_by(2)
}

/// The code map's crate sections: `### \`crates/NAME\`` up to the next heading, by crate name.
fn crate_sections(map: &str) -> BTreeMap<String, String> {
    let mut sections = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in map.lines() {
        if line.starts_with('#') {
            if let Some((name, text)) = current.take() {
                sections.insert(name, text);
            }
            if let Some(name) = line.strip_prefix("### `crates/").and_then(|rest| rest.strip_suffix('`')) {
                current = Some((name.to_string(), String::new()));
            }
        } else if let Some((_, text)) = current.as_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    if let Some((name, text)) = current {
        sections.insert(name, text);
    }
    sections
}

/// Library crates: directories under `crates/` with a `src/lib.rs`.
fn library_crates() -> Vec<String> {
    let mut crates: Vec<String> = fs::read_dir(workspace_root().join("crates"))
        .expect("crates/")
        .flatten()
        .filter(|e| e.path().join("src/lib.rs").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    crates.sort();
    crates
}

/// The modules `lib.rs` declares (`mod x;`, `pub mod x;`, `pub(crate) mod x;`).
fn top_level_modules(krate: &str) -> Vec<String> {
    let lib =
        fs::read_to_string(workspace_root().join("crates").join(krate).join("src/lib.rs")).expect("lib.rs");
    lib.lines()
        .map(str::trim)
        .filter_map(|line| {
            let rest = line.strip_prefix("pub ").or_else(|| line.strip_prefix("pub(crate) ")).unwrap_or(line);
            rest.strip_prefix("mod ")?.strip_suffix(';').map(str::to_string)
        })
        .collect()
}

/// Whether the file named `name` (`owner.rs`, `folds/`) exists under `dir`, at any depth.
fn exists_under(dir: &Path, name: &str) -> bool {
    let name = name.trim_end_matches('/');
    let Ok(entries) = fs::read_dir(dir) else { return false };
    entries.flatten().any(|entry| {
        let path = entry.path();
        (path.file_name().is_some_and(|n| n == name) || path.ends_with(name))
            || (path.is_dir() && path.file_name().is_some_and(|n| n != "target") && exists_under(&path, name))
    })
}

/// A quoted text that names a file or directory: it has a file extension we keep, or ends with `/`.
fn is_path(text: &str) -> bool {
    let text = text.split("::").next().unwrap_or(text);
    !text.contains(' ')
        && !text.contains("://")
        && !text.starts_with('$')
        && !text.contains('*')
        && !text.contains('<')
        && (text.ends_with('/') || [".rs", ".md", ".toml", ".py", ".sh"].iter().any(|e| text.ends_with(e)))
}

#[test]
fn every_path_the_map_names_exists() {
    let root = workspace_root();
    let map = architecture();
    let sections = crate_sections(&map);
    let mut missing = Vec::new();
    let mut checked = 0;
    for (scope, text) in
        std::iter::once((None, map.as_str())).chain(sections.iter().map(|(k, v)| (Some(k), v.as_str())))
    {
        for name in quoted(text).filter(|t| is_path(t)) {
            let name = name.split("::").next().unwrap_or(name);
            // Repository-relative, relative to `crates/` or to the section's crate, or a file of that crate
            // (or, for a section that names another crate's file, of any crate) by its trailing path.
            let in_crate = |krate: &str| {
                let dir = root.join("crates").join(krate);
                dir.join(name).exists() || dir.join("src").join(name).exists() || exists_under(&dir, name)
            };
            let found = root.join(name).exists()
                || root.join("crates").join(name).exists()
                || scope.is_some_and(|krate| in_crate(krate))
                || exists_under(&root.join("crates"), name)
                || exists_under(&root.join("xtask"), name);
            checked += 1;
            if !found {
                missing
                    .push(format!("`{name}`{}", scope.map_or(String::new(), |k| format!(" (section {k})"))));
            }
        }
    }
    assert!(checked > 50, "the map names paths ({checked} checked)");
    assert!(missing.is_empty(), "ARCHITECTURE.md names paths that do not exist: {}", missing.join(", "));
}

#[test]
fn every_library_crate_and_its_top_level_modules_are_on_the_map() {
    let sections = crate_sections(&architecture());
    let mut missing = Vec::new();
    for krate in library_crates() {
        let Some(section) = sections.get(&krate) else {
            missing.push(format!("crate {krate} has no `### \\`crates/{krate}\\`` section"));
            continue;
        };
        let named: Vec<&str> = quoted(section).collect();
        for module in top_level_modules(&krate) {
            let file = format!("{module}.rs");
            let dir = format!("{module}/");
            let on_map = named.iter().any(|q| {
                let q = q.split("::").next().unwrap_or(q);
                q == module || q.ends_with(&file) || q.ends_with(&dir) || q.ends_with(&format!("/{module}"))
            });
            if !on_map {
                missing.push(format!("{krate}: module `{module}` ({file})"));
            }
        }
    }
    assert!(missing.is_empty(), "ARCHITECTURE.md's code map does not name: {}", missing.join("; "));
}
