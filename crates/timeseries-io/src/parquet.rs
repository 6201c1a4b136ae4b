//! Parquet files: metadata first (row count, row groups), then only the planned columns, batch by batch.

use std::fs::File;

use arrow_schema::Schema;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::metadata::ParquetMetaData;
use timeseries_array::ValueType;

use crate::assemble::{Assembler, push_batch};
use crate::error::{LoadError, Location};
use crate::plan::{Plan, plan};
use crate::timestamp::TimestampReader;
use crate::{FileFormat, LoadOptions, LoadReport, Loaded};

/// Opens a Parquet file's metadata; a damaged or short file is [`LoadError::Truncated`].
pub(crate) fn open(file: &str, handle: File) -> Result<ParquetRecordBatchReaderBuilder<File>, LoadError> {
    let file_len =
        handle.metadata().map_err(|source| LoadError::Io { file: file.to_string(), source })?.len();
    let builder = upstream(file, || {
        ParquetRecordBatchReaderBuilder::try_new(handle).map_err(|e| truncated(file, e.to_string()))
    })?;
    check_chunks(file, builder.metadata(), file_len)?;
    check_row_counts(file, builder.metadata())?;
    Ok(builder)
}

/// The footer's row count is the sum of its row groups' counts, none negative: a file whose footer states
/// more rows than its groups hold has lost rows (found by fuzzing: one flipped bit in the footer's count,
/// which the parquet crate and pyarrow both read without a word), and one that states fewer has invented
/// them.
fn check_row_counts(file: &str, metadata: &ParquetMetaData) -> Result<(), LoadError> {
    let mut held: i64 = 0;
    for (group, row_group) in metadata.row_groups().iter().enumerate() {
        let rows = row_group.num_rows();
        held = match held.checked_add(rows) {
            Some(sum) if rows >= 0 => sum,
            _ => return Err(truncated(file, format!("row group {group} states {rows} rows"))),
        };
    }
    let stated = metadata.file_metadata().num_rows();
    if stated != held {
        return Err(truncated(
            file,
            format!("its footer states {stated} rows, but its row groups hold {held}"),
        ));
    }
    Ok(())
}

/// Every column chunk's byte range lies inside the file: the parquet crate asserts (panics) on a negative
/// one and reads past the end on a long one (found by fuzzing).
fn check_chunks(file: &str, metadata: &ParquetMetaData, file_len: u64) -> Result<(), LoadError> {
    for (group, row_group) in metadata.row_groups().iter().enumerate() {
        for chunk in row_group.columns() {
            let start = chunk.dictionary_page_offset().unwrap_or_else(|| chunk.data_page_offset());
            let len = chunk.compressed_size();
            let fits = u64::try_from(start)
                .ok()
                .zip(u64::try_from(len).ok())
                .is_some_and(|(s, l)| s.checked_add(l).is_some_and(|end| end <= file_len));
            if !fits {
                return Err(truncated(
                    file,
                    format!(
                        "row group {group}, column `{}`: its {len} bytes at offset {start} lie outside the \
                         {file_len}-byte file",
                        timeseries_array::printable(chunk.column_path().string().as_str())
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Loads a Parquet file.
pub(crate) fn read(file: &str, handle: File, options: &LoadOptions) -> Result<Loaded, LoadError> {
    let started = std::time::Instant::now();
    let file_bytes =
        handle.metadata().map_err(|source| LoadError::Io { file: file.to_string(), source })?.len();
    if file_bytes == 0 {
        return Err(LoadError::Empty { file: file.to_string() });
    }
    let builder = open(file, handle)?;
    let schema: Schema = builder.schema().as_ref().clone();
    let plan = plan(file, &schema, options, &ValueType::from_arrow)?;
    let group_ends: Vec<usize> = builder
        .metadata()
        .row_groups()
        .iter()
        .scan(0_usize, |end, g| {
            *end += g.num_rows() as usize;
            Some(*end)
        })
        .collect();
    let total_rows = group_ends.last().copied().unwrap_or(0);
    if total_rows == 0 {
        return Err(LoadError::HeaderOnly { file: file.to_string() });
    }
    let group_of = {
        let ends = group_ends.clone();
        move |row: usize| ends.partition_point(|&end| end <= row)
    };
    let mask = ProjectionMask::roots(builder.parquet_schema(), projected(&plan));
    let mut reader = upstream(file, || {
        builder
            .with_projection(mask)
            .with_batch_size(options.batch_size.max(1))
            .build()
            .map_err(|e| truncated(file, e.to_string()))
    })?;
    let ts_name = plan.ts_name(&schema);
    let mut ts_reader = TimestampReader::new(file, &ts_name, &options.timestamp_format);
    if let Some(time) = plan.time {
        ts_reader = ts_reader.with_date_time(schema.field(plan.ts).name(), schema.field(time).name());
    }
    let columns = plan.values.iter().map(|v| (v.name.clone(), v.value_type)).collect();
    let locate = move |row: usize| Location::Row { row, group: group_of(row), group_kind: "row group" };
    let mut assembler = Assembler::new(file, &ts_name, columns, options.sort, Box::new(locate.clone()));
    assembler.capacity_hint = total_rows;
    while let Some(batch) = upstream(file, || Ok(reader.next()))? {
        let first_row = assembler.rows();
        let batch = batch.map_err(|e| {
            let group = group_ends.partition_point(|&end| end <= first_row);
            truncated(file, format!("row group {group}: {e}"))
        })?;
        push_batch(file, &batch, &schema, &plan, &mut ts_reader, &mut assembler, &locate)?;
    }
    let (frame, missing, sorted) = assembler.finish()?;
    let frame = ts_reader.label_index(frame, &ts_name);
    Ok(Loaded {
        report: LoadReport {
            format: FileFormat::Parquet,
            rows: frame.n_rows(),
            columns: plan.values.iter().map(|v| v.name.clone()).collect(),
            timestamp_column: ts_name,
            timestamp_layout: ts_reader.layout(),
            missing,
            renamed: plan.renamed,
            dropped: plan.dropped,
            sorted,
            zero_copy: false,
            file_bytes,
            frame_bytes: frame.visible_bytes(),
            elapsed: started.elapsed(),
        },
        frame,
    })
}

/// Every row of a Parquet file as record batches, with its own types and none of the time-series rules
/// ([`crate::read_table`]), through the same checks and caught decoder panics as [`read`].
pub(crate) fn read_all(file: &str, handle: File) -> Result<Vec<arrow_array::RecordBatch>, LoadError> {
    let builder = open(file, handle)?;
    let reader = upstream(file, || builder.build().map_err(|e| truncated(file, e.to_string())))?;
    upstream(file, || reader.collect::<Result<_, _>>().map_err(|e| truncated(file, e.to_string())))
}

/// The file columns a plan reads, in file order.
pub(crate) fn projected(plan: &Plan) -> Vec<usize> {
    let mut indices: Vec<usize> =
        std::iter::once(plan.ts).chain(plan.time).chain(plan.values.iter().map(|v| v.index)).collect();
    indices.sort_unstable();
    indices
}

/// Runs a call into the parquet crate, which can still panic on some corrupt files (seen with single flipped
/// bytes, inside its decoders and arrow-buffer): a panic there becomes [`LoadError::Truncated`] naming the
/// file, and nothing it built escapes, and nothing is printed but that error (no panic message, no
/// backtrace: [`crate::quiet_panic`]). Only upstream calls go through here, so a panic in our own code
/// (planning, assembling, checking) stays a panic and fails the tests and the fuzzer.
fn upstream<T>(file: &str, call: impl FnOnce() -> Result<T, LoadError>) -> Result<T, LoadError> {
    crate::quiet_panic::catch_quietly(call).unwrap_or_else(|panic| {
        let what = crate::quiet_panic::message(panic.as_ref());
        Err(truncated(file, format!("the Parquet decoder failed on it: {what}")))
    })
}

fn truncated(file: &str, detail: String) -> LoadError {
    LoadError::Truncated { file: file.to_string(), format: "Parquet", detail }
}
