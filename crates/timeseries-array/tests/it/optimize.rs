//! Column-type optimisation: lossless round trips (proptest), the lossy report, and a batch.

use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray, UInt64Array,
};
use arrow_cast::cast;
use arrow_schema::{DataType, Field, Schema};
use proptest::prelude::*;
use timeseries_array::optimize::{
    ColumnChange, FloatPolicy, OptimizeOptions, OptimizeReport, optimize_array, optimize_batch,
};

/// Optimises `array` losslessly, checks that casting back gives the input exactly, and returns the new type.
fn check_round_trip(array: ArrayRef) -> DataType {
    let snapshot = array.to_data();
    let (after, change) = optimize_array("col", &array, &OptimizeOptions::default()).expect("optimises");
    assert_eq!(array.to_data(), snapshot, "the input was not modified");
    assert!(change.max_abs_error.is_none());
    assert!(change.after_bytes <= change.before_bytes, "{change:?}");
    let restored = cast(&after, array.data_type()).expect("casts back");
    assert_eq!(restored.as_ref(), array.as_ref(), "{change:?}");
    after.data_type().clone()
}

proptest! {
    #[test]
    fn integers_round_trip(values in prop::collection::vec(prop::option::of(any::<i64>()), 0..200), shift in 0_u32..64) {
        let values: Vec<Option<i64>> = values.into_iter().map(|v| v.map(|v| v >> shift)).collect();
        check_round_trip(Arc::new(Int64Array::from(values)));
    }

    #[test]
    fn unsigned_integers_round_trip(values in prop::collection::vec(prop::option::of(any::<u64>()), 0..200), shift in 0_u32..64) {
        let values: Vec<Option<u64>> = values.into_iter().map(|v| v.map(|v| v >> shift)).collect();
        check_round_trip(Arc::new(UInt64Array::from(values)));
    }

    #[test]
    fn floats_round_trip(values in prop::collection::vec(prop::option::of(any::<f64>()), 0..100), exact in any::<bool>()) {
        // With `exact`, values are f32s widened, so the column must narrow; otherwise it must stay unless exact.
        let values: Vec<Option<f64>> = values
            .into_iter()
            .map(|v| v.map(|v| if exact && !v.is_nan() { f64::from(v as f32) } else { v }))
            .collect();
        let array: ArrayRef = Arc::new(Float64Array::from(values));
        let (after, _) = optimize_array("col", &array, &OptimizeOptions::default()).expect("optimises");
        if after.data_type() == &DataType::Float32 {
            let restored = cast(&after, &DataType::Float64).expect("casts back");
            let bits = |a: &ArrayRef| -> Vec<Option<u64>> {
                a.as_any().downcast_ref::<Float64Array>().expect("f64").iter()
                    .map(|v| v.map(|v| if v.is_nan() { u64::MAX } else { v.to_bits() })).collect()
            };
            prop_assert_eq!(bits(&restored), bits(&array));
        } else {
            prop_assert_eq!(after.as_ref(), array.as_ref());
            prop_assert!(!exact, "a column of f32 values stayed f64");
        }
    }

    #[test]
    fn strings_round_trip(values in prop::collection::vec(prop::option::of("[a-d]{0,3}"), 0..300)) {
        check_round_trip(Arc::new(StringArray::from(values)));
    }
}

fn check_type(array: ArrayRef, expect: DataType) {
    assert_eq!(check_round_trip(array), expect);
}

#[test]
fn narrowing_table() {
    check_type(Arc::new(Int64Array::from(vec![0, 255])), DataType::UInt8);
    check_type(Arc::new(Int64Array::from(vec![-128, 127])), DataType::Int8);
    check_type(Arc::new(Int64Array::from(vec![Some(-1), None, Some(40_000)])), DataType::Int32);
    check_type(Arc::new(Int32Array::from(vec![0, 65_535])), DataType::UInt16);
    check_type(Arc::new(Int64Array::from(vec![0, i64::MAX])), DataType::Int64);
    check_type(Arc::new(Int64Array::from(vec![None::<i64>, None])), DataType::Int64);
    check_type(Arc::new(Float64Array::from(vec![0.5, -2.25, f64::NAN, f64::INFINITY])), DataType::Float32);
    check_type(Arc::new(Float64Array::from(vec![0.5, 0.1])), DataType::Float64);
    let symbols: Vec<&str> = (0..1000).map(|i| ["AAPL", "MSFT", "NVDA"][i % 3]).collect();
    check_type(
        Arc::new(StringArray::from(symbols)),
        DataType::Dictionary(Box::new(DataType::Int8), Box::new(DataType::Utf8)),
    );
    check_type(Arc::new(StringArray::from(vec!["a", "b", "c"])), DataType::Utf8);
}

#[test]
fn lossy_floats_report_the_largest_error() {
    let array: ArrayRef = Arc::new(Float64Array::from(vec![Some(0.1), None, Some(1.0), Some(100.3)]));
    let lossy = OptimizeOptions { floats: FloatPolicy::Lossy, ..OptimizeOptions::default() };
    let (after, change) = optimize_array("price", &array, &lossy).expect("optimises");
    assert_eq!(after.data_type(), &DataType::Float32);
    let expected =
        [0.1_f64, 1.0, 100.3].map(|v| (f64::from(v as f32) - v).abs()).into_iter().fold(0.0, f64::max);
    assert_eq!(change.max_abs_error, Some(expected));
    assert!(expected > 0.0);
    insta::assert_snapshot!(change.note, @"lossy: values rounded, largest error 3.051757815342171e-6");

    // Without the opt-in the same column is kept, naming the first inexact value.
    let (kept, change) = optimize_array("price", &array, &OptimizeOptions::default()).expect("optimises");
    assert_eq!(kept.data_type(), &DataType::Float64);
    insta::assert_snapshot!(change.note, @"row 0: 1e-1 has no exact f32");

    // Values beyond the f32 range are refused even when lossy.
    let huge: ArrayRef = Arc::new(Float64Array::from(vec![1.0, 1e300]));
    let (kept, change) = optimize_array("price", &huge, &lossy).expect("optimises");
    assert_eq!(kept.data_type(), &DataType::Float64);
    insta::assert_snapshot!(change.note, @"row 1: 1e300 is beyond the f32 range");
}

#[test]
fn batch_keeps_names_and_timestamps_and_reports_bytes() {
    let schema = Schema::new(vec![
        Field::new("qty", DataType::Int64, true),
        Field::new("symbol", DataType::Utf8, false),
    ]);
    let symbols: Vec<&str> = (0..4096).map(|i| ["ES", "NQ"][i % 2]).collect();
    let batch = RecordBatch::try_new(
        Arc::new(schema),
        vec![Arc::new(Int64Array::from_iter_values(0..4096)), Arc::new(StringArray::from(symbols))],
    )
    .expect("valid batch");
    let (optimized, report) = optimize_batch(&batch, &OptimizeOptions::default()).expect("optimises");
    assert_eq!(optimized.schema().field(0).name(), "qty");
    assert_eq!(optimized.schema().field(0).data_type(), &DataType::UInt16);
    assert!(!optimized.schema().field(1).is_nullable());
    assert!(report.is_lossless());
    assert!(report.after_bytes() * 3 < report.before_bytes(), "{report:?}");
    assert_eq!(batch.column(0).data_type(), &DataType::Int64, "input untouched");
}

const MIB: u64 = 1 << 20;

/// The optimiser report as a table for people.
#[test]
fn report_table_with_fixed_figures() {
    let change = |column: &str, from: &str, to: &str, before, after, error, note: &str| ColumnChange {
        column: column.to_owned(),
        from_type: from.to_owned(),
        to_type: to.to_owned(),
        before_bytes: before,
        after_bytes: after,
        max_abs_error: error,
        note: note.to_owned(),
    };
    let report = OptimizeReport {
        columns: vec![
            change(
                "timestamp",
                "Timestamp(ns, \"UTC\")",
                "Timestamp(ns, \"UTC\")",
                80 * MIB,
                80 * MIB,
                None,
                "type not handled or disabled",
            ),
            change("volume", "Int64", "UInt16", 80 * MIB, 20 * MIB, None, "range 0..=40000"),
            change(
                "close",
                "Float64",
                "Float32",
                80 * MIB,
                40 * MIB,
                Some(3.0e-6),
                "lossy: values rounded, largest error 3e-6",
            ),
            change(
                "symbol",
                "Utf8",
                "Dictionary(Int8, Utf8)",
                120 * MIB,
                10 * MIB,
                None,
                "12 distinct values in 10000000 rows",
            ),
        ],
    };
    insta::assert_snapshot!(report.to_string());
}
