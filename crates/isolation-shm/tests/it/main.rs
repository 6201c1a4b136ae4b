//! The integration tests of `isolation-shm`, in one test binary: each module below was a binary of its own, and
//! each linked the package's whole dependency tree again. xtask's `build_shape` test keeps it at one.

mod common;
mod corruption;
mod hostile;
mod interop;
mod multiprocess;
mod node_share;
mod roundtrip;
