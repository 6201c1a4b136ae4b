//! The demo strategy: a moving-average crossover walked bar by bar through a look-ahead-free cursor.

use isolation::{Cursor, IsolatedData, IsolationError};

/// Fast and slow moving-average lengths, in bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crossover {
    /// Bars in the fast average.
    pub fast: usize,
    /// Bars in the slow average.
    pub slow: usize,
}

impl Default for Crossover {
    fn default() -> Self {
        Self { fast: 10, slow: 50 }
    }
}

/// What one run of the strategy gave.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrategyOutcome {
    /// Bars walked.
    pub bars: usize,
    /// Position changes.
    pub trades: usize,
    /// Profit and loss in price units, one unit held long or short.
    pub pnl: f64,
}

impl StrategyOutcome {
    /// A hash of the outcome's exact bits (FNV-1a), to compare runs in different modes.
    pub fn checksum(&self) -> u64 {
        let mut hash = 0xcbf2_9ce4_8422_2325_u64;
        for word in [self.bars as u64, self.trades as u64, self.pnl.to_bits()] {
            for byte in word.to_le_bytes() {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        hash
    }
}

impl Crossover {
    /// Walks `data` with a cursor: long when the fast average of `close` is above the slow one, short when
    /// below, flat until the slow window is full. Reads only the current bar and the bars before it.
    ///
    /// # Errors
    ///
    /// If `data` has no `close` column of `f64` values without nulls.
    pub fn run(&self, data: &dyn IsolatedData) -> Result<StrategyOutcome, IsolationError> {
        let mut cursor = Cursor::new(data);
        let close = cursor.column::<f64>("close")?; // resolved once: each read below is a slice index
        let (mut position, mut trades, mut pnl) = (0.0_f64, 0_usize, 0.0_f64);
        let mut previous_close: Option<f64> = None;
        while let Some(bar) = cursor.current() {
            let price = bar.get(&close);
            if let Some(previous) = previous_close {
                pnl += position * (price - previous);
            }
            let window = cursor.window(self.slow);
            if window.len() == self.slow {
                let closes = window.values(&close);
                let slow = closes.iter().sum::<f64>() / self.slow as f64;
                let fast = closes[self.slow - self.fast..].iter().sum::<f64>() / self.fast as f64;
                let wanted = if fast > slow { 1.0 } else { -1.0 };
                if wanted != position {
                    trades += 1;
                    position = wanted;
                }
            }
            previous_close = Some(price);
            cursor.advance();
        }
        Ok(StrategyOutcome { bars: cursor.len(), trades, pnl })
    }
}

/// Folds one outcome into a running checksum, order-sensitive (the demo and its workers combine symbols in
/// sorted order, train before test).
pub fn combine_checksum(checksum: u64, outcome: &StrategyOutcome) -> u64 {
    checksum.rotate_left(5) ^ outcome.checksum()
}
