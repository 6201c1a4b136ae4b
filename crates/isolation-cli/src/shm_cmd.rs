//! `isolation shm publish|ls|attach|gc|rm`: manage shared-memory segments from the shell.

use std::time::UNIX_EPOCH;

use isolation::shm::{PublishOptions, SegmentInfo, gc, list_segments, remove};
use isolation::{TimeFrame, format_timestamp, human_bytes};

/// Publishes `frame` as segment `name`, kept after this process exits (remove it with `shm rm`). Returns a
/// summary to print.
///
/// # Errors
///
/// An invalid or taken name, too little space, or an I/O failure.
pub fn publish_kept(name: &str, frame: &TimeFrame) -> anyhow::Result<String> {
    let started = std::time::Instant::now();
    let publisher = PublishOptions::new().keep().publish(name, frame)?;
    let elapsed = started.elapsed().as_secs_f64();
    Ok(format!(
        "published `{}`: {} rows, {} columns, {} at {} ({:.1} ms, {:.1} GB/s with checksums)\nattach with `isolation shm attach {}`; remove with `isolation shm rm {}`\n",
        publisher.name(),
        frame.n_rows(),
        frame.n_columns(),
        human_bytes(publisher.size_bytes()),
        publisher.path().display(),
        elapsed * 1e3,
        publisher.size_bytes() as f64 / elapsed.max(1e-9) / 1e9,
        publisher.name(),
        publisher.name(),
    ))
}

/// Attaches to segment `name` and describes it; with `verify`, checks every column against the checksum its
/// publisher recorded and says how fast that ran.
///
/// # Errors
///
/// A missing, foreign or corrupt segment, or (with `verify`) a column that does not match its checksum.
pub fn describe_attached(name: &str, verify: bool) -> anyhow::Result<String> {
    let started = std::time::Instant::now();
    let attached = isolation::shm::AttachOptions::new().verify(verify).attach(name)?;
    let elapsed = started.elapsed();
    let frame = attached.frame();
    let mut out = format!("segment `{}` at {}\n", attached.name(), attached.path().display());
    if verify {
        let gb_per_s = attached.mapped_bytes() as f64 / elapsed.as_secs_f64().max(1e-9) / 1e9;
        out.push_str(&format!(
            "verified: every column matches its checksum ({} in {:.1} ms, {gb_per_s:.1} GB/s with attaching)\n",
            human_bytes(attached.mapped_bytes()),
            elapsed.as_secs_f64() * 1e3
        ));
    }
    out.push_str(&format!("mapped:   {} (read-only, shared)\n", human_bytes(attached.mapped_bytes())));
    if let Some(owner) = attached.owner() {
        out.push_str(&format!(
            "owner:    pid {} ({})\n",
            owner.pid,
            if owner.kept { "kept" } else { "publisher" }
        ));
    }
    out.push_str(&format!("rows:     {}\n", frame.n_rows()));
    if let (Some(first), Some(last)) = (frame.first_timestamp(), frame.last_timestamp()) {
        out.push_str(&format!("time:     {} ..= {}\n", format_timestamp(first), format_timestamp(last)));
    }
    let columns: Vec<String> = (0..frame.n_columns())
        .map(|i| format!("{} {}", frame.column_names()[i], frame.value_type(i)))
        .collect();
    out.push_str(&format!("columns:  {}\n", columns.join(", ")));
    Ok(out)
}

/// The segments in the default directory as a table.
pub fn list_table() -> String {
    render_segments(&list_segments(), "no segments")
}

/// Removes segments whose owner died; returns what was removed, as a table.
pub fn collect_garbage() -> String {
    render_segments(&gc(), "nothing to collect: every segment's owner is alive or the segment is kept")
}

/// Removes dataset segments by age, idleness or budget; returns what was removed, as a table.
///
/// # Errors
///
/// No limit given, or a limit in rows instead of time ([`isolation::dataset_policy`]).
pub fn collect_datasets(
    older_than: Option<isolation::Length>,
    unused_for: Option<isolation::Length>,
    budget_bytes: Option<u64>,
) -> anyhow::Result<String> {
    let policy = isolation::dataset_policy(older_than, unused_for, budget_bytes)?;
    let removed = isolation::shm::gc_datasets_in(&isolation::shm::default_dir(), &policy);
    Ok(render_segments(
        &removed,
        "no dataset to collect under these limits (datasets a process maps are kept)",
    ))
}

/// Removes segment `name`.
///
/// # Errors
///
/// An invalid name or a segment that does not exist.
pub fn remove_segment(name: &str) -> anyhow::Result<String> {
    remove(name)?;
    Ok(format!("removed `{name}`\n"))
}

fn render_segments(segments: &[SegmentInfo], empty: &str) -> String {
    if segments.is_empty() {
        return format!("{empty}\n");
    }
    let mut out =
        format!("{:<32} {:>10} {:>8} {:<6} {:<20} {}\n", "name", "size", "owner", "alive", "created", "note");
    for s in segments {
        let created = s
            .created
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or_else(|| "-".to_string(), |d| format_timestamp(d.as_nanos() as i64));
        let note = match (&s.problem, s.kept, s.is_stale()) {
            (Some(problem), _, _) => problem.clone(),
            (None, true, _) => "kept".to_string(),
            (None, false, true) => "stale: owner died (isolation shm gc removes it)".to_string(),
            _ => String::new(),
        };
        out.push_str(&format!(
            "{:<32} {:>10} {:>8} {:<6} {:<20} {}\n",
            s.name,
            human_bytes(s.size_bytes),
            s.owner_pid.map_or_else(|| "-".to_string(), |p| p.to_string()),
            if s.owner_alive { "yes" } else { "no" },
            created.get(..19).map_or(created.clone(), |c| c.to_string()),
            note
        ));
    }
    out
}
