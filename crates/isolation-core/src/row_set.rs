//! Sets of rows as sorted disjoint ranges (the form fold train and test sides take): normalizing, union,
//! difference, intersection and size.

use std::ops::Range;

/// `ranges` sorted, empty ones dropped, overlapping or touching ones joined.
pub fn normalized(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.retain(|r| !r.is_empty());
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match out.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => out.push(range),
        }
    }
    out
}

/// The rows in `a` or `b` (both normalized).
pub fn union(a: &[Range<usize>], b: &[Range<usize>]) -> Vec<Range<usize>> {
    normalized(a.iter().chain(b).cloned().collect())
}

/// The rows in `a` and not in `b` (both normalized), normalized.
pub fn minus(a: &[Range<usize>], b: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(a.len());
    let mut cut = b.iter().peekable();
    for range in a {
        let mut start = range.start;
        while let Some(c) = cut.peek() {
            if c.end <= start {
                cut.next();
                continue;
            }
            if c.start >= range.end {
                break;
            }
            if c.start > start {
                out.push(start..c.start);
            }
            start = start.max(c.end);
            if c.end >= range.end {
                break;
            }
            cut.next();
        }
        if start < range.end {
            out.push(start..range.end);
        }
    }
    out
}

/// The rows in both `a` and `b` (both normalized).
pub fn intersect(a: &[Range<usize>], b: &[Range<usize>]) -> Vec<Range<usize>> {
    minus(a, &minus(a, b))
}

/// Number of rows.
pub fn len(ranges: &[Range<usize>]) -> usize {
    ranges.iter().map(ExactSizeIterator::len).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(ranges: &[Range<usize>]) -> Vec<usize> {
        ranges.iter().flat_map(Clone::clone).collect()
    }

    #[test]
    fn set_operations_agree_with_row_lists() {
        let a = normalized(vec![5..9, 0..3, 2..4, 12..12, 10..15]);
        assert_eq!(a, vec![0..4, 5..9, 10..15]);
        let b = normalized(vec![1..2, 3..6, 8..11, 14..20]);
        let difference: Vec<usize> = rows(&a).into_iter().filter(|r| !rows(&b).contains(r)).collect();
        assert_eq!(rows(&minus(&a, &b)), difference);
        assert_eq!(minus(&a, &b), vec![0..1, 2..3, 6..8, 11..14]);
        let mut both = rows(&a);
        both.extend(rows(&b));
        both.sort_unstable();
        both.dedup();
        assert_eq!(rows(&union(&a, &b)), both);
        assert_eq!(len(&a), 13);
        let common: Vec<usize> = rows(&a).into_iter().filter(|r| rows(&b).contains(r)).collect();
        assert_eq!(rows(&intersect(&a, &b)), common);
    }
}
