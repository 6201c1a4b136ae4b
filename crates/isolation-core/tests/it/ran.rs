//! How many cases of a property test reached their checks. A property that skips the cases whose call
//! returned an error passes even when the call always fails; counting the cases that ran, per kind of input,
//! and requiring a share of them makes such a property able to fail. Shared with the `isolation` crate's
//! tests by `#[path]`.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Per-kind counters for one property, kept in a `static` and read after its proptest run.
pub(crate) struct Ran<const KINDS: usize> {
    cases: AtomicUsize,
    ran: [AtomicUsize; KINDS],
}

impl<const KINDS: usize> Ran<KINDS> {
    /// No case seen yet.
    pub(crate) const fn new() -> Self {
        Self { cases: AtomicUsize::new(0), ran: [const { AtomicUsize::new(0) }; KINDS] }
    }

    /// One generated case began.
    pub(crate) fn case(&self) {
        self.cases.fetch_add(1, Ordering::Relaxed);
    }

    /// The case reached the checks for input kind `kind`.
    pub(crate) fn ran(&self, kind: usize) {
        self.ran[kind].fetch_add(1, Ordering::Relaxed);
    }

    /// Panics unless every kind (named by `kinds`) reached its checks in at least `min_share` of the cases.
    pub(crate) fn assert_each_ran(&self, kinds: [&str; KINDS], min_share: f64) {
        let cases = self.cases.load(Ordering::Relaxed);
        assert!(cases > 0, "the property ran no case");
        for (name, ran) in kinds.iter().zip(&self.ran) {
            let ran = ran.load(Ordering::Relaxed);
            let share = ran as f64 / cases as f64;
            eprintln!("{name}: checked in {ran} of {cases} cases");
            assert!(
                share >= min_share,
                "{name}: only {ran} of {cases} cases reached the checks (at least {min_share:.2} of them must): \
                 the inputs are mostly invalid, or the function under test fails"
            );
        }
    }
}
