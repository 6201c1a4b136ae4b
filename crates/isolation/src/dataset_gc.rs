//! The limits of collecting dataset segments (`isolation shm gc --datasets`, Python's
//! `shm.gc(datasets=True)`), from the lengths the two ways in parse: one rule for both.

use isolation_core::{IsolationError, Length};
use isolation_shm::DatasetPolicy;

/// The [`DatasetPolicy`] of an age limit, an idle limit (both durations: `7d`, `12h`) and a byte budget.
///
/// ```
/// use isolation::{Length, dataset_policy};
///
/// let policy = dataset_policy(None, Some("2d".parse()?), None)?;
/// assert_eq!(policy.unused_for, Some(std::time::Duration::from_secs(2 * 86_400)));
/// assert!(dataset_policy(Some(Length::Rows(5)), None, None).is_err());
/// assert!(dataset_policy(None, None, None).is_err());
/// # Ok::<(), isolation::IsolationError>(())
/// ```
///
/// # Errors
///
/// A limit given in rows, or no limit at all (collecting every dataset is `shm rm`'s job).
pub fn dataset_policy(
    older_than: Option<Length>,
    unused_for: Option<Length>,
    budget_bytes: Option<u64>,
) -> Result<DatasetPolicy, IsolationError> {
    let duration = |length: Option<Length>, what: &str| match length {
        None => Ok(None),
        Some(Length::Time(ns)) => Ok(Some(std::time::Duration::from_nanos(ns.unsigned_abs()))),
        Some(rows @ Length::Rows(_)) => Err(IsolationError::Parse {
            spec: rows.to_string(),
            reason: format!("{what} takes a duration (`7d`, `12h`), not rows"),
        }),
    };
    let policy = DatasetPolicy {
        older_than: duration(older_than, "older_than (--older-than)")?,
        unused_for: duration(unused_for, "unused_for (--unused-for)")?,
        budget_bytes,
    };
    if policy == DatasetPolicy::default() {
        return Err(IsolationError::NoDatasetLimit);
    }
    Ok(policy)
}
