//! `Ledger`: memory of several containers together, each distinct allocation counted once.

use std::collections::HashMap;

use serde::Serialize;

use crate::BufferSet;
use crate::buffers::{Breakdown, Entry};

/// Memory of a set of containers (a base frame, its views, copies, attached segments), each distinct
/// allocation counted once however many containers hold it.
///
/// Summing per-container sizes is the lie this type exists to avoid: a base frame plus a train view plus a
/// test view are one allocation, not three. Each container reports its buffers into a [`BufferSet`] (the
/// `add_buffers_to` methods of our containers do this); the ledger keeps one row per container, for the
/// table, and the union, for the total.
///
/// In the total an allocation is *shared* when more than one row holds it, or when something outside the
/// ledger keeps it alive too; *owned* when exactly one row holds it and nothing else does; *mapped* when it
/// is foreign memory (see [`MappedRegion`](crate::MappedRegion)).
///
/// ```
/// use arrow_buffer::Buffer;
/// use memtrack::Ledger;
///
/// let base = Buffer::from_vec(vec![0.0_f64; 1000]); // 8000 bytes
/// let train = base.slice_with_length(0, 6400);
/// let test = base.slice_with_length(6400, 1600);
///
/// let mut ledger = Ledger::new();
/// ledger.add("base", |set| set.insert(&base));
/// ledger.add("train", |set| set.insert(&train));
/// ledger.add("test", |set| set.insert(&test));
/// assert_eq!(ledger.total().total_bytes(), 8000); // not 24000
/// assert_eq!(ledger.naive_total_bytes(), 24000);
/// ```
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    rows: Vec<LedgerRow>,
    union: HashMap<usize, (Entry, u32)>,
}

/// One container of a [`Ledger`] on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerRow {
    /// The caller's name for the container ("base", "train view", ...).
    pub name: String,
    /// Distinct allocations the container keeps alive.
    pub n_allocations: usize,
    /// Its allocations' bytes, classified as the container alone sees them.
    pub bytes: Breakdown,
}

/// What a [`Ledger`] adds up to: the rows, the honest total and the naive one, for reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerSummary {
    /// One row per container, in the order they were added.
    pub rows: Vec<LedgerRow>,
    /// Distinct allocations over all rows.
    pub n_allocations: usize,
    /// Bytes of the distinct allocations: what the containers really keep alive together.
    pub total: Breakdown,
    /// Sum of the rows' totals: what adding up per-container sizes would claim.
    pub naive_total_bytes: u64,
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a container: `report` inserts the container's buffers into a fresh set, for example
    /// `ledger.add("train", |set| view.add_buffers_to(set))`.
    pub fn add(&mut self, name: impl Into<String>, report: impl FnOnce(&mut BufferSet)) {
        let mut set = BufferSet::new();
        report(&mut set);
        self.add_set(name, &set);
    }

    /// Adds a container whose buffers are already collected in `set`.
    pub fn add_set(&mut self, name: impl Into<String>, set: &BufferSet) {
        for (id, entry) in set.entries() {
            self.union
                .entry(id)
                .and_modify(|(held, holders)| {
                    held.bytes = held.bytes.max(entry.bytes);
                    held.shared |= entry.shared;
                    held.mapped |= entry.mapped;
                    *holders += 1;
                })
                .or_insert((entry, 1));
        }
        self.rows.push(LedgerRow { name: name.into(), n_allocations: set.len(), bytes: set.breakdown() });
    }

    /// The containers added so far, in order.
    pub fn rows(&self) -> &[LedgerRow] {
        &self.rows
    }

    /// Distinct allocations over all containers.
    pub fn n_allocations(&self) -> usize {
        self.union.len()
    }

    /// Bytes of the distinct allocations over all containers, each counted once.
    pub fn total(&self) -> Breakdown {
        self.union.values().fold(Breakdown::default(), |mut acc, &(entry, holders)| {
            acc.add_entry(entry, entry.shared || holders > 1);
            acc
        })
    }

    /// Sum of the per-container totals: the figure a naive report gives, for contrast.
    pub fn naive_total_bytes(&self) -> u64 {
        self.rows.iter().map(|row| row.bytes.total_bytes()).sum()
    }

    /// Rows and totals, for the table and JSON reports.
    pub fn summary(&self) -> LedgerSummary {
        LedgerSummary {
            rows: self.rows.clone(),
            n_allocations: self.n_allocations(),
            total: self.total(),
            naive_total_bytes: self.naive_total_bytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use arrow_buffer::Buffer;

    use super::*;

    #[test]
    fn deep_copy_is_owned_and_base_with_views_is_shared() {
        let base = Buffer::from_vec(vec![0_u64; 100]);
        let copy = Buffer::from(base.slice_with_length(0, 80).as_slice().to_vec());
        let mut ledger = Ledger::new();
        ledger.add("base", |set| set.insert(&base));
        ledger.add("view", |set| set.insert(&base.slice_with_length(8, 16)));
        ledger.add("copy", |set| set.insert(&copy));
        assert_eq!(ledger.total(), Breakdown { owned_bytes: 80, shared_bytes: 800, mapped_bytes: 0 });
        assert_eq!(ledger.n_allocations(), 2);
        assert_eq!(ledger.naive_total_bytes(), 1680);
    }

    #[test]
    fn sole_holder_inside_the_ledger_is_owned() {
        let buffer = Buffer::from_vec(vec![0_u8; 64]);
        let mut ledger = Ledger::new();
        ledger.add("only", |set| set.insert(&buffer));
        assert_eq!(ledger.total(), Breakdown { owned_bytes: 64, shared_bytes: 0, mapped_bytes: 0 });
    }
}
