//! `IsolationFactory`: isolated data in a chosen mode, or a mode chosen for reasons stated in plain words.

use std::ops::Range;
use std::sync::Arc;

use isolation_core::{IsolatedData, IsolationError, IsolationMode, Split};
use timeseries_array::TimeFrame;

use crate::backend::{is_available, isolate};
use crate::report::human_bytes;
use crate::workload::{CreateOptions, Decision, FactoryConfig, Resources, Workload};

/// Makes isolated data in a given mode, or chooses the mode for a workload and says why.
///
/// The choice, for a mode not given:
/// - the caller will write: copy-on-write (only the chunks written are copied);
/// - several reader processes: shared memory (one copy for all), if `/dev/shm` has room, else views;
/// - one read-only process: a deep copy when it adds less than [`FactoryConfig::small_dataset_bytes`] and
///   fits in memory, else views.
///
/// Only modes this build has (see [`crate::available_modes`]) are chosen. A deep copy, asked for or needed,
/// that would not fit in available memory minus the safety margin is refused with
/// [`IsolationError::ModeUnavailable`] before anything is allocated. Every mode it can choose it can also
/// create, shared memory included.
///
/// ```
/// use std::sync::Arc;
/// use isolation::arrow_array::Float64Array;
/// use isolation::{CreateOptions, IsolationFactory, IsolationMode, Split, TimeFrame};
///
/// let close = Arc::new(Float64Array::from_iter_values((0..10_000).map(f64::from)));
/// let bars = TimeFrame::try_new((0..10_000).collect::<Vec<i64>>(), vec![("close".into(), close)])?;
/// let factory = IsolationFactory::default();
///
/// // Eight reader processes: one shared copy beats eight private ones.
/// let options = CreateOptions { readers: 8, ..CreateOptions::default() };
/// let decision = factory.decide(None, &isolation::Workload { readers: 8, ..isolation::Workload::read_only(80_000) },
///     &isolation::Resources::current())?;
/// println!("{}: {}", decision.mode, decision.reasons.join(" "));
///
/// // A mode asked for is checked, then made.
/// let asked = CreateOptions { mode: Some(IsolationMode::View), ..options };
/// let (test, decision) = factory.create(&bars, 7_000..10_000, Split::Test, &asked)?;
/// assert_eq!((test.n_rows(), decision.mode), (3_000, IsolationMode::View));
/// # Ok::<(), isolation::IsolationError>(())
/// ```
#[derive(Debug, Clone)]
pub struct IsolationFactory {
    config: FactoryConfig,
    /// Which backends this build has (`is_available`; narrowed in the unit tests, see factory_tests.rs).
    pub(crate) has: fn(IsolationMode) -> bool,
}

impl Default for IsolationFactory {
    fn default() -> Self {
        Self::new(FactoryConfig::default())
    }
}

/// Whether a deep copy fits in memory, with the sentence that says so.
enum Room {
    Fits(String),
    DoesNotFit(String),
    Unknown(String),
}

impl IsolationFactory {
    /// A factory with the given thresholds.
    pub fn new(config: FactoryConfig) -> Self {
        Self { config, has: is_available }
    }

    /// The thresholds this factory decides by.
    pub fn config(&self) -> &FactoryConfig {
        &self.config
    }

    /// The mode for `workload` on a machine with `resources`: `requested` checked if given, else chosen.
    ///
    /// # Errors
    ///
    /// [`IsolationError::ModeUnavailable`] when the requested mode is not in this build, a requested or needed
    /// deep copy would not fit in available memory, a requested shared-memory segment would not fit in
    /// `/dev/shm`, or this build has no mode that suits the workload.
    pub fn decide(
        &self,
        requested: Option<IsolationMode>,
        workload: &Workload,
        resources: &Resources,
    ) -> Result<Decision, IsolationError> {
        match requested {
            Some(mode) => self.check_requested(mode, workload, resources),
            None if workload.will_write => self.for_writer(workload, resources),
            None if workload.readers() >= self.config.shared_memory_min_readers => {
                self.for_many_readers(workload, resources)
            }
            None => self.for_one_reader(workload, resources),
        }
    }

    /// Isolated data for `rows` of `base`, in `options.mode` if given, else in the mode
    /// [`IsolationFactory::decide`] chooses for the rows' bytes and the options' workload.
    ///
    /// # Errors
    ///
    /// Rows outside `base`, any error of [`IsolationFactory::decide`], or a segment that cannot be published.
    ///
    /// In shared-memory mode the rows are published as a segment of their own and read from the mapping;
    /// the segment is unlinked when the returned data (and every clone of it) is dropped. To hand a
    /// segment's name to worker processes, use [`crate::DataHandler`] in shared-memory mode
    /// (`segment_names`) or `isolation::shm::publish`.
    pub fn create(
        &self,
        base: &TimeFrame,
        rows: Range<usize>,
        split: Split,
        options: &CreateOptions,
    ) -> Result<(Arc<dyn IsolatedData>, Decision), IsolationError> {
        let workload = Workload {
            dataset_bytes: base.slice(rows.clone())?.visible_bytes(),
            will_write: options.will_write,
            readers: options.readers,
            copies: options.copies,
        };
        let resources = options.resources.unwrap_or_else(Resources::current);
        let decision = self.decide(options.mode, &workload, &resources)?;
        #[cfg(feature = "shm")]
        if decision.mode == IsolationMode::SharedMemory {
            let data = crate::shared::SegmentData::publish(base, rows, split)?;
            return Ok((Arc::new(data), decision));
        }
        let data = isolate(decision.mode, base, rows, split)?;
        Ok((data, decision))
    }

    fn check_requested(
        &self,
        mode: IsolationMode,
        w: &Workload,
        r: &Resources,
    ) -> Result<Decision, IsolationError> {
        if !(self.has)(mode) {
            let modes: Vec<&str> =
                IsolationMode::ALL.into_iter().filter(|m| (self.has)(*m)).map(|m| m.name()).collect();
            let reason = format!(
                "this build lacks its backend (enable the `{}` feature of the `isolation` crate); available here: {}",
                crate::backend::feature_of(mode).0,
                if modes.is_empty() { "none".to_string() } else { modes.join(", ") }
            );
            return Err(IsolationError::ModeUnavailable { mode, reason });
        }
        let mut reasons = vec![format!("mode {mode} was asked for")];
        match mode {
            IsolationMode::DeepCopy => match self.deep_copy_room(w, r) {
                Room::Fits(s) | Room::Unknown(s) => reasons.push(s),
                Room::DoesNotFit(s) => {
                    let reason =
                        format!("{s}; use view (read-only) or cow (writes), which copy nothing up front");
                    return Err(IsolationError::ModeUnavailable { mode, reason });
                }
            },
            IsolationMode::SharedMemory => match r.shm_free_bytes {
                Some(free) if w.dataset_bytes > self.usable(free) => {
                    let reason = format!(
                        "{}, and a full tmpfs raises SIGBUS later; enlarge /dev/shm or use view",
                        self.shm_too_small(w, free)
                    );
                    return Err(IsolationError::ModeUnavailable { mode, reason });
                }
                Some(free) => reasons.push(self.shm_fits(w, free)),
                None => {
                    reasons.push("the free space of /dev/shm is unknown: publishing may fail".to_string())
                }
            },
            IsolationMode::View | IsolationMode::CopyOnWrite => {}
        }
        if w.will_write && matches!(mode, IsolationMode::View | IsolationMode::SharedMemory) {
            reasons.push(format!("warning: {mode} data is read-only; writes need cow"));
        }
        Ok(Decision { mode, reasons })
    }

    fn for_writer(&self, w: &Workload, r: &Resources) -> Result<Decision, IsolationError> {
        let facts = facts(w, r);
        if (self.has)(IsolationMode::CopyOnWrite) {
            let mut reasons = vec![format!(
                "{facts}, written to: copy-on-write shares the base for reading and copies only the chunks written"
            )];
            if w.readers() > 1 {
                reasons.push(format!(
                    "shared memory is read-only, so each of the {} processes keeps its own base and its writes stay private",
                    w.readers()
                ));
            }
            return Ok(Decision { mode: IsolationMode::CopyOnWrite, reasons });
        }
        if !(self.has)(IsolationMode::DeepCopy) {
            let reason = "the caller will write, and this build has neither copy-on-write nor deep copies; \
                          enable the `cow` feature of the `isolation` crate"
                .to_string();
            return Err(IsolationError::ModeUnavailable { mode: IsolationMode::CopyOnWrite, reason });
        }
        let why = "copy-on-write is not in this build (enable the `cow` feature of the `isolation` crate)";
        match self.deep_copy_room(w, r) {
            Room::Fits(s) | Room::Unknown(s) => Ok(Decision {
                mode: IsolationMode::DeepCopy,
                reasons: vec![
                    format!(
                        "{facts}, written to: {why}; a private copy can be changed without touching the base"
                    ),
                    s,
                ],
            }),
            Room::DoesNotFit(s) => Err(IsolationError::ModeUnavailable {
                mode: IsolationMode::DeepCopy,
                reason: format!("the caller will write and {why}, so only a deep copy would do, but {s}"),
            }),
        }
    }

    fn for_many_readers(&self, w: &Workload, r: &Resources) -> Result<Decision, IsolationError> {
        let one_copy = format!("{}: shared memory would keep one copy for all of them", facts(w, r));
        if !(self.has)(IsolationMode::SharedMemory) {
            let first = format!(
                "{one_copy}, but it is not in this build (enable the `shm` feature of the `isolation` crate)"
            );
            return self.read_only_fallback(first, w, r);
        }
        match r.shm_free_bytes {
            Some(free) if w.dataset_bytes <= self.usable(free) => Ok(Decision {
                mode: IsolationMode::SharedMemory,
                reasons: vec![
                    format!("{}: shared memory keeps one copy for all of them", facts(w, r)),
                    self.shm_fits(w, free),
                ],
            }),
            Some(free) => self.read_only_fallback(
                format!(
                    "{one_copy}, but {} (enlarge it, e.g. docker run --shm-size)",
                    self.shm_too_small(w, free)
                ),
                w,
                r,
            ),
            None => self.read_only_fallback(
                format!("{one_copy}, but this system has no /dev/shm to hold it"),
                w,
                r,
            ),
        }
    }

    fn for_one_reader(&self, w: &Workload, r: &Resources) -> Result<Decision, IsolationError> {
        let facts = facts(w, r);
        let copy = copy_bytes(w);
        let limit = human_bytes(self.config.small_dataset_bytes);
        if w.deep_copy_bytes() >= self.config.small_dataset_bytes || !(self.has)(IsolationMode::DeepCopy) {
            let first = format!(
                "{facts}: a deep copy would add {copy}, at or over the {limit} small-dataset threshold; \
                 views share the base and add O(columns) bytes each"
            );
            return self.read_only_fallback(first, w, r);
        }
        let first = format!(
            "{facts}: a deep copy adds {copy}, under the {limit} small-dataset threshold, \
             so full separation costs little and shares nothing"
        );
        match self.deep_copy_room(w, r) {
            Room::Fits(s) => Ok(Decision { mode: IsolationMode::DeepCopy, reasons: vec![first, s] }),
            Room::DoesNotFit(s) | Room::Unknown(s) => {
                let mut decision = self.read_only_fallback(s, w, r)?;
                decision.reasons.insert(0, first);
                Ok(decision)
            }
        }
    }

    /// Views (or, without them, copy-on-write frames) for read-only data, `first` saying why not better.
    fn read_only_fallback(
        &self,
        first: String,
        w: &Workload,
        r: &Resources,
    ) -> Result<Decision, IsolationError> {
        let mut reasons = vec![first];
        let mode = if (self.has)(IsolationMode::View) {
            if w.readers() > 1 {
                reasons.push("falling back to views: each process loads its own base, and views add O(columns) bytes to it".to_string());
            }
            IsolationMode::View
        } else if (self.has)(IsolationMode::CopyOnWrite) {
            reasons.push(
                "views are not in this build (enable the `view` feature of the `isolation` crate): \
                 copy-on-write frames share the base for reading just as well"
                    .to_string(),
            );
            IsolationMode::CopyOnWrite
        } else {
            let reason =
                "this build has no read-only backend; enable the `view` feature of the `isolation` crate";
            return Err(IsolationError::ModeUnavailable {
                mode: IsolationMode::View,
                reason: reason.to_string(),
            });
        };
        let bases = w.dataset_bytes.saturating_mul(w.readers() as u64);
        if let Some(available) = r.available_bytes.filter(|&a| w.readers() > 1 && bases > self.usable(a)) {
            reasons.push(format!(
                "warning: {} processes each loading {} need {}, more than the {} usable of {} available",
                w.readers(),
                human_bytes(w.dataset_bytes),
                human_bytes(bases),
                human_bytes(self.usable(available)),
                human_bytes(available)
            ));
        }
        Ok(Decision { mode, reasons })
    }

    fn deep_copy_room(&self, w: &Workload, r: &Resources) -> Room {
        let copy = copy_bytes(w);
        let Some(available) = r.available_bytes else {
            return Room::Unknown(format!(
                "the OS does not report available memory, so the deep copy's {copy} could not be checked"
            ));
        };
        let fits = w.deep_copy_bytes() <= self.usable(available);
        let (usable, available, margin) =
            (human_bytes(self.usable(available)), human_bytes(available), self.margin_percent());
        if fits {
            Room::Fits(format!(
                "the deep copy's {copy} fits in the {usable} usable of {available} available ({margin}% kept free)"
            ))
        } else {
            Room::DoesNotFit(format!(
                "a deep copy needs {copy}, more than the {usable} usable of {available} available ({margin}% kept free as a safety margin)"
            ))
        }
    }

    fn shm_fits(&self, w: &Workload, free: u64) -> String {
        format!(
            "/dev/shm has {} free: the {} segment fits with {}% kept free",
            human_bytes(free),
            human_bytes(w.dataset_bytes),
            self.margin_percent()
        )
    }

    fn shm_too_small(&self, w: &Workload, free: u64) -> String {
        format!(
            "/dev/shm has only {} free, too little for a {} segment with {}% kept free",
            human_bytes(free),
            human_bytes(w.dataset_bytes),
            self.margin_percent()
        )
    }

    /// The part of `bytes` a plan may use after the safety margin.
    fn usable(&self, bytes: u64) -> u64 {
        (bytes as f64 * (1.0 - self.margin())) as u64
    }

    fn margin(&self) -> f64 {
        if self.config.safety_margin.is_nan() { 0.0 } else { self.config.safety_margin.clamp(0.0, 1.0) }
    }

    fn margin_percent(&self) -> u32 {
        (self.margin() * 100.0).round() as u32
    }
}

/// "2.1 GiB dataset, 4 reader processes, 6.0 GiB available".
fn facts(w: &Workload, r: &Resources) -> String {
    let readers = match w.readers() {
        1 => "one process".to_string(),
        n => format!("{n} reader processes"),
    };
    let available = r
        .available_bytes
        .map_or("available memory unknown".to_string(), |a| format!("{} available", human_bytes(a)));
    format!("{} dataset, {readers}, {available}", human_bytes(w.dataset_bytes))
}

/// A deep copy's bytes, with how they add up when there is more than one copy.
fn copy_bytes(w: &Workload) -> String {
    let total = human_bytes(w.deep_copy_bytes());
    let size = human_bytes(w.dataset_bytes);
    let copies = match w.copies.max(1) {
        1 => "one copy".to_string(),
        n => format!("{n} copies"),
    };
    match (w.copies.max(1), w.readers()) {
        (1, 1) => total,
        (_, 1) => format!("{total} ({copies} of {size})"),
        (_, n) => format!("{total} ({copies} of {size} in each of {n} processes)"),
    }
}
