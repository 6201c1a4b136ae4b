//! SVG plots of the report (plotters): memory added and split setup time against dataset size, one line
//! per mode, both axes logarithmic.

use std::path::Path;

use anyhow::{Result, anyhow};
use isolation::IsolationMode;
use plotters::prelude::*;

use crate::child::RunResult;
use crate::markdown::{bytes, nanos};
use crate::report::Report;

/// File name of the memory plot.
pub(crate) const MEMORY_SVG: &str = "memory.svg";
/// File name of the setup time plot.
pub(crate) const SETUP_TIME_SVG: &str = "setup_time.svg";

/// One colour per mode, in `IsolationMode::ALL` order.
const COLOURS: [RGBColor; 4] = [RED, BLUE, GREEN, MAGENTA];

/// Memory isolation added (heap still held plus shared-memory segments) against dataset bytes, per mode,
/// with the dataset itself as a dashed reference line.
///
/// # Errors
///
/// The file could not be drawn or written.
pub(crate) fn memory(report: &Report, path: &Path) -> Result<()> {
    let reference = points(report, |_| true, |r| r.dataset_bytes as f64);
    draw(
        path,
        "Memory added by the split vs dataset size",
        "added bytes (heap held + shm segments)",
        |r| r.extra_bytes as f64,
        bytes,
        report,
        Some(("dataset", reference)),
    )
}

/// Median split setup time against dataset bytes, per mode.
///
/// # Errors
///
/// The file could not be drawn or written.
pub(crate) fn setup_time(report: &Report, path: &Path) -> Result<()> {
    draw(path, "Split setup time vs dataset size", "split setup", |r| r.split_setup_ns, nanos, report, None)
}

type Series = Vec<(f64, f64)>;

/// Points (dataset bytes, `y`) of the runs of the per-size table and the scaling series that match
/// `keep`, sorted by size, one per size. Values below 1 are drawn at 1 (a log axis has no zero).
fn points(report: &Report, keep: impl Fn(&RunResult) -> bool, y: impl Fn(&RunResult) -> f64) -> Series {
    let mut points: Series = report
        .runs
        .iter()
        .chain(&report.scaling)
        .filter(|r| keep(r))
        .map(|r| (r.dataset_bytes.max(1) as f64, y(r).max(1.0)))
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    points.dedup_by(|a, b| a.0 == b.0);
    points
}

fn draw(
    path: &Path,
    title: &str,
    y_label: &str,
    y: fn(&RunResult) -> f64,
    y_format: fn(f64) -> String,
    report: &Report,
    reference: Option<(&str, Series)>,
) -> Result<()> {
    let failed = |e: &dyn std::fmt::Display| anyhow!("drawing {}: {e}", path.display());
    let series: Vec<(IsolationMode, Series)> = IsolationMode::ALL
        .into_iter()
        .map(|mode| (mode, points(report, |r| r.mode == mode.name(), y)))
        .collect();
    let all = series.iter().flat_map(|(_, s)| s).chain(reference.iter().flat_map(|(_, s)| s));
    let (mut x_min, mut x_max, mut y_min, mut y_max) = (f64::MAX, 1.0_f64, f64::MAX, 1.0_f64);
    for &(x, y) in all {
        (x_min, x_max, y_min, y_max) = (x_min.min(x), x_max.max(x), y_min.min(y), y_max.max(y));
    }
    if x_min > x_max {
        (x_min, y_min) = (1.0, 1.0);
    }
    let root = SVGBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| failed(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(96)
        .build_cartesian_2d((x_min / 2.0..x_max * 2.0).log_scale(), (y_min / 2.0..y_max * 4.0).log_scale())
        .map_err(|e| failed(&e))?;
    chart
        .configure_mesh()
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .x_desc("dataset size")
        .y_desc(y_label)
        .x_label_formatter(&|x| bytes(*x))
        .y_label_formatter(&|v| y_format(*v))
        .draw()
        .map_err(|e| failed(&e))?;
    for ((mode, points), colour) in series.into_iter().zip(COLOURS) {
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
            .map_err(|e| failed(&e))?
            .label(mode.name())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2)));
        chart
            .draw_series(points.into_iter().map(|p| Circle::new(p, 3, colour.filled())))
            .map_err(|e| failed(&e))?;
    }
    if let Some((name, points)) = reference {
        let grey = BLACK.mix(0.4);
        chart
            .draw_series(DashedLineSeries::new(points, 6, 4, grey.stroke_width(1)))
            .map_err(|e| failed(&e))?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], grey.stroke_width(1)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(|e| failed(&e))?;
    root.present().map_err(|e| failed(&e))?;
    Ok(())
}
