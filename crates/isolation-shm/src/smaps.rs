//! Per-process memory from `/proc/<pid>/smaps_rollup` (Linux): the figures that show sharing (PSS, USS).

/// A process's memory as Linux accounts shared pages, in bytes.
///
/// RSS counts a page of a mapped segment in every process that touched it; PSS divides it among them;
/// USS (unique set size) counts only pages no other process maps. A worker that attached a segment
/// zero-copy shows a large RSS and a small USS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SmapsRollup {
    /// Resident set size.
    pub rss_bytes: u64,
    /// Proportional set size: shared pages divided by the number of processes mapping them.
    pub pss_bytes: u64,
    /// Unique set size: `Private_Clean + Private_Dirty`.
    pub uss_bytes: u64,
}

impl SmapsRollup {
    /// Figures for this process; `None` where `/proc/self/smaps_rollup` is missing (not Linux, or a kernel
    /// older than 4.14).
    pub fn current() -> Option<Self> {
        Self::parse(&std::fs::read_to_string("/proc/self/smaps_rollup").ok()?)
    }

    /// Figures for process `pid`; `None` if it does not exist, cannot be read, or the platform lacks the file.
    pub fn of_pid(pid: u32) -> Option<Self> {
        Self::parse(&std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?)
    }

    /// Parses the text of an `smaps_rollup` file (`Key:   123 kB` lines); `None` if `Rss` is missing.
    pub fn parse(text: &str) -> Option<Self> {
        let mut figures = Self::default();
        let mut saw_rss = false;
        for line in text.lines() {
            let Some((key, rest)) = line.split_once(':') else { continue };
            let Some(kb) = rest.split_whitespace().next().and_then(|v| v.parse::<u64>().ok()) else {
                continue;
            };
            let bytes = kb * 1024;
            match key.trim() {
                "Rss" => {
                    figures.rss_bytes = bytes;
                    saw_rss = true;
                }
                "Pss" => figures.pss_bytes = bytes,
                "Private_Clean" | "Private_Dirty" => figures.uss_bytes += bytes,
                _ => {}
            }
        }
        saw_rss.then_some(figures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_rollup() {
        let text = "00400000-7ffd [rollup]\nRss:  2048 kB\nPss:  1024 kB\nPss_Anon: 10 kB\n\
                    Shared_Clean: 1024 kB\nPrivate_Clean:  3 kB\nPrivate_Dirty:  5 kB\n";
        let figures = SmapsRollup::parse(text).expect("has Rss");
        assert_eq!(
            figures,
            SmapsRollup { rss_bytes: 2048 * 1024, pss_bytes: 1024 * 1024, uss_bytes: 8 * 1024 }
        );
    }

    #[test]
    fn text_without_rss_gives_none() {
        assert_eq!(SmapsRollup::parse("Pss: 1 kB\n"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_has_figures() {
        let figures = SmapsRollup::current().expect("linux has smaps_rollup");
        assert!(figures.rss_bytes > 0 && figures.uss_bytes <= figures.rss_bytes);
    }
}
