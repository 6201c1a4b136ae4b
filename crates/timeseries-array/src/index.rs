//! What a frame remembers of the index it was given, so that what goes in comes out the same: the time
//! zone (in the index column's Arrow type: `None` for naive wall-clock timestamps) and the name and unit
//! the index had (in the schema metadata under [`INDEX_METADATA_KEY`], which Arrow IPC files and shared
//! memory segments carry). The values are always `i64` nanoseconds since the epoch; none of this changes
//! them, so splits, cursors and folds never look at it.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::TimestampNanosecondType;
use arrow_array::{ArrayRef, RecordBatch, TimestampNanosecondArray};
use arrow_schema::{DataType, Field, Metadata, Schema, TimeUnit};

use crate::{TIMESTAMP_COLUMN, TimeFrame};

/// The schema metadata key holding the index's name and unit as JSON: `{"name": "Date", "unit": "ms"}`
/// (`"name": null` for an unnamed index, as pandas has), and pandas' frequency if the index had one
/// (`"freq": "B"`).
pub const INDEX_METADATA_KEY: &str = "isolation.index_label";

/// The index's name and unit as the data came in (the values are nanoseconds whatever the unit was).
///
/// ```
/// use timeseries_array::{IndexLabel, TimeUnit};
///
/// let label = IndexLabel { name: Some("Date".into()), unit: TimeUnit::Millisecond, freq: None };
/// assert_eq!(IndexLabel::from_json(&label.to_json()), Some(label));
/// assert_eq!(IndexLabel::default().name.as_deref(), Some("timestamp"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexLabel {
    /// The index's name; `None` for an unnamed index.
    pub name: Option<String>,
    /// The unit the timestamps came in.
    pub unit: TimeUnit,
    /// The pandas frequency the index had (`"B"`, `"min"`, `"ME"`), kept only to give it back; nothing
    /// here reads it.
    pub freq: Option<String>,
}

impl Default for IndexLabel {
    /// Named `timestamp`, in nanoseconds: a frame built in Rust, or data that said nothing else.
    fn default() -> Self {
        Self { name: Some(TIMESTAMP_COLUMN.to_string()), unit: TimeUnit::Nanosecond, freq: None }
    }
}

impl IndexLabel {
    /// The metadata value: `{"name": ..., "unit": "ns"}`, plus `"freq"` when there is one.
    pub fn to_json(&self) -> String {
        let mut json = serde_json::json!({ "name": self.name, "unit": unit_text(self.unit) });
        if let Some(freq) = &self.freq {
            json["freq"] = freq.clone().into();
        }
        json.to_string()
    }

    /// Reads a metadata value written by [`IndexLabel::to_json`] (or by hand: a missing `unit` is
    /// nanoseconds); `None` if it is not one.
    pub fn from_json(text: &str) -> Option<Self> {
        let value: serde_json::Value = serde_json::from_str(text).ok()?;
        let name = match value.get("name")? {
            serde_json::Value::Null => None,
            serde_json::Value::String(name) => Some(name.clone()),
            _ => return None,
        };
        let unit = match value.get("unit") {
            None => TimeUnit::Nanosecond,
            Some(unit) => unit_from_text(unit.as_str()?)?,
        };
        let freq = match value.get("freq") {
            None | Some(serde_json::Value::Null) => None,
            Some(freq) => Some(freq.as_str()?.to_string()),
        };
        Some(Self { name, unit, freq })
    }

    /// The label recorded in `metadata`, if there is a readable one.
    pub fn from_metadata(metadata: &Metadata) -> Option<Self> {
        metadata.get(INDEX_METADATA_KEY).and_then(|text| Self::from_json(text))
    }
}

/// `"s"`, `"ms"`, `"us"` or `"ns"`: numpy's and pandas' unit names.
pub fn unit_text(unit: TimeUnit) -> &'static str {
    match unit {
        TimeUnit::Second => "s",
        TimeUnit::Millisecond => "ms",
        TimeUnit::Microsecond => "us",
        TimeUnit::Nanosecond => "ns",
    }
}

fn unit_from_text(text: &str) -> Option<TimeUnit> {
    Some(match text {
        "s" => TimeUnit::Second,
        "ms" => TimeUnit::Millisecond,
        "us" => TimeUnit::Microsecond,
        "ns" => TimeUnit::Nanosecond,
        _ => return None,
    })
}

impl TimeFrame {
    /// The index's time zone as Arrow names it (`"UTC"`, `"America/New_York"`, `"+02:00"`); `None` for
    /// naive timestamps (wall-clock times read as if they were UTC, as pandas and numpy store them).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow_array::Float64Array;
    /// use timeseries_array::TimeFrame;
    ///
    /// let close = Arc::new(Float64Array::from(vec![1.0, 2.0]));
    /// let frame = TimeFrame::try_new(vec![1, 2], vec![("close".into(), close)])?;
    /// assert_eq!(frame.index_zone(), Some("UTC"));
    /// let naive = frame.with_index_zone(None);
    /// assert_eq!((naive.index_zone(), naive.timestamps()), (None, &[1, 2][..]));
    /// # Ok::<(), timeseries_array::FrameError>(())
    /// ```
    pub fn index_zone(&self) -> Option<&str> {
        match self.record_batch().schema_ref().field(0).data_type() {
            DataType::Timestamp(_, zone) => zone.as_deref(),
            _ => unreachable!("column 0 of a frame is a nanosecond timestamp"),
        }
    }

    /// The index's name and unit as the data came in ([`IndexLabel::default`] if nothing was recorded). A
    /// recorded unit that some timestamp is not a whole number of (metadata written by another tool, or
    /// damaged) reads as nanoseconds: an export in that unit would round the timestamps.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow_array::Float64Array;
    /// use timeseries_array::{IndexLabel, TimeFrame, TimeUnit};
    ///
    /// let close = Arc::new(Float64Array::from(vec![1.0, 2.0]));
    /// let frame = TimeFrame::try_new(vec![0, 2_000_000], vec![("close".into(), close)])?; // 0 and 2 ms
    /// let ms = IndexLabel { name: None, unit: TimeUnit::Millisecond, freq: None };
    /// assert_eq!(frame.clone().with_index_label(&ms).index_label().unit, TimeUnit::Millisecond);
    /// let s = IndexLabel { unit: TimeUnit::Second, ..ms };
    /// assert_eq!(frame.with_index_label(&s).index_label().unit, TimeUnit::Nanosecond); // 2 ms: not whole seconds
    /// # Ok::<(), timeseries_array::FrameError>(())
    /// ```
    pub fn index_label(&self) -> IndexLabel {
        let mut label =
            IndexLabel::from_metadata(self.record_batch().schema_ref().metadata()).unwrap_or_default();
        let per_unit = crate::units::nanoseconds_per(label.unit);
        if per_unit > 1 && self.timestamps().iter().any(|t| t % per_unit != 0) {
            label.unit = TimeUnit::Nanosecond;
        }
        label
    }

    /// The same frame with the index in zone `zone` (`None`: naive). The instants do not change; O(columns),
    /// no values copied.
    pub fn with_index_zone(self, zone: Option<Arc<str>>) -> Self {
        let batch = self.into_record_batch();
        let schema = batch.schema();
        let index = batch.column(0).as_primitive::<TimestampNanosecondType>().values().clone();
        let index: ArrayRef =
            Arc::new(TimestampNanosecondArray::new(index, None).with_timezone_opt(zone.clone()));
        let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
        fields[0] = index_field(zone);
        let mut columns = batch.columns().to_vec();
        columns[0] = index;
        let schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
        Self::from_valid_batch(
            RecordBatch::try_new(schema, columns).expect("the same columns, retyped index"),
        )
    }

    /// The same frame recording `label` as the index's name and unit; O(columns), no values copied.
    pub fn with_index_label(self, label: &IndexLabel) -> Self {
        let batch = self.into_record_batch();
        let schema = batch.schema();
        let mut metadata = schema.metadata().clone();
        if *label == IndexLabel::default() {
            metadata.remove(INDEX_METADATA_KEY);
        } else {
            metadata.insert(INDEX_METADATA_KEY.to_string(), label.to_json());
        }
        let schema = Arc::new(Schema::new_with_metadata(schema.fields().clone(), metadata));
        let columns = batch.columns().to_vec();
        Self::from_valid_batch(RecordBatch::try_new(schema, columns).expect("the same fields and columns"))
    }

    /// The same frame with `other`'s index zone, name and unit (for frames rebuilt from another's columns).
    pub fn with_index_of(self, other: &TimeFrame) -> Self {
        let zone = other.index_zone().map(Arc::from);
        self.with_index_zone(zone).with_index_label(&other.index_label())
    }
}

/// The index column's field: `timestamp`, nanoseconds, in `zone`, no nulls.
pub(crate) fn index_field(zone: Option<Arc<str>>) -> Field {
    Field::new(TIMESTAMP_COLUMN, DataType::Timestamp(TimeUnit::Nanosecond, zone), false)
}
