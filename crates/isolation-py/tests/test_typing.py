"""Typed: the stubs of the extension module match it (mypy's stubtest over the installed package), and a
typed user's file passes `mypy --strict` against them."""

import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
PACKAGE = HERE.parent
CONFIG = PACKAGE / "pyproject.toml"


def mypy(*args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_the_package_ships_its_types():
    import isolation

    root = pathlib.Path(isolation.__file__).parent
    assert (root / "py.typed").exists() and (root / "_native.pyi").exists()


def test_stubtest_finds_the_stubs_equal_to_the_built_module(tmp_path):
    # From a directory outside the checkout: stubtest reads the installed package, not the sources.
    done = mypy("mypy.stubtest", "--mypy-config-file", str(CONFIG), "--allowlist",
                str(PACKAGE / "stubtest-allowlist.txt"), "isolation", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_typed_example_passes_mypy_strict(tmp_path):
    done = mypy("mypy", "--config-file", str(CONFIG), "--strict", str(HERE / "typed_example.py"), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_typed_example_runs():
    sys.path.insert(0, str(HERE))
    try:
        import typed_example
    finally:
        sys.path.remove(str(HERE))
    result = typed_example.run()
    assert result["signals"] > 0 and result["series_bytes"] == 160 and result["cow_rows"] == 2_000
