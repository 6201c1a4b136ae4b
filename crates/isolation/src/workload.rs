//! What the factory decides from and what it returns: its thresholds ([`FactoryConfig`]), the caller's
//! workload ([`Workload`], [`CreateOptions`]), the machine's memory ([`Resources`]) and the choice with its
//! reasons ([`Decision`]). The decision itself is in `factory.rs`.

use isolation_core::IsolationMode;
use memtrack::SystemMemory;
use serde::Serialize;

/// Thresholds the factory decides by. [`FactoryConfig::default`] gives the documented defaults.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactoryConfig {
    /// A read-only, single-process workload whose deep copy adds fewer bytes than this is deep-copied: full
    /// separation costs almost nothing. Default 1 MiB.
    pub small_dataset_bytes: u64,
    /// From this many reader processes on, shared memory is chosen so that they all map one copy. Default 2.
    pub shared_memory_min_readers: usize,
    /// Fraction of available memory, and of free `/dev/shm` space, that a plan must leave untouched: a deep
    /// copy must fit in `(1 - safety_margin) × available`, a segment in `(1 - safety_margin) × free`.
    /// Clamped to `0.0..=1.0`. Default 0.25.
    pub safety_margin: f64,
}

impl Default for FactoryConfig {
    fn default() -> Self {
        Self { small_dataset_bytes: 1 << 20, shared_memory_min_readers: 2, safety_margin: 0.25 }
    }
}

/// What the caller will do with the data: the inputs of the factory's choice besides the machine's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Workload {
    /// Bytes of the data to isolate (the rows' visible bytes).
    pub dataset_bytes: u64,
    /// The caller will change values: views and shared memory are read-only, copy-on-write is not.
    pub will_write: bool,
    /// Processes that will read the data, this one included; 0 counts as 1.
    pub readers: usize,
    /// Copies of `dataset_bytes` a deep copy would make in each process: 1 for a train/test split (together
    /// they are the dataset), the number of folds for folds that each span it; 0 counts as 1.
    pub copies: usize,
}

impl Workload {
    /// One process reading `dataset_bytes` once, writing nothing.
    pub fn read_only(dataset_bytes: u64) -> Self {
        Self { dataset_bytes, will_write: false, readers: 1, copies: 1 }
    }

    /// Bytes a deep copy would add: `dataset_bytes × copies × readers`, saturating.
    pub fn deep_copy_bytes(&self) -> u64 {
        self.dataset_bytes.saturating_mul(self.copies.max(1) as u64).saturating_mul(self.readers() as u64)
    }

    pub(crate) fn readers(&self) -> usize {
        self.readers.max(1)
    }
}

/// The machine's memory as the factory sees it. Pass figures explicitly to test or plan; [`Resources::current`]
/// reads them from the OS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Resources {
    /// Memory available for new allocations without swapping; `None` where the OS does not say.
    pub available_bytes: Option<u64>,
    /// Free space of the shared-memory filesystem (`/dev/shm`); `None` where there is none or it is unknown.
    pub shm_free_bytes: Option<u64>,
}

impl Resources {
    /// The figures of this machine now (both `None` where the OS gives none).
    pub fn current() -> Self {
        SystemMemory::current().map_or(Self { available_bytes: None, shm_free_bytes: None }, Self::from)
    }
}

impl From<SystemMemory> for Resources {
    fn from(system: SystemMemory) -> Self {
        Self {
            available_bytes: Some(system.available_bytes),
            shm_free_bytes: system.shm.map(|s| s.free_bytes),
        }
    }
}

/// The mode the factory chose and why, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The chosen mode.
    pub mode: IsolationMode,
    /// Why, one sentence each; the first gives the workload and the choice, later ones the checks behind it.
    pub reasons: Vec<String>,
}

/// How [`IsolationFactory::create`] should make the data. `Default`: mode chosen, read-only, one process,
/// one copy, memory read from the OS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CreateOptions {
    /// The mode to use; `None` lets the factory choose.
    pub mode: Option<IsolationMode>,
    /// See [`Workload::will_write`].
    pub will_write: bool,
    /// See [`Workload::readers`].
    pub readers: usize,
    /// See [`Workload::copies`].
    pub copies: usize,
    /// Memory figures to decide by; `None` reads them from the OS ([`Resources::current`]).
    pub resources: Option<Resources>,
}

impl Default for CreateOptions {
    fn default() -> Self {
        Self { mode: None, will_write: false, readers: 1, copies: 1, resources: None }
    }
}
