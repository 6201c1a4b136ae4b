//! Label intervals and purging: the train rows to drop because their labels overlap a test block's labels,
//! and the rows to embargo right after each block.

use std::borrow::Cow;
use std::ops::Range;

use serde::Serialize;
use timeseries_array::TimestampNs;

use crate::row_set;
use crate::{FoldError, Length};

/// The label interval of every row of one series: the label of row `i` is computed from the bars between
/// `starts[i]` (the row's own timestamp) and `ends[i]` inclusive (López de Prado's `t1`; a triple-barrier
/// label ends at the first barrier touched, a fixed-horizon label a fixed time or number of bars later).
///
/// Purging removes every train row whose interval overlaps any test row's interval; both ends are
/// inclusive, so a label that ends at the instant a test block starts overlaps it.
///
/// ```
/// use isolation_core::{LabelIntervals, Length};
///
/// let t: Vec<i64> = (0..10).collect();
/// // Labels of 2 bars: row 3's label ends at row 5's timestamp.
/// let labels = LabelIntervals::horizon(&t, Length::Rows(2));
/// assert_eq!(labels.ends()[3], 5);
/// // Test rows 4..6: rows 2 and 3 have labels reaching row 4, rows 6 and 7 start inside row 5's label.
/// let purged = labels.purge(&[4..6], &labels.test_spans(&[4..6]), Length::Rows(1), &t);
/// assert_eq!(purged.train, vec![0..2, 9..10]);
/// assert_eq!((purged.blocks[0].purged, purged.blocks[0].embargoed), (4, 1));
/// # Ok::<(), isolation_core::FoldError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelIntervals<'a> {
    starts: Cow<'a, [TimestampNs]>,
    ends: Cow<'a, [TimestampNs]>,
    /// The longest label, `max(ends[i] - starts[i])`: how far back a label can reach into a test block.
    longest: TimestampNs,
}

/// The time a test block's labels cover: from its first test instant to the latest end of a test label in
/// it, both inclusive. A train row whose label interval meets this span is purged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct TestSpan {
    /// The test block this span belongs to (its position among the fold's test blocks, from 0).
    pub block: usize,
    /// First test instant of the block.
    pub start: TimestampNs,
    /// Latest label end of the block's test rows.
    pub end: TimestampNs,
}

impl TestSpan {
    /// The smallest span covering both (for purging across symbols: one span per block over every symbol's
    /// test labels).
    pub fn cover(self, other: TestSpan) -> TestSpan {
        TestSpan { block: self.block, start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// What purging and embargo removed around one test block, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct BlockPurge {
    /// The test block and the span of its labels: the rows below overlap it or follow it.
    pub span: TestSpan,
    /// Train rows dropped because their label interval overlaps the span (counted once, for the first block
    /// they overlap).
    pub purged: usize,
    /// Train rows dropped because they fall in the embargo after the span (and were not purged).
    pub embargoed: usize,
    /// Last instant of the embargo window (inclusive); `None` without embargo or when it runs past the data.
    pub embargo_end: Option<TimestampNs>,
}

/// The train rows left after purging and embargo, and what was removed around each test block.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Purged {
    /// Train rows as sorted disjoint ranges: every row that is not test, not purged and not embargoed.
    pub train: Vec<Range<usize>>,
    /// Per test span, in the order given.
    pub blocks: Vec<BlockPurge>,
}

impl Purged {
    /// Rows purged over every block.
    pub fn n_purged(&self) -> usize {
        self.blocks.iter().map(|b| b.purged).sum()
    }

    /// Rows embargoed over every block.
    pub fn n_embargoed(&self) -> usize {
        self.blocks.iter().map(|b| b.embargoed).sum()
    }
}

impl<'a> LabelIntervals<'a> {
    /// Label intervals from each row's timestamp (`starts`, sorted) to its label end (`ends`, e.g. a `t1`
    /// column).
    ///
    /// # Errors
    ///
    /// [`FoldError::LabelEnds`] when the lengths differ or a label ends before its row's timestamp.
    pub fn new(
        starts: &'a [TimestampNs],
        ends: impl Into<Cow<'a, [TimestampNs]>>,
    ) -> Result<Self, FoldError> {
        let ends = ends.into();
        if ends.len() != starts.len() {
            let reason = format!("{} label ends for {} rows", ends.len(), starts.len());
            return Err(FoldError::LabelEnds { reason });
        }
        let mut longest = 0;
        for (row, (&start, &end)) in starts.iter().zip(ends.iter()).enumerate() {
            if end < start {
                let reason = format!(
                    "row {row}'s label ends at {}, before the row itself ({})",
                    timeseries_array::format_timestamp(end),
                    timeseries_array::format_timestamp(start)
                );
                return Err(FoldError::LabelEnds { reason });
            }
            longest = longest.max(end - start);
        }
        Ok(Self { starts: Cow::Borrowed(starts), ends, longest })
    }

    /// Labels of a fixed `horizon` on `starts` itself: `horizon` rows later (the last row's timestamp at the
    /// end of the data), or `horizon` of time later.
    pub fn horizon(starts: &'a [TimestampNs], horizon: Length) -> Self {
        Self::horizon_on(starts, starts, horizon)
    }

    /// Labels of a fixed `horizon` counted on `axis` (sorted; a calendar shared by several symbols that
    /// holds every instant of `starts`): a row at `axis[p]` ends at `axis[p + n]` for `n` rows (the last
    /// instant past the end), or `horizon` of time later.
    pub fn horizon_on(starts: &'a [TimestampNs], axis: &[TimestampNs], horizon: Length) -> Self {
        let ends: Vec<TimestampNs> = match horizon {
            Length::Time(ns) => starts.iter().map(|&t| t.saturating_add(ns)).collect(),
            Length::Rows(n) => {
                let mut position = 0;
                starts
                    .iter()
                    .map(|&t| {
                        position += axis[position..].partition_point(|&x| x < t);
                        axis.get(position.saturating_add(n)).or(axis.last()).copied().unwrap_or(t).max(t)
                    })
                    .collect()
            }
        };
        let longest = starts.iter().zip(&ends).map(|(s, e)| e - s).max().unwrap_or(0);
        Self { starts: Cow::Borrowed(starts), ends: Cow::Owned(ends), longest }
    }

    /// The same intervals owning their timestamps (for an iterator that outlives the caller's slices).
    pub fn into_owned(self) -> LabelIntervals<'static> {
        let Self { starts, ends, longest } = self;
        LabelIntervals {
            starts: Cow::Owned(starts.into_owned()),
            ends: Cow::Owned(ends.into_owned()),
            longest,
        }
    }

    /// Each row's timestamp: where its label starts.
    pub fn starts(&self) -> &[TimestampNs] {
        &self.starts
    }

    /// Each row's label end.
    pub fn ends(&self) -> &[TimestampNs] {
        &self.ends
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True without rows.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// One span per non-empty test block (sorted disjoint row ranges), numbered by its position in `test`.
    pub fn test_spans(&self, test: &[Range<usize>]) -> Vec<TestSpan> {
        test.iter()
            .enumerate()
            .filter(|(_, rows)| !rows.is_empty())
            .map(|(block, rows)| TestSpan {
                block,
                start: self.starts[rows.start],
                end: self.ends[rows.clone()].iter().copied().max().expect("a non-empty block"),
            })
            .collect()
    }

    /// The train rows around the `test` rows (sorted disjoint ranges, never train) after purging every row
    /// whose label overlaps one of `spans` and embargoing the rows right after each span: `embargo` of time
    /// past the span's end, or the `embargo` instants of `axis` that follow it (the series' own timestamps,
    /// or the calendar shared by several symbols).
    ///
    /// A row that overlaps several spans is counted for the first; purging takes precedence over embargo.
    pub fn purge(
        &self,
        test: &[Range<usize>],
        spans: &[TestSpan],
        embargo: Length,
        axis: &[TimestampNs],
    ) -> Purged {
        let n_rows = self.len();
        let mut taken = row_set::normalized(test.to_vec());
        let mut blocks: Vec<BlockPurge> = Vec::with_capacity(spans.len());
        for span in spans {
            let overlapping = row_set::minus(&self.overlapping(span), &taken);
            taken = row_set::union(&taken, &overlapping);
            let embargo_end = embargo_end(span.end, embargo, axis);
            blocks.push(BlockPurge {
                span: *span,
                purged: row_set::len(&overlapping),
                embargoed: 0,
                embargo_end,
            });
        }
        for block in &mut blocks {
            if embargo.is_zero() {
                continue;
            }
            let first = self.starts.partition_point(|&t| t <= block.span.end);
            let last = match block.embargo_end {
                Some(end) => self.starts.partition_point(|&t| t <= end),
                None => n_rows,
            };
            let window = first..last.max(first);
            let embargoed = row_set::minus(std::slice::from_ref(&window), &taken);
            taken = row_set::union(&taken, &embargoed);
            block.embargoed = row_set::len(&embargoed);
        }
        Purged { train: row_set::minus(std::slice::from_ref(&(0..n_rows)), &taken), blocks }
    }

    /// Where a contiguous train range must end so that no label in it reaches `test_start`: before its first
    /// row whose label ends at or after `test_start`. Walk-forward keeps its train one range, so rows after
    /// that one go too even when their own labels are shorter (at most [`LabelIntervals`]' longest label).
    pub fn train_end_before(&self, train: Range<usize>, test_start: TimestampNs) -> usize {
        let reach = self.starts.partition_point(|&t| t < test_start.saturating_sub(self.longest));
        let from = reach.clamp(train.start, train.end);
        (from..train.end).find(|&row| self.ends[row] >= test_start).unwrap_or(train.end)
    }

    /// The rows whose label interval meets `span`: those starting inside it, and those before it whose
    /// label reaches its start (searched back only as far as the longest label).
    fn overlapping(&self, span: &TestSpan) -> Vec<Range<usize>> {
        let inside = self.starts.partition_point(|&t| t < span.start);
        let end = self.starts.partition_point(|&t| t <= span.end).max(inside);
        let reach = self.starts.partition_point(|&t| t < span.start.saturating_sub(self.longest));
        let mut rows: Vec<Range<usize>> = Vec::new();
        for row in (reach..inside).filter(|&row| self.ends[row] >= span.start) {
            match rows.last_mut() {
                Some(last) if last.end == row => last.end = row + 1,
                _ => rows.push(row..row + 1),
            }
        }
        match rows.last_mut() {
            Some(last) if last.end == inside => last.end = end,
            _ if inside < end => rows.push(inside..end),
            _ => {}
        }
        rows
    }
}

/// The last instant of the embargo after a span ending at `span_end`: `embargo` of time later, or the
/// `embargo`-th instant of `axis` after it; `None` for no embargo or past the end of `axis`.
fn embargo_end(span_end: TimestampNs, embargo: Length, axis: &[TimestampNs]) -> Option<TimestampNs> {
    match embargo {
        Length::Time(0) | Length::Rows(0) => None,
        Length::Time(ns) => Some(span_end.saturating_add(ns)),
        Length::Rows(n) => {
            let after = axis.partition_point(|&t| t <= span_end);
            axis.get(after + n - 1).copied()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_reaching_into_the_block_is_purged_even_far_back() {
        // Row 0's label spans the whole data; the others are one bar long.
        let t: Vec<i64> = (0..10).collect();
        let ends = vec![9, 2, 3, 4, 5, 6, 7, 8, 9, 9];
        let labels = LabelIntervals::new(&t, ends).unwrap();
        let test = std::slice::from_ref(&(5..7));
        let purged = labels.purge(test, &labels.test_spans(test), Length::Rows(0), &t);
        // Row 0 overlaps (its label covers the block), row 4 reaches row 5, row 7 starts at row 6's end.
        assert_eq!(purged.train, vec![1..4, 8..10]);
        assert_eq!(purged.blocks[0].purged, 3);
    }

    #[test]
    fn purge_wins_over_an_earlier_blocks_embargo() {
        let t: Vec<i64> = (0..12).collect();
        let labels = LabelIntervals::horizon(&t, Length::Rows(1));
        let test = [2..4, 7..9];
        let purged = labels.purge(&test, &labels.test_spans(&test), Length::Rows(3), &t);
        // Block 0 purges 1 and 4, block 1 purges 6 and 9; then block 0's embargo (5..8) keeps only 5 (6 is
        // purged, 7 test), block 1's takes 10 and 11.
        assert_eq!(purged.train, vec![0..1]);
        let counts: Vec<(usize, usize)> = purged.blocks.iter().map(|b| (b.purged, b.embargoed)).collect();
        assert_eq!(counts, vec![(2, 1), (2, 2)]);
    }

    #[test]
    fn label_ends_are_checked() {
        let t = [0_i64, 1, 2];
        assert!(matches!(LabelIntervals::new(&t, vec![0, 1]), Err(FoldError::LabelEnds { .. })));
        let error = LabelIntervals::new(&t, vec![0, 0, 2]).unwrap_err().to_string();
        assert!(error.contains("row 1's label ends at 1970-01-01T00:00:00Z"), "{error}");
    }

    #[test]
    fn walk_forward_train_ends_before_the_first_label_reaching_test() {
        let t: Vec<i64> = (0..10).collect();
        let labels = LabelIntervals::new(&t, vec![1, 2, 9, 3, 4, 5, 6, 7, 8, 9]).unwrap();
        assert_eq!(labels.train_end_before(0..6, 6), 2);
        assert_eq!(labels.train_end_before(3..6, 6), 6);
        assert_eq!(labels.train_end_before(3..6, 5), 5);
        assert_eq!(labels.train_end_before(0..0, 6), 0);
    }
}
