//! `SplitSpec` as text: `ratio=0.7`, `date=2024-03-01`, `index=5000`, `last=30d` (the CLI's `--split`,
//! the Python `setup_train_test_split(method=...)` and fold manifests all read and write this form).

use std::fmt;
use std::str::FromStr;

use timeseries_array::{format_timestamp, parse_timestamp};

use crate::{IsolationError, Length, SplitSpec};

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
