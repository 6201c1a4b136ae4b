//! `cargo xtask wheel`: the Python package as a user installs it, and proof that it installs without Rust.
//!
//! 1. `maturin build --release --strip --compatibility manylinux_2_17 --auditwheel check` (maturin from the
//!    test environment, `target/py-venv`): the abi3 wheel (one file for CPython 3.10 and later) in `dist/`,
//!    with maturin's manylinux compliance check (a symbol from a newer glibc, or a shared library the
//!    policy does not allow, fails the build). `--strip` drops symbols and debug info: they are most of an
//!    unstripped extension's size and no user reads them.
//! 2. With `--check-install`: a fresh virtual environment (`target/wheel-check-venv`), the wheel with its
//!    `pandas` and `sklearn` extras installed into it from PyPI at the versions the test environment pins, then README's "From Python"
//!    example and `isolation --help` run there, from a directory outside the checkout, with a `PATH` on
//!    which no `cargo` or `rustc` can be found: what a Python user without Rust gets.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::process::command;
use crate::test_suite::{ensure_venv, step, venv_path};

/// The manylinux policy the wheel is checked against: glibc 2.17, Rust's own minimum on Linux.
const MANYLINUX: &str = "manylinux_2_17";

/// Options of `cargo xtask wheel`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct WheelOptions {
    /// Install the wheel into a fresh environment without Rust on `PATH` and run README's example.
    pub(crate) check_install: bool,
}

impl WheelOptions {
    pub(crate) fn parse(args: &[String]) -> Result<Self> {
        let mut options = Self::default();
        for arg in args {
            match arg.as_str() {
                "--check-install" => options.check_install = true,
                other => bail!("unknown option `{other}`; usage: cargo xtask wheel [--check-install]"),
            }
        }
        Ok(options)
    }
}

pub(crate) fn run(root: &Path, options: &WheelOptions) -> Result<()> {
    let python = ensure_venv(root)?;
    let dist = root.join("dist");
    let _ = std::fs::remove_dir_all(&dist); // one wheel: the one this run built
    let mut build = command(&python);
    build.current_dir(root).env("PATH", venv_path(&python)).args([
        "-m",
        "maturin",
        "build",
        "--release",
        "--strip",
        "--locked",
        "--zig",
        "--compatibility",
        MANYLINUX,
        "--auditwheel",
        "check",
        "--manifest-path",
        "crates/isolation-py/Cargo.toml",
        "--out",
    ]);
    build.arg(&dist);
    step(&format!("maturin build --release --strip --compatibility {MANYLINUX}"), &mut build)?;
    let wheel = only_wheel(&dist)?;
    let bytes = std::fs::metadata(&wheel)?.len();
    eprintln!("xtask wheel: {} ({:.1} MB)", wheel.display(), bytes as f64 / 1e6);
    if options.check_install {
        check_install(root, &wheel)?;
    }
    Ok(())
}

/// The one `.whl` in `dist`.
fn only_wheel(dist: &Path) -> Result<PathBuf> {
    let wheels: Vec<PathBuf> = std::fs::read_dir(dist)
        .with_context(|| format!("reading {}", dist.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "whl"))
        .collect();
    match wheels.as_slice() {
        [wheel] => Ok(wheel.clone()),
        other => bail!("expected one wheel in {}, found {other:?}", dist.display()),
    }
}

/// Installs `wheel` into a fresh environment and runs README's Python example there without Rust on `PATH`.
fn check_install(root: &Path, wheel: &Path) -> Result<()> {
    let venv = root.join("target").join("wheel-check-venv");
    let _ = std::fs::remove_dir_all(&venv);
    let base = std::env::var("ISOLATION_BASE_PYTHON").unwrap_or_else(|_| "python3".into());
    step("python3 -m venv target/wheel-check-venv", command(&base).arg("-m").arg("venv").arg(&venv))?;
    let python = venv.join("bin").join("python");
    let path = path_without_rust(&venv.join("bin"))?;
    let pins = constraints(root, &venv)?;
    let mut install = command(&python);
    install.env("PATH", &path).args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-c"]);
    // README's example uses pandas and scikit-learn: the package's extras.
    install.arg(&pins).arg(format!("{}[pandas,sklearn]", wheel.display()));
    step("pip install <wheel>[pandas,sklearn] (no cargo or rustc on PATH)", &mut install)?;
    let example = readme_example(&root.join("README.md"))?;
    let outside = std::env::temp_dir().join(format!("isolation-wheel-check-{}", std::process::id()));
    std::fs::create_dir_all(&outside)?;
    let script = outside.join("readme_example.py");
    std::fs::write(&script, &example)?;
    let output = command(&python)
        .current_dir(&outside)
        .env("PATH", &path)
        .env_remove("PYTHONPATH")
        .arg(&script)
        .output()
        .context("running README's example")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() || !stdout.contains("memory report (mode view)") {
        bail!(
            "README's Python example failed in the fresh environment ({}):\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut help = command(venv.join("bin").join("isolation"));
    help.current_dir(&outside).env("PATH", &path).arg("--help").stdout(std::process::Stdio::null());
    step("isolation --help (the command pip installed)", &mut help)?;
    let _ = std::fs::remove_dir_all(&outside);
    eprintln!("xtask wheel: installed without Rust and ran README's Python example");
    Ok(())
}

/// The test environment's pins as a pip constraints file (pip refuses extras there: `moto[server]` becomes
/// `moto`), written into `venv`.
fn constraints(root: &Path, venv: &Path) -> Result<PathBuf> {
    let pins = std::fs::read_to_string(root.join("crates/isolation-py/requirements-test.txt"))?;
    let lines: Vec<String> = pins
        .lines()
        .filter(|line| !line.trim_start().starts_with('#') && !line.trim().is_empty())
        .map(|line| match (line.find('['), line.find(']')) {
            (Some(open), Some(close)) if open < close => format!("{}{}", &line[..open], &line[close + 1..]),
            _ => line.to_string(),
        })
        .collect();
    let path = venv.join("constraints.txt");
    std::fs::write(&path, lines.join("\n") + "\n")?;
    Ok(path)
}

/// `bin` followed by the directories of `$PATH` that hold neither `cargo` nor `rustc`.
fn path_without_rust(bin: &Path) -> Result<std::ffi::OsString> {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    let kept =
        std::env::split_paths(&rest).filter(|dir| !dir.join("cargo").exists() && !dir.join("rustc").exists());
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(kept))?;
    for tool in ["cargo", "rustc"] {
        if std::env::split_paths(&path).any(|dir| dir.join(tool).exists()) {
            bail!("`{tool}` is still on the PATH built for the check");
        }
    }
    Ok(path)
}

/// The one ```python block of README's "From Python" section.
fn readme_example(readme: &Path) -> Result<String> {
    let text = std::fs::read_to_string(readme).with_context(|| format!("reading {}", readme.display()))?;
    let start = text.find("## From Python").context("README has a \"From Python\" section")?;
    let section = &text[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |end| end + 3)];
    let block = section.split("```python\n").nth(1).context("a ```python block in \"From Python\"")?;
    Ok(block.split("```").next().unwrap_or_default().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse() {
        assert_eq!(WheelOptions::parse(&[]).unwrap(), WheelOptions::default());
        assert!(WheelOptions::parse(&["--check-install".into()]).unwrap().check_install);
        assert!(WheelOptions::parse(&["--nope".into()]).is_err());
    }

    #[test]
    fn the_readme_example_is_found() {
        let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
        let example = readme_example(&readme).unwrap();
        assert!(example.contains("import isolation"), "{example}");
        assert!(!example.contains("```"));
    }
}
