//! Several processes: workers attach by name and share the pages; a killed publisher's segment is reclaimed.
//!
//! Child processes re-run this test binary with `ROLE_ENV` set, selecting one test function as their entry.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::common::{TestDir, f64_frame, unique_name};
use isolation_shm::{AttachOptions, PublishOptions, SmapsRollup, gc_in, list_segments_in};

const ROLE_ENV: &str = "ISOLATION_SHM_TEST_ROLE";
const NAME_ENV: &str = "ISOLATION_SHM_TEST_NAME";

/// Runs this test binary's test `entry` as a child with `role`, stdout piped.
fn spawn_child(entry: &str, role: &str, name: &str, dir: &TestDir) -> Child {
    Command::new(std::env::current_exe().expect("test binary path"))
        .args(["--exact", entry, "--nocapture", "--test-threads=1"])
        .env(ROLE_ENV, role)
        .env(NAME_ENV, name)
        .env(isolation_shm::DIR_ENV, dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn child")
}

/// What follows `prefix` on the first stdout line of `child` that has it.
fn read_tagged_line(child: &mut Child, prefix: &str) -> String {
    let stdout = child.stdout.as_mut().expect("piped stdout");
    // libtest prints `test <name> ... ` before the test's own output, on the same line.
    let line = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.split_once(prefix).map(|(_, rest)| rest.to_string()));
    line.unwrap_or_else(|| panic!("child printed no `{prefix}` line"))
}

/// What one worker measures: the checksum of column `a` and its USS before attaching and after reading.
fn work(name: &str) -> (f64, u64, u64) {
    let before = SmapsRollup::current().expect("smaps_rollup").uss_bytes;
    let attached = AttachOptions::new().attach(name).expect("worker attaches by name");
    let sum: f64 = attached.frame().f64_column("a").expect("column a").iter().sum();
    let after = SmapsRollup::current().expect("smaps_rollup").uss_bytes;
    (sum, before, after)
}

/// Child entry for the worker role (prints `WORKER sum uss_before uss_after`). Run without the role, it
/// checks the worker logic in this process.
#[test]
fn worker_entry() {
    if std::env::var(ROLE_ENV).as_deref() == Ok("worker") {
        let (sum, before, after) = work(&std::env::var(NAME_ENV).expect("name"));
        println!("WORKER {} {before} {after}", sum.to_bits());
        return;
    }
    let dir = TestDir::new("worker-inproc");
    let name = unique_name("worker-inproc");
    let frame = f64_frame(1000);
    let _publisher = PublishOptions::new().with_dir(dir.path()).publish(&name, &frame).unwrap();
    let attached = AttachOptions::new().with_dir(dir.path()).attach(&name).unwrap();
    let sum: f64 = attached.frame().f64_column("a").unwrap().iter().sum();
    assert_eq!(sum, frame.f64_column("a").unwrap().iter().sum::<f64>());
}

/// Child entry for the publisher role: publishes, prints `READY`, then waits on stdin until killed. Run
/// without the role, it checks that a dropped publisher leaves nothing to collect.
#[test]
fn publisher_entry() {
    if std::env::var(ROLE_ENV).as_deref() == Ok("publisher") {
        let name = std::env::var(NAME_ENV).expect("name");
        let _publisher = PublishOptions::new().publish(&name, &f64_frame(10_000)).expect("child publishes");
        println!("READY");
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        return;
    }
    let dir = TestDir::new("publisher-inproc");
    drop(PublishOptions::new().with_dir(dir.path()).publish(&unique_name("p"), &f64_frame(10)).unwrap());
    assert!(list_segments_in(dir.path()).is_empty());
    assert!(gc_in(dir.path()).is_empty());
}

#[cfg(target_os = "linux")]
#[test]
fn workers_attach_by_name_and_share_the_pages() {
    const N_WORKERS: usize = 3;
    let dir = TestDir::new("workers");
    let name = unique_name("workers");
    let frame = f64_frame(2_000_000); // 48 MB: timestamps and two f64 columns
    let publisher = PublishOptions::new().with_dir(dir.path()).publish(&name, &frame).unwrap();
    // The parent maps and touches every page too, so the pages are shared from the first worker on.
    let parent = AttachOptions::new().with_dir(dir.path()).attach(&name).unwrap();
    let expected: f64 = parent.frame().f64_column("a").unwrap().iter().sum();
    assert_eq!(expected, frame.f64_column("a").unwrap().iter().sum::<f64>());

    let mut children: Vec<Child> =
        (0..N_WORKERS).map(|_| spawn_child("multiprocess::worker_entry", "worker", &name, &dir)).collect();
    for child in &mut children {
        let line = read_tagged_line(child, "WORKER ");
        assert!(child.wait().expect("worker exits").success());
        let fields: Vec<u64> = line.split_whitespace().map(|f| f.parse().expect("numbers")).collect();
        let (sum, uss_before, uss_after) = (f64::from_bits(fields[0]), fields[1], fields[2]);
        assert_eq!(sum, expected, "worker checksum");
        let growth = uss_after.saturating_sub(uss_before);
        assert!(
            growth < publisher.size_bytes() / 10,
            "a worker's private memory grew by {growth} bytes for a {} byte segment",
            publisher.size_bytes()
        );
    }
}

#[cfg(unix)]
#[test]
fn a_killed_publishers_segment_is_reclaimed_by_gc() {
    let dir = TestDir::new("kill");
    let name = unique_name("kill");
    let mut child = spawn_child("multiprocess::publisher_entry", "publisher", &name, &dir);
    read_tagged_line(&mut child, "READY");
    let listed = list_segments_in(dir.path());
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].owner_pid, Some(child.id()));
    assert!(listed[0].owner_alive);
    assert!(gc_in(dir.path()).is_empty(), "a live owner's segment stays");

    child.kill().expect("SIGKILL"); // kill -9: no destructor runs
    child.wait().expect("reap the child, so its pid is gone");
    let path = isolation_shm::segment_path(dir.path(), &name);
    assert!(path.exists(), "a killed publisher leaves its segment behind");
    let stale = list_segments_in(dir.path());
    assert!(stale[0].is_stale() && !stale[0].owner_alive);

    let reclaimed = gc_in(dir.path());
    assert_eq!(reclaimed.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), vec![name.as_str()]);
    assert!(!path.exists());
}

#[test]
fn a_forked_child_never_unlinks_its_parents_segment() {
    let dir = TestDir::new("fork");
    let name = unique_name("fork");
    let publisher = PublishOptions::new().with_dir(dir.path()).publish(&name, &f64_frame(1_000)).unwrap();
    // SAFETY: the child only drops its copy of the publisher (a pid check, a close) and leaves with
    // `_exit`, running no destructor or atexit handler of the parent's; fork has no memory-safety
    // precondition of its own.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        drop(publisher);
        // SAFETY: ends the child at once, as a child of fork must.
        unsafe { libc::_exit(0) };
    }
    let mut status = 0;
    // SAFETY: waits for the child made above; `status` is a valid place to write.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
    assert!(publisher.path().exists(), "the child's drop unlinked the parent's segment");
    let attached = AttachOptions::new().with_dir(dir.path()).attach(&name).unwrap();
    assert_eq!(attached.frame().n_rows(), 1_000);
    let path = publisher.path().to_path_buf();
    drop(publisher);
    assert!(!path.exists(), "the publishing process itself still unlinks");
}
