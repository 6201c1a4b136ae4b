//! The `Footprint` every container reports: owned versus shared bytes.

use std::ops::{Add, AddAssign};

use serde::Serialize;

/// What a container keeps alive, in bytes.
///
/// - `owned_bytes`: memory that this handle alone keeps alive: dropping the handle frees it. For a view this
///   is its own small bookkeeping (a few pointers per column); for a deep copy it is the copied data.
/// - `shared_bytes`: memory this handle reads and keeps alive together with other handles (the base frame a
///   view slices, a mapped segment). Summing `shared_bytes` over several handles double counts; use a
///   [`BufferSet`](crate::BufferSet) over all of them to count each allocation once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Footprint {
    /// Bytes only this handle keeps alive.
    pub owned_bytes: u64,
    /// Bytes this handle keeps alive together with other handles.
    pub shared_bytes: u64,
}

impl Footprint {
    /// A footprint with only owned bytes.
    pub fn owned(bytes: u64) -> Self {
        Self { owned_bytes: bytes, shared_bytes: 0 }
    }

    /// Owned plus shared bytes.
    pub fn total_bytes(&self) -> u64 {
        self.owned_bytes + self.shared_bytes
    }
}

impl Add for Footprint {
    type Output = Footprint;

    fn add(self, rhs: Footprint) -> Footprint {
        Footprint {
            owned_bytes: self.owned_bytes + rhs.owned_bytes,
            shared_bytes: self.shared_bytes + rhs.shared_bytes,
        }
    }
}

impl AddAssign for Footprint {
    fn add_assign(&mut self, rhs: Footprint) {
        *self = *self + rhs;
    }
}
