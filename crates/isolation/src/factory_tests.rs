//! The factory's decisions in builds without a backend. `cargo test` builds this crate with every backend
//! (its dev-dependency on itself turns them on), so these tests give the factory a narrower `has`
//! and check that it says which feature to enable, as a build without `cow` or `shm` would.

use isolation_core::{IsolationError, IsolationMode};

use crate::factory::IsolationFactory;
use crate::workload::{Decision, Resources, Workload};

const GIB: u64 = 1 << 30;

fn without(missing: IsolationMode) -> fn(IsolationMode) -> bool {
    match missing {
        IsolationMode::CopyOnWrite => |m| m != IsolationMode::CopyOnWrite,
        IsolationMode::SharedMemory => |m| m != IsolationMode::SharedMemory,
        IsolationMode::View | IsolationMode::DeepCopy => |m| matches!(m, IsolationMode::CopyOnWrite),
    }
}

fn factory_without(missing: IsolationMode) -> IsolationFactory {
    let mut factory = IsolationFactory::default();
    factory.has = without(missing);
    factory
}

fn machine(available: u64, shm_free: Option<u64>) -> Resources {
    Resources { available_bytes: Some(available), shm_free_bytes: shm_free }
}

fn workload(dataset_bytes: u64, will_write: bool, readers: usize, copies: usize) -> Workload {
    Workload { dataset_bytes, will_write, readers, copies }
}

/// The decision (or error) as the mode, then one reason per line.
fn render(result: Result<Decision, IsolationError>) -> String {
    match result {
        Ok(decision) => {
            let reasons: Vec<String> = decision.reasons.iter().map(|r| format!("- {r}")).collect();
            format!("{}\n{}", decision.mode, reasons.join("\n"))
        }
        Err(error) => format!("error: {error}"),
    }
}

#[test]
fn writers_without_cow_get_a_deep_copy_that_fits_or_an_error() {
    let factory = factory_without(IsolationMode::CopyOnWrite);
    let fits = factory.decide(None, &workload(GIB, true, 1, 1), &machine(8 * GIB, None));
    assert_eq!(
        render(fits),
        "deep-copy
- 1.0 GiB dataset, one process, 8.0 GiB available, written to: copy-on-write is not in this build (enable the `cow` feature of the `isolation` crate); a private copy can be changed without touching the base
- the deep copy's 1.0 GiB fits in the 6.0 GiB usable of 8.0 GiB available (25% kept free)"
    );
    let too_big = factory.decide(None, &workload(GIB, true, 1, 8), &machine(8 * GIB, None));
    assert_eq!(
        render(too_big),
        "error: isolation mode `deep-copy` is not available: the caller will write and copy-on-write is not in this build (enable the `cow` feature of the `isolation` crate), so only a deep copy would do, but a deep copy needs 8.0 GiB (8 copies of 1.0 GiB), more than the 6.0 GiB usable of 8.0 GiB available (25% kept free as a safety margin)"
    );
}

#[test]
fn several_processes_without_shm_get_views_and_the_feature_to_enable() {
    let factory = factory_without(IsolationMode::SharedMemory);
    let decision = factory.decide(None, &workload(GIB, false, 4, 1), &machine(8 * GIB, Some(4 * GIB)));
    assert_eq!(
        render(decision),
        "view
- 1.0 GiB dataset, 4 reader processes, 8.0 GiB available: shared memory would keep one copy for all of them, but it is not in this build (enable the `shm` feature of the `isolation` crate)
- falling back to views: each process loads its own base, and views add O(columns) bytes to it"
    );
}

#[test]
fn a_requested_mode_missing_from_the_build_names_the_feature() {
    let factory = factory_without(IsolationMode::CopyOnWrite);
    let error = factory
        .decide(Some(IsolationMode::CopyOnWrite), &Workload::read_only(1000), &machine(GIB, None))
        .unwrap_err();
    assert!(matches!(error, IsolationError::ModeUnavailable { mode: IsolationMode::CopyOnWrite, .. }));
    let text = error.to_string();
    assert!(text.contains("enable the `cow` feature"), "{text}");
    assert!(text.contains("available here: deep-copy, view, shm"), "{text}");
}

#[test]
fn a_build_with_only_cow_serves_readers_with_cow_frames() {
    let factory = factory_without(IsolationMode::View);
    let decision = factory.decide(None, &workload(GIB, false, 1, 1), &machine(8 * GIB, None)).unwrap();
    assert_eq!(decision.mode, IsolationMode::CopyOnWrite);
    assert!(decision.reasons.iter().any(|r| r.contains("enable the `view` feature")), "{decision:?}");
}
