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
    for r in results {
        if let Some(step) = &r.write_step {
            out.push_str(&write_step_line(step));
        }
        for w in &r.workers {
            let private = w.uss_bytes.map_or_else(|| "?".to_string(), human_bytes);
            let grew = match (w.uss_bytes, w.uss_before_bytes) {
                (Some(after), Some(before)) => human_bytes(after.saturating_sub(before)),
                _ => "?".to_string(),
            };
            let same = if w.checksum == r.checksum { "same checksum" } else { "CHECKSUM DIFFERS" };
            out.push_str(&format!(
                "{} worker pid {}: private memory (USS) {private}, grew {grew} while attached and walking; {same}\n",
                r.mode.name(),
                if mask_timing { "*".to_string() } else { w.pid.to_string() },
            ));
        }
    }
    let agree = results.windows(2).all(|w| w[0].checksum == w[1].checksum)
        && results.iter().all(|r| r.workers.iter().all(|w| w.checksum == r.checksum));
    out.push_str(if agree {
        "checksums agree across modes\n"
    } else {
        "CHECKSUMS DIFFER ACROSS MODES: isolation is broken\n"
    });
    out
}

#[cfg(feature = "cow")]
fn write_step_line(step: &crate::cow_step::WriteStep) -> String {
    format!(
        "cow write step: patching one bar per symbol copied {} (one chunk of `close` each); a derived `log_return` column added {}; the seed design copies the whole split on the first write: {}\n",
        human_bytes(step.patched_bytes),
        human_bytes(step.derived_column_bytes),
        human_bytes(step.whole_frame_bytes),
    )
}

#[cfg(not(feature = "cow"))]
fn write_step_line(_step: &()) -> String {
    String::new()
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
