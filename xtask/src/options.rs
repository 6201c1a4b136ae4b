//! Options of `cargo xtask bench`, and the dataset sizes it measures.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};

use isolation::synthetic::BYTES_PER_ROW;

/// A named dataset size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Size {
    /// About 440 KB: for the xtask's own test, where only the code paths matter.
    Tiny,
    /// About 4.4 MB (under 10 MB).
    Small,
    /// About 100 MB.
    Medium,
    /// About 2 GB.
    Large,
}

impl Size {
    /// Every size, smallest first.
    pub(crate) const ALL: [Size; 4] = [Size::Tiny, Size::Small, Size::Medium, Size::Large];

    /// The size's name on the command line and in reports.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Size::Tiny => "tiny",
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }

    /// Bars generated for this size.
    pub(crate) fn rows(self) -> usize {
        match self {
            Size::Tiny => 10_000,
            Size::Small => 100_000,
            Size::Medium => 100_000_000 / BYTES_PER_ROW,
            Size::Large => 2_000_000_000 / BYTES_PER_ROW,
        }
    }
}

/// Parsed options of `cargo xtask bench`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BenchOptions {
    /// CI smoke run: short time budgets, scaling up to 1e7 rows, 4 workers.
    pub quick: bool,
    /// Sizes of the per-mode table, smallest first.
    pub sizes: Vec<Size>,
    /// Where report.md, report.json and the SVGs go.
    pub out_dir: PathBuf,
    /// Run the children from this executable instead of building and running a release xtask.
    pub no_release_build: bool,
    /// The Python that runs pandas' side of the deep-copy comparison (`--python`, else `$ISOLATION_PYTHON`,
    /// else `python3`).
    pub python: String,
}

impl BenchOptions {
    /// The usage line.
    pub(crate) const USAGE: &'static str = "usage: cargo xtask bench [--quick] [--sizes small,medium,large] \
         [--out DIR] [--no-release-build] [--python PYTHON]";

    /// Parses the arguments after `bench`; `default_out` is used without `--out`.
    pub(crate) fn parse(args: &[String], default_out: PathBuf) -> Result<Self> {
        let python = std::env::var("ISOLATION_PYTHON").unwrap_or_else(|_| "python3".to_string());
        let mut options =
            Self { quick: false, sizes: Vec::new(), out_dir: default_out, no_release_build: false, python };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--no-release-build" => options.no_release_build = true,
                "--sizes" => {
                    let Some(list) = args.next() else { bail!("--sizes needs a list; {}", Self::USAGE) };
                    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                        let Some(size) = Size::ALL.into_iter().find(|s| s.name() == name) else {
                            bail!("unknown size `{name}` in --sizes; sizes: tiny, small, medium, large");
                        };
                        options.sizes.push(size);
                    }
                }
                "--python" => {
                    let Some(python) = args.next() else { bail!("--python needs a path; {}", Self::USAGE) };
                    options.python = python.clone();
                }
                "--out" => {
                    let Some(dir) = args.next() else { bail!("--out needs a directory; {}", Self::USAGE) };
                    options.out_dir = PathBuf::from(dir);
                }
                other => bail!("unknown option `{other}` for bench; {}", Self::USAGE),
            }
        }
        if options.sizes.is_empty() {
            options.sizes = vec![Size::Small, Size::Medium];
        }
        options.sizes.sort();
        options.sizes.dedup();
        Ok(options)
    }

    /// True when only the tiny size is asked for: a test of the code paths, with tiny scaling rows too.
    pub(crate) fn smoke_only(&self) -> bool {
        self.sizes == [Size::Tiny]
    }

    /// Bars of the deep-copy comparison against pandas.
    pub(crate) fn copy_rows(&self) -> usize {
        if self.smoke_only() {
            10_000
        } else if self.quick {
            1_000_000
        } else {
            10_000_000
        }
    }

    /// Row counts of the scaling series.
    pub(crate) fn scaling_rows(&self) -> Vec<usize> {
        if self.smoke_only() {
            vec![1_000, 10_000, 100_000]
        } else if self.quick {
            vec![100_000, 1_000_000, 10_000_000]
        } else {
            vec![100_000, 1_000_000, 10_000_000, 100_000_000]
        }
    }

    /// Time budget of each repeated timing in a child.
    pub(crate) fn budget(&self) -> Duration {
        Duration::from_millis(if self.smoke_only() {
            10
        } else if self.quick {
            150
        } else {
            800
        })
    }

    /// Worker processes of the shared-memory run.
    pub(crate) fn workers(&self) -> usize {
        if self.smoke_only() {
            2
        } else if self.quick {
            4
        } else {
            8
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<BenchOptions> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        BenchOptions::parse(&args, PathBuf::from("out"))
    }

    #[test]
    fn options_parse_as_documented() {
        let options = parse(&["--quick", "--sizes", "large,small"]).unwrap();
        assert!(options.quick);
        assert_eq!(options.sizes, [Size::Small, Size::Large]);
        assert_eq!(parse(&[]).unwrap().sizes, [Size::Small, Size::Medium]);
        assert_eq!(parse(&["--sizes", "tiny"]).unwrap().scaling_rows(), [1_000, 10_000, 100_000]);
        assert_eq!(parse(&["--out", "x"]).unwrap().out_dir, PathBuf::from("x"));
        assert!(parse(&["--sizes", "huge"]).unwrap_err().to_string().contains("unknown size `huge`"));
        assert!(parse(&["--fast"]).unwrap_err().to_string().contains("unknown option `--fast`"));
    }

    #[test]
    fn sizes_are_in_their_advertised_ranges() {
        let bytes = |s: Size| s.rows() * BYTES_PER_ROW;
        assert!(bytes(Size::Small) < 10_000_000);
        assert!((90_000_000..=110_000_000).contains(&bytes(Size::Medium)));
        assert!((1_900_000_000..=2_100_000_000).contains(&bytes(Size::Large)));
    }
}
