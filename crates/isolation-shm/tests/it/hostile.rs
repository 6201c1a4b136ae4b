//! Hostile files in the segment directory: a FIFO, a symlink or a segment owned by another user at a name we
//! publish or attach to is refused at once, never followed, never blocking.

use std::sync::mpsc;
use std::time::Duration;

use crate::common::{TestDir, sample_frame, unique_name};
use isolation_shm::{AttachOptions, PublishOptions, ShmError, segment_path};

/// Runs `f` on a thread and fails the test if it has not returned within a generous bound (a blocked
/// `open` of a FIFO never returns).
fn within_bound<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || send.send(f()));
    receive.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| panic!("{what} blocked"))
}

fn mkfifo(path: &std::path::Path) {
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .expect("mkfifo");
}

#[test]
fn a_fifo_at_a_segment_name_blocks_neither_attach_nor_publish() {
    // Regression: `publish` opened whatever was at the name with a blocking open and hung forever.
    let dir = TestDir::new("fifo");
    let name = unique_name("fifo");
    mkfifo(&segment_path(dir.path(), &name));
    let (attach_dir, attach_name) = (dir.path().to_path_buf(), name.clone());
    let attached =
        within_bound("attach", move || AttachOptions::new().with_dir(attach_dir).attach(&attach_name));
    let err = attached.unwrap_err();
    assert!(matches!(err, ShmError::Foreign { .. }), "{err}");
    assert!(err.to_string().contains("not a regular file"), "{err}");
    let (publish_dir, publish_name) = (dir.path().to_path_buf(), name.clone());
    let published = within_bound("publish", move || {
        PublishOptions::new().with_dir(publish_dir).publish(&publish_name, &sample_frame(10)).map(|_| ())
    });
    assert!(matches!(published, Err(ShmError::AlreadyExists { .. })), "{published:?}");
    // Listing the directory does not block on it either, and a FIFO is no segment.
    let list_dir = dir.path().to_path_buf();
    let listed = within_bound("list", move || isolation_shm::list_segments_in(&list_dir));
    assert!(!listed.iter().any(|s| s.name == name));
}

#[test]
fn a_symlink_at_a_segment_name_is_not_followed() {
    let dir = TestDir::new("symlink");
    let target = unique_name("target");
    let publisher = PublishOptions::new().with_dir(dir.path()).publish(&target, &sample_frame(10)).unwrap();
    let link = unique_name("link");
    std::os::unix::fs::symlink(publisher.path(), segment_path(dir.path(), &link)).unwrap();
    let err = AttachOptions::new().with_dir(dir.path()).attach(&link).unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    // The real segment attaches.
    assert!(AttachOptions::new().with_dir(dir.path()).attach(&target).is_ok());
}

#[test]
fn a_segment_owned_by_another_user_is_refused() {
    // Its owner could truncate it under our readers (SIGBUS). Needs root to give a file away; CI runs as root.
    let dir = TestDir::new("owner");
    let name = unique_name("owner");
    let publisher = PublishOptions::new().with_dir(dir.path()).publish(&name, &sample_frame(10)).unwrap();
    let nobody = rustix::process::Uid::from_raw(65_534);
    match rustix::fs::chown(publisher.path(), Some(nobody), None) {
        Ok(()) => {
            let err = AttachOptions::new().with_dir(dir.path()).attach(&name).unwrap_err();
            assert!(matches!(err, ShmError::Foreign { .. }), "{err}");
            assert!(err.to_string().contains("owned by user 65534"), "{err}");
        }
        Err(e) => {
            assert!(!rustix::process::geteuid().is_root(), "root could not chown: {e}");
            eprintln!("skipped the foreign-owner case: not root ({e}), so a file cannot be given away");
        }
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_sealed_segment_cannot_be_truncated_or_written_under_a_reader() {
    // Regression: a worker reading a segment died of SIGBUS when the segment file was truncated under it.
    use std::io::Write;
    let dir = TestDir::new("sealed");
    let name = unique_name("sealed");
    let frame = sample_frame(5000);
    let publisher = PublishOptions::new().with_dir(dir.path()).publish(&name, &frame).unwrap();
    assert!(publisher.is_sealed());
    let attached = AttachOptions::new().with_dir(dir.path()).attach(&name).unwrap();

    // What a hostile process of the same user would do: open the data for writing, truncate, overwrite.
    let eperm = Some(rustix::io::Errno::PERM.raw_os_error());
    match std::fs::OpenOptions::new().write(true).open(publisher.data_path()) {
        Ok(mut file) => {
            assert_eq!(file.set_len(0).unwrap_err().raw_os_error(), eperm, "truncating must fail");
            assert_eq!(file.set_len(1 << 30).unwrap_err().raw_os_error(), eperm, "growing must fail");
            assert_eq!(file.write(b"x").unwrap_err().raw_os_error(), eperm, "writing must fail");
        }
        Err(e) => assert_eq!(e.raw_os_error(), eperm, "{e}"),
    }
    // The reader keeps reading every value, unchanged.
    assert_eq!(attached.frame(), &frame);
    assert_eq!(
        attached.frame().f64_column("close").unwrap().iter().sum::<f64>(),
        frame.f64_column("close").unwrap().iter().sum::<f64>()
    );
    // A segment published without sealing is a plain file.
    let plain = unique_name("plain");
    let publisher = PublishOptions::new().with_dir(dir.path()).sealed(false).publish(&plain, &frame).unwrap();
    assert!(!publisher.is_sealed() && publisher.data_path() == publisher.path());
}

#[test]
fn a_kept_segment_outlives_its_publisher_sealed_and_cannot_be_truncated_under_a_reader() {
    // Regression: a reader of a kept segment (`isolation shm publish`) died of SIGBUS when the same user
    // truncated the segment file (kept segments were plain files).
    use std::io::Write;
    let dir = TestDir::new("kept-sealed");
    let name = unique_name("kept");
    let frame = sample_frame(5000);
    let publisher = PublishOptions::new().with_dir(dir.path()).keep().publish(&name, &frame).unwrap();
    assert!(publisher.is_sealed());
    let segment_file = publisher.path().to_path_buf();
    drop(publisher); // kept: the data stays, held by its holder process
    let attached = AttachOptions::new().with_dir(dir.path()).attach(&name).unwrap();
    assert_eq!(attached.frame(), &frame);

    let locator = std::fs::read_to_string(&segment_file).unwrap();
    let (holder, fd) = {
        let line = locator.lines().nth(1).unwrap();
        let mut parts = line.split(' ');
        (parts.next().unwrap().parse::<u32>().unwrap(), parts.next().unwrap().parse::<i32>().unwrap())
    };
    assert!(locator.ends_with(" kept\n"), "{locator}");
    assert!(isolation_shm::process_alive(holder));
    let data = format!("/proc/{holder}/fd/{fd}");
    let eperm = Some(rustix::io::Errno::PERM.raw_os_error());
    match std::fs::OpenOptions::new().write(true).open(&data) {
        Ok(mut file) => {
            assert_eq!(file.set_len(0).unwrap_err().raw_os_error(), eperm, "truncating must fail");
            assert_eq!(file.write(b"x").unwrap_err().raw_os_error(), eperm, "writing must fail");
        }
        Err(e) => assert_eq!(e.raw_os_error(), eperm, "{e}"),
    }
    // Truncating the segment file truncates only the locator: the reader keeps every value.
    std::fs::OpenOptions::new().write(true).open(&segment_file).unwrap().set_len(0).unwrap();
    assert_eq!(attached.frame(), &frame);
    assert_eq!(
        attached.frame().f64_column("close").unwrap().iter().sum::<f64>(),
        frame.f64_column("close").unwrap().iter().sum::<f64>()
    );

    // Removing the segment stops its holder; the reader still reads its mapping.
    let name2 = unique_name("kept2");
    let publisher = PublishOptions::new().with_dir(dir.path()).keep().publish(&name2, &frame).unwrap();
    drop(publisher);
    let locator = std::fs::read_to_string(dir.path().join(format!("isolation.{name2}"))).unwrap();
    let holder2: u32 = locator.lines().nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    let reader2 = AttachOptions::new().with_dir(dir.path()).attach(&name2).unwrap();
    isolation_shm::remove_in(dir.path(), &name2).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::fs::read_to_string(format!("/proc/{holder2}/stat")).is_ok_and(|s| !s.contains(") Z "))
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let state = std::fs::read_to_string(format!("/proc/{holder2}/stat")).unwrap_or_default();
    assert!(state.is_empty() || state.contains(") Z "), "the holder still runs: {state}");
    assert_eq!(reader2.frame(), &frame);
    // The first holder, whose locator was truncated, notices it no longer names it and exits by itself.
}
