//! The commands: each parses what clap could not, calls the library and prints.

use crate::demo::{DemoConfig, run_demo};
use crate::folds::{fold_rows, render_folds};
use crate::source::load_source;
use crate::split::{render_split, split_rows};
use crate::synthetic::SyntheticBars;
use crate::table::render_table;
use anyhow::bail;
use isolation::{
    DataHandler, Decision, FoldArgs, FoldSpec, IsolationFactory, IsolationMode, Resources, SplitSpec,
    Workload, available_modes,
};
use timeseries_io::LoadOptions;

use super::*;

/// Asks the factory for a mode for `dataset_bytes` read by `readers` processes, split into `copies` parts.
fn decide(requested: ModeArg, dataset_bytes: u64, readers: usize) -> anyhow::Result<Decision> {
    let workload = Workload { dataset_bytes, will_write: false, readers: readers.max(1), copies: 1 };
    let requested = match requested {
        ModeArg::Auto => None,
        ModeArg::Mode(mode) => Some(mode),
    };
    Ok(IsolationFactory::default().decide(requested, &workload, &Resources::current())?)
}

fn explain(decision: &Decision) -> String {
    let mut out = format!("mode: {}\n", decision.mode);
    for reason in &decision.reasons {
        out.push_str(&format!("  because {reason}\n"));
    }
    out
}

/// Split market data into train and test without copies and without look-ahead.
/// `error: <message>: <its cause>: ...`: each layer's message once, outermost first (each error type says
/// what failed at its own level and leaves its cause to the chain). Control characters from user text
/// (names, paths) are escaped: they never reach the terminal raw.
pub(super) fn error_text(error: &anyhow::Error) -> String {
    format!("error: {}", isolation::error_chain(error.as_ref()))
}

pub(super) fn run(command: Command, relaunch: &SelfCommand) -> anyhow::Result<()> {
    match command {
        Command::Demo(args) => demo(args, relaunch),
        Command::Split(args) => split(args),
        Command::Info { file, json, optimize } => info(&file, json, optimize),
        Command::Folds(args) => folds(*args),
        #[cfg(feature = "shm")]
        Command::Shm(command) => shm(command),
        #[cfg(feature = "shm")]
        Command::FoldRun(args) => {
            let node =
                isolation::shm::NodeOptions::from_overrides(args.shm_dir, args.spill_dir, args.memory_limit);
            let code = crate::fold_run::run_fold(&args.manifest, args.fold, &node, &args.command)?;
            if code != 0 {
                std::process::exit(code);
            }
            Ok(())
        }
        #[cfg(feature = "shm")]
        Command::Worker { segments, train_ratio } => {
            let report = crate::workers::run_worker(&segments, train_ratio)?;
            emit(&format!("{}\n", serde_json::to_string(&report)?))
        }
    }
}

fn demo(args: DemoArgs, relaunch: &SelfCommand) -> anyhow::Result<()> {
    let bars = args.data.bars();
    let dataset_bytes = (bars.rows * bars.symbols * isolation::synthetic::BYTES_PER_ROW) as u64;
    let auto = decide(ModeArg::Auto, dataset_bytes, args.workers)?;
    let modes: Vec<IsolationMode> = match args.modes {
        Some(modes) => modes
            .into_iter()
            .map(|m| match m {
                ModeArg::Auto => auto.mode,
                ModeArg::Mode(mode) => mode,
            })
            .collect(),
        None => {
            // Views first: their RSS change is not hidden by memory a copy freed earlier.
            let mut modes = available_modes();
            modes.sort_by_key(|m| *m == IsolationMode::DeepCopy);
            modes
        }
    };
    if args.explain {
        let text = explain(&auto);
        if args.json { eprint!("{text}") } else { emit(&text)? }
    }
    if let Some(missing) = modes.iter().find(|m| !available_modes().contains(m)) {
        bail!("mode {missing} is not in this build; available: {:?}", available_modes());
    }
    if args.workers > 0 && !modes.contains(&IsolationMode::SharedMemory) {
        bail!("--workers needs the shm mode (add it to --modes)");
    }
    let workers = (args.workers > 0).then(|| (args.workers, relaunch.clone()));
    let config = DemoConfig { bars, modes, train_ratio: args.train_ratio, workers };
    let results = run_demo(&config)?;
    if args.json {
        let lines: Vec<String> = results.iter().map(serde_json::to_string).collect::<Result<_, _>>()?;
        emit(&(lines.join("\n") + "\n"))
    } else {
        emit(&format!(
            "{} symbols x {} one-minute bars, {:.0}% train; strategy: 10/50 moving-average crossover\n{}",
            args.data.symbols,
            args.data.rows,
            args.train_ratio * 100.0,
            render_table(&results, false)
        ))
    }
}

fn split(args: SplitArgs) -> anyhow::Result<()> {
    let spec = match (args.split, &args.split_date, args.train_ratio) {
        (Some(spec), _, _) => spec,
        (None, Some(date), _) => format!("date={date}").parse()?,
        (None, None, ratio) => ratio.map_or_else(SplitSpec::default, SplitSpec::Ratio),
    };
    let options = LoadOptions { columns: args.columns.clone(), sort: args.sort, ..LoadOptions::default() };
    let sources = load_source(&args.source, args.data.bars(), &options)?;
    let dataset_bytes = sources.iter().map(|s| s.frame.visible_bytes()).sum();
    let decision = decide(args.mode, dataset_bytes, 1)?;
    if args.explain {
        let text = explain(&decision);
        if args.json { eprint!("{text}") } else { emit(&text)? }
    }
    let rows = split_rows(decision.mode, sources, spec, args.per_symbol)?;
    if args.json {
        let lines: Vec<String> = rows.iter().map(serde_json::to_string).collect::<Result<_, _>>()?;
        emit(&(lines.join("\n") + "\n"))
    } else {
        emit(&render_split(&rows))
    }
}

fn info(file: &std::path::Path, json: bool, optimize: bool) -> anyhow::Result<()> {
    let info = timeseries_io::describe(file)?;
    let optimized = if optimize {
        let loaded = isolation::load(file, &LoadOptions::default())?;
        Some(isolation::optimize_frame(&loaded.frame, &isolation::OptimizeOptions::default())?.1)
    } else {
        None
    };
    if json {
        let mut value = serde_json::to_value(&info)?;
        if let Some(report) = &optimized {
            value["optimize"] = serde_json::to_value(report)?;
        }
        emit(&format!("{}\n", serde_json::to_string(&value)?))
    } else {
        let mut text = crate::split::render_info(file, &info);
        if let Some(report) = &optimized {
            text.push_str(&format!(
                "\nnarrowest lossless types (not applied; the file is unchanged):\n{report}\n"
            ));
        }
        emit(&text)
    }
}

fn folds(args: FoldsArgs) -> anyhow::Result<()> {
    let spec = match (args.walk_forward, args.kfold, args.cpcv, args.scheme) {
        (Some(wf), ..) => FoldSpec::WalkForward(wf),
        (_, Some(kf), ..) => FoldSpec::PurgedKFold(kf),
        (_, _, Some(cpcv), _) => FoldSpec::CombinatorialPurgedCv(cpcv),
        (.., Some(spec)) => spec,
        _ => unreachable!("clap requires one scheme"),
    };
    let mut handler = DataHandler::new(IsolationMode::View);
    let bars = SyntheticBars { rows: args.rows, symbols: args.symbols, seed: args.seed };
    if args.source == "demo" {
        for source in load_source(&args.source, bars, &LoadOptions::default())? {
            handler.load(&source.symbol, source.frame)?;
        }
    } else {
        // Registered by absolute path (or URI), so a manifest names sources a worker can load.
        for path in crate::source::data_files(std::path::Path::new(&args.source))? {
            let path = if timeseries_io::is_uri(&args.source) { path } else { std::path::absolute(&path)? };
            handler.register_path(&timeseries_io::symbol_of(&path), path);
        }
    }
    let options = FoldArgs {
        warmup: Some(args.warmup),
        label_end: args.label_end,
        horizon: args.horizon,
        cross_sectional: args.cross_sectional,
        universe_path: args.universe,
        universe_batches: None,
    }
    .build()?;
    let rows = fold_rows(&handler, &spec, &options)?;
    if let Some(path) = &args.manifest {
        let manifest = handler.fold_manifest(&spec, &options)?;
        std::fs::write(path, manifest.to_json() + "\n")
            .map_err(|e| anyhow::anyhow!("writing the manifest {}: {e}", path.display()))?;
    }
    if args.json {
        let lines: Vec<String> = rows.iter().map(serde_json::to_string).collect::<Result<_, _>>()?;
        emit(&(lines.join("\n") + "\n"))
    } else {
        emit(&render_folds(&rows))
    }
}

#[cfg(feature = "shm")]
fn shm(command: ShmCommand) -> anyhow::Result<()> {
    use crate::shm_cmd;
    let text = match command {
        ShmCommand::Publish { source, name, data } => {
            let mut sources =
                load_source(&source, SyntheticBars { symbols: 1, ..data.bars() }, &LoadOptions::default())?;
            if sources.len() != 1 {
                bail!("`shm publish` takes one file (or `demo`); `{source}` holds {} symbols", sources.len());
            }
            shm_cmd::publish_kept(&name, &sources.remove(0).frame)?
        }
        ShmCommand::Ls => shm_cmd::list_table(),
        ShmCommand::Attach { name, verify } => shm_cmd::describe_attached(&name, verify)?,
        ShmCommand::Gc { datasets: false, .. } => shm_cmd::collect_garbage(),
        ShmCommand::Gc { datasets: true, older_than, unused_for, budget_bytes } => {
            shm_cmd::collect_datasets(older_than, unused_for, budget_bytes)?
        }
        ShmCommand::Rm { name } => shm_cmd::remove_segment(&name)?,
    };
    emit(&text)
}

/// Writes `text` to standard output; a closed pipe (`isolation folds ... | head`) is not an error.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
