//! `Calendar`: one time axis for many symbols (the sorted union of their timestamps), so that every split
//! and fold cuts all symbols at the same instants.

use std::borrow::Cow;
use std::ops::Range;

use timeseries_array::TimestampNs;

/// The distinct timestamps of a set of symbols, sorted: the shared axis that rows of different symbols are
/// laid on.
///
/// Splits and folds are computed in positions of this axis and then mapped to each symbol's rows through
/// the instants they stand for ([`Calendar::rows_of`]). Because the mapping goes through time, a range that
/// ends before another begins on the calendar ends before it on every symbol: no train row of any symbol is
/// later than a test row of another.
///
/// With one symbol the calendar is that symbol's index itself, borrowed (no allocation), and positions on it
/// are that symbol's rows. With several it is their merge, which costs one timestamp per distinct instant.
///
/// ```
/// use isolation_core::Calendar;
///
/// let daily = [0_i64, 10, 20, 30];
/// let late = [20_i64, 25, 30];
/// let calendar = Calendar::union(&[&daily, &late]);
/// assert_eq!(calendar.instants(), &[0, 10, 20, 25, 30]);
/// // Positions 2..4 of the calendar are the instants [20, 30): rows 2..3 of `daily`, 0..2 of `late`.
/// assert_eq!((calendar.rows_of(2..4, &daily), calendar.rows_of(2..4, &late)), (2..3, 0..2));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar<'a> {
    instants: Cow<'a, [TimestampNs]>,
}

impl<'a> Calendar<'a> {
    /// The sorted distinct union of `symbols`' timestamps (each sorted, as every frame's index is).
    pub fn union(symbols: &[&'a [TimestampNs]]) -> Self {
        let non_empty: Vec<&'a [TimestampNs]> = symbols.iter().copied().filter(|s| !s.is_empty()).collect();
        match non_empty.as_slice() {
            [] => Self { instants: Cow::Borrowed(&[]) },
            [one] => Self { instants: Cow::Borrowed(one) },
            many if many.windows(2).all(|w| w[0] == w[1]) => Self { instants: Cow::Borrowed(many[0]) },
            many => Self { instants: Cow::Owned(merge_distinct(many)) },
        }
    }

    /// The instants, sorted and distinct.
    pub fn instants(&self) -> &[TimestampNs] {
        &self.instants
    }

    /// Number of distinct instants.
    pub fn len(&self) -> usize {
        self.instants.len()
    }

    /// True when no symbol has a row.
    pub fn is_empty(&self) -> bool {
        self.instants.is_empty()
    }

    /// The instant at calendar position `position`; `None` at or past the end (an open end).
    pub fn instant(&self, position: usize) -> Option<TimestampNs> {
        self.instants.get(position).copied()
    }

    /// The rows of `timestamps` (one symbol's sorted index) whose instants lie in calendar positions
    /// `positions`: from the first row at or after the range's first instant to the first row at or after
    /// the instant just past it.
    pub fn rows_of(&self, positions: Range<usize>, timestamps: &[TimestampNs]) -> Range<usize> {
        let at = |position: usize| match self.instant(position) {
            Some(instant) => timestamps.partition_point(|&t| t < instant),
            None => timestamps.len(),
        };
        let start = at(positions.start);
        start..at(positions.end).max(start)
    }
}

/// K-way merge of sorted slices into one sorted vector without repeats.
fn merge_distinct(symbols: &[&[TimestampNs]]) -> Vec<TimestampNs> {
    let total = symbols.iter().map(|s| s.len()).sum();
    let mut merged: Vec<TimestampNs> = Vec::with_capacity(total);
    for s in symbols {
        merged.extend_from_slice(s);
    }
    // Each input is sorted: a stable sort of their concatenation is a merge of runs (Rust's sort detects
    // runs), then repeats are adjacent.
    merged.sort();
    merged.dedup();
    merged.shrink_to_fit();
    merged
}

#[cfg(test)]
mod tests {
    use super::Calendar;

    #[test]
    fn one_symbol_is_borrowed_and_positions_are_rows() {
        let ts = [1_i64, 2, 3];
        let calendar = Calendar::union(&[&ts]);
        assert!(matches!(calendar.instants, std::borrow::Cow::Borrowed(_)));
        assert_eq!(calendar.rows_of(1..3, &ts), 1..3);
        assert_eq!(calendar.rows_of(0..0, &ts), 0..0);
    }

    #[test]
    fn union_merges_and_drops_repeats() {
        let (a, b, c) = ([1_i64, 3, 5], [2_i64, 3, 6], [] as [i64; 0]);
        let calendar = Calendar::union(&[&a, &b, &c]);
        assert_eq!(calendar.instants(), &[1, 2, 3, 5, 6]);
        // Positions 1..3 are instants [2, 5): rows of `a` at 3, of `b` at 2 and 3.
        assert_eq!(calendar.rows_of(1..3, &a), 1..2);
        assert_eq!(calendar.rows_of(1..3, &b), 0..2);
        // An open end takes every row from the start on.
        assert_eq!(calendar.rows_of(3..5, &b), 2..3);
    }

    #[test]
    fn symbols_on_one_calendar_share_it() {
        let ts = [1_i64, 2];
        assert!(matches!(Calendar::union(&[&ts, &ts]).instants, std::borrow::Cow::Borrowed(_)));
    }
}
