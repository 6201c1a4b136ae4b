//! Dictionary encoding: string columns with repeated values become `Dictionary(Int8|Int16|Int32, Utf8)`.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{ArrowDictionaryKeyType, Int8Type, Int16Type, Int32Type};
use arrow_array::{Array, ArrayRef, DictionaryArray, GenericStringArray, OffsetSizeTrait, PrimitiveArray};
use arrow_buffer::ArrowNativeType;
use arrow_schema::{ArrowError, DataType};

use super::Outcome;

/// Dictionary-encodes a `Utf8` or `LargeUtf8` array when that is smaller, or says why not.
pub(super) fn encode(array: &dyn Array) -> Result<Outcome, ArrowError> {
    match array.data_type() {
        DataType::Utf8 => encode_typed(array.as_string::<i32>()),
        DataType::LargeUtf8 => encode_typed(array.as_string::<i64>()),
        other => Ok(Outcome::Kept(format!("{other} is not a string type"))),
    }
}

fn encode_typed<O: OffsetSizeTrait>(array: &GenericStringArray<O>) -> Result<Outcome, ArrowError> {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut distinct: Vec<&str> = Vec::new();
    let keys: Vec<Option<usize>> = array
        .iter()
        .map(|value| {
            value.map(|s| {
                *ids.entry(s).or_insert_with(|| {
                    distinct.push(s);
                    distinct.len() - 1
                })
            })
        })
        .collect();
    let n_valid = array.len() - array.null_count();
    if distinct.len() == n_valid {
        return Ok(Outcome::Kept("no repeated values".to_owned()));
    }
    let values: ArrayRef = Arc::new(GenericStringArray::<O>::from_iter_values(distinct.iter()));
    let encoded: ArrayRef = if distinct.len() <= 1 << 7 {
        Arc::new(build::<Int8Type>(&keys, values)?)
    } else if distinct.len() <= 1 << 15 {
        Arc::new(build::<Int16Type>(&keys, values)?)
    } else if distinct.len() <= 1 << 31 {
        Arc::new(build::<Int32Type>(&keys, values)?)
    } else {
        return Ok(Outcome::Kept("too many distinct values for Int32 keys".to_owned()));
    };
    if encoded.get_buffer_memory_size() >= array.get_buffer_memory_size() {
        return Ok(Outcome::Kept(format!(
            "{} distinct values: a dictionary would not be smaller",
            distinct.len()
        )));
    }
    let note = format!("{} distinct values in {} rows", distinct.len(), array.len());
    Ok(Outcome::Changed { array: encoded, note, max_abs_error: None })
}

fn build<K: ArrowDictionaryKeyType>(
    keys: &[Option<usize>],
    values: ArrayRef,
) -> Result<DictionaryArray<K>, ArrowError> {
    let keys: PrimitiveArray<K> = keys
        .iter()
        .map(|key| key.map(|k| K::Native::from_usize(k).ok_or_else(|| overflow(k))).transpose())
        .collect::<Result<_, _>>()?;
    DictionaryArray::try_new(keys, values)
}

fn overflow(key: usize) -> ArrowError {
    ArrowError::ComputeError(format!("dictionary key {key} does not fit the key type"))
}
