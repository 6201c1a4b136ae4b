//! Validating, zero-copy decoding of an Arrow IPC file held in one `Buffer` (a memory map, in practice).
//!
//! Every offset and length in the file is checked against the file before Arrow slices anything (its
//! slicing panics on a bad range), so corrupt or hostile input gives an error, never a panic.

use std::path::Path;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_buffer::Buffer;
use arrow_ipc::Footer;
use arrow_schema::{DataType, Schema};
use timeseries_array::{TIMESTAMP_COLUMN, TimeFrame, ValueType};

use crate::ShmError;
use crate::conform::{Conform, Conversions};

/// A decoded segment: the frame (buffers inside the input) and the schema's custom metadata.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub(crate) frame: TimeFrame,
    pub(crate) metadata: arrow_schema::Metadata,
    /// What conforming a foreign layout did (nothing for a time frame's own layout).
    pub(crate) conversions: Conversions,
}

/// The segment being read, for error messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'a> {
    pub(crate) name: &'a str,
    pub(crate) path: &'a Path,
}

impl Source<'_> {
    pub(crate) fn corrupt(&self, reason: impl Into<String>) -> ShmError {
        ShmError::Corrupt {
            name: self.name.to_string(),
            path: self.path.to_path_buf(),
            reason: reason.into(),
        }
    }

    pub(crate) fn foreign(&self, reason: impl Into<String>) -> ShmError {
        ShmError::Foreign {
            name: self.name.to_string(),
            path: self.path.to_path_buf(),
            reason: reason.into(),
        }
    }

    pub(crate) fn schema(&self, reason: impl Into<String>) -> ShmError {
        ShmError::UnexpectedSchema { name: self.name.to_string(), reason: reason.into() }
    }
}

/// Validates the whole file in `file` and decodes its one record batch into a frame whose buffers are
/// slices of `file` (no values copied; alignment is required, so a copy would be an error).
///
/// With `trust_published_order`, a segment that records its publisher checked the index skips the O(rows)
/// order check. `conform` says which foreign layouts to accept and convert (none by default).
pub(crate) fn decode(
    file: &Buffer,
    src: Source<'_>,
    trust_published_order: bool,
    conform: &Conform,
) -> Result<Decoded, ShmError> {
    let bytes = file.as_slice();
    let footer_start = timeseries_ipc::footer_start(bytes).map_err(|e| src.ipc(e))?;
    let footer =
        timeseries_ipc::footer(timeseries_ipc::footer_bytes(bytes, footer_start)).map_err(|e| src.ipc(e))?;
    let schema = frame_schema(&footer, src, conform)?;
    if let crate::format::Layout::Other(found) = crate::format::layout(schema.metadata()) {
        let found = found.unwrap_or_else(|| "none recorded".to_string());
        return Err(ShmError::UnknownFormat { name: src.name.to_string(), found });
    }
    // The structure every IPC reader here shares: blocks, messages, buffer ranges, alignment, overlaps, the
    // leading schema message against the footer's, a batch list for a body that holds data.
    timeseries_ipc::check_file(bytes, footer_start, &footer, &schema).map_err(|e| src.ipc(e))?;
    let blocks = footer.recordBatches().ok_or_else(|| src.corrupt("the footer has no record batch list"))?;
    if blocks.len() > 1 && !conform.concatenate_batches {
        return Err(ShmError::MultipleBatches { name: src.name.to_string(), n_batches: blocks.len() });
    }
    for block in blocks.iter() {
        refuse_compression(bytes, block, src)?;
    }
    let mut batches =
        timeseries_ipc::decode_batches(file, &footer, schema.clone(), None).map_err(|e| src.ipc(e))?;
    if batches.is_empty() {
        batches.push(RecordBatch::new_empty(Arc::new(schema.clone())));
    }
    let (batch, conversions) = if *conform == Conform::default() {
        (batches.pop().expect("exactly one batch"), Conversions::default())
    } else {
        conform.apply(batches, src)?
    };
    // Segments we published record that their index was checked when written; the caller may trust that.
    let frame = if trust_published_order && crate::owner::SegmentOwner::index_checked(schema.metadata()) {
        TimeFrame::try_from_record_batch_trusting_order(&batch, TIMESTAMP_COLUMN)
    } else {
        TimeFrame::try_from_record_batch(&batch, TIMESTAMP_COLUMN)
    }
    .map_err(|source| ShmError::Frame { name: src.name.to_string(), source })?;
    Ok(Decoded { frame, metadata: schema.metadata().clone(), conversions })
}

impl Source<'_> {
    /// A reader error as this segment's: another format is foreign, a damaged file corrupt.
    pub(crate) fn ipc(&self, error: timeseries_ipc::IpcFileError) -> ShmError {
        match error {
            timeseries_ipc::IpcFileError::NotIpc(reason) => self.foreign(reason),
            timeseries_ipc::IpcFileError::Damaged(reason) => self.corrupt(reason),
        }
    }
}

/// The footer's schema, checked to be a time frame's: a `timestamp` column of nanosecond timestamps (or
/// `Int64` nanoseconds) and numeric value columns, little-endian as this machine, no dictionaries. With
/// `conform`, the index may have another name or unit.
pub(crate) fn frame_schema(
    footer: &Footer<'_>,
    src: Source<'_>,
    conform: &Conform,
) -> Result<Schema, ShmError> {
    let fb_schema = footer.schema().ok_or_else(|| src.corrupt("the footer has no schema"))?;
    if !fb_schema.endianness().equals_to_target_endianness() {
        return Err(src.schema("the file's byte order differs from this machine's"));
    }
    let schema = arrow_ipc::convert::try_fb_to_schema(fb_schema)
        .map_err(|e| src.corrupt(format!("the schema does not decode: {e}")))?;
    if schema.fields().iter().all(|f| f.name() != conform.index_name()) {
        let timestamps = schema.fields().iter().find(|f| matches!(f.data_type(), DataType::Timestamp(..)));
        let hint = match timestamps {
            Some(f) => format!(
                "column `{0}` holds timestamps: attach with AttachOptions::index_column(\"{0}\")",
                f.name()
            ),
            None => {
                "if the index has another name, attach with AttachOptions::index_column(NAME)".to_string()
            }
        };
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        return Err(src.schema(format!(
            "there is no `{}` column (nanosecond timestamps, UTC) among {}; {hint}",
            conform.index_name(),
            names.join(", ")
        )));
    }
    for field in schema.fields() {
        if field.name() == conform.index_name() {
            conform.check_index_type(field.data_type(), src)?;
        } else if ValueType::from_arrow(field.data_type()).is_none() {
            return Err(src.schema(format!(
                "column `{}` has type {}; a time frame has a nanosecond `timestamp` column and numeric columns",
                field.name(),
                field.data_type()
            )));
        }
    }
    if footer.dictionaries().is_some_and(|d| !d.is_empty()) {
        return Err(src.schema("the file has dictionary batches, which a time frame never uses"));
    }
    Ok(schema)
}

/// Refuses a record batch with compressed buffers, which cannot be mapped without copying
/// (`timeseries_ipc::check_file` validated the block's message and buffers before).
fn refuse_compression(bytes: &[u8], block: &arrow_ipc::Block, src: Source<'_>) -> Result<(), ShmError> {
    let corrupt = || src.corrupt("the record batch block does not fit in the file");
    let start = usize::try_from(block.offset()).map_err(|_| corrupt())?;
    let meta = usize::try_from(block.metaDataLength()).map_err(|_| corrupt())?;
    let message = bytes.get(start..start + meta).ok_or_else(corrupt)?;
    let flatbuffer = if message.get(..4) == Some(&[0xff; 4]) { &message[8..] } else { &message[4..] };
    let message = arrow_ipc::root_as_message(flatbuffer)
        .map_err(|e| src.corrupt(format!("the record batch message is not valid: {e}")))?;
    let batch = message
        .header_as_record_batch()
        .ok_or_else(|| src.corrupt("the first block is not a record batch"))?;
    if batch.compression().is_some() {
        return Err(
            src.schema("the buffers are compressed; only uncompressed files can be mapped without copying")
        );
    }
    Ok(())
}
