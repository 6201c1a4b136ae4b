//! `CowConfig`: how large a chunk the first write to a column copies.

use crate::CowError;

/// Options of a [`CowFrame`](crate::CowFrame).
///
/// `chunk_rows` is the number of rows the first write into a chunk copies (per column). It is a power of
/// two, so that finding a row's chunk is a shift. Small chunks make scattered writes cheap; large chunks
/// make chunk-wise reads of written columns cheap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CowConfig {
    chunk_rows: usize,
}

impl CowConfig {
    /// The default chunk size: 64 Ki rows (512 KiB of an `f64` column).
    pub const DEFAULT_CHUNK_ROWS: usize = 64 * 1024;

    /// A config with chunks of `chunk_rows` rows.
    ///
    /// # Errors
    ///
    /// [`CowError::InvalidChunkRows`] if `chunk_rows` is zero or not a power of two.
    pub fn try_new(chunk_rows: usize) -> Result<Self, CowError> {
        if chunk_rows.is_power_of_two() {
            Ok(Self { chunk_rows })
        } else {
            Err(CowError::InvalidChunkRows {
                chunk_rows,
                suggestion: chunk_rows.checked_next_power_of_two().unwrap_or(Self::DEFAULT_CHUNK_ROWS).max(1),
            })
        }
    }

    /// Rows per chunk.
    pub fn chunk_rows(&self) -> usize {
        self.chunk_rows
    }

    /// `log2(chunk_rows)`: a row's chunk is `row >> shift`.
    pub(crate) fn shift(&self) -> u32 {
        self.chunk_rows.trailing_zeros()
    }
}

impl Default for CowConfig {
    fn default() -> Self {
        Self { chunk_rows: Self::DEFAULT_CHUNK_ROWS }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_of_two_are_accepted_and_others_rejected() {
        assert_eq!(CowConfig::try_new(1).unwrap().shift(), 0);
        assert_eq!(CowConfig::try_new(65_536).unwrap(), CowConfig::default());
        assert_eq!(
            CowConfig::try_new(1000),
            Err(CowError::InvalidChunkRows { chunk_rows: 1000, suggestion: 1024 })
        );
        assert_eq!(CowConfig::try_new(0), Err(CowError::InvalidChunkRows { chunk_rows: 0, suggestion: 1 }));
    }
}
