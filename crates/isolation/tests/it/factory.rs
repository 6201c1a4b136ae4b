//! The factory: which mode a workload gets on a given machine, and why, in plain words.
#![cfg(feature = "view")]

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array};
use isolation::{
    CreateOptions, FactoryConfig, IsolationError, IsolationFactory, IsolationMode, Resources, Split,
    TimeFrame, Workload, available_modes,
};
use proptest::prelude::*;

const MIB: u64 = 1 << 20;
const GIB: u64 = 1024 * MIB;

/// `available` bytes of memory and `shm_free` bytes free in /dev/shm.
fn machine(available: u64, shm_free: Option<u64>) -> Resources {
    Resources { available_bytes: Some(available), shm_free_bytes: shm_free }
}

fn workload(dataset_bytes: u64, will_write: bool, readers: usize, copies: usize) -> Workload {
    Workload { dataset_bytes, will_write, readers, copies }
}

/// The decision (or error) rendered as the mode, then one reason per line.
fn render(result: Result<isolation::Decision, IsolationError>) -> String {
    match result {
        Ok(decision) => {
            let reasons: Vec<String> = decision.reasons.iter().map(|r| format!("- {r}")).collect();
            format!("{}\n{}", decision.mode, reasons.join("\n"))
        }
        Err(error) => format!("error: {error}"),
    }
}

/// Decides with the default thresholds and compares the rendered decision.
fn check(requested: Option<IsolationMode>, workload: Workload, resources: Resources, expect: &str) {
    let got = render(IsolationFactory::default().decide(requested, &workload, &resources));
    assert_eq!(got, expect.trim(), "{requested:?} {workload:?} {resources:?}");
}

#[test]
fn small_read_only_data_is_deep_copied() {
    check(
        None,
        workload(1000, false, 1, 1),
        machine(8 * GIB, Some(4 * GIB)),
        "
deep-copy
- 1000 B dataset, one process, 8.0 GiB available: a deep copy adds 1000 B, under the 1.0 MiB small-dataset threshold, so full separation costs little and shares nothing
- the deep copy's 1000 B fits in the 6.0 GiB usable of 8.0 GiB available (25% kept free)",
    );
    // Folds multiply the copy: 5 folds of 300 KiB pass the 1 MiB threshold.
    check(
        None,
        workload(300 << 10, false, 1, 5),
        machine(8 * GIB, None),
        "
view
- 300.0 KiB dataset, one process, 8.0 GiB available: a deep copy would add 1.5 MiB (5 copies of 300.0 KiB), at or over the 1.0 MiB small-dataset threshold; views share the base and add O(columns) bytes each",
    );
}

#[test]
fn large_or_unfitting_read_only_data_gets_views() {
    check(
        None,
        workload(3 * GIB, false, 1, 1),
        machine(16 * GIB, Some(8 * GIB)),
        "
view
- 3.0 GiB dataset, one process, 16.0 GiB available: a deep copy would add 3.0 GiB, at or over the 1.0 MiB small-dataset threshold; views share the base and add O(columns) bytes each",
    );
    // Small, but the machine is nearly out of memory.
    check(
        None,
        workload(900 << 10, false, 1, 1),
        machine(1000 << 10, None),
        "
view
- 900.0 KiB dataset, one process, 1000.0 KiB available: a deep copy adds 900.0 KiB, under the 1.0 MiB small-dataset threshold, so full separation costs little and shares nothing
- a deep copy needs 900.0 KiB, more than the 750.0 KiB usable of 1000.0 KiB available (25% kept free as a safety margin)",
    );
    // Without memory figures the factory does not gamble on a copy.
    check(
        None,
        workload(1000, false, 1, 1),
        Resources { available_bytes: None, shm_free_bytes: None },
        "
view
- 1000 B dataset, one process, available memory unknown: a deep copy adds 1000 B, under the 1.0 MiB small-dataset threshold, so full separation costs little and shares nothing
- the OS does not report available memory, so the deep copy's 1000 B could not be checked",
    );
}

#[cfg(feature = "cow")]
#[test]
fn writers_get_copy_on_write() {
    check(
        None,
        workload(2 * GIB, true, 1, 1),
        machine(6 * GIB, Some(GIB)),
        "
cow
- 2.0 GiB dataset, one process, 6.0 GiB available, written to: copy-on-write shares the base for reading and copies only the chunks written",
    );
    check(
        None,
        workload(2 * GIB, true, 3, 1),
        machine(16 * GIB, Some(8 * GIB)),
        "
cow
- 2.0 GiB dataset, 3 reader processes, 16.0 GiB available, written to: copy-on-write shares the base for reading and copies only the chunks written
- shared memory is read-only, so each of the 3 processes keeps its own base and its writes stay private",
    );
}

#[cfg(feature = "shm")]
#[test]
fn several_processes_share_one_copy_when_dev_shm_has_room() {
    check(
        None,
        workload(2 * GIB + 100 * MIB, false, 4, 1),
        machine(6 * GIB, Some(4 * GIB)),
        "
shm
- 2.1 GiB dataset, 4 reader processes, 6.0 GiB available: shared memory keeps one copy for all of them
- /dev/shm has 4.0 GiB free: the 2.1 GiB segment fits with 25% kept free",
    );
    // Docker's default 64 MiB /dev/shm: say so and fall back to views.
    check(
        None,
        workload(2 * GIB + 100 * MIB, false, 4, 1),
        machine(6 * GIB, Some(64 * MIB)),
        "
view
- 2.1 GiB dataset, 4 reader processes, 6.0 GiB available: shared memory would keep one copy for all of them, but /dev/shm has only 64.0 MiB free, too little for a 2.1 GiB segment with 25% kept free (enlarge it, e.g. docker run --shm-size)
- falling back to views: each process loads its own base, and views add O(columns) bytes to it
- warning: 4 processes each loading 2.1 GiB need 8.4 GiB, more than the 4.5 GiB usable of 6.0 GiB available",
    );
    check(
        None,
        workload(GIB, false, 2, 1),
        machine(8 * GIB, None),
        "
view
- 1.0 GiB dataset, 2 reader processes, 8.0 GiB available: shared memory would keep one copy for all of them, but this system has no /dev/shm to hold it
- falling back to views: each process loads its own base, and views add O(columns) bytes to it",
    );
}

#[test]
fn requested_modes_are_checked_not_second_guessed() {
    check(
        Some(IsolationMode::View),
        workload(1000, false, 1, 1),
        machine(8 * GIB, None),
        "
view
- mode view was asked for",
    );
    check(
        Some(IsolationMode::DeepCopy),
        workload(3 * GIB, false, 1, 1),
        machine(8 * GIB, None),
        "
deep-copy
- mode deep-copy was asked for
- the deep copy's 3.0 GiB fits in the 6.0 GiB usable of 8.0 GiB available (25% kept free)",
    );
    check(
        Some(IsolationMode::View),
        workload(1000, true, 1, 1),
        machine(8 * GIB, None),
        "
view
- mode view was asked for
- warning: view data is read-only; writes need cow",
    );
}

#[test]
fn refusals_say_what_does_not_fit_and_what_to_do() {
    let factory = IsolationFactory::new(FactoryConfig { safety_margin: 0.5, ..FactoryConfig::default() });
    let refuse = |requested, workload: Workload, resources: Resources| {
        factory.decide(Some(requested), &workload, &resources).unwrap_err().to_string()
    };
    let messages = [
        // 5 GiB into 8 GiB available, half of it kept free.
        refuse(IsolationMode::DeepCopy, workload(5 * GIB, false, 1, 1), machine(8 * GIB, None)),
        // Five folds, each a full copy, in each of 3 processes.
        refuse(IsolationMode::DeepCopy, workload(GIB, false, 3, 5), machine(24 * GIB, None)),
    ];
    insta::assert_snapshot!(messages.join("\n"));
}

#[cfg(feature = "shm")]
#[test]
fn a_requested_segment_that_does_not_fit_in_dev_shm_is_refused() {
    let error = IsolationFactory::default()
        .decide(
            Some(IsolationMode::SharedMemory),
            &workload(GIB, false, 4, 1),
            &machine(8 * GIB, Some(64 * MIB)),
        )
        .unwrap_err();
    insta::assert_snapshot!(error.to_string());
}

fn resources() -> impl Strategy<Value = Resources> {
    (prop::option::of(0..64 * GIB), prop::option::of(0..16 * GIB))
        .prop_map(|(available_bytes, shm_free_bytes)| Resources { available_bytes, shm_free_bytes })
}

proptest! {
    /// Whatever the workload and machine, the factory never chooses a mode this build lacks, and always says why.
    #[test]
    fn chosen_modes_are_always_available(
        dataset_bytes in 0..32 * GIB, will_write: bool, readers in 0usize..16, copies in 0usize..12,
        resources in resources(), margin in 0.0f64..1.0,
    ) {
        let factory = IsolationFactory::new(FactoryConfig { safety_margin: margin, ..FactoryConfig::default() });
        let workload = workload(dataset_bytes, will_write, readers, copies);
        match factory.decide(None, &workload, &resources) {
            Ok(decision) => {
                prop_assert!(available_modes().contains(&decision.mode), "{decision:?}");
                prop_assert!(!decision.reasons.is_empty());
                if decision.mode == IsolationMode::DeepCopy {
                    let usable = resources.available_bytes.map(|a| (a as f64 * (1.0 - margin)) as u64);
                    prop_assert!(usable.is_none_or(|u| workload.deep_copy_bytes() <= u), "{decision:?}");
                }
            }
            // Only a writer without copy-on-write can be refused: its deep copy did not fit.
            Err(error) => {
                prop_assert!(will_write && !available_modes().contains(&IsolationMode::CopyOnWrite), "{error}");
                let is_deep_copy_refusal =
                    matches!(error, IsolationError::ModeUnavailable { mode: IsolationMode::DeepCopy, .. });
                prop_assert!(is_deep_copy_refusal, "{error}");
            }
        }
    }
}

fn bars(n_rows: usize) -> TimeFrame {
    let close: ArrayRef = Arc::new(Float64Array::from_iter_values((0..n_rows).map(|i| i as f64)));
    TimeFrame::try_new((0..n_rows as i64).collect::<Vec<_>>(), vec![("close".into(), close)]).unwrap()
}

#[test]
fn create_decides_from_the_rows_and_the_options() {
    let factory = IsolationFactory::default();
    let base = bars(100);
    let roomy =
        CreateOptions { resources: Some(machine(8 * GIB, Some(4 * GIB))), ..CreateOptions::default() };

    let (data, decision) = factory.create(&base, 10..20, Split::Test, &roomy).unwrap();
    assert_eq!(
        (data.n_rows(), data.mode(), decision.mode),
        (10, IsolationMode::DeepCopy, IsolationMode::DeepCopy)
    );
    assert!(decision.reasons[0].starts_with("160 B dataset, one process"), "{decision:?}");

    let view = CreateOptions { mode: Some(IsolationMode::View), ..roomy };
    let (data, decision) = factory.create(&base, 0..100, Split::Full, &view).unwrap();
    assert_eq!((data.mode(), decision.reasons[0].as_str()), (IsolationMode::View, "mode view was asked for"));

    assert!(matches!(
        factory.create(&base, 90..101, Split::Test, &roomy),
        Err(IsolationError::Frame(_) | IsolationError::RowOutOfBounds { .. })
    ));

    // Several readers choose shared memory where the build has it, and the factory makes what it chose: the
    // rows published as a segment of their own, read from the mapping, equal to the base's rows.
    let readers = CreateOptions { readers: 4, ..roomy };
    let (data, decision) = factory.create(&base, 10..60, Split::Test, &readers).unwrap();
    assert_eq!(data.mode(), decision.mode);
    assert_eq!(data.to_frame(), base.slice(10..60).unwrap());
    if available_modes().contains(&IsolationMode::SharedMemory) {
        assert_eq!(decision.mode, IsolationMode::SharedMemory);
        let mut set = isolation::BufferSet::new();
        data.add_buffers_to(&mut set);
        assert!(set.breakdown().mapped_bytes > 0, "the data is read from a mapped segment");
    } else {
        assert_eq!(decision.mode, IsolationMode::View);
    }
}

#[cfg(feature = "cow")]
#[test]
fn create_gives_writers_copy_on_write_data() {
    let options =
        CreateOptions { will_write: true, resources: Some(machine(GIB, None)), ..CreateOptions::default() };
    let (data, decision) =
        IsolationFactory::default().create(&bars(50), 0..50, Split::Train, &options).unwrap();
    assert_eq!((data.mode(), decision.mode), (IsolationMode::CopyOnWrite, IsolationMode::CopyOnWrite));
}
