//! Deterministic synthetic minute bars (OHLCV): the demo's data, and the dataset of tests and benchmarks.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, UInt32Array};
use timeseries_array::TimeFrame;

/// What to generate: `symbols` frames of `rows` one-minute bars each, from `seed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntheticBars {
    /// Bars per symbol.
    pub rows: usize,
    /// Number of symbols.
    pub symbols: usize,
    /// Seed of the random walk: the same seed gives the same bars on every machine.
    pub seed: u64,
}

/// 2020-01-01T00:00:00Z in nanoseconds: the first bar's time.
pub const START_NS: i64 = 1_577_836_800_000_000_000;
/// One minute in nanoseconds.
pub const MINUTE_NS: i64 = 60_000_000_000;

/// Bytes one bar takes: an `i64` timestamp, four `f64` prices and a `u32` volume.
pub const BYTES_PER_ROW: usize = 8 + 4 * 8 + 4;

/// The symbols' names: `SYM00`, `SYM01`, ...
pub fn symbol_name(i: usize) -> String {
    format!("SYM{i:02}")
}

/// One frame per symbol: a geometric random walk in `close`, `open`/`high`/`low` around it, and a `u32`
/// volume. Values depend only on (`seed`, symbol index, row).
pub fn generate(spec: &SyntheticBars) -> Vec<(String, TimeFrame)> {
    (0..spec.symbols).map(|i| (symbol_name(i), bars(spec.rows, spec.seed, i as u64))).collect()
}

/// One symbol's `rows` bars: symbol 0 starts at price 100, each further symbol 10 higher, each with its own
/// random walk derived from `seed`.
pub fn bars(rows: usize, seed: u64, symbol: u64) -> TimeFrame {
    let mut rng = SplitMix64(seed ^ symbol.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let (mut open, mut high, mut low, mut close) = (
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
    );
    let mut volume = Vec::with_capacity(rows);
    let mut price = 100.0 + symbol as f64 * 10.0;
    for _ in 0..rows {
        let step = (rng.unit() - 0.5) * 0.002; // +-0.1% a minute
        let next = price * (1.0 + step);
        let spread = price * rng.unit() * 0.0005;
        open.push(price);
        close.push(next);
        high.push(price.max(next) + spread);
        low.push(price.min(next) - spread);
        volume.push((rng.next() % 10_000) as u32 + 1);
        price = next;
    }
    let timestamps: Vec<i64> = (0..rows as i64).map(|i| START_NS + i * MINUTE_NS).collect();
    let f64s = |v: Vec<f64>| -> ArrayRef { Arc::new(Float64Array::from(v)) };
    TimeFrame::try_new(
        timestamps,
        vec![
            ("open".into(), f64s(open)),
            ("high".into(), f64s(high)),
            ("low".into(), f64s(low)),
            ("close".into(), f64s(close)),
            ("volume".into(), Arc::new(UInt32Array::from(volume))),
        ],
    )
    .expect("synthetic bars are valid by construction")
}

/// SplitMix64: a tiny, well-mixed generator with a fixed output for a fixed seed.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bars_other_seed_other_bars() {
        let spec = SyntheticBars { rows: 100, symbols: 2, seed: 1 };
        assert_eq!(generate(&spec), generate(&spec));
        assert_ne!(generate(&spec)[0].1, generate(&SyntheticBars { seed: 2, ..spec })[0].1);
    }

    #[test]
    fn bars_are_consistent() {
        let (_, frame) = &generate(&SyntheticBars { rows: 500, symbols: 1, seed: 3 })[0];
        let (open, high, low, close) = (
            frame.f64_column("open").unwrap(),
            frame.f64_column("high").unwrap(),
            frame.f64_column("low").unwrap(),
            frame.f64_column("close").unwrap(),
        );
        for i in 0..500 {
            assert!(low[i] <= open[i].min(close[i]) && high[i] >= open[i].max(close[i]), "bar {i}");
        }
        assert_eq!(frame.timestamps()[1] - frame.timestamps()[0], MINUTE_NS);
    }
}
