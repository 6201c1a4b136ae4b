//! Files written by pyarrow (Parquet with every codec pyarrow offers, Feather v2 uncompressed and with lz4
//! and zstd, CSV) load with identical values. Regression: gzip, lz4 and brotli Parquet and compressed
//! Feather were refused as "truncated or corrupt" because the codecs were not compiled in.
//! Needs Python with `pyarrow`: `$ISOLATION_PYTHON` (which `cargo xtask test`, README's test command, sets
//! to its virtual environment, and then makes this test mandatory) or `python3`. Under a plain
//! `cargo test` without pyarrow it prints why it skipped and passes.

use std::path::PathBuf;
use std::process::Command;

use timeseries_io::{LoadOptions, load};

const SCRIPT: &str = r#"
import sys
import pyarrow as pa, pyarrow.parquet as pq, pyarrow.feather as feather, pyarrow.csv as pacsv
out = sys.argv[1]
n = 500
ts = pa.array([1704067200000 + i * 60000 for i in range(n)], pa.timestamp("ms"))
close = pa.array([None if i == 3 else 100 + i * 0.25 for i in range(n)], pa.float64())
volume = pa.array(list(range(n)), pa.int32())
table = pa.table({"Date": ts, "Close": close, "Volume": volume, "Symbol": ["BTC"] * n})
pq.write_table(table, out + "/py.parquet", row_group_size=128)
feather.write_feather(table, out + "/py.feather", compression="uncompressed", chunksize=200)
pacsv.write_csv(table, out + "/py.csv")
for codec in ["gzip", "lz4", "brotli", "zstd", "none"]:
    pq.write_table(table, out + "/py-" + codec + ".parquet", row_group_size=128, compression=codec)
for codec in ["lz4", "zstd"]:
    feather.write_feather(table, out + "/py-" + codec + ".feather", compression=codec, chunksize=200)
"#;

#[test]
fn pyarrow_files_load_with_identical_values() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("timeseries-io-pyarrow");
    std::fs::create_dir_all(&dir).unwrap();
    let python = std::env::var("ISOLATION_PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = Command::new(&python).args(["-c", "import pyarrow"]).output();
    if !probe.is_ok_and(|out| out.status.success()) {
        assert!(
            std::env::var_os("ISOLATION_REQUIRE_PYTHON").is_none(),
            "this test needs `{python}` with pyarrow; `cargo xtask test` sets up target/py-venv with it"
        );
        eprintln!("skipped: needs `{python}` with pyarrow (run `cargo xtask test`, which installs it)");
        return;
    }
    let output =
        Command::new(&python).args(["-c", SCRIPT, dir.to_str().unwrap()]).output().expect("run python");
    assert!(
        output.status.success(),
        "writing the fixtures with pyarrow failed (is pyarrow installed? `pip install pyarrow`):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let compressed =
        ["py-gzip.parquet", "py-lz4.parquet", "py-brotli.parquet", "py-zstd.parquet", "py-none.parquet"];
    for name in ["py.parquet", "py.feather", "py.csv", "py-lz4.feather", "py-zstd.feather"]
        .into_iter()
        .chain(compressed)
    {
        let loaded = load(dir.join(name), &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let frame = &loaded.frame;
        assert_eq!(frame.column_names(), ["Close", "Volume"], "{name}: the file's names");
        assert_eq!(loaded.report.dropped, ["Symbol"], "{name}");
        assert_eq!(frame.n_rows(), 500, "{name}");
        for i in 0..500 {
            assert_eq!(
                frame.timestamps()[i],
                (1_704_067_200_000 + i as i64 * 60_000) * 1_000_000,
                "{name} row {i}"
            );
            let close = if i == 3 { None } else { Some(100.0 + i as f64 * 0.25) };
            assert_eq!(frame.value_f64(0, i), close, "{name} row {i}");
            assert_eq!(frame.value_f64(1, i), Some(i as f64), "{name} row {i}");
        }
        assert_eq!(loaded.report.missing[0].missing, 1, "{name}");
        // Binary formats keep the file's narrow type; CSV gets the inferred Int64.
        let volume_type = if name.ends_with(".csv") { "i64" } else { "i32" };
        assert_eq!(frame.value_type(1).name(), volume_type, "{name}");
    }
}
