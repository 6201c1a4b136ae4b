//! The read-path walks both the criterion cursor bench and `cargo xtask bench` time: a typed cursor walk,
//! the old `Bar::value` walk, a raw slice loop, and `window(50)` means at fixed random positions.

use isolation::SplitData;

/// Sums `close` through the cursor and a typed handle: `current` + `bar.get(&close)` + `advance`.
///
/// # Panics
///
/// If the data has no `f64` column `close` without nulls.
pub fn typed_walk(data: &SplitData) -> f64 {
    let close = data.column::<f64>("close").expect("an f64 close without nulls");
    let mut cursor = data.cursor();
    let mut sum = 0.0;
    while let Some(bar) = cursor.current() {
        sum += bar.get(&close);
        cursor.advance();
    }
    sum
}

/// Sums column `close` through the old path: `bar.value(idx)`, a dynamic call and a type match per bar.
pub fn legacy_walk(data: &SplitData, close: usize) -> f64 {
    let mut cursor = data.cursor();
    let mut sum = 0.0;
    while let Some(bar) = cursor.current() {
        sum += bar.value(close).unwrap_or(0.0);
        cursor.advance();
    }
    sum
}

/// Sums a slice with a plain loop: the baseline.
pub fn raw_walk(column: &[f64]) -> f64 {
    let mut sum = 0.0;
    for &value in column {
        sum += value;
    }
    sum
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

/// The sum of the means of `window(50)` of `close` at each position (`seek` then `window(50).values`).
///
/// # Panics
///
/// If the data has no `f64` column `close` without nulls.
pub fn window_at(data: &SplitData, positions: &[usize]) -> f64 {
    let close = data.column::<f64>("close").expect("an f64 close without nulls");
    let mut cursor = data.cursor();
    positions
        .iter()
        .map(|&position| {
            cursor.seek(position);
            mean(&cursor.window(50).values(&close))
        })
        .sum()
}

/// The same means over raw slices of `column`.
pub fn raw_window_at(column: &[f64], positions: &[usize]) -> f64 {
    positions.iter().map(|&p| mean(&column[(p + 1).saturating_sub(50)..=p])).sum()
}

/// `count` positions in `0..n_rows` from a fixed SplitMix64 sequence: the same in every run and mode.
pub fn random_positions(n_rows: usize, count: usize) -> Vec<usize> {
    if n_rows == 0 {
        return Vec::new();
    }
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    (0..count)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) % n_rows as u64) as usize
        })
        .collect()
}
