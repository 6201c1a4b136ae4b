//! Dataset segments shared once per machine: racing processes, refusal of a segment whose content does
//! not match its name, and the spill directory for datasets that do not fit in memory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::Float64Array;
use isolation_shm::{
    NodeLocation, NodeOptions, PublishOptions, ShmError, dataset_segment_name, list_segments_in,
};
use timeseries_array::TimeFrame;

/// Set in the child processes of `eight_processes_race_to_one_segment` to the shared directory.
const CHILD_DIR: &str = "ISOLATION_TEST_NODE_RACE_DIR";

fn frame(rows: usize, seed: f64) -> TimeFrame {
    let close = Arc::new(Float64Array::from_iter_values((0..rows).map(|i| seed + i as f64 * 0.25)));
    let index: Vec<i64> = (0..rows as i64).map(|i| 1_600_000_000_000_000_000 + i * 60_000_000_000).collect();
    TimeFrame::try_new(index, vec![("close".into(), close)]).expect("valid frame")
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("isolation-node-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// One racer (run as a child process by the test below; ignored in a normal run).
#[test]
#[ignore = "run as a child process by eight_processes_race_to_one_segment"]
fn node_race_child() {
    let dir = PathBuf::from(std::env::var_os(CHILD_DIR).expect("started by the race test"));
    let data = frame(300_000, 7.0);
    let fingerprint = data.fingerprint();
    // Start together: wait for the parent's go file.
    let go = dir.join("go");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !go.exists() {
        assert!(Instant::now() < deadline, "no go signal");
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut loads = 0;
    let shared = NodeOptions::new()
        .with_dir(&dir)
        .share(&fingerprint, || {
            loads += 1;
            Ok::<_, ShmError>(data.clone())
        })
        .expect("shared");
    assert_eq!(shared.frame(), &data);
    println!("RACER published={} loads={loads} name={}", shared.published(), shared.name());
}

#[test]
fn eight_processes_race_to_one_segment() {
    let dir = temp_dir("race");
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = (0..8)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "node_share::node_race_child",
                    "--exact",
                    "--ignored",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD_DIR, &dir)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn racer")
        })
        .collect();
    std::fs::write(dir.join("go"), b"").expect("go");
    let mut published = 0;
    let mut loads = 0;
    let expected_name = dataset_segment_name(&frame(300_000, 7.0).fingerprint());
    for child in children {
        let out = child.wait_with_output().expect("racer finished");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "racer failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        // The harness may print `test node_share::node_race_child ... ` on the same line first.
        let line = stdout.lines().find_map(|l| l.split_once("RACER ")).expect("racer report").1;
        assert!(line.contains(&format!("name={expected_name}")), "{line}");
        published += usize::from(line.contains("published=true"));
        loads += usize::from(line.contains("loads=1"));
    }
    assert_eq!(published, 1, "exactly one racer publishes");
    assert_eq!(loads, 1, "exactly one racer loads the data");
    let segments: Vec<String> = list_segments_in(&dir).into_iter().map(|s| s.name).collect();
    assert_eq!(segments, vec![expected_name.clone()], "one segment on the machine");
    isolation_shm::remove_in(&dir, &expected_name).expect("removed");
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn a_segment_whose_content_differs_from_its_name_is_refused() {
    let dir = temp_dir("mismatch");
    let wanted = frame(100, 1.0);
    let planted = frame(100, 2.0);
    let fingerprint = wanted.fingerprint();
    let name = dataset_segment_name(&fingerprint);
    let _planted = PublishOptions::new().with_dir(&dir).publish(&name, &planted).expect("planted");
    let node = NodeOptions::new().with_dir(&dir);
    match node.attach(&fingerprint) {
        Err(ShmError::FingerprintMismatch { name: n, expected, found }) => {
            assert_eq!((n, expected, found), (name.clone(), fingerprint.clone(), planted.fingerprint()));
        }
        other => panic!("expected a fingerprint mismatch, got {other:?}"),
    }
    let shared = node.share(&fingerprint, || Ok::<_, ShmError>(wanted.clone()));
    assert!(matches!(shared, Err(ShmError::FingerprintMismatch { .. })), "{shared:?}");
    drop(_planted);
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn a_loader_returning_other_data_is_refused() {
    let dir = temp_dir("loader");
    let wanted = frame(50, 1.0).fingerprint();
    let err = NodeOptions::new()
        .with_dir(&dir)
        .share(&wanted, || Ok::<_, ShmError>(frame(50, 3.0)))
        .expect_err("other data");
    assert!(err.to_string().contains(&wanted), "{err}");
    assert!(list_segments_in(&dir).is_empty(), "nothing published");
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

fn segments(dir: &Path) -> Vec<String> {
    list_segments_in(dir).into_iter().map(|s| s.name).collect()
}

#[test]
fn a_dataset_too_big_for_memory_spills_to_the_named_directory() {
    let memory = temp_dir("memory");
    let spill = temp_dir("spill");
    let data = frame(10_000, 5.0);
    let fingerprint = data.fingerprint();
    let small = NodeOptions::new().with_dir(&memory).memory_limit(1024);

    let err = small.clone().share(&fingerprint, || Ok::<_, ShmError>(data.clone())).expect_err("no room");
    assert!(matches!(err, ShmError::NoSpillDir { .. }), "{err:?}");
    assert!(err.to_string().contains("ISOLATION_SPILL_DIR"), "{err}");

    let spilled =
        small.clone().with_spill_dir(&spill).share(&fingerprint, || Ok::<_, ShmError>(data.clone()));
    let spilled = spilled.expect("spilled");
    assert_eq!(spilled.location(), &NodeLocation::Spilled);
    assert!(spilled.published());
    assert_eq!(spilled.frame(), &data);
    assert!(segments(&memory).is_empty());
    assert_eq!(segments(&spill), vec![dataset_segment_name(&fingerprint)]);

    // Another task with the same options finds it in the spill directory.
    let again = small.with_spill_dir(&spill).attach(&fingerprint).expect("attach").expect("found");
    assert_eq!((again.location(), again.published()), (&NodeLocation::Spilled, false));
    isolation_shm::remove_in(&spill, spilled.name()).expect("removed");
    std::fs::remove_dir_all(&memory).expect("cleanup");
    std::fs::remove_dir_all(&spill).expect("cleanup");
}

/// Sets the attach stamp of dataset `name` in `dir` to `ago` before now.
fn stamp(dir: &Path, name: &str, ago: Duration) {
    let lock = dir.join(format!(".isolation.{name}.lock"));
    let file = std::fs::OpenOptions::new().write(true).open(&lock).expect("a dataset has a lock file");
    file.set_modified(std::time::SystemTime::now() - ago).unwrap();
}

#[test]
fn dataset_segments_are_collected_by_idleness_and_budget_never_while_mapped() {
    let dir = temp_dir("datasets-gc");
    let node = NodeOptions::new().with_dir(&dir);
    let frames: Vec<TimeFrame> = (0..3).map(|i| frame(20_000, f64::from(i))).collect();
    let names: Vec<String> = frames.iter().map(|f| dataset_segment_name(&f.fingerprint())).collect();
    for f in &frames {
        drop(node.share(&f.fingerprint(), || Ok::<_, ShmError>(f.clone())).unwrap());
    }
    let day = Duration::from_secs(86_400);
    stamp(&dir, &names[0], 3 * day); // idle for three days
    stamp(&dir, &names[1], 2 * day);
    let held = node.attach(&frames[0].fingerprint()).unwrap().unwrap(); // mapped now, and stamped now
    stamp(&dir, &names[0], 5 * day); // idle by its stamp, but mapped: never removed

    let idle = isolation_shm::DatasetPolicy { unused_for: Some(day), ..Default::default() };
    let removed: Vec<String> =
        isolation_shm::gc_datasets_in(&dir, &idle).into_iter().map(|s| s.name).collect();
    assert_eq!(removed, [names[1].clone()]);
    assert!(!dir.join(format!(".isolation.{}.lock", names[1])).exists(), "the lock file went with it");

    // A budget of one dataset: the mapped one counts and stays, so the other idle one goes.
    let size = list_segments_in(&dir)[0].size_bytes;
    let budget = isolation_shm::DatasetPolicy { budget_bytes: Some(size), ..Default::default() };
    let removed: Vec<String> =
        isolation_shm::gc_datasets_in(&dir, &budget).into_iter().map(|s| s.name).collect();
    assert_eq!(removed, [names[2].clone()]);
    let left: Vec<String> = list_segments_in(&dir).into_iter().map(|s| s.name).collect();
    assert_eq!(left, [names[0].clone()]);

    // Unmapped, the last one goes by age; `remove_in` of a dataset also removes its lock file.
    drop(held);
    let old = isolation_shm::DatasetPolicy { older_than: Some(Duration::ZERO), ..Default::default() };
    assert_eq!(isolation_shm::gc_datasets_in(&dir, &old).len(), 1);
    let again = &frames[0];
    let shared = node.share(&again.fingerprint(), || Ok::<_, ShmError>(again.clone())).unwrap();
    drop(shared);
    isolation_shm::remove_in(&dir, &names[0]).unwrap();
    let rest: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(rest.is_empty(), "left behind: {rest:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
