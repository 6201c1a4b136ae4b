"""The `isolation` command after `pip install`: the console script and `python -m isolation` run the same
CLI as the Rust binary, workers included (they start as `python -m isolation worker`)."""

import json
import pathlib
import subprocess
import sys

COMMAND = pathlib.Path(sys.executable).parent / "isolation"


def run(*args, timeout=120):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout)


def test_the_console_script_is_installed_and_splits():
    assert COMMAND.exists(), f"pip install did not put the command at {COMMAND}"
    done = run(str(COMMAND), "split", "demo", "--rows", "2000", "--symbols", "2", "--json")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == 2 and all(row["train"]["rows"] + row["test"]["rows"] == 2000 for row in rows)


def test_python_dash_m_runs_the_demo_with_worker_processes():
    done = run(sys.executable, "-m", "isolation", "demo", "--rows", "5000", "--symbols", "2", "--modes", "shm",
               "--workers", "2", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[0])
    assert result["mode"] == "shm" and len(result["workers"]) == 2


def test_errors_and_usage_give_the_clis_exit_codes():
    missing = run(str(COMMAND), "split", "/no/such/file.csv")
    assert missing.returncode == 1 and missing.stderr.startswith("error: ")
    usage = run(str(COMMAND), "no-such-command")
    assert usage.returncode == 2 and "Usage" in usage.stderr
    assert run(str(COMMAND), "--help").returncode == 0
