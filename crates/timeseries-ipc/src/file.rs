//! An Arrow IPC file held in one buffer: its envelope (both magics, the footer length) and footer checked,
//! and its record batches decoded in place. The one reader behind loading `.arrow` files
//! (`timeseries-io`) and attaching segments (`isolation-shm`).

use std::fmt;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_buffer::Buffer;
use arrow_ipc::reader::FileDecoder;
use arrow_ipc::{Block, Footer};
use arrow_schema::Schema;

/// The magic an Arrow IPC file starts and ends with.
pub const MAGIC: &[u8; 6] = b"ARROW1";
/// Leading magic plus padding to 8 bytes.
const HEADER_LEN: usize = 8;
/// Footer length (4 bytes) plus trailing magic: the bytes [`footer_len`] reads.
pub const TRAILER_LEN: usize = 10;

/// What is wrong with bytes that should hold an Arrow IPC file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpcFileError {
    /// The bytes do not start with the Arrow magic: another format, not a damaged IPC file.
    NotIpc(String),
    /// An IPC file, damaged or truncated (the sentence says where).
    Damaged(String),
}

impl fmt::Display for IpcFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IpcFileError::NotIpc(reason) | IpcFileError::Damaged(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for IpcFileError {}

/// Where the footer of the IPC file in `bytes` starts, after checking both magics and that the footer
/// length fits between the header and the trailer.
///
/// # Errors
///
/// [`IpcFileError::NotIpc`] without the leading magic; [`IpcFileError::Damaged`] for a file too short,
/// without the trailing magic, or with a footer length that does not fit.
pub fn footer_start(bytes: &[u8]) -> Result<usize, IpcFileError> {
    let len = bytes.len();
    if len < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(IpcFileError::NotIpc("it does not start with the ARROW1 magic".into()));
    }
    let footer_len = footer_len(&bytes[len.saturating_sub(TRAILER_LEN)..], len as u64)?;
    Ok(len - TRAILER_LEN - footer_len as usize)
}

/// The footer's length, from the file's last [`TRAILER_LEN`] bytes (the length and the trailing magic),
/// checked to fit in a file of `file_len` bytes: what a reader that does not hold the whole file (it seeks
/// to the end) needs.
///
/// # Errors
///
/// [`IpcFileError::Damaged`] for a file too short, without the trailing magic, or with a footer length that
/// does not fit.
pub fn footer_len(trailer: &[u8], file_len: u64) -> Result<u64, IpcFileError> {
    let damaged = |reason: String| Err(IpcFileError::Damaged(reason));
    let min_len = (HEADER_LEN + TRAILER_LEN) as u64;
    if file_len < min_len || trailer.len() != TRAILER_LEN {
        return damaged(format!("the file has {file_len} bytes, fewer than any complete Arrow IPC file"));
    }
    if &trailer[4..] != MAGIC {
        return damaged("the trailing ARROW1 magic is missing (truncated, or not written to the end)".into());
    }
    let footer_len = i32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    match u64::try_from(footer_len) {
        Ok(footer_len) if footer_len > 0 && footer_len <= file_len - min_len => Ok(footer_len),
        _ => damaged(format!("footer length {footer_len} does not fit in the file's {file_len} bytes")),
    }
}

/// The footer flatbuffer in `footer_bytes` (the file's bytes from [`footer_start`] to the trailer),
/// verified.
///
/// # Errors
///
/// [`IpcFileError::Damaged`] when the flatbuffer does not verify.
pub fn footer(footer_bytes: &[u8]) -> Result<Footer<'_>, IpcFileError> {
    arrow_ipc::root_as_footer(footer_bytes)
        .map_err(|e| IpcFileError::Damaged(format!("the footer is not valid: {e}")))
}

/// The footer's bytes of the whole file in `bytes`, given where it starts.
pub fn footer_bytes(bytes: &[u8], footer_start: usize) -> &[u8] {
    &bytes[footer_start..bytes.len() - TRAILER_LEN]
}

/// The footer's schema, decoded.
///
/// # Errors
///
/// [`IpcFileError::Damaged`] when the footer has no schema or it does not decode.
pub fn footer_schema(footer: &Footer<'_>) -> Result<Schema, IpcFileError> {
    let fb_schema =
        footer.schema().ok_or_else(|| IpcFileError::Damaged("the footer has no schema".into()))?;
    arrow_ipc::convert::try_fb_to_schema(fb_schema)
        .map_err(|e| IpcFileError::Damaged(format!("the schema does not decode: {e}")))
}

/// The record batches of `file` (the whole IPC file; `footer` parsed from it, already checked with
/// [`crate::check_file`] against `schema`), decoded in place: every array points into `file`, since
/// misaligned buffers are refused rather than copied. `projection` keeps those columns of the schema (in
/// file order); dictionaries are read first.
///
/// # Errors
///
/// [`IpcFileError::Damaged`] naming the batch Arrow refused.
pub fn decode_batches(
    file: &Buffer,
    footer: &Footer<'_>,
    schema: Schema,
    projection: Option<Vec<usize>>,
) -> Result<Vec<RecordBatch>, IpcFileError> {
    decode_all(file, footer, schema, projection).map_err(IpcFileError::Damaged)
}

fn decode_all(
    file: &Buffer,
    footer: &Footer<'_>,
    schema: Schema,
    projection: Option<Vec<usize>>,
) -> Result<Vec<RecordBatch>, String> {
    let mut decoder = FileDecoder::new(Arc::new(schema), footer.version()).with_require_alignment(true);
    if let Some(projection) = projection {
        decoder = decoder.with_projection(projection);
    }
    // `check_file` verified that every block lies inside the file.
    let block_bytes = |block: &Block| -> Result<Buffer, String> {
        let offset = usize::try_from(block.offset()).map_err(|_| "a block has a negative offset")?;
        let meta = usize::try_from(block.metaDataLength()).map_err(|_| "a block has a negative length")?;
        let body = usize::try_from(block.bodyLength()).map_err(|_| "a block has a negative length")?;
        match offset.checked_add(meta).and_then(|end| end.checked_add(body)) {
            Some(end) if end <= file.len() => Ok(file.slice_with_length(offset, meta + body)),
            _ => Err(format!("a block at byte {offset} reaches past the file")),
        }
    };
    for block in footer.dictionaries().into_iter().flatten() {
        decoder.read_dictionary(block, &block_bytes(block)?).map_err(|e| format!("a dictionary: {e}"))?;
    }
    let mut batches = Vec::new();
    for (i, block) in footer.recordBatches().into_iter().flatten().enumerate() {
        let batch = decoder
            .read_record_batch(block, &block_bytes(block)?)
            .map_err(|e| format!("record batch {i} does not decode: {e}"))?
            .ok_or_else(|| format!("record batch block {i} holds no message"))?;
        batches.push(batch);
    }
    Ok(batches)
}
