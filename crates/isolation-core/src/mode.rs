//! `IsolationMode`: how a split's data is isolated from the base and from other splits.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::IsolationError;

/// How isolated data is made from a base frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IsolationMode {
    /// Every split gets its own copy of its rows. Costs the split's bytes; isolation by separation.
    DeepCopy,
    /// A read-only offset and length over the base's buffers. Costs O(columns) bytes.
    View,
    /// Reads share the base; the first write to a chunk copies that chunk only.
    #[serde(rename = "cow")]
    CopyOnWrite,
    /// The base is published once as an Arrow IPC file in shared memory; every process maps it read-only.
    #[serde(rename = "shm")]
    SharedMemory,
}

impl IsolationMode {
    /// Every mode, in the order reports list them.
    pub const ALL: [IsolationMode; 4] = [Self::DeepCopy, Self::View, Self::CopyOnWrite, Self::SharedMemory];

    /// The mode's name on the command line and in JSON: `deep-copy`, `view`, `cow`, `shm`.
    pub fn name(self) -> &'static str {
        match self {
            Self::DeepCopy => "deep-copy",
            Self::View => "view",
            Self::CopyOnWrite => "cow",
            Self::SharedMemory => "shm",
        }
    }
}

impl fmt::Display for IsolationMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for IsolationMode {
    type Err = IsolationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| IsolationError::UnknownMode { name: s.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for mode in IsolationMode::ALL {
            assert_eq!(mode.name().parse::<IsolationMode>().unwrap(), mode);
        }
        assert!("fast".parse::<IsolationMode>().is_err());
    }
}
