//! The integration tests of `xtask`, in one test binary: each module below was a binary of its own, and
//! each linked the package's whole dependency tree again. xtask's `build_shape` test keeps it at one.

mod build_shape;
mod map;
mod report;
mod tidy;
