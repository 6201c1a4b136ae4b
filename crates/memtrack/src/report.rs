//! `MemoryReport`: process, system and ledger figures as a table (`Display`) and JSON (serde).

use std::fmt::{self, Display, Formatter};

use serde::Serialize;

use crate::{Ledger, LedgerSummary, ProcessMemory, SystemMemory};

/// Everything memtrack knows, gathered for the CLI and the handler. Each part is optional: fill in what
/// applies. `Display` prints a table for people; `Serialize` gives the same figures (all in bytes) as JSON.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct MemoryReport {
    /// This (or another) process, as the OS reports it.
    pub process: Option<ProcessMemory>,
    /// The machine, as the OS reports it.
    pub system: Option<SystemMemory>,
    /// Containers and their distinct allocations.
    pub ledger: Option<LedgerSummary>,
}

impl MemoryReport {
    /// Process and system figures as of now (each `None` where the OS does not give them).
    pub fn current() -> Self {
        Self { process: ProcessMemory::current(), system: SystemMemory::current(), ..Self::default() }
    }

    /// Adds the containers of `ledger`.
    pub fn with_ledger(mut self, ledger: &Ledger) -> Self {
        self.ledger = Some(ledger.summary());
        self
    }
}

/// `bytes` in binary units for people: `512 B`, `1.5 KiB`, `76.3 MiB`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

fn opt_bytes(bytes: Option<u64>) -> String {
    bytes.map_or_else(|| "n/a".to_owned(), format_bytes)
}

impl Display for MemoryReport {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut sections: Vec<String> = Vec::new();
        if let Some(process) = &self.process {
            sections.push(process_section(process));
        }
        if let Some(system) = &self.system {
            sections.push(system_section(system));
        }
        if let Some(ledger) = &self.ledger {
            sections.push(ledger.to_string());
        }
        f.write_str(sections.join("\n").trim_end())?;
        writeln!(f)
    }
}

fn process_section(process: &ProcessMemory) -> String {
    let smaps = process.smaps;
    let rows = [
        ("rss", format_bytes(process.rss_bytes), "resident; shared pages counted in full"),
        (
            "pss",
            opt_bytes(smaps.map(|s| s.pss_bytes)),
            "shared pages divided among the processes mapping them",
        ),
        ("uss", opt_bytes(smaps.map(|s| s.uss_bytes)), "only this process; freed if it exits"),
        ("shared", opt_bytes(smaps.map(|s| s.shared_bytes)), "resident pages other processes map too"),
        (
            "pss shmem",
            opt_bytes(smaps.and_then(|s| s.pss_shmem_bytes)),
            "this process's share of shared memory",
        ),
        ("virtual", format_bytes(process.virtual_bytes), "address space, mostly not memory"),
    ];
    let mut out = format!("process {}\n", process.pid);
    for (name, value, meaning) in rows {
        out.push_str(&format!("  {name:<10} {value:>10}  {meaning}\n"));
    }
    out
}

fn system_section(system: &SystemMemory) -> String {
    let mut out = String::from("system\n");
    out.push_str(&format!("  {:<10} {:>10}\n", "total", format_bytes(system.total_bytes)));
    out.push_str(&format!("  {:<10} {:>10}\n", "available", format_bytes(system.available_bytes)));
    match system.shm {
        Some(shm) => out.push_str(&format!(
            "  {:<10} {:>10}  free of {}\n",
            "/dev/shm",
            format_bytes(shm.free_bytes),
            format_bytes(shm.total_bytes)
        )),
        None => out.push_str(&format!("  {:<10} {:>10}\n", "/dev/shm", "n/a")),
    }
    out
}

impl Display for LedgerSummary {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        const NAIVE: &str = "sum per container";
        const TOTAL: &str = "distinct total";
        let width =
            self.rows.iter().map(|r| r.name.len()).chain([NAIVE.len(), "container".len()]).max().unwrap_or(0);
        let line = |name: &str, allocs: String, b: [String; 4]| {
            format!("{name:<width$}  {allocs:>6}  {:>10}  {:>10}  {:>10}  {:>10}\n", b[0], b[1], b[2], b[3])
        };
        let cells = |b: crate::Breakdown| {
            [b.owned_bytes, b.shared_bytes, b.mapped_bytes, b.total_bytes()].map(format_bytes)
        };
        let header = ["owned", "shared", "mapped", "total"].map(str::to_owned);
        f.write_str(&line("container", "allocs".to_owned(), header))?;
        for row in &self.rows {
            f.write_str(&line(&row.name, row.n_allocations.to_string(), cells(row.bytes)))?;
        }
        let blank = || String::new();
        let naive = [blank(), blank(), blank(), format_bytes(self.naive_total_bytes)];
        f.write_str(&line(NAIVE, blank(), naive))?;
        f.write_str(&line(TOTAL, self.n_allocations.to_string(), cells(self.total)))?;
        if self.naive_total_bytes > self.total.total_bytes() {
            writeln!(
                f,
                "(containers share allocations: the per-container sum counts {} more than is allocated)",
                format_bytes(self.naive_total_bytes - self.total.total_bytes())
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_bytes_table() {
        let cases =
            [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"), (80_000_000, "76.3 MiB")];
        for (bytes, expect) in cases {
            assert_eq!(format_bytes(bytes), expect, "{bytes} bytes");
        }
        assert_eq!(format_bytes(u64::MAX), "16384.0 PiB");
    }
}
