//! Model-based property test: a `CowFrame` and a plain `Vec` model take the same random reads, writes,
//! column adds, replacements and resets; every read agrees, and the base is unchanged afterwards.

use std::ops::Range;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int32Array};
use isolation_core::{IsolatedData, Split};
use isolation_cow::{CowConfig, CowError, CowFrame};
use proptest::prelude::*;
use timeseries_array::{TimeFrame, ValueType};

/// The model: per column, its name, type and values over the split.
#[derive(Debug, Clone)]
struct Model {
    columns: Vec<(String, ValueType, Vec<Option<f64>>)>,
}

#[derive(Debug, Clone)]
enum Op {
    Get { column: usize, row: usize },
    Set { column: usize, row: usize, value: f64 },
    SetNull { column: usize, row: usize },
    SetRow { row: usize, values: Vec<f64> },
    ReadColumn { column: usize, start: usize, len: usize },
    Add { values: Vec<f64> },
    Replace { column: usize, values: Vec<i32> },
    Reset,
    Materialize,
}

fn op() -> impl Strategy<Value = Op> {
    let index = 0..400_usize;
    // Whole numbers fit every column; halves are refused by the integer column.
    let value =
        prop_oneof![(-50_i32..50).prop_map(f64::from), (-50_i32..50).prop_map(|v| f64::from(v) + 0.5)];
    prop_oneof![
        4 => (index.clone(), index.clone()).prop_map(|(column, row)| Op::Get { column, row }),
        6 => (index.clone(), index.clone(), value.clone()).prop_map(|(column, row, value)| Op::Set { column, row, value }),
        1 => (index.clone(), index.clone()).prop_map(|(column, row)| Op::SetNull { column, row }),
        1 => (index.clone(), prop::collection::vec(value, 0..6)).prop_map(|(row, values)| Op::SetRow { row, values }),
        2 => (index.clone(), index.clone(), 0..80_usize).prop_map(|(column, start, len)| Op::ReadColumn { column, start, len }),
        1 => prop::collection::vec(-1e3..1e3_f64, 400).prop_map(|values| Op::Add { values }),
        1 => (index, prop::collection::vec(any::<i32>(), 400)).prop_map(|(column, values)| Op::Replace { column, values }),
        1 => Just(Op::Reset),
        1 => Just(Op::Materialize),
    ]
}

/// A base of `n_rows` rows: `a` (f64, with nulls), `b` (i32), `c` (f64).
fn base(n_rows: usize) -> TimeFrame {
    let a: ArrayRef = Arc::new(Float64Array::from(
        (0..n_rows).map(|i| (i % 7 != 3).then_some(i as f64 * 0.25)).collect::<Vec<_>>(),
    ));
    let b: ArrayRef = Arc::new(Int32Array::from((0..n_rows as i32).map(|i| i * 3 - 100).collect::<Vec<_>>()));
    let c: ArrayRef = Arc::new(Float64Array::from((0..n_rows).map(|i| -(i as f64)).collect::<Vec<_>>()));
    let columns = vec![("a".into(), a), ("b".into(), b), ("c".into(), c)];
    TimeFrame::try_new((0..n_rows as i64).map(|t| t * 10).collect::<Vec<_>>(), columns).unwrap()
}

fn checksum(frame: &TimeFrame) -> u64 {
    let mut sum = 0_u64;
    for column in 0..frame.n_columns() {
        for row in 0..frame.n_rows() {
            let bits = frame.value_f64(column, row).map_or(u64::MAX, f64::to_bits);
            sum = sum.rotate_left(5) ^ bits.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    frame.timestamps().iter().fold(sum, |s, &t| s.rotate_left(3) ^ t as u64)
}

fn exact_in(value: f64, value_type: ValueType) -> bool {
    match value_type {
        ValueType::Float64 => true,
        ValueType::Int32 => {
            value.fract() == 0.0 && value >= f64::from(i32::MIN) && value <= f64::from(i32::MAX)
        }
        other => panic!("the model has no {other} column"),
    }
}

fn check_read(frame: &CowFrame, model: &Model, column: usize, rows: Range<usize>) {
    let n_rows = frame.n_rows();
    let Some((_, value_type, values)) = model.columns.get(column) else {
        assert!(matches!(frame.f64_column(column), Err(CowError::ColumnOutOfBounds { .. })));
        return;
    };
    let got = frame.column_f64(column, rows.clone());
    if rows.end > n_rows {
        assert!(got.is_err(), "rows {rows:?} past {n_rows} must fail");
        return;
    }
    let want: Vec<f64> = values[rows.clone()].iter().map(|v| v.unwrap_or(f64::NAN)).collect();
    let got = got.unwrap();
    if *value_type == ValueType::Float64 {
        // Null slots of an f64 slice hold the buffer's value; compare only valid rows.
        for (i, row) in rows.enumerate() {
            if values[row].is_some() {
                assert_eq!(got[i].to_bits(), want[i].to_bits(), "column {column} row {row}");
            }
        }
    } else {
        assert_eq!(
            got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            want.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }
}

fn apply(frame: &mut CowFrame, model: &mut Model, initial: &Model, op: Op) {
    let n_rows = frame.n_rows();
    let n_columns = model.columns.len();
    match op {
        Op::Get { column, row } => {
            let (column, row) = (column % (n_columns + 1), row % (n_rows + 2));
            match model.columns.get(column) {
                Some((_, _, values)) if row < n_rows => {
                    assert_eq!(frame.get(column, row).unwrap(), values[row])
                }
                _ => assert!(frame.get(column, row).is_err()),
            }
            assert_eq!(
                frame.value_f64(column, row),
                model.columns.get(column).and_then(|c| c.2.get(row).copied().flatten())
            );
        }
        Op::Set { column, row, value } => {
            let (column, row) = (column % (n_columns + 1), row % (n_rows + 2));
            let result = frame.set_value(column, row, value);
            match model.columns.get_mut(column) {
                Some((_, value_type, values)) if row < n_rows && exact_in(value, *value_type) => {
                    result.unwrap();
                    values[row] = Some(value);
                }
                Some((_, value_type, _)) if row < n_rows => {
                    assert!(
                        matches!(result, Err(CowError::InexactValue { value_type: t, .. }) if t == *value_type)
                    );
                }
                _ => assert!(result.is_err()),
            }
        }
        Op::SetNull { column, row } => {
            let (column, row) = (column % (n_columns + 1), row % (n_rows + 2));
            let result = frame.set_null(column, row);
            match model.columns.get_mut(column) {
                Some((_, _, values)) if row < n_rows => {
                    result.unwrap();
                    values[row] = None;
                }
                _ => assert!(result.is_err()),
            }
        }
        Op::SetRow { row, values } => {
            let row = row % (n_rows + 2);
            let result = frame.set_row(row, &values);
            let fits = values.len() == n_columns
                && row < n_rows
                && model.columns.iter().zip(&values).all(|(c, &v)| exact_in(v, c.1));
            if fits {
                result.unwrap();
                model.columns.iter_mut().zip(values).for_each(|(c, v)| c.2[row] = Some(v));
            } else {
                assert!(result.is_err());
            }
        }
        Op::ReadColumn { column, start, len } => {
            let column = column % (n_columns + 1);
            let start = start % (n_rows + 1);
            check_read(frame, model, column, start..start + len.min(n_rows + 1 - start));
        }
        Op::Add { values } => {
            let name = format!("x{n_columns}");
            let values = values[..n_rows].to_vec();
            assert_eq!(frame.add_f64_column(&name, values.clone()).unwrap(), n_columns);
            assert!(frame.add_f64_column(&name, values.clone()).is_err(), "a repeated name is refused");
            model.columns.push((name, ValueType::Float64, values.into_iter().map(Some).collect()));
        }
        Op::Replace { column, values } => {
            let column = column % (n_columns + 1);
            let values = values[..n_rows].to_vec();
            let result = frame.replace_column(column, Arc::new(Int32Array::from(values.clone())));
            match model.columns.get_mut(column) {
                Some(c) => {
                    result.unwrap();
                    *c = (
                        c.0.clone(),
                        ValueType::Int32,
                        values.into_iter().map(|v| Some(f64::from(v))).collect(),
                    );
                }
                None => assert!(result.is_err()),
            }
        }
        Op::Reset => {
            frame.reset();
            *model = initial.clone();
            assert!(!frame.is_modified() && frame.modified_chunks().is_empty());
        }
        Op::Materialize => {
            let materialized = frame.materialize();
            assert_eq!(materialized.timestamps(), frame.timestamps());
            for (c, (name, value_type, values)) in model.columns.iter().enumerate() {
                assert_eq!(materialized.column_names()[c], name);
                assert_eq!(materialized.value_type(c), *value_type);
                let got: Vec<_> = (0..n_rows).map(|r| materialized.value_f64(c, r)).collect();
                assert_eq!(&got, values, "materialized column {name}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn cow_frame_agrees_with_a_vec_model_and_never_touches_the_base(
        n_base in 1..300_usize,
        start in 0..300_usize,
        len in 1..300_usize,
        chunk_shift in 0..7_u32,
        ops in prop::collection::vec(op(), 1..60),
    ) {
        let base = base(n_base);
        let before = checksum(&base);
        let start = start % n_base;
        let rows = start..(start + len).min(n_base);
        let config = CowConfig::try_new(1 << chunk_shift).unwrap();
        let mut frame = CowFrame::with_config(&base, rows.clone(), Split::Train, config).unwrap();
        let initial = Model {
            columns: (0..3)
                .map(|c| {
                    let name = base.column_names()[c].to_string();
                    (name, base.value_type(c), rows.clone().map(|r| base.value_f64(c, r)).collect())
                })
                .collect(),
        };
        let mut model = initial.clone();
        for op in ops {
            apply(&mut frame, &mut model, &initial, op);
            // Every copied chunk is the chunk a write touched: no chunk is copied without a write.
            for chunk in frame.modified_chunks() {
                prop_assert!(chunk.rows.end <= frame.n_rows() && chunk.rows.len() <= config.chunk_rows());
            }
        }
        for column in 0..model.columns.len() {
            check_read(&frame, &model, column, 0..frame.n_rows());
        }
        prop_assert_eq!(checksum(&base), before, "the base changed");
    }
}
