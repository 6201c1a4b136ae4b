//! `Cause`: an error from a lower layer (Arrow, a file reader, the OS) kept whole inside our error enums, so
//! `std::error::Error::source` chains reach it and callers can downcast to it.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

/// The error that caused one of ours, shared (`Arc`) so that our error types stay `Clone`.
///
/// It displays as the error it holds. Two causes are equal when they display the same text: our error enums
/// derive `PartialEq` for tests, and the errors they wrap (Arrow's, `std::io::Error`) are not comparable.
///
/// ```
/// use std::error::Error;
/// use timeseries_array::Cause;
///
/// let cause = Cause::new(std::io::Error::other("disk on fire"));
/// assert_eq!(cause.to_string(), "disk on fire");
/// assert!(cause.downcast_ref::<std::io::Error>().is_some());
/// ```
#[derive(Clone)]
pub struct Cause(Arc<dyn Error + Send + Sync + 'static>);

impl Cause {
    /// Keeps `error` as a cause.
    pub fn new(error: impl Error + Send + Sync + 'static) -> Self {
        Self(Arc::new(error))
    }

    /// The error held.
    pub fn get(&self) -> &(dyn Error + Send + Sync + 'static) {
        self.0.as_ref()
    }

    /// The error held, if it is a `T`.
    pub fn downcast_ref<T: Error + 'static>(&self) -> Option<&T> {
        let error: &(dyn Error + 'static) = self.0.as_ref();
        error.downcast_ref::<T>()
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl Error for Cause {
    /// The held error's own source: the held error is this cause itself (same message), so the chain goes
    /// on from there.
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}

impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.to_string() == other.to_string()
    }
}
