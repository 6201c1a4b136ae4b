//! `cargo xtask test`: the whole test suite with its own set-up, idempotent and quick when already set up.
//!
//! 1. A virtual environment in `target/py-venv` (made with `python3 -m venv`, or `$ISOLATION_BASE_PYTHON`),
//!    whose packages come from the pinned `crates/isolation-py/requirements-test.txt`; reinstalled only when
//!    that file changes (its hash is kept beside the environment). pip runs in the background while the
//!    test binaries compile (`cargo test --no-run`), which hides its downloads (with pip's cache warm, as on
//!    CI, both are CPU work and the overlap saves little on two cores).
//! 2. `cargo test --workspace --locked --features TEST_FEATURES` with that interpreter as `$ISOLATION_PYTHON`
//!    and `ISOLATION_REQUIRE_PYTHON=1`: the interop tests must run (plain `cargo test` lets them skip), and so
//!    must the object-store tests, which need the opt-in `remote` features (a plain `cargo test --workspace`
//!    compiles no HTTP/TLS stack and leaves them out).
//! 3. The Python package built and installed into the environment: `pip install ./crates/isolation-py`
//!    (maturin from the environment). The wheel is built with cargo's dev profile, `remote` and the crate's
//!    `workspace-features` (the dependency features `cargo test --workspace` enables), so it reuses the
//!    dependencies step 2 compiled (optimised: `[profile.dev.package."*"]`) and takes seconds instead of a
//!    five-minute build on two cores; `--release-wheel` builds what users get from a plain `pip install`.
//! 4. pytest over `crates/isolation-py/tests`.
//!
//! Arguments after `--` go to `cargo test` (e.g. `cargo xtask test -- -p isolation-core`);
//! `--python-only` skips step 2, `--cargo-only` skips steps 3 and 4.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::process::command;

/// The features `cargo xtask test` (and CI's clippy, in `.ci/run`, checked by a unit test below) turn on
/// across the workspace: the object-store sources,
/// opt-in everywhere else. xtask's own manifest and isolation-py's `workspace-features` ask for the same
/// dependency features, so the xtask binary, the tests and the test wheel compile each crate once (the unit
/// test `one_feature_set_for_xtask_tests_and_wheel` checks it with `cargo tree`).
const TEST_FEATURES: &str = "isolation-cli/remote,isolation-py/remote";

/// The features of the test wheel (maturin builds isolation-py alone).
const WHEEL_FEATURES: &str = "remote,workspace-features";

/// What `cargo xtask test` runs.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct TestOptions {
    /// Skip `cargo test`.
    pub(crate) python_only: bool,
    /// Skip pytest.
    pub(crate) cargo_only: bool,
    /// Build the wheel with the release profile (as a user's `pip install` does).
    pub(crate) release_wheel: bool,
    /// Extra arguments for `cargo test`.
    pub(crate) cargo_args: Vec<String>,
}

impl TestOptions {
    /// Parses `[--python-only | --cargo-only] [-- CARGO TEST ARGS]`.
    pub(crate) fn parse(args: &[String]) -> Result<Self> {
        let mut options = Self::default();
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            match arg.as_str() {
                "--python-only" => options.python_only = true,
                "--cargo-only" => options.cargo_only = true,
                "--release-wheel" => options.release_wheel = true,
                "--" => options.cargo_args = iter.by_ref().cloned().collect(),
                other => bail!(
                    "unknown option `{other}`; usage: cargo xtask test [--python-only | --cargo-only] [--release-wheel] [-- ARGS]"
                ),
            }
        }
        if options.python_only && options.cargo_only {
            bail!("--python-only and --cargo-only exclude each other");
        }
        Ok(options)
    }
}

/// Runs the suite from the workspace root `root`.
pub(crate) fn run(root: &Path, options: &TestOptions) -> Result<()> {
    let venv = Venv::start(root)?;
    let python = if options.python_only {
        venv.finish()?
    } else {
        let cargo_test = || {
            let mut cargo = crate::process::cargo();
            cargo
                .current_dir(root)
                .args(["test", "--workspace", "--locked", "--features", TEST_FEATURES])
                .env("ISOLATION_REQUIRE_PYTHON", "1");
            cargo
        };
        // The test binaries compile while pip installs the environment (pip is mostly one core, and a
        // build leaves one idle at times); the tests then run with the finished environment.
        let mut build = cargo_test();
        build.arg("--no-run").args(cargo_args_for_build(&options.cargo_args));
        let built = step(&format!("cargo test --no-run --workspace --features {TEST_FEATURES}"), &mut build);
        let python = venv.finish();
        built?;
        let python = python?;
        let mut cargo = cargo_test();
        cargo.args(&options.cargo_args).env("ISOLATION_PYTHON", &python);
        step(&format!("cargo test --workspace --features {TEST_FEATURES}"), &mut cargo)?;
        python
    };
    if !options.cargo_only {
        install_package(root, &python, options.release_wheel)?;
        let mut pytest = command(&python);
        pytest.current_dir(root).env("PATH", venv_path(&python)).args([
            "-m",
            "pytest",
            "-q",
            "crates/isolation-py/tests",
        ]);
        step("pytest crates/isolation-py/tests", &mut pytest)?;
    }
    eprintln!("xtask test: all passed");
    Ok(())
}

/// The arguments of `cargo test` that select what is built (everything before a `--`, which separates the
/// test binaries' own arguments).
fn cargo_args_for_build(args: &[String]) -> &[String] {
    args.iter().position(|a| a == "--").map_or(args, |end| &args[..end])
}

/// The virtual environment's interpreter, creating the environment and installing the pinned packages when
/// missing or out of date.
pub(crate) fn ensure_venv(root: &Path) -> Result<PathBuf> {
    Venv::start(root)?.finish()
}

/// The test environment being made: created at once, its packages installing in the background.
struct Venv {
    python: PathBuf,
    /// The installation running, if the packages were missing or out of date.
    install: Option<PipInstall>,
}

/// `pip install -r requirements-test.txt`, running; the stamp is written when it succeeds (a run that
/// stops before that installs again next time).
struct PipInstall {
    child: std::process::Child,
    stamp: PathBuf,
    wanted_stamp: String,
    started: std::time::Instant,
}

impl Venv {
    /// Creates `target/py-venv` if missing and starts installing the pinned packages if they are missing
    /// or out of date (the requirements file's hash is kept beside the environment).
    fn start(root: &Path) -> Result<Self> {
        let venv = root.join("target").join("py-venv");
        let python = venv.join("bin").join("python");
        if !python.exists() {
            let base = std::env::var("ISOLATION_BASE_PYTHON").unwrap_or_else(|_| "python3".into());
            let mut create = command(&base);
            create.arg("-m").arg("venv").arg(&venv);
            step(&format!("{base} -m venv target/py-venv"), &mut create).with_context(|| {
                format!("the Python suite needs Python 3.10 or later as `{base}` (or $ISOLATION_BASE_PYTHON)")
            })?;
        }
        let requirements = root.join("crates/isolation-py/requirements-test.txt");
        let wanted =
            std::fs::read(&requirements).with_context(|| format!("reading {}", requirements.display()))?;
        let stamp = venv.join("requirements.stamp");
        let wanted_stamp = format!("{:016x}", fingerprint(&wanted));
        let install = if std::fs::read_to_string(&stamp).ok().as_deref() == Some(wanted_stamp.as_str()) {
            None
        } else {
            eprintln!("xtask: pip install -r crates/isolation-py/requirements-test.txt (in the background)");
            let child = command(&python)
                .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
                .arg(&requirements)
                .spawn()
                .context("starting pip")?;
            Some(PipInstall { child, stamp, wanted_stamp, started: std::time::Instant::now() })
        };
        Ok(Self { python, install })
    }

    /// Waits for the installation (if one runs) and returns the interpreter.
    fn finish(self) -> Result<PathBuf> {
        if let Some(PipInstall { mut child, stamp, wanted_stamp, started }) = self.install {
            let status = child.wait().context("waiting for pip")?;
            let what = "pip install -r crates/isolation-py/requirements-test.txt";
            eprintln!("xtask: {what}: done ({:.0} s after it started)", started.elapsed().as_secs_f64());
            if !status.success() {
                bail!("`{what}` failed ({status})");
            }
            std::fs::write(&stamp, wanted_stamp).context("writing the requirements stamp")?;
        }
        Ok(self.python)
    }
}

/// `$PATH` with the environment's `bin` first (pip's build backend runs the `maturin` found there).
pub(crate) fn venv_path(python: &Path) -> std::ffi::OsString {
    let bin = python.parent().unwrap_or(Path::new(".")).to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&rest))).unwrap_or(rest)
}

/// `pip install ./crates/isolation-py` into the environment (maturin from the environment, no download).
fn install_package(root: &Path, python: &Path, release: bool) -> Result<()> {
    let mut install = command(python);
    install.current_dir(root).env("PATH", venv_path(python));
    if !release {
        // The dev profile and the workspace's feature set: the wheel reuses what `cargo test` compiled.
        install.env("MATURIN_PEP517_ARGS", format!("--profile dev --features {WHEEL_FEATURES}"));
    }
    install.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-build-isolation",
        "--no-deps",
        "--force-reinstall",
        "./crates/isolation-py",
    ]);
    step("pip install ./crates/isolation-py", &mut install)
}

/// Runs `command`, saying what it is and how long it took; fails with its exit status.
pub(crate) fn step(what: &str, command: &mut Command) -> Result<()> {
    eprintln!("xtask: {what}");
    let started = std::time::Instant::now();
    let status = command.status().with_context(|| format!("starting `{what}`"))?;
    eprintln!("xtask: {what}: {:.0} s", started.elapsed().as_secs_f64());
    if !status.success() {
        bail!("`{what}` failed ({status})");
    }
    Ok(())
}

/// FNV-1a of `bytes`: enough to notice an edited requirements file.
fn fingerprint(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_parse() {
        assert_eq!(TestOptions::parse(&[]).unwrap(), TestOptions::default());
        let options = TestOptions::parse(&args(&["--cargo-only", "--", "-p", "isolation-core"])).unwrap();
        assert!(options.cargo_only && !options.python_only);
        assert_eq!(options.cargo_args, ["-p", "isolation-core"]);
        assert!(TestOptions::parse(&args(&["--python-only", "--cargo-only"])).is_err());
        assert!(TestOptions::parse(&args(&["--fast"])).is_err());
        assert!(TestOptions::parse(&args(&["--release-wheel"])).unwrap().release_wheel);
    }

    /// `cargo tree -e features` of `args`: each package (name and version) with its enabled features.
    fn features_of(args: &[&str]) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let output = crate::process::cargo()
            .current_dir(root)
            .args(["tree", "--locked", "-q", "--prefix", "none", "-f", "{p}|{f}"])
            .args(args)
            .output()
            .expect("cargo tree runs");
        assert!(output.status.success(), "cargo tree {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        let mut packages = std::collections::BTreeMap::<String, std::collections::BTreeSet<String>>::new();
        for line in String::from_utf8_lossy(&output.stdout).lines() {
            let Some((package, features)) = line.split_once('|') else { continue };
            // `name v1.2.3 (/path)` or `name v1.2.3`; the path and the `(*)` marker are not the identity.
            let id: Vec<&str> = package.split_whitespace().take(2).collect();
            let features = features.trim_end_matches(" (*)").split(',').filter(|f| !f.is_empty());
            packages.entry(id.join(" ")).or_default().extend(features.map(|f| f.trim().to_string()));
        }
        packages
    }

    #[test]
    fn one_feature_set_for_xtask_tests_and_wheel() {
        let tests = features_of(&["--workspace", "--features", TEST_FEATURES, "-e", "normal,build,dev"]);
        let xtask = features_of(&["-p", "xtask", "-e", "normal,build"]);
        let wheel = features_of(&["-p", "isolation-py", "--features", WHEEL_FEATURES, "-e", "normal,build"]);
        assert!(tests.keys().any(|p| p.starts_with("arrow-array ")), "cargo tree listed no arrow: {tests:?}");
        for (build, packages) in [("cargo xtask", &xtask), ("the test wheel", &wheel)] {
            let differing: Vec<String> = packages
                .iter()
                .filter(|(package, _)| {
                    !package.starts_with("xtask ") && !package.starts_with("isolation-py ")
                })
                .filter(|(package, features)| tests.get(*package).is_some_and(|t| t != *features))
                .map(|(package, features)| format!("{package}: {features:?} against {:?}", tests[package]))
                .collect();
            assert!(
                differing.is_empty(),
                "{build} compiles these with other features than `cargo xtask test`'s tests, so twice: {differing:#?}"
            );
        }
    }

    #[test]
    fn ci_lints_with_the_features_the_tests_build() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let ci = std::fs::read_to_string(root.join(".ci/run")).expect(".ci/run readable");
        assert!(
            ci.contains(&format!("TEST_FEATURES=\"{TEST_FEATURES}\"")),
            ".ci/run must set TEST_FEATURES=\"{TEST_FEATURES}\" (clippy would otherwise check another feature set)"
        );
    }

    #[test]
    fn fingerprint_notices_edits() {
        assert_ne!(fingerprint(b"pyarrow==26.0.1\n"), fingerprint(b"pyarrow==26.0.0\n"));
        // FNV-1a's published test values.
        assert_eq!(fingerprint(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fingerprint(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
