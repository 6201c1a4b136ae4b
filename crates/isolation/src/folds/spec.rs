//! `FoldSpec`: the registry of fold kinds. Every kind the handler, the manifests, the CLI and the Python
//! package know is listed here once, by the name they all use; cross-validation kinds are types of
//! `isolation-core` implementing [`CrossValidation`], and adding one is a variant and one line in each
//! `match` below (ARCHITECTURE.md, "Where to change X").

use std::str::FromStr;

use isolation_core::{CombinatorialPurgedCv, CrossValidation, IsolationError, PurgedKFold, WalkForward};

/// Which cross-validation or walk-forward scheme to lay over the data.
#[derive(Debug, Clone, PartialEq)]
pub enum FoldSpec {
    /// Train, gap, test, then forward by a step. In time, one schedule cuts every symbol at the same
    /// instants; in rows, only one symbol is accepted (rows of different symbols are out of step in time).
    WalkForward(WalkForward),
    /// Purged k-fold with embargo: groups of equal numbers of instants on the union of all symbols'
    /// timestamps, so a test block is one period for every symbol.
    PurgedKFold(PurgedKFold),
    /// Combinatorial purged cross-validation, laid on the union of all symbols' timestamps as k-fold is.
    CombinatorialPurgedCv(CombinatorialPurgedCv),
}

impl FoldSpec {
    /// The kinds' names, as [`FoldSpec::kind`] gives them.
    pub const KINDS: [&'static str; 3] = ["walk_forward", "kfold", "cpcv"];

    /// The scheme's name: `walk_forward`, `kfold` or `cpcv` (as the CLI flags, the Python package and
    /// manifests name it).
    pub fn kind(&self) -> &'static str {
        match self {
            FoldSpec::WalkForward(_) => "walk_forward",
            FoldSpec::PurgedKFold(_) => "kfold",
            FoldSpec::CombinatorialPurgedCv(_) => "cpcv",
        }
    }

    /// A spec from its scheme's name ([`FoldSpec::kind`]; `walk-forward` is also accepted) and its text.
    ///
    /// ```
    /// use isolation::FoldSpec;
    ///
    /// let spec = FoldSpec::parse("kfold", "k=5,embargo=1d")?;
    /// assert_eq!((spec.kind(), spec.to_string()), ("kfold", "k=5,embargo=1d".to_string()));
    /// assert_eq!(spec, "kfold:k=5,embargo=1d".parse()?);
    /// # Ok::<(), isolation::IsolationError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// An unknown kind, or text the scheme does not parse.
    pub fn parse(kind: &str, spec: &str) -> Result<Self, IsolationError> {
        Ok(match kind {
            "walk_forward" | "walk-forward" => FoldSpec::WalkForward(spec.parse()?),
            "kfold" => FoldSpec::PurgedKFold(spec.parse()?),
            "cpcv" => FoldSpec::CombinatorialPurgedCv(spec.parse()?),
            other => {
                let reason = format!("unknown scheme `{other}`; expected one of {}", Self::KINDS.join(", "));
                return Err(IsolationError::Parse { spec: spec.to_string(), reason });
            }
        })
    }

    /// True when the spec measures a length in time (`30d`), so it needs timestamps to lay its folds.
    pub fn uses_time(&self) -> bool {
        match (self, self.as_cross_validation()) {
            (_, Some(cv)) => cv.purge().is_time() || cv.embargo().is_time(),
            (FoldSpec::WalkForward(walk), None) => walk.is_time(),
            (_, None) => false,
        }
    }

    /// The cross-validation scheme, or `None` for a walk-forward.
    pub fn as_cross_validation(&self) -> Option<&dyn CrossValidation> {
        match self {
            FoldSpec::WalkForward(_) => None,
            FoldSpec::PurgedKFold(spec) => Some(spec),
            FoldSpec::CombinatorialPurgedCv(spec) => Some(spec),
        }
    }
}

impl FromStr for FoldSpec {
    type Err = IsolationError;

    /// `kind:spec`, e.g. `kfold:k=5,embargo=1d` or `walk_forward:train=90d,test=30d` (the CLI's
    /// `--scheme`).
    fn from_str(text: &str) -> Result<Self, IsolationError> {
        let Some((kind, spec)) = text.split_once(':') else {
            let reason = format!("expected KIND:SPEC with KIND one of {}", Self::KINDS.join(", "));
            return Err(IsolationError::Parse { spec: text.to_string(), reason });
        };
        Self::parse(kind, spec)
    }
}

impl std::fmt::Display for FoldSpec {
    /// The spec's own text (without its kind), as [`FoldSpec::parse`] takes it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FoldSpec::WalkForward(spec) => write!(f, "{spec}"),
            FoldSpec::PurgedKFold(spec) => write!(f, "{spec}"),
            FoldSpec::CombinatorialPurgedCv(spec) => write!(f, "{spec}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses_from_its_name_and_text() {
        for (kind, text) in [
            ("walk_forward", "train=90d,test=30d,step=30d"),
            ("kfold", "k=5"),
            ("cpcv", "n_folds=6,n_test_folds=2"),
        ] {
            let spec = FoldSpec::parse(kind, text).unwrap();
            assert_eq!((spec.kind(), spec.to_string().as_str()), (kind, text));
            assert_eq!(format!("{kind}:{text}").parse::<FoldSpec>().unwrap(), spec);
            assert_eq!(spec.as_cross_validation().is_some(), kind != "walk_forward");
        }
        assert!(
            FoldSpec::KINDS
                .iter()
                .all(|k| FoldSpec::parse(k, "").is_err_and(|e| !e.to_string().contains("unknown scheme")))
        );
        let error = FoldSpec::parse("bogus", "k=5").unwrap_err().to_string();
        assert_eq!(
            error,
            format!(
                "cannot parse `k=5`: unknown scheme `bogus`; expected one of {}",
                FoldSpec::KINDS.join(", ")
            )
        );
        assert!("k=5".parse::<FoldSpec>().unwrap_err().to_string().contains("expected KIND:SPEC"));
    }
}
