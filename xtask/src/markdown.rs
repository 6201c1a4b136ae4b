//! report.md: the report's tables in Markdown, for people and for docs/benchmarks.md.

use std::fmt::Write;

use crate::child::RunResult;
use crate::plot;
use crate::report::{FLAT_RATIO_LIMIT, Report, SHARED_PSS_TARGET};

/// The whole report as Markdown.
pub(crate) fn render(report: &Report) -> String {
    let mut out = String::new();
    let m = &report.machine;
    let _ = writeln!(out, "# isolation benchmark report\n");
    let _ = writeln!(
        out,
        "Machine: {} CPUs, {} RAM, kernel {}. Build: {}. Run: {}.\n",
        m.cpus,
        bytes(m.memory_bytes as f64),
        m.kernel,
        if m.release_build { "release" } else { "debug (timings are not representative)" },
        if report.quick { "--quick" } else { "full" }
    );
    let _ = writeln!(
        out,
        "Each row is a fresh child process: synthetic bars (i64 timestamp, 4 f64 prices, u32 volume: 44 B a \
         bar), a 70/30 split through `DataHandler`, then a cursor walk over train. \"Added\" is what isolation \
         added: heap still held after the setup (counting allocator) plus shared-memory segments written. \
         Ledger columns count base, train and test together, each allocation once; \"naive sum\" adds their \
         sizes as a per-object report would. PSS/USS growth is measured from just after generating the bars.\n"
    );
    memory_table(&mut out, &report.runs);
    time_table(&mut out, &report.runs);
    copy_table(&mut out, report);
    scaling_table(&mut out, report);
    shared_table(&mut out, report);
    let _ = writeln!(out, "## Plots\n");
    let _ = writeln!(out, "![memory added vs dataset size]({})\n", plot::MEMORY_SVG);
    let _ = writeln!(out, "![split setup time vs dataset size]({})", plot::SETUP_TIME_SVG);
    out
}

fn memory_table(out: &mut String, runs: &[RunResult]) {
    let _ = writeln!(out, "## Memory per mode and size\n");
    let _ = writeln!(
        out,
        "| mode | rows | dataset | added | setup heap peak | ledger owned | ledger shared | ledger mapped | \
         naive sum | PSS after setup | USS after setup | PSS after walk | peak RSS |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for r in runs {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.mode,
            r.rows,
            bytes(r.dataset_bytes as f64),
            bytes(r.extra_bytes as f64),
            bytes(r.setup_heap_peak_bytes as f64),
            bytes(r.ledger_owned_bytes as f64),
            bytes(r.ledger_shared_bytes as f64),
            bytes(r.ledger_mapped_bytes as f64),
            bytes(r.ledger_naive_bytes as f64),
            signed_bytes(r.setup_delta.pss),
            signed_bytes(r.setup_delta.uss),
            signed_bytes(r.walk_delta.pss),
            bytes(r.peak_rss_bytes as f64),
        );
    }
    let _ = writeln!(out);
}

fn time_table(out: &mut String, runs: &[RunResult]) {
    let _ = writeln!(out, "## Time per mode and size\n");
    let _ = writeln!(out, "| mode | rows | load | split setup | shm attach | trusted attach |");
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|");
    for r in runs {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            r.mode,
            r.rows,
            nanos(r.load_ms * 1e6),
            nanos(r.split_setup_ns),
            r.attach_ns.map_or_else(|| "-".to_string(), nanos),
            r.attach_trusted_ns.map_or_else(|| "-".to_string(), nanos),
        );
    }
    let _ = writeln!(out);
    read_table(out, runs);
}

/// The read path: the typed cursor against a raw slice in the same process (the headline), the old
/// `Bar::value` path beside it, and `window(50)` at random positions.
fn read_table(out: &mut String, runs: &[RunResult]) {
    let _ = writeln!(out, "## Reading through the cursor\n");
    let _ = writeln!(
        out,
        "`cursor / raw` is the typed cursor's speed as a fraction of a raw `&[f64]` loop over the same rows \
         (1.00 = as fast); `old path / raw` the same for `Bar::value(idx)`. `window / raw` is time: \
         `seek` + `window(50).values(&close)` + mean against a slice of the same 50 values + mean, at the \
         same random positions. `volume heap` is what walking the `u32` volume through its handle allocated. \
         `written` (copy-on-write only): `cursor / raw` after a write into every other chunk of close.\n"
    );
    let _ = writeln!(
        out,
        "| mode | rows | cursor / raw | cursor / bar | raw / value | written | old path / raw | old path / bar | \
         window(50) | raw window(50) | window / raw | volume heap |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for r in runs {
        let Some(w) = r.walk.as_ref() else { continue };
        let _ = writeln!(
            out,
            "| {} | {} | **{:.2}** | {} | {} | {} | {:.3} | {} | {} | {} | {:.2}x | {} |",
            r.mode,
            r.rows,
            w.cursor_vs_raw,
            nanos(w.cursor_ns_per_bar),
            nanos(w.raw_ns_per_bar),
            w.written_cursor_vs_raw.map_or_else(|| "-".to_string(), |v| format!("{v:.2}")),
            w.legacy_vs_raw,
            nanos(w.legacy_ns_per_bar),
            nanos(w.window50_ns),
            nanos(w.raw_window50_ns),
            w.window_over_raw,
            bytes(w.volume_walk_heap_bytes as f64),
        );
    }
    let _ = writeln!(out);
}

fn copy_table(out: &mut String, report: &Report) {
    let copy = &report.deep_copy;
    let _ = writeln!(out, "## Deep copy against pandas\n");
    let _ = writeln!(
        out,
        "`TimeFrame::deep_copy` (what deep-copy mode does) and pandas' `df.copy()` of a frame of the same shape \
         (int64 timestamps, four float64 prices, uint32 volume), each into fresh memory, best of 5.\n"
    );
    let _ = writeln!(out, "| library | rows | bytes | best | GB/s | against pandas |");
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|");
    let pandas_gbps = copy.pandas.as_ref().map(|p| p.gb_per_second);
    for result in std::iter::once(&copy.isolation).chain(copy.pandas.as_ref()) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.2} | {} |",
            result.library,
            result.rows,
            bytes(result.bytes as f64),
            nanos(result.best_seconds * 1e9),
            result.gb_per_second,
            pandas_gbps.map_or_else(|| "-".to_string(), |p| format!("{:.2}x", result.gb_per_second / p)),
        );
    }
    if let Some(reason) = &copy.pandas_missing {
        let _ = writeln!(out, "\npandas did not run: {reason}");
    }
    let _ = writeln!(out);
}

fn scaling_table(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## Scaling with rows\n");
    let _ = writeln!(
        out,
        "| mode | rows | dataset | split setup | shm attach | trusted attach | added | PSS growth |"
    );
    let _ = writeln!(out, "|---|--:|--:|--:|--:|--:|--:|--:|");
    for r in &report.scaling {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.mode,
            r.rows,
            bytes(r.dataset_bytes as f64),
            nanos(r.split_setup_ns),
            r.attach_ns.map_or_else(|| "-".to_string(), nanos),
            r.attach_trusted_ns.map_or_else(|| "-".to_string(), nanos),
            bytes(r.extra_bytes as f64),
            signed_bytes(r.setup_delta.pss),
        );
    }
    let _ = writeln!(
        out,
        "\nOperations that should not grow with rows (largest / smallest, limit {FLAT_RATIO_LIMIT}x):\n"
    );
    let _ = writeln!(out, "| operation | rows | smallest | largest | ratio | flat |");
    let _ = writeln!(out, "|---|--:|--:|--:|--:|---|");
    for c in &report.flat_checks {
        let _ = writeln!(
            out,
            "| {} | {} to {} | {} | {} | {:.2}x | {} |",
            c.operation,
            c.smallest_rows,
            c.largest_rows,
            nanos(c.smallest_ns),
            nanos(c.largest_ns),
            c.ratio,
            if c.flat { "yes" } else { "no" }
        );
    }
    let _ = writeln!(out);
}

fn shared_table(out: &mut String, report: &Report) {
    let _ = writeln!(out, "## One segment, many processes\n");
    let _ = writeln!(
        out,
        "A publisher writes the dataset to shared memory once; each worker attaches and reads every value. \
         PSS is summed over all processes while all are alive (target: total PSS <= {SHARED_PSS_TARGET}x the \
         dataset, for datasets much larger than one process's own few MB).\n"
    );
    let _ = writeln!(
        out,
        "| rows | dataset | segment | workers | publish | slowest attach | slowest walk | total PSS | of which shm | \
         summed RSS | worker USS | PSS / dataset |"
    );
    let _ = writeln!(out, "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for s in &report.shared {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.2}x{} |",
            s.rows,
            bytes(s.dataset_bytes as f64),
            bytes(s.segment_bytes as f64),
            s.workers,
            nanos(s.publish_ms * 1e6),
            nanos(s.max_attach_ms * 1e6),
            nanos(s.max_walk_ms * 1e6),
            bytes(s.total_pss_bytes as f64),
            bytes(s.total_pss_shmem_bytes as f64),
            bytes(s.total_rss_bytes as f64),
            bytes(s.max_worker_uss_bytes as f64),
            s.pss_over_dataset,
            if s.pss_over_dataset <= SHARED_PSS_TARGET { "" } else { " (over target)" },
        );
    }
    let _ = writeln!(out);
}

/// Bytes in binary units with one decimal.
pub(crate) fn bytes(value: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = value;
    let mut unit = 0;
    while value.abs() >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{value:.0} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

fn signed_bytes(value: i64) -> String {
    if value < 0 { format!("-{}", bytes(value.unsigned_abs() as f64)) } else { bytes(value as f64) }
}

/// A duration in the unit that reads best: `850 ns`, `12.3 µs`, `4.5 ms`, `1.20 s`.
pub(crate) fn nanos(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.1} ns")
    } else if ns < 1e6 {
        format!("{:.1} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.1} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_read_well() {
        for (value, expect) in
            [(0.0, "0 B"), (1536.0, "1.5 KiB"), (3.0 * 1024.0 * 1024.0 * 1024.0, "3.0 GiB")]
        {
            assert_eq!(bytes(value), expect);
        }
        assert_eq!(signed_bytes(-2048), "-2.0 KiB");
        for (value, expect) in
            [(850.0, "850.0 ns"), (12_300.0, "12.3 µs"), (4.5e6, "4.5 ms"), (1.2e9, "1.20 s")]
        {
            assert_eq!(nanos(value), expect);
        }
    }
}
