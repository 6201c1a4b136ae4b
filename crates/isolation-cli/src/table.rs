//! The demo's human-readable table.

use isolation::human_bytes;

use crate::demo::ModeResult;

/// Renders the demo results as a table. With `mask_timing`, the columns that depend on the machine (setup
/// time, RSS change, bars per second) print as `*`, so the layout can be compared byte for byte.
pub fn render_table(results: &[ModeResult], mask_timing: bool) -> String {
    let mut out = format!(
        "{:<10} {:>10} {:>11} {:>11} {:>11} {:>10} {:>10} {:>12} {:>18}\n",
        "mode", "setup", "owned", "shared", "rss delta", "train", "test", "bars/s", "checksum"
    );
    for r in results {
        let (setup, rss, speed) = if mask_timing {
            ("*".to_string(), "*".to_string(), "*".to_string())
        } else {
            (human_duration(r.setup_ns), signed_bytes(r.rss_delta_bytes), human_rate(r.bars_per_sec))
        };
        out.push_str(&format!(
            "{:<10} {:>10} {:>11} {:>11} {:>11} {:>10} {:>10} {:>12} {:>18}\n",
            r.mode.name(),
            setup,
            human_bytes(r.owned_bytes),
            human_bytes(r.shared_bytes),
            rss,
            r.train_rows,
            r.test_rows,
            speed,
            format!("{:016x}", r.checksum),
        ));
    }
    let agree = results.windows(2).all(|w| w[0].checksum == w[1].checksum);
    out.push_str(if agree {
        "checksums agree across modes\n"
    } else {
        "CHECKSUMS DIFFER ACROSS MODES: isolation is broken\n"
    });
    out
}

fn human_duration(ns: u64) -> String {
    match ns {
        0..1_000 => format!("{ns} ns"),
        1_000..1_000_000 => format!("{:.1} us", ns as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} ms", ns as f64 / 1e6),
        _ => format!("{:.2} s", ns as f64 / 1e9),
    }
}

fn signed_bytes(bytes: i64) -> String {
    let sign = if bytes < 0 { "-" } else { "+" };
    format!("{sign}{}", human_bytes(bytes.unsigned_abs()))
}

fn human_rate(per_sec: f64) -> String {
    if per_sec >= 1e6 { format!("{:.1} M", per_sec / 1e6) } else { format!("{:.0} k", per_sec / 1e3) }
}
