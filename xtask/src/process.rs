//! Child processes of xtask, started without the variables `cargo run` set for xtask itself.
//!
//! `cargo xtask` is `cargo run -p xtask`, so xtask runs with `CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME` and the
//! rest describing the xtask package. A cargo started from xtask (the tests, maturin's builds) would inherit
//! them, and cargo compares a build script's declared variables with its own environment: ring's build
//! script declares `rerun-if-env-changed=CARGO_MANIFEST_DIR` and `CARGO_PKG_*`, so a build under xtask and a
//! build from a shell each found the other's ring stale, and rebuilt it with rustls, object_store, isolation
//! and xtask above it (54 s of every `cargo xtask wheel` after `cargo xtask test` in CI, and as much inside
//! the test step). Children of xtask see the shell's environment instead.

use std::ffi::OsStr;
use std::process::Command;

/// Whether `name` is one of the variables cargo sets for a package's own program (`cargo run`, build
/// scripts): they describe xtask, never the build a child starts.
fn set_for_xtask_by_cargo(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || matches!(
            name,
            "CARGO_MANIFEST_DIR"
                | "CARGO_MANIFEST_PATH"
                | "CARGO_MANIFEST_LINKS"
                | "CARGO_CRATE_NAME"
                | "CARGO_BIN_NAME"
                | "CARGO_PRIMARY_PACKAGE"
                | "OUT_DIR"
        )
}

/// The cargo that runs xtask (`$CARGO`, else `cargo` from `PATH`), as [`command`] starts it.
pub(crate) fn cargo() -> Command {
    command(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// `Command::new(program)` without the variables cargo set for xtask (see the module's docs).
pub(crate) fn command(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(program);
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(set_for_xtask_by_cargo) {
            command.env_remove(name);
        }
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_do_not_see_the_package_variables_cargo_set_for_this_process() {
        // cargo sets these for a test binary as it does for `cargo run`: the check below can fail.
        assert!(std::env::var_os("CARGO_MANIFEST_DIR").is_some());
        assert!(std::env::var_os("CARGO_PKG_NAME").is_some());
        let output = command("env").env("XTASK_CHILD_MARKER", "1").output().expect("running env");
        let seen = String::from_utf8(output.stdout).expect("env prints text");
        let names: Vec<&str> =
            seen.lines().filter_map(|line| line.split_once('=').map(|(name, _)| name)).collect();
        assert!(names.contains(&"XTASK_CHILD_MARKER"), "{names:?}");
        assert!(names.contains(&"PATH"), "the rest of the environment is kept: {names:?}");
        let leaked: Vec<&&str> = names.iter().filter(|name| set_for_xtask_by_cargo(name)).collect();
        assert!(leaked.is_empty(), "{leaked:?}");
    }

    #[test]
    fn cargo_s_own_settings_are_kept() {
        for kept in ["CARGO", "CARGO_HOME", "CARGO_TARGET_DIR", "CARGO_INCREMENTAL", "PATH"] {
            assert!(!set_for_xtask_by_cargo(kept), "{kept}");
        }
        for dropped in ["CARGO_MANIFEST_DIR", "CARGO_PKG_VERSION_MAJOR", "CARGO_PKG_NAME", "CARGO_CRATE_NAME"]
        {
            assert!(set_for_xtask_by_cargo(dropped), "{dropped}");
        }
    }
}
