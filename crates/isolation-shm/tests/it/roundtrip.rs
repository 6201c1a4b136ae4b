//! Publish and attach in one process: equality, zero-copy, lifetimes, names and segment management.

use std::sync::Arc;

use crate::common::{TestDir, sample_frame, unique_name};
use arrow_array::{Array, ArrayRef, Float32Array};
use isolation_shm::{
    AttachOptions, PublishOptions, ShmError, attach, gc_in, list_segments_in, publish, remove_in,
};
use timeseries_array::TimeFrame;

fn publish_in(dir: &TestDir, name: &str, frame: &TimeFrame) -> isolation_shm::Publisher {
    PublishOptions::new().with_dir(dir.path()).publish(name, frame).expect("publish")
}

fn attach_in(dir: &TestDir, name: &str) -> Result<isolation_shm::Attached, ShmError> {
    AttachOptions::new().with_dir(dir.path()).attach(name)
}

#[test]
fn round_trip_gives_an_equal_frame() {
    let dir = TestDir::new("eq");
    for frame in
        [sample_frame(1000), sample_frame(1), sample_frame(0), sample_frame(500).slice(123..400).unwrap()]
    {
        let name = unique_name("eq");
        let _publisher = publish_in(&dir, &name, &frame);
        let attached = attach_in(&dir, &name).expect("attach");
        assert_eq!(attached.frame(), &frame);
        assert_eq!(attached.name(), name);
    }
}

#[test]
fn round_trip_in_the_default_dir() {
    let name = unique_name("default");
    let frame = sample_frame(64);
    let publisher = publish(&name, &frame).expect("publish");
    assert_eq!(publisher.path(), isolation_shm::segment_path(&isolation_shm::default_dir(), &name));
    assert_eq!(attach(&name).expect("attach").frame(), &frame);
    drop(publisher);
    assert!(matches!(attach(&name), Err(ShmError::NotFound { .. })));
}

#[test]
fn every_type_and_null_survives() {
    let dir = TestDir::new("types");
    let base = sample_frame(100);
    let small: ArrayRef =
        Arc::new(Float32Array::from_iter((0..100).map(|i| (i % 2 == 0).then_some(i as f32))));
    let mut columns: Vec<(String, ArrayRef)> =
        base.column_names().iter().map(|n| (n.to_string(), base.column(n).unwrap().clone())).collect();
    columns.push(("small".into(), small));
    let frame = TimeFrame::try_new(base.timestamps().to_vec(), columns).unwrap();
    let name = unique_name("types");
    let _publisher = publish_in(&dir, &name, &frame);
    let attached = attach_in(&dir, &name).unwrap();
    assert_eq!(attached.frame(), &frame);
    assert_eq!(attached.frame().column("small").unwrap().null_count(), 50);
}

#[test]
fn values_lie_inside_the_mapping() {
    let dir = TestDir::new("zerocopy");
    let name = unique_name("zerocopy");
    let frame = sample_frame(10_000);
    let publisher = publish_in(&dir, &name, &frame);
    let attached = attach_in(&dir, &name).unwrap();
    let batch = attached.frame().record_batch();
    // All buffers are slices of one allocation (the map): find its extent from the timestamps buffer.
    let ts = batch.column(0).to_data();
    let base = ts.buffers()[0].data_ptr().as_ptr() as usize;
    let map = base..base + attached.mapped_bytes() as usize;
    assert_eq!(attached.mapped_bytes(), publisher.size_bytes());
    for column in batch.columns() {
        let data = column.to_data();
        for buffer in data.buffers().iter().chain(data.nulls().map(|n| n.buffer())) {
            assert_eq!(buffer.data_ptr().as_ptr() as usize, base, "every buffer shares the map");
            let start = buffer.as_ptr() as usize;
            assert!(map.contains(&start) && start + buffer.len() <= map.end, "buffer outside the map");
        }
    }
    assert_eq!(attached.footprint().shared_bytes, publisher.size_bytes());
    assert_eq!(attached.footprint().owned_bytes, 0);
    assert_eq!(attached.frame().footprint().shared_bytes, publisher.size_bytes());
}

#[test]
fn the_frame_outlives_the_publisher_and_the_attachment() {
    let dir = TestDir::new("lifetime");
    let name = unique_name("lifetime");
    let frame = sample_frame(300);
    let publisher = publish_in(&dir, &name, &frame);
    let attached_frame = attach_in(&dir, &name).unwrap().into_frame();
    let train = attached_frame.slice(0..200).unwrap();
    drop(publisher);
    drop(attached_frame);
    assert!(!isolation_shm::segment_path(dir.path(), &name).exists(), "the publisher unlinked on drop");
    assert_eq!(train, frame.slice(0..200).unwrap(), "the mapping lives as long as a slice of it");
}

#[cfg(unix)]
#[test]
fn segments_are_private_to_their_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TestDir::new("mode");
    let name = unique_name("mode");
    let publisher = publish_in(&dir, &name, &sample_frame(10));
    let mode = std::fs::metadata(publisher.path()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    std::fs::set_permissions(publisher.path(), std::fs::Permissions::from_mode(0o666)).unwrap();
    assert!(matches!(attach_in(&dir, &name), Err(ShmError::Foreign { .. })));
}

#[test]
fn a_live_name_cannot_be_published_twice() {
    let dir = TestDir::new("twice");
    let name = unique_name("twice");
    let _first = publish_in(&dir, &name, &sample_frame(10));
    let second = PublishOptions::new().with_dir(dir.path()).publish(&name, &sample_frame(20));
    match second {
        Err(ShmError::AlreadyExists { owner, .. }) => assert_eq!(owner, Some(std::process::id())),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    assert_eq!(attach_in(&dir, &name).unwrap().frame().n_rows(), 10);
}

#[test]
fn kept_segments_survive_their_publisher_and_gc() {
    let dir = TestDir::new("keep");
    let name = unique_name("keep");
    let publisher =
        PublishOptions::new().with_dir(dir.path()).keep().publish(&name, &sample_frame(10)).unwrap();
    assert!(publisher.is_kept());
    drop(publisher);
    let listed = list_segments_in(dir.path());
    assert_eq!(listed.len(), 1);
    assert!(listed[0].kept && listed[0].owner_alive && listed[0].problem.is_none());
    assert_eq!(listed[0].owner_pid, Some(std::process::id()));
    assert!(gc_in(dir.path()).is_empty());
    remove_in(dir.path(), &name).unwrap();
    assert!(list_segments_in(dir.path()).is_empty());
    assert!(matches!(remove_in(dir.path(), &name), Err(ShmError::NotFound { .. })));
}

#[test]
fn bad_names_and_missing_segments_are_typed_errors() {
    let dir = TestDir::new("names");
    for bad in ["", "a/b", "../etc", ".hidden", "sp ace"] {
        assert!(matches!(attach_in(&dir, bad), Err(ShmError::InvalidName { .. })), "{bad:?}");
        let published = PublishOptions::new().with_dir(dir.path()).publish(bad, &sample_frame(1));
        assert!(matches!(published, Err(ShmError::InvalidName { .. })), "{bad:?}");
    }
    let missing = attach_in(&dir, "no-such-segment").unwrap_err();
    assert_eq!(missing.segment_name(), "no-such-segment");
    assert!(missing.to_string().contains("no shared-memory segment `no-such-segment`"), "{missing}");
}

#[test]
fn an_unexpected_schema_is_refused() {
    let dir = TestDir::new("schema");
    let name = unique_name("schema");
    let frame = sample_frame(10);
    let _publisher = publish_in(&dir, &name, &frame);
    let same = AttachOptions::new().with_dir(dir.path()).expect_schema(&frame.schema()).attach(&name);
    assert!(same.is_ok());
    let other = crate::common::f64_frame(3).schema();
    let err = AttachOptions::new().with_dir(dir.path()).expect_schema(&other).attach(&name).unwrap_err();
    assert!(matches!(err, ShmError::UnexpectedSchema { .. }), "{err}");
    assert!(err.to_string().contains("expected columns"), "{err}");
}

#[test]
fn listing_shows_live_owners_and_ignores_other_files() {
    let dir = TestDir::new("ls");
    let name = unique_name("ls");
    let publisher = publish_in(&dir, &name, &sample_frame(50));
    std::fs::write(dir.path().join("unrelated.txt"), b"hello").unwrap();
    std::fs::write(isolation_shm::segment_path(dir.path(), "junk"), b"not arrow").unwrap();
    let listed = list_segments_in(dir.path());
    assert_eq!(listed.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), vec!["junk", name.as_str()]);
    let ours = &listed[1];
    assert_eq!((ours.size_bytes, ours.owner_alive, ours.kept), (publisher.size_bytes(), true, false));
    assert!(ours.created.is_some());
    assert!(listed[0].problem.as_deref().is_some_and(|p| p.contains("not an Arrow IPC file")));
    assert!(gc_in(dir.path()).is_empty(), "gc never touches live or foreign segments");
}

#[test]
fn a_ledger_counts_an_attached_frame_as_mapped() {
    let dir = crate::common::TestDir::new("ledger");
    let frame = crate::common::sample_frame(10_000);
    let publisher =
        isolation_shm::PublishOptions::new().with_dir(dir.path()).publish("ledger", &frame).unwrap();
    let attached = isolation_shm::AttachOptions::new().with_dir(dir.path()).attach("ledger").unwrap();
    let mut set = memtrack::BufferSet::new();
    attached.frame().add_buffers_to(&mut set);
    let breakdown = set.breakdown();
    assert_eq!(breakdown.owned_bytes, 0, "{breakdown:?}");
    assert!(breakdown.mapped_bytes > 0 && breakdown.mapped_bytes <= attached.mapped_bytes(), "{breakdown:?}");
    drop(publisher);
}

#[test]
fn the_index_zone_name_and_unit_survive_publish_and_attach() {
    use timeseries_array::{IndexLabel, TimeUnit};
    let dir = TestDir::new("label");
    let label = IndexLabel { name: Some("Date".into()), unit: TimeUnit::Millisecond, freq: Some("B".into()) };
    let unnamed = IndexLabel { name: None, unit: TimeUnit::Nanosecond, freq: None };
    for (zone, label) in [(None, &label), (Some("America/New_York"), &label), (Some("UTC"), &unnamed)] {
        let frame = sample_frame(10).with_index_zone(zone.map(Arc::from)).with_index_label(label);
        let name = unique_name("label");
        let _publisher = publish_in(&dir, &name, &frame);
        let attached = attach_in(&dir, &name).expect("attach");
        assert_eq!(attached.frame().index_zone(), zone);
        assert_eq!(&attached.frame().index_label(), label);
        assert_eq!(attached.frame().timestamps(), frame.timestamps());
    }
}
