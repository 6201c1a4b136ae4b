//! Arrow IPC files: a file of one record batch becomes a frame over the mapped file (no copy of the value
//! columns, nor of a nanosecond index); several batches are gathered into one frame like any stream.

use std::fs::File;
use std::time::Instant;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::TimestampNanosecondType;
use arrow_buffer::ScalarBuffer;
use arrow_schema::{DataType, Schema, TimeUnit};
use timeseries_array::{TimeFrame, ValueType};

use crate::assemble::{Assembler, missing_in, push_batch};
use crate::error::{LoadError, Location};
use crate::mapped::{MappedIpc, map};
use crate::parquet::projected;
use crate::plan::{Plan, plan};
use crate::timestamp::TimestampReader;
use crate::{FileFormat, LoadOptions, LoadReport, Loaded, MissingCount};

/// Loads an Arrow IPC file.
pub(crate) fn read(file: &str, handle: File, options: &LoadOptions) -> Result<Loaded, LoadError> {
    let started = Instant::now();
    let file_bytes =
        handle.metadata().map_err(|source| LoadError::Io { file: file.to_string(), source })?.len();
    let mut planned = None;
    let mapped = map(file, &handle, options.memory_map, &mut |schema: &Schema| {
        let p = plan(file, schema, options, &ValueType::from_arrow)?;
        let projection = projected(&p);
        planned = Some(p);
        Ok(projection)
    })?;
    let plan = planned.expect("map calls the projection once it has the schema");
    let schema = &mapped.schema;
    let batch_ends: Vec<usize> = mapped
        .batches
        .iter()
        .scan(0, |end, b| {
            *end += b.num_rows();
            Some(*end)
        })
        .collect();
    let total_rows = batch_ends.last().copied().unwrap_or(0);
    if total_rows == 0 {
        return Err(LoadError::HeaderOnly { file: file.to_string() });
    }
    let locate = move |row: usize| Location::Row {
        row,
        group: batch_ends.partition_point(|&end| end <= row),
        group_kind: "batch",
    };
    let ts_name = plan.ts_name(schema);
    let mut ts_reader = TimestampReader::new(file, &ts_name, &options.timestamp_format);
    if let Some(time) = plan.time {
        ts_reader = ts_reader.with_date_time(schema.field(plan.ts).name(), schema.field(time).name());
    }
    let mut zero_copy = false;
    let single = match mapped.batches.as_slice() {
        [_] => in_place(file, &mapped, &plan, &ts_name, &mut ts_reader, options, &locate)?,
        _ => None,
    };
    let (frame, missing, sorted) = match single {
        Some((frame, missing)) => {
            zero_copy = options.memory_map
                && (0..frame.n_columns()).all(|c| mapped.holds(frame.column_at(c).as_ref()));
            (frame, missing, false)
        }
        None => {
            let columns = plan.values.iter().map(|v| (v.name.clone(), v.value_type)).collect();
            let mut assembler =
                Assembler::new(file, &ts_name, columns, options.sort, Box::new(locate.clone()));
            assembler.capacity_hint = total_rows;
            for batch in &mapped.batches {
                push_batch(file, batch, schema, &plan, &mut ts_reader, &mut assembler, &locate)?;
            }
            assembler.finish()?
        }
    };
    let frame = ts_reader.label_index(frame, &ts_name);
    Ok(Loaded {
        report: LoadReport {
            format: FileFormat::Ipc,
            rows: frame.n_rows(),
            columns: plan.values.iter().map(|v| v.name.clone()).collect(),
            timestamp_column: ts_name,
            timestamp_layout: ts_reader.layout(),
            missing,
            renamed: plan.renamed,
            dropped: plan.dropped,
            sorted,
            zero_copy,
            file_bytes,
            frame_bytes: frame.visible_bytes(),
            elapsed: started.elapsed(),
        },
        frame,
    })
}

/// The frame of a one-batch file, sharing the mapped buffers. `None` when the rows are out of order and
/// `sort` was asked for (the caller then sorts through the assembler).
fn in_place(
    file: &str,
    mapped: &MappedIpc,
    plan: &Plan,
    ts_name: &str,
    ts_reader: &mut TimestampReader,
    options: &LoadOptions,
    locate: &dyn Fn(usize) -> Location,
) -> Result<Option<(TimeFrame, Vec<MissingCount>)>, LoadError> {
    let batch = &mapped.batches[0];
    let column = |index: usize| -> &dyn Array {
        batch.column_by_name(mapped.schema.field(index).name()).expect("projected").as_ref()
    };
    let ts = column(plan.ts);
    let nanos: ScalarBuffer<i64> = match ts.data_type() {
        DataType::Timestamp(TimeUnit::Nanosecond, _) if plan.time.is_none() && ts.null_count() == 0 => {
            ts_reader.push(ts.slice(0, 0).as_ref(), None, locate, &mut Vec::new())?;
            ts.as_primitive::<TimestampNanosecondType>().values().clone()
        }
        _ => {
            let mut out = Vec::with_capacity(ts.len());
            ts_reader.push(ts, plan.time.map(column), locate, &mut out)?;
            ScalarBuffer::from(out)
        }
    };
    if let Some(i) = nanos.windows(2).position(|w| w[1] <= w[0]) {
        if options.sort && nanos[i + 1] < nanos[i] {
            return Ok(None);
        }
        let (t, previous) = (nanos[i + 1], nanos[i]);
        let (file, location, column) = (file.to_string(), locate(i + 1), ts_name.to_string());
        let format = timeseries_array::format_timestamp;
        return Err(if t == previous {
            LoadError::Duplicate { file, location, column, timestamp: format(t) }
        } else {
            LoadError::Unsorted { file, location, column, timestamp: format(t), previous: format(previous) }
        });
    }
    let columns = plan.values.iter().map(|v| {
        Ok((
            v.name.clone(),
            v.frame_values(file, batch.column_by_name(&v.file_name).expect("projected"), &locate)?,
        ))
    });
    let columns: Vec<_> = columns.collect::<Result<_, LoadError>>()?;
    let missing = columns
        .iter()
        .map(|(name, array)| MissingCount { column: name.clone(), missing: missing_in(array.as_ref()) })
        .collect();
    let frame = TimeFrame::try_new(nanos, columns)
        .map_err(|source| LoadError::Frame { file: file.to_string(), source })?;
    Ok(Some((frame, missing)))
}
