//! Corrupt and truncated segments: attach returns a typed error naming the segment, never panics.

use std::path::Path;

use crate::common::{TestDir, sample_frame, unique_name};
use isolation_shm::{AttachOptions, PublishOptions, ShmError};

/// A valid segment's bytes (small: a few KB) and the frame it holds.
fn valid_segment_bytes(dir: &TestDir) -> Vec<u8> {
    let name = unique_name("source");
    let publisher = PublishOptions::new().with_dir(dir.path()).publish(&name, &sample_frame(40)).unwrap();
    std::fs::read(publisher.data_path()).unwrap()
}

fn attach_bytes(dir: &Path, name: &str, bytes: &[u8]) -> Result<isolation_shm::Attached, ShmError> {
    let path = isolation_shm::segment_path(dir, name);
    std::fs::write(&path, bytes).unwrap();
    let result = AttachOptions::new().with_dir(dir).attach(name);
    std::fs::remove_file(&path).unwrap();
    result
}

/// Offsets where the IPC file's structures start or end: magics, the footer length, the footer, and
/// every 8-byte boundary (messages, bodies and buffers all start on one).
fn structural_boundaries(bytes: &[u8]) -> Vec<usize> {
    let len = bytes.len();
    let footer_len = i32::from_le_bytes(bytes[len - 10..len - 6].try_into().unwrap()) as usize;
    let mut cuts: Vec<usize> = (0..len).step_by(8).collect();
    cuts.extend([0, 1, 5, 6, 7, len - 10, len - 6, len - 1, len - 10 - footer_len]);
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

#[test]
fn truncating_anywhere_is_an_error() {
    let dir = TestDir::new("truncate");
    let bytes = valid_segment_bytes(&dir);
    let mut boundaries = structural_boundaries(&bytes);
    // Every length, in fact, not only the boundaries: the file is small.
    boundaries.extend(0..bytes.len());
    for cut in boundaries {
        let err =
            attach_bytes(dir.path(), "cut", &bytes[..cut]).expect_err("a truncated file must not attach");
        assert_eq!(err.segment_name(), "cut");
        assert!(
            matches!(err, ShmError::Corrupt { .. } | ShmError::Foreign { .. }),
            "cut at {cut}: unexpected error {err}"
        );
    }
}

#[test]
fn flipping_any_byte_never_panics() {
    let dir = TestDir::new("flip");
    let bytes = valid_segment_bytes(&dir);
    let frame = sample_frame(40);
    let mut errors = 0;
    for position in 0..bytes.len() {
        for mask in [0xff_u8, 0x01, 0x80] {
            let mut corrupt = bytes.clone();
            corrupt[position] ^= mask;
            // A flip inside the values or the padding still decodes (as different values: only a checksum
            // could tell); a flip in any structure must be an error. Never a panic, and never a frame of
            // another shape: regressions for a footer flip that retyped a column (i64 read as i16), one that
            // emptied the batch list (0 rows from a 40-row segment), and one that moved a buffer onto another.
            match attach_bytes(dir.path(), "flip", &corrupt) {
                Ok(attached) => {
                    let got = attached.frame();
                    assert_eq!(got.n_rows(), frame.n_rows(), "flip at {position} ^ {mask:#x}: rows");
                    assert_eq!(got.schema().fields(), frame.schema().fields(), "flip at {position}: schema");
                    let moved =
                        got.timestamps().iter().zip(frame.timestamps()).filter(|(a, b)| a != b).count();
                    assert!(moved <= 1, "flip at {position} ^ {mask:#x}: {moved} timestamps changed");
                }
                Err(err) => {
                    errors += 1;
                    assert_eq!(err.segment_name(), "flip");
                }
            }
        }
    }
    assert!(errors > bytes.len() / 10, "most structural flips are caught ({errors} errors)");
}

#[test]
fn flipping_structural_bytes_is_an_error() {
    let dir = TestDir::new("structure");
    let bytes = valid_segment_bytes(&dir);
    let len = bytes.len();
    // Leading magic, trailing magic, footer length: (position, expected kind).
    for position in [0, 3, 5, len - 1, len - 6, len - 7, len - 10, len - 9] {
        let mut corrupt = bytes.clone();
        corrupt[position] ^= 0xff;
        let err = attach_bytes(dir.path(), "magic", &corrupt).expect_err("structural flip");
        let expected_foreign = position < 6;
        assert_eq!(matches!(err, ShmError::Foreign { .. }), expected_foreign, "flip at {position}: {err}");
    }
}

#[test]
fn unsorted_timestamps_are_refused() {
    let dir = TestDir::new("unsorted");
    let bytes = valid_segment_bytes(&dir);
    // The first timestamp is the first 8-byte value equal to the frame's first timestamp; make it huge.
    let first = sample_frame(1).timestamps()[0].to_le_bytes();
    let at = bytes.windows(8).position(|w| w == first).expect("timestamps are stored little-endian");
    let mut corrupt = bytes.clone();
    corrupt[at..at + 8].copy_from_slice(&i64::MAX.to_le_bytes());
    let err = attach_bytes(dir.path(), "unsorted", &corrupt).unwrap_err();
    assert!(matches!(err, ShmError::Frame { .. }), "{err}");
    assert!(timeseries_array::error_chain(&err).contains("not sorted"), "{err}");
}

#[test]
fn foreign_files_are_named_as_such() {
    let dir = TestDir::new("foreign");
    for (bytes, what) in [(&b"PAR1 a parquet file"[..], "parquet"), (b"", "empty"), (b"ARROW", "short")] {
        let err = attach_bytes(dir.path(), "foreign", bytes).unwrap_err();
        assert!(matches!(err, ShmError::Foreign { .. } | ShmError::Corrupt { .. }), "{what}: {err}");
        assert!(err.to_string().contains("segment `foreign`"), "{what}: {err}");
    }
    let fifo_or_dir = isolation_shm::segment_path(dir.path(), "a-directory");
    std::fs::create_dir(&fifo_or_dir).unwrap();
    let err = AttachOptions::new().with_dir(dir.path()).attach("a-directory").unwrap_err();
    assert!(matches!(err, ShmError::Foreign { .. }), "{err}");
}

#[test]
fn trusting_the_published_order_skips_only_the_order_check() {
    let dir = TestDir::new("trusted");
    let bytes = valid_segment_bytes(&dir);
    let first = sample_frame(1).timestamps()[0].to_le_bytes();
    let at = bytes.windows(8).position(|w| w == first).expect("timestamps are stored little-endian");
    let mut corrupt = bytes.clone();
    corrupt[at..at + 8].copy_from_slice(&i64::MAX.to_le_bytes());
    std::fs::write(dir.path().join("isolation.trusted"), &corrupt).unwrap();
    let mut permissions = std::fs::metadata(dir.path().join("isolation.trusted")).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o600);
    std::fs::set_permissions(dir.path().join("isolation.trusted"), permissions).unwrap();
    // Trusted: the order is not read (attach is O(columns)); the damage shows in the data, not as an error.
    let options = isolation_shm::AttachOptions::new().with_dir(dir.path()).trust_published_order(true);
    let attached = options.attach("trusted").unwrap();
    assert_eq!(attached.frame().timestamps()[0], i64::MAX);
    // A structural flip is still refused when trusting.
    corrupt[0] ^= 0xff;
    std::fs::write(dir.path().join("isolation.trusted"), &corrupt).unwrap();
    assert!(options.attach("trusted").is_err());
}

#[test]
fn verify_names_the_column_whose_value_changed_after_publishing() {
    let dir = TestDir::new("verify");
    let bytes = valid_segment_bytes(&dir);
    // A flip inside a value decodes as another value: structure checks cannot see it, a checksum can.
    let frame = sample_frame(40);
    let last_close = frame.f64_column("close").unwrap()[39];
    let at = bytes.windows(8).position(|w| w == last_close.to_le_bytes()).expect("close values are stored");
    let mut corrupt = bytes.clone();
    corrupt[at] ^= 0x01;
    let unverified = attach_bytes(dir.path(), "value", &corrupt).expect("a changed value still decodes");
    assert_ne!(unverified.frame().f64_column("close").unwrap()[39], last_close);

    let path = isolation_shm::segment_path(dir.path(), "value");
    std::fs::write(&path, &corrupt).unwrap();
    let verified = AttachOptions::new().with_dir(dir.path()).verify(true).attach("value");
    let err = verified.unwrap_err();
    assert!(matches!(&err, ShmError::ChecksumMismatch { column, .. } if column == "close"), "{err}");
    std::fs::write(&path, &bytes).unwrap();
    assert!(AttachOptions::new().with_dir(dir.path()).verify(true).attach("value").is_ok());
    std::fs::remove_file(&path).unwrap();
}

/// A one-batch Arrow IPC file of `sample_frame(10)` whose schema carries `metadata`.
fn ipc_bytes_with_metadata(metadata: &[(&str, &str)]) -> Vec<u8> {
    let batch = sample_frame(10).record_batch().clone();
    let metadata: std::collections::HashMap<String, String> =
        metadata.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let schema = std::sync::Arc::new(batch.schema().as_ref().clone().with_metadata(metadata));
    let batch = batch.with_schema(schema.clone()).unwrap();
    let mut out = Vec::new();
    let mut writer = arrow_ipc::writer::FileWriter::try_new(&mut out, &schema).unwrap();
    writer.write(&batch).unwrap();
    writer.finish().unwrap();
    drop(writer);
    out
}

#[test]
fn a_segment_of_another_format_version_is_refused_by_name() {
    let dir = TestDir::new("format");
    // What this build writes is what it reads.
    let bytes = valid_segment_bytes(&dir);
    assert!(attach_bytes(dir.path(), "current", &bytes).is_ok());
    let current = isolation_shm::SEGMENT_FORMAT_VERSION.to_string();
    assert!(
        attach_bytes(dir.path(), "same", &ipc_bytes_with_metadata(&[("isolation.segment_format", &current)]))
            .is_ok()
    );

    let newer = ipc_bytes_with_metadata(&[("isolation.segment_format", "999"), ("isolation.kept", "true")]);
    let err = attach_bytes(dir.path(), "newer", &newer).expect_err("an unknown version");
    assert!(matches!(&err, ShmError::UnknownFormat { found, .. } if found == "999"), "{err}");
    assert_eq!(err.segment_name(), "newer");
    assert_eq!(
        err.to_string(),
        format!(
            "segment `newer` has segment format version 999, and this build reads version {current}; republish it with this version"
        )
    );

    // Published by this library before versions were recorded: our keys, no version.
    let unversioned = ipc_bytes_with_metadata(&[("isolation.owner_pid", "1"), ("isolation.kept", "true")]);
    let err = attach_bytes(dir.path(), "old", &unversioned).expect_err("no version");
    assert!(matches!(&err, ShmError::UnknownFormat { found, .. } if found == "none recorded"), "{err}");

    // A file another tool wrote, with metadata of its own, is plain Arrow and attaches.
    let foreign = ipc_bytes_with_metadata(&[("pandas", "{}")]);
    assert_eq!(attach_bytes(dir.path(), "foreign", &foreign).unwrap().frame().n_rows(), 10);
}
