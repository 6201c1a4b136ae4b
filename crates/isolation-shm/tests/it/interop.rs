//! Interop with a real Arrow client: pyarrow reads our segments and we attach to files pyarrow wrote.
//!
//! Needs Python with `pyarrow`: `$ISOLATION_PYTHON` (which `cargo xtask test`, README's test command, sets
//! to its virtual environment, and then makes these tests mandatory) or `python3`. Under a plain
//! `cargo test` without pyarrow they print why they skipped and pass.

use std::process::Command;

use crate::common::{TestDir, f64_frame, unique_name};
use isolation_shm::{AttachOptions, PublishOptions, ShmError, segment_path};

/// The interpreter with pyarrow, or `None` (the test skips) where there is none and
/// `ISOLATION_REQUIRE_PYTHON` is unset; with it set, a missing pyarrow fails the test.
fn python_with_pyarrow() -> Option<String> {
    let python = std::env::var("ISOLATION_PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = Command::new(&python).args(["-c", "import pyarrow"]).output();
    if probe.is_ok_and(|out| out.status.success()) {
        return Some(python);
    }
    assert!(
        std::env::var_os("ISOLATION_REQUIRE_PYTHON").is_none(),
        "the interop tests need `{python}` with pyarrow; `cargo xtask test` sets up target/py-venv with it"
    );
    eprintln!("skipped: needs `{python}` with pyarrow (run `cargo xtask test`, which installs it)");
    None
}

/// Runs a Python script and returns its stdout, or `None` when the test is skipped.
fn python(script: &str, args: &[&str]) -> Option<String> {
    let python = python_with_pyarrow()?;
    let out = Command::new(&python).arg("-c").arg(script).args(args).output().expect("run python");
    assert!(out.status.success(), "python failed:\n{}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).expect("utf-8 output"))
}

const READ_SEGMENT: &str = r#"
import sys, pyarrow as pa, pyarrow.ipc as ipc
with pa.memory_map(sys.argv[1], "r") as source:
    table = ipc.open_file(source).read_all()
for field in table.schema:
    values = table.column(field.name).cast(pa.int64()) if field.name == "timestamp" else table.column(field.name)
    print(field.name, str(field.type), ",".join(repr(v) for v in values.to_pylist()))
"#;

#[test]
fn pyarrow_reads_our_segment() {
    let dir = TestDir::new("py-read");
    let name = unique_name("py-read");
    let frame = f64_frame(1000);
    let publisher = PublishOptions::new().with_dir(dir.path()).publish(&name, &frame).unwrap();
    let Some(out) = python(READ_SEGMENT, &[publisher.data_path().to_str().expect("utf-8 path")]) else {
        return;
    };
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");

    let parse = |line: &str| -> (String, String, Vec<String>) {
        let (name, rest) = line.split_once(' ').expect("name");
        let (ty, values) = rest.rsplit_once(' ').expect("type and values");
        (name.to_string(), ty.to_string(), values.split(',').map(str::to_string).collect())
    };
    let (ts_name, ts_type, ts_values) = parse(lines[0]);
    assert_eq!((ts_name.as_str(), ts_type.as_str()), ("timestamp", "timestamp[ns, tz=UTC]"));
    let ts: Vec<i64> = ts_values.iter().map(|v| v.parse().unwrap()).collect();
    assert_eq!(ts, frame.timestamps());
    for (line, column) in lines[1..].iter().zip(["a", "b"]) {
        let (name, ty, values) = parse(line);
        assert_eq!((name.as_str(), ty.as_str()), (column, "double"));
        let values: Vec<f64> = values.iter().map(|v| v.parse().unwrap()).collect();
        assert_eq!(values, frame.f64_column(column).unwrap(), "column {column}");
    }
}

const WRITE_FILE: &str = r#"
import sys, pyarrow as pa, pyarrow.ipc as ipc
path, n, n_batches = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
index = sys.argv[4] if len(sys.argv) > 4 else "timestamp"
unit = sys.argv[5] if len(sys.argv) > 5 else "ns"
per_second = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[unit]
table = pa.table({
    index: pa.array([(1_600_000_000 + i) * per_second for i in range(n)], type=pa.timestamp(unit, tz="UTC")),
    "a": pa.array([i * 0.5 for i in range(n)], type=pa.float64()),
    "b": pa.array([(i % 1000) - 0.125 for i in range(n)], type=pa.float64()),
})
with pa.OSFile(path, "wb") as sink:
    with ipc.new_file(sink, table.schema) as writer:
        for batch in table.to_batches(max_chunksize=-(-n // n_batches)):
            writer.write_batch(batch)
"#;

#[test]
fn we_attach_to_a_file_pyarrow_wrote() {
    let dir = TestDir::new("py-write");
    let name = unique_name("py-write");
    let path = segment_path(dir.path(), &name);
    let Some(_) = python(WRITE_FILE, &[path.to_str().unwrap(), "1000", "1"]) else { return };
    let attached = AttachOptions::new().with_dir(dir.path()).attach(&name).expect("attach pyarrow's file");
    assert_eq!(attached.frame(), &f64_frame(1000));
    assert_eq!(attached.owner(), None, "pyarrow records no owner");
    // Zero-copy there too: the values lie inside the mapping.
    let values = attached.frame().f64_column("a").unwrap().as_ptr() as usize;
    let map_start = attached.frame().timestamps().as_ptr() as usize;
    assert!(values > map_start && values < map_start + attached.mapped_bytes() as usize);
}

#[test]
fn a_pyarrow_file_with_several_batches_is_refused() {
    let dir = TestDir::new("py-batches");
    let name = unique_name("py-batches");
    let Some(_) = python(WRITE_FILE, &[segment_path(dir.path(), &name).to_str().unwrap(), "1000", "3"])
    else {
        return;
    };
    let err = AttachOptions::new().with_dir(dir.path()).attach(&name).unwrap_err();
    assert!(matches!(err, ShmError::MultipleBatches { n_batches: 3, .. }), "{err}");
    assert!(err.to_string().contains("AttachOptions::concatenate_batches(true)"), "{err}");

    // Asked for, the batches are concatenated once, and the copy is reported.
    let attached = AttachOptions::new()
        .with_dir(dir.path())
        .concatenate_batches(true)
        .attach(&name)
        .expect("concatenated");
    assert_eq!(attached.frame(), &f64_frame(1000));
    assert!(attached.conversions().copied_bytes >= 1000 * 24, "{:?}", attached.conversions());
    assert_eq!(attached.conversions().notes, ["3 record batches concatenated into one (copied)"]);
}

#[test]
fn a_pyarrow_file_with_another_index_name_and_unit_attaches_on_request() {
    let dir = TestDir::new("py-units");
    for (index, unit) in [("date", "ms"), ("timestamp", "s"), ("__index_level_0__", "us"), ("ts", "ns")] {
        let name = unique_name(&format!("py-{unit}"));
        let path = segment_path(dir.path(), &name);
        let Some(_) = python(WRITE_FILE, &[path.to_str().unwrap(), "500", "1", index, unit]) else { return };
        // Strict by default, with an error that names the option to use.
        let strict = AttachOptions::new().with_dir(dir.path());
        let err = strict.attach(&name).unwrap_err().to_string();
        let option =
            if index != "timestamp" { "AttachOptions::index_column" } else { "convert_timestamp_units" };
        assert!(err.contains(option), "{index}/{unit}: {err}");

        let lenient = strict.index_column(index).convert_timestamp_units(true);
        let attached = lenient.attach(&name).unwrap_or_else(|e| panic!("{index}/{unit}: {e}"));
        assert_eq!(attached.frame(), &f64_frame(500), "{index}/{unit}");
        // Only the index is copied, and only when its unit changes; the values stay in the mapping.
        let copied = if unit == "ns" { 0 } else { 500 * 8 };
        assert_eq!(attached.conversions().copied_bytes, copied, "{index}/{unit}");
        let mut set = memtrack::BufferSet::new();
        attached.frame().add_buffers_to(&mut set);
        assert!(set.breakdown().mapped_bytes >= 500 * 16, "{index}/{unit}: values read from the mapping");
    }
}
