//! `SmapsRollup::parse` against fixed sample files, its errors, and a live check on this process.

use memtrack::SmapsRollup;

fn sample(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("reading {path}: {err}"))
}

fn check(name: &str) -> SmapsRollup {
    let figures = SmapsRollup::parse(&sample(name)).expect("sample parses");
    assert!(figures.pss_bytes <= figures.rss_bytes, "{name}: PSS above RSS");
    assert_eq!(figures.uss_bytes + figures.shared_bytes, figures.rss_bytes, "{name}: USS + shared != RSS");
    figures
}

#[test]
fn small_process_on_linux_6() {
    insta::assert_debug_snapshot!(check("linux-6.18-cat.smaps_rollup"));
}

#[test]
fn worker_sharing_a_shm_segment_on_linux_6() {
    // A forked worker that read every page of a 64 MiB /dev/shm file its parent also maps: RSS counts the
    // segment in full, PSS (and Pss_Shmem) half of it.
    let figures = check("linux-6.18-shm-worker.smaps_rollup");
    assert_eq!(figures.pss_shmem_bytes, Some(32 << 20));
    insta::assert_debug_snapshot!(figures);
}

#[test]
fn kernel_4_14_has_no_pss_split() {
    let figures = check("linux-4.14-no-pss-split.smaps_rollup");
    assert_eq!((figures.pss_anon_bytes, figures.pss_file_bytes, figures.pss_shmem_bytes), (None, None, None));
    insta::assert_debug_snapshot!(figures);
}

fn check_error(text: &str) -> String {
    SmapsRollup::parse(text).expect_err("malformed input is refused").to_string()
}

#[test]
fn malformed_files_are_refused_with_the_line() {
    let full = "Rss: 8 kB\nPss: 4 kB\nShared_Clean: 0 kB\nShared_Dirty: 4 kB\nPrivate_Clean: 0 kB\nPrivate_Dirty: 4 kB\n";
    insta::assert_snapshot!(
        [
            check_error(""),
            check_error(&full.replace("Pss: 4 kB\n", "")),
            check_error(&full.replace("Pss: 4 kB", "Pss: four kB")),
            check_error(&full.replace("Pss: 4 kB", "Pss: 4 MB")),
            check_error(&format!("{full}Rss: 8 kB\n")),
            check_error(&format!("{full}not a field\n")),
            check_error(&full.replace("Rss: 8 kB", "Rss: 18446744073709551615 kB")),
        ]
        .join("\n"),
        @r#"
    smaps_rollup has no "Private_Clean" line; is this the text of /proc/<pid>/smaps_rollup?
    smaps_rollup has no "Pss" line; is this the text of /proc/<pid>/smaps_rollup?
    smaps_rollup line 2: expected `<number> kB` (line: "Pss: four kB")
    smaps_rollup line 2: expected `<number> kB` (line: "Pss: 4 MB")
    smaps_rollup line 7: repeated key (line: "Rss: 8 kB")
    smaps_rollup line 7: expected `Key: value kB` (line: "not a field")
    smaps_rollup line 1: expected `<number> kB` (line: "Rss: 18446744073709551615 kB")
    "#
    );
}

#[test]
fn unknown_keys_are_skipped() {
    let text = "Rss: 8 kB\nPss: 4 kB\nFuture_Field: 3 kB\nVmFlags: rd wr\nShared_Clean: 0 kB\nShared_Dirty: 4 kB\n\
                Private_Clean: 0 kB\nPrivate_Dirty: 4 kB\n";
    assert_eq!(SmapsRollup::parse(text).expect("parses").pss_bytes, 4096);
}

#[cfg(target_os = "linux")]
#[test]
fn live_pss_is_at_most_rss() {
    let Some(figures) = SmapsRollup::current() else {
        // Kernels before 4.14 and some sandboxes have no smaps_rollup; nothing to check there.
        assert!(std::fs::read_to_string("/proc/self/smaps_rollup").is_err());
        return;
    };
    assert!(figures.rss_bytes > 0);
    assert!(figures.pss_bytes <= figures.rss_bytes);
    assert!(figures.uss_bytes <= figures.pss_bytes);
    assert_eq!(SmapsRollup::of_pid(std::process::id()).map(|f| f.rss_bytes > 0), Some(true));
}
