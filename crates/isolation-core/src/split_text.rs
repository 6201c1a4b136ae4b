//! `SplitSpec` as text: `ratio=0.7`, `date=2024-03-01`, `index=5000`, `last=30d` (the CLI's `--split`,
//! the Python `setup_train_test_split(method=...)` and fold manifests all read and write this form).

use std::fmt;
use std::str::FromStr;

use timeseries_array::{format_timestamp, parse_timestamp};

use crate::{IsolationError, Length, Split, SplitSpec};

/// The train ratio when none is given: 70% of the instants in train (the seed design's default).
pub const DEFAULT_TRAIN_RATIO: f64 = 0.7;

impl Default for SplitSpec {
    /// `ratio=0.7` ([`DEFAULT_TRAIN_RATIO`]).
    fn default() -> Self {
        SplitSpec::Ratio(DEFAULT_TRAIN_RATIO)
    }
}

/// A split as the seed's `setup_train_test_split(method, train_ratio, split_date, split_index)` names it:
/// a method and the one parameter that method reads (the Python package's keywords).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SplitMethodArgs<'a> {
    /// `ratio` (of all symbols' distinct instants), `date`, `index` or `last`.
    pub method: &'a str,
    /// For `ratio`; [`DEFAULT_TRAIN_RATIO`] when `None`.
    pub train_ratio: Option<f64>,
    /// For `date`: test starts at the first bar at or after it (nanoseconds, UTC).
    pub split_date: Option<crate::TimestampNs>,
    /// For `index`: test starts at this distinct instant.
    pub split_index: Option<usize>,
    /// For `last`: test on the last instants (`250`) or the last duration (`30d`).
    pub last: Option<&'a str>,
}

impl SplitSpec {
    /// The spec a method and its parameter name.
    ///
    /// ```
    /// use isolation_core::{SplitMethodArgs, SplitSpec};
    ///
    /// let ratio = SplitMethodArgs { method: "ratio", ..SplitMethodArgs::default() };
    /// assert_eq!(SplitSpec::from_method(ratio)?, SplitSpec::Ratio(0.7));
    /// let last = SplitMethodArgs { method: "last", last: Some("30d"), ..SplitMethodArgs::default() };
    /// assert_eq!(SplitSpec::from_method(last)?.to_string(), "last=30d");
    /// let date = SplitMethodArgs { method: "date", ..SplitMethodArgs::default() };
    /// assert_eq!(SplitSpec::from_method(date).unwrap_err().to_string(),
    ///     "`date` is not a split: method `date` needs split_date; use ratio=0.7, date=2024-01-01, index=5000 or last=30d");
    /// # Ok::<(), isolation_core::IsolationError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An unknown method, a method without its parameter, or a parameter the spec refuses.
    pub fn from_method(args: SplitMethodArgs<'_>) -> Result<Self, IsolationError> {
        let method = args.method;
        let needs = |what: &str| IsolationError::InvalidSplitSpec {
            text: method.to_string(),
            reason: format!("method `{method}` needs {what}"),
        };
        match method {
            "ratio" => {
                let ratio = args.train_ratio.unwrap_or(DEFAULT_TRAIN_RATIO);
                if !(ratio > 0.0 && ratio < 1.0) {
                    return Err(IsolationError::InvalidRatio { ratio });
                }
                Ok(SplitSpec::Ratio(ratio))
            }
            "date" => args.split_date.map(SplitSpec::Date).ok_or_else(|| needs("split_date")),
            "index" => args.split_index.map(SplitSpec::Index).ok_or_else(|| needs("split_index")),
            "last" => format!("last={}", args.last.ok_or_else(|| needs("last"))?).parse(),
            _ => Err(IsolationError::InvalidSplitSpec {
                text: method.to_string(),
                reason: "the method is not one of ratio, date, index, last".to_string(),
            }),
        }
    }
}

impl FromStr for Split {
    type Err = IsolationError;

    /// `train`, `test` or `full` (as `Display` writes them).
    fn from_str(text: &str) -> Result<Self, IsolationError> {
        match text {
            "train" => Ok(Split::Train),
            "test" => Ok(Split::Test),
            "full" => Ok(Split::Full),
            other => Err(IsolationError::Parse {
                spec: other.to_string(),
                reason: "unknown split; expected train, test or full".to_string(),
            }),
        }
    }
}

impl FromStr for SplitSpec {
    type Err = IsolationError;

    /// Parses `ratio=R` (0 < R < 1), `date=D` (ISO 8601 date or date-time; UTC unless it has a zone),
    /// `index=N` or `last=L` (rows, e.g. `250`, or a duration, e.g. `30d`).
    ///
    /// ```
    /// use isolation_core::{Length, SplitSpec};
    ///
    /// assert_eq!("ratio=0.7".parse::<SplitSpec>()?, SplitSpec::Ratio(0.7));
    /// assert_eq!("last=250".parse::<SplitSpec>()?, SplitSpec::LastN(Length::Rows(250)));
    /// assert_eq!("date=1970-01-02".parse::<SplitSpec>()?, SplitSpec::Date(86_400_000_000_000));
    /// assert!("ratio=70%".parse::<SplitSpec>().is_err());
    /// # Ok::<(), isolation_core::IsolationError>(())
    /// ```
    fn from_str(text: &str) -> Result<Self, IsolationError> {
        let invalid =
            |reason: &str| IsolationError::InvalidSplitSpec { text: text.to_string(), reason: reason.into() };
        let Some((key, value)) = text.trim().split_once('=') else {
            return Err(invalid("it has no `kind=value`"));
        };
        let value = value.trim();
        match key.trim() {
            "ratio" => {
                let ratio: f64 = value.parse().map_err(|_| invalid("the ratio is not a number"))?;
                if !(ratio > 0.0 && ratio < 1.0) {
                    return Err(IsolationError::InvalidRatio { ratio });
                }
                Ok(SplitSpec::Ratio(ratio))
            }
            "date" => parse_timestamp(value)
                .map(SplitSpec::Date)
                .ok_or_else(|| IsolationError::InvalidDate { text: value.to_string() }),
            "index" => {
                value.parse().map(SplitSpec::Index).map_err(|_| invalid("the index is not a whole number"))
            }
            "last" => {
                value.parse::<Length>().map(SplitSpec::LastN).map_err(|error| invalid(&error.to_string()))
            }
            _ => Err(invalid("the kind is not one of ratio, date, index, last")),
        }
    }
}

impl fmt::Display for SplitSpec {
    /// The text form [`SplitSpec::from_str`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SplitSpec::Ratio(ratio) => write!(f, "ratio={ratio}"),
            SplitSpec::Date(date) => write!(f, "date={}", format_timestamp(*date)),
            SplitSpec::Index(index) => write!(f, "index={index}"),
            SplitSpec::LastN(length) => write!(f, "last={length}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_what_it_writes() {
        for spec in [
            SplitSpec::Ratio(0.7),
            SplitSpec::Date(1_709_285_400_000_000_000),
            SplitSpec::Index(5_000),
            SplitSpec::LastN(Length::Rows(250)),
            SplitSpec::LastN("30d".parse().unwrap()),
        ] {
            assert_eq!(spec.to_string().parse::<SplitSpec>().unwrap(), spec, "{spec}");
        }
    }

    #[test]
    fn methods_name_the_same_specs_as_text() {
        let args = |method| SplitMethodArgs { method, ..SplitMethodArgs::default() };
        assert_eq!(SplitSpec::from_method(args("ratio")).unwrap(), SplitSpec::default());
        let ratio = SplitMethodArgs { train_ratio: Some(0.6), ..args("ratio") };
        assert_eq!(SplitSpec::from_method(ratio).unwrap(), "ratio=0.6".parse().unwrap());
        let index = SplitMethodArgs { split_index: Some(50), ..args("index") };
        assert_eq!(SplitSpec::from_method(index).unwrap(), SplitSpec::Index(50));
        let date = SplitMethodArgs { split_date: Some(86_400_000_000_000), ..args("date") };
        assert_eq!(SplitSpec::from_method(date).unwrap(), "date=1970-01-02".parse().unwrap());
        assert!(SplitSpec::from_method(SplitMethodArgs { train_ratio: Some(1.0), ..args("ratio") }).is_err());
        assert!(SplitSpec::from_method(args("middle")).unwrap_err().to_string().contains("not one of ratio"));
        for split in [Split::Train, Split::Test, Split::Full] {
            assert_eq!(split.to_string().parse::<Split>().unwrap(), split);
        }
        assert_eq!(
            "both".parse::<Split>().unwrap_err().to_string(),
            "cannot parse `both`: unknown split; expected train, test or full"
        );
    }

    #[test]
    fn bad_text_says_what_is_wrong() {
        let message = |text: &str| text.parse::<SplitSpec>().unwrap_err().to_string();
        assert_eq!(
            message("0.7"),
            "`0.7` is not a split: it has no `kind=value`; use ratio=0.7, date=2024-01-01, index=5000 or last=30d"
        );
        assert!(message("ratio=1.5").contains("outside (0, 1)"));
        assert!(message("date=yesterday").contains("not an ISO 8601 date"));
        assert!(message("last=3M").contains("months and years have no fixed length"));
        assert!(message("middle=5").contains("not one of ratio, date, index, last"));
    }
}
