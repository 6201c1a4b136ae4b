//! The human table and the JSON of `MemoryReport`, with fixed figures.

use arrow_buffer::Buffer;
use memtrack::{Ledger, MemoryReport, ProcessMemory, ShmSpace, SmapsRollup, SystemMemory};

const MIB: u64 = 1 << 20;

fn fixed_report() -> MemoryReport {
    let smaps = SmapsRollup {
        rss_bytes: 180 * MIB,
        pss_bytes: 100 * MIB,
        uss_bytes: 20 * MIB,
        shared_bytes: 160 * MIB,
        pss_anon_bytes: Some(18 * MIB),
        pss_file_bytes: Some(2 * MIB),
        pss_shmem_bytes: Some(80 * MIB),
        swap_bytes: Some(0),
    };
    let base = Buffer::from_vec(vec![0_u8; 8000]);
    let copy = Buffer::from_vec(vec![0_u8; 1600]);
    let mut ledger = Ledger::new();
    ledger.add("base", |set| set.insert(&base));
    ledger.add("train view", |set| set.insert(&base.slice_with_length(0, 6400)));
    ledger.add("test view", |set| set.insert(&base.slice_with_length(6400, 1600)));
    ledger.add("test deep copy", |set| set.insert(&copy));
    MemoryReport {
        process: Some(ProcessMemory {
            pid: 4242,
            rss_bytes: 180 * MIB,
            virtual_bytes: 2048 * MIB,
            smaps: Some(smaps),
        }),
        system: Some(SystemMemory {
            total_bytes: 16384 * MIB,
            available_bytes: 6144 * MIB,
            shm: Some(ShmSpace { total_bytes: 8192 * MIB, free_bytes: 8000 * MIB }),
        }),
        ledger: Some(ledger.summary()),
    }
}

#[test]
fn table_with_fixed_figures() {
    insta::assert_snapshot!(fixed_report().to_string());
}

#[test]
fn json_with_fixed_figures() {
    let json = serde_json::to_string_pretty(&fixed_report()).expect("report serialises");
    insta::assert_snapshot!(json);
}

#[test]
fn live_report_prints_this_process() {
    let report = MemoryReport::current();
    let pid = std::process::id();
    assert_eq!(report.process.map(|p| p.pid), Some(pid));
    assert!(report.to_string().starts_with(&format!("process {pid}\n")));
}
