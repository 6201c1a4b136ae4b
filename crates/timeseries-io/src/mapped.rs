//! Reading an Arrow IPC file (Feather v2) into one buffer, memory-mapped or read, and decoding its record
//! batches in place with `timeseries_ipc` (the reader `isolation-shm` uses for segments), so the arrays
//! point into that buffer wherever the file's buffers are aligned.
//!
//! # Safety
//!
//! Mapping a file cannot be made fully safe: if another process truncates or rewrites the file while it is
//! mapped, reads of the lost pages raise SIGBUS or see the new bytes. We map read-only, validate every
//! block against the mapping's length before decoding, and let Arrow validate the decoded arrays; what
//! remains is the hazard of concurrent modification, stated on `timeseries_io::load` and
//! `LoadOptions::memory_map`, whose `false` reads the file instead. The one `unsafe` block of the crate is
//! here.
#![allow(unsafe_code)]

use std::fs::File;
use std::io::Read;

use arrow_array::{Array, RecordBatch};
use arrow_buffer::{Buffer, MutableBuffer};
use arrow_schema::Schema;
use timeseries_ipc::IpcFileError;

use crate::error::LoadError;

/// A mapped (or read) IPC file's schema and decoded record batches (pointing into the buffer where
/// aligned).
pub(crate) struct MappedIpc {
    pub(crate) schema: Schema,
    pub(crate) batches: Vec<RecordBatch>,
    /// The whole file, to tell whether arrays point into it.
    pub(crate) mapping: Buffer,
}

/// The bytes of `handle`: a read-only map registered with memtrack (so ledgers count it as mapped, once),
/// or with `memory_map == false` a 64-byte aligned heap copy.
fn file_bytes(file: &str, handle: &File, len: u64, memory_map: bool) -> Result<Buffer, LoadError> {
    let io = |source| LoadError::Io { file: file.to_string(), source };
    if !memory_map {
        let len = usize::try_from(len).map_err(|_| io(std::io::Error::other("the file is too large")))?;
        let mut bytes = MutableBuffer::from_len_zeroed(len);
        let mut reader = handle;
        reader.read_exact(bytes.as_slice_mut()).map_err(io)?;
        return Ok(bytes.into());
    }
    // SAFETY: the map is read-only and private to this load; the module docs and `LoadOptions::memory_map`
    // state the residual hazard of another process truncating the file while it is mapped.
    let mmap = unsafe { memmap2::Mmap::map(handle) }.map_err(io)?;
    Ok(Buffer::from(bytes::Bytes::from_owner(memtrack::RegisteredBytes::new(mmap))))
}

/// Maps (or reads) `handle` and decodes its record batches, keeping the columns `projection` picks from the
/// schema (in file order). Decoding reads only metadata; the values stay in the buffer until touched.
pub(crate) fn map(
    file: &str,
    handle: &File,
    memory_map: bool,
    projection: &mut dyn FnMut(&Schema) -> Result<Vec<usize>, LoadError>,
) -> Result<MappedIpc, LoadError> {
    let truncated =
        |detail: String| LoadError::Truncated { file: file.to_string(), format: "Arrow IPC", detail };
    let ipc_error = |e: IpcFileError| match e {
        IpcFileError::NotIpc(detail) => LoadError::Format { file: file.to_string(), detail },
        IpcFileError::Damaged(detail) => truncated(detail),
    };
    let len = handle.metadata().map_err(|source| LoadError::Io { file: file.to_string(), source })?.len();
    if len == 0 {
        return Err(LoadError::Empty { file: file.to_string() });
    }
    let buffer = file_bytes(file, handle, len, memory_map)?;
    let footer_start = timeseries_ipc::footer_start(&buffer).map_err(ipc_error)?;
    let footer =
        timeseries_ipc::footer(timeseries_ipc::footer_bytes(&buffer, footer_start)).map_err(ipc_error)?;
    let schema = timeseries_ipc::footer_schema(&footer).map_err(ipc_error)?;
    // Every offset and length the file states is checked before arrow-ipc slices anything (it panics on a
    // bad one), and misaligned buffers are refused rather than silently copied.
    timeseries_ipc::check_file(&buffer, footer_start, &footer, &schema).map_err(ipc_error)?;
    let projection = projection(&schema)?;
    let batches = timeseries_ipc::decode_batches(&buffer, &footer, schema.clone(), Some(projection))
        .map_err(ipc_error)?;
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
