//! Float narrowing: `Float64` to `Float32` only where every value round-trips, or lossily on request.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type};
use arrow_array::{Array, ArrayRef};

use super::Outcome;

/// Narrows a `Float64` array to `Float32`, or says why not. `lossy` allows rounding.
pub(super) fn narrow(array: &dyn Array, lossy: bool) -> Outcome {
    let array = array.as_primitive::<Float64Type>();
    let mut max_abs_error = 0.0_f64;
    for (row_idx, value) in array.iter().enumerate() {
        let Some(value) = value else { continue };
        if value.is_nan() {
            continue; // NaN stays NaN (its payload bits aside)
        }
        let narrowed = value as f32;
        if f64::from(narrowed).to_bits() == value.to_bits() {
            continue;
        }
        if !lossy {
            return Outcome::Kept(format!("row {row_idx}: {value:e} has no exact f32"));
        }
        if narrowed.is_infinite() {
            return Outcome::Kept(format!("row {row_idx}: {value:e} is beyond the f32 range"));
        }
        max_abs_error = max_abs_error.max((f64::from(narrowed) - value).abs());
    }
    let narrowed: ArrayRef = Arc::new(array.unary::<_, Float32Type>(|v| v as f32));
    if max_abs_error > 0.0 {
        Outcome::Changed {
            array: narrowed,
            note: format!("lossy: values rounded, largest error {max_abs_error:e}"),
            max_abs_error: Some(max_abs_error),
        }
    } else {
        Outcome::Changed { array: narrowed, note: "every value exact in f32".to_owned(), max_abs_error: None }
    }
}
