//! The integration tests of `isolation-core`, in one test binary: each module below was a binary of its own, and
//! each linked the package's whole dependency tree again. xtask's `build_shape` test keeps it at one.

mod cursor;
mod fold_props;
mod fold_specs;
mod label_purge;
mod ran;
mod sklearn_cross_check;
mod split_spec;
