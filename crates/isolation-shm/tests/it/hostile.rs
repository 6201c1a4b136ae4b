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
    // A segment published without sealing is a plain file (kept segments always are).
    let plain = unique_name("plain");
    let publisher = PublishOptions::new().with_dir(dir.path()).sealed(false).publish(&plain, &frame).unwrap();
    assert!(!publisher.is_sealed() && publisher.data_path() == publisher.path());
}
