//! Memory-mapping an Arrow IPC file (Feather v2) and decoding its record batches in place, so the arrays
//! point into the mapping wherever the file's buffers are aligned.
//!
//! # Safety
//!
//! Mapping a file cannot be made fully safe: if another process truncates or rewrites the file while it is
//! mapped, reads of the lost pages raise SIGBUS or see the new bytes. We map read-only, validate every
//! block against the mapping's length before decoding, and let Arrow validate the decoded arrays; what
//! remains is the documented hazard of concurrent modification, which callers avoid by not rewriting
//! files that are loaded. The one `unsafe` block of the crate is here.
#![allow(unsafe_code)]

use std::fs::File;
use std::sync::Arc;

use arrow_array::{Array, RecordBatch};
use arrow_buffer::Buffer;
use arrow_ipc::convert::try_fb_to_schema;
use arrow_ipc::reader::{FileDecoder, read_footer_length};
use arrow_ipc::{Block, root_as_footer};
use arrow_schema::Schema;

use crate::error::LoadError;

/// A mapped IPC file's schema and decoded record batches (pointing into the mapping where aligned).
pub(crate) struct MappedIpc {
    pub(crate) schema: Schema,
    pub(crate) batches: Vec<RecordBatch>,
    /// The whole mapping, to tell whether arrays point into it.
    pub(crate) mapping: Buffer,
}

/// Maps `handle` and decodes its record batches, keeping the columns `projection` picks from the schema
/// (in file order). Decoding reads only metadata; the values stay in the mapping until touched.
pub(crate) fn map(
    file: &str,
    handle: &File,
    projection: &mut dyn FnMut(&Schema) -> Result<Vec<usize>, LoadError>,
) -> Result<MappedIpc, LoadError> {
    let truncated =
        |detail: String| LoadError::Truncated { file: file.to_string(), format: "Arrow IPC", detail };
    let len = handle.metadata().map_err(|source| LoadError::Io { file: file.to_string(), source })?.len();
    if len == 0 {
        return Err(LoadError::Empty { file: file.to_string() });
    }
    // SAFETY: the map is read-only and private to this load; the module docs explain the residual hazard
    // of another process truncating the file while it is mapped.
    let mmap = unsafe { memmap2::Mmap::map(handle) }
        .map_err(|source| LoadError::Io { file: file.to_string(), source })?;
    let buffer = Buffer::from(bytes::Bytes::from_owner(mmap));
    if buffer.len() < 10 + 8 {
        return Err(truncated(format!("{} bytes is shorter than the IPC header and footer", buffer.len())));
    }
    let trailer_start = buffer.len() - 10;
    let footer_len = read_footer_length(buffer[trailer_start..].try_into().expect("10 bytes"))
        .map_err(|e| truncated(e.to_string()))?;
    if footer_len > trailer_start {
        return Err(truncated(format!("footer of {footer_len} bytes does not fit in the file")));
    }
    let footer = root_as_footer(&buffer[trailer_start - footer_len..trailer_start])
        .map_err(|e| truncated(e.to_string()))?;
    let schema = footer.schema().ok_or_else(|| truncated("the footer has no schema".to_string()))?;
    let schema = try_fb_to_schema(schema).map_err(|e| truncated(e.to_string()))?;
    // Every offset and length the file states is checked before arrow-ipc slices anything (it panics on a
    // bad one), and misaligned buffers are refused rather than silently copied.
    timeseries_ipc::check_file(&buffer, trailer_start - footer_len, &footer, &schema).map_err(truncated)?;
    let mut decoder = FileDecoder::new(Arc::new(schema.clone()), footer.version())
        .with_projection(projection(&schema)?)
        .with_require_alignment(true);
    let block_buffer = |block: &Block| -> Result<Buffer, LoadError> {
        let offset = usize::try_from(block.offset()).ok();
        let size = usize::try_from(block.metaDataLength()).ok().zip(usize::try_from(block.bodyLength()).ok());
        match (offset, size) {
            (Some(offset), Some((meta, body)))
                if offset.saturating_add(meta).saturating_add(body) <= trailer_start =>
            {
                Ok(buffer.slice_with_length(offset, meta + body))
            }
            _ => Err(truncated(format!("a block at byte {} reaches past the data", block.offset()))),
        }
    };
    for block in footer.dictionaries().into_iter().flatten() {
        decoder.read_dictionary(block, &block_buffer(block)?).map_err(|e| truncated(e.to_string()))?;
    }
    let mut batches = Vec::new();
    for (i, block) in footer.recordBatches().into_iter().flatten().enumerate() {
        let batch = decoder
            .read_record_batch(block, &block_buffer(block)?)
            .map_err(|e| truncated(format!("batch {i}: {e}")))?;
        batches.extend(batch);
    }
    Ok(MappedIpc { schema, batches, mapping: buffer })
}

impl MappedIpc {
    /// Whether an array's values lie inside the mapping rather than in a copy.
    pub(crate) fn holds(&self, array: &dyn Array) -> bool {
        let data = array.to_data();
        let Some(values) = data.buffers().first() else { return false };
        let start = self.mapping.as_ptr() as usize;
        let ptr = values.as_ptr() as usize;
        ptr >= start && ptr < start + self.mapping.len()
    }
}
