//! Reading an Arrow IPC file held in one buffer: its envelope and footer ([`footer_start`], [`footer`]), its
//! structure validated before arrow-ipc decodes it ([`check_file`]), and its batches decoded in place
//! ([`decode_batches`]). Used by `timeseries-io` (loading `.arrow`/`.feather` files) and `isolation-shm`
//! (attaching segments): one reader for both.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{Float64Array, RecordBatch};
//!
//! let batch = RecordBatch::try_from_iter([("x", Arc::new(Float64Array::from(vec![1.0, 2.0])) as _)])?;
//! let mut file = Vec::new();
//! let mut writer = arrow_ipc::writer::FileWriter::try_new(&mut file, &batch.schema())?;
//! writer.write(&batch)?;
//! writer.finish()?;
//! drop(writer);
//! assert!(timeseries_ipc::check_file_bytes(&file).is_ok());
//! let middle = file.len() / 2;
//! file[middle] ^= 0xff; // a flipped byte somewhere in the middle
//! let _ = timeseries_ipc::check_file_bytes(&file); // an error or Ok, never a panic
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Checked here, before any `Buffer` is sliced: the blocks lie between the header and the footer, each
//! message parses and has the footer's format version, every buffer lies inside its block's body, is
//! 8-byte aligned (the IPC format pads every buffer to 8) and overlaps no other buffer, every field node of
//! a flat schema has the batch's length, fixed-width and offset buffers are long enough for the rows, and
//! the schema message that starts the file equals the footer's schema. Callers then decode with
//! `FileDecoder::with_require_alignment(true)`.
#![forbid(unsafe_code)]

use arrow_ipc::{Block, Footer, MetadataVersion};
use arrow_schema::{DataType, Schema};

mod file;

pub use file::{
    IpcFileError, MAGIC, TRAILER_LEN, decode_batches, footer, footer_bytes, footer_len, footer_schema,
    footer_start,
};

/// Leading magic plus padding.
const HEADER_LEN: usize = 8;

/// The first structural fault of `footer`'s blocks in `bytes` (`footer_start` is where the footer begins,
/// `schema` the footer's schema), as a sentence; `Ok` when every block is sound.
///
/// # Errors
///
/// [`IpcFileError::Damaged`] with a sentence naming the fault: a block outside the file, a damaged
/// message, a buffer out of its body, misaligned or overlapping another, a column whose buffers are too
/// short for its rows, a schema message that differs from the footer's, or a footer that lists no batch
/// for a body that holds data.
pub fn check_file(
    bytes: &[u8],
    footer_start: usize,
    footer: &Footer<'_>,
    schema: &Schema,
) -> Result<(), IpcFileError> {
    check_structure(bytes, footer_start, footer, schema).map_err(IpcFileError::Damaged)
}

fn check_structure(
    bytes: &[u8],
    footer_start: usize,
    footer: &Footer<'_>,
    schema: &Schema,
) -> Result<(), String> {
    check_leading_schema(bytes, footer_start, schema)?;
    let version = footer.version();
    for block in footer.dictionaries().into_iter().flatten() {
        check_block(bytes, footer_start, block, None, version)?;
    }
    let batches = footer.recordBatches().map(|b| b.iter().collect::<Vec<_>>()).unwrap_or_default();
    if batches.is_empty() {
        // A writer that wrote rows lists them; data between the schema and the end-of-stream marker with no
        // block listing it is a damaged footer (it would load as zero rows).
        let schema_end = leading_message_end(bytes, footer_start).unwrap_or(HEADER_LEN);
        if footer_start > schema_end + 8 {
            return Err(
                "the footer lists no record batch although the file holds data after the schema".into()
            );
        }
    }
    for block in batches {
        check_block(bytes, footer_start, block, Some(schema), version)?;
    }
    Ok(())
}

/// The schema message at the start of the file must equal the footer's schema (field names and types).
fn check_leading_schema(bytes: &[u8], footer_start: usize, schema: &Schema) -> Result<(), String> {
    let message = leading_message(bytes, footer_start).ok_or("the schema message at the start is damaged")?;
    let fb_schema = message.header_as_schema().ok_or("the file does not start with a schema message")?;
    let leading =
        arrow_ipc::convert::try_fb_to_schema(fb_schema).map_err(|e| format!("the leading schema: {e}"))?;
    let fields =
        |s: &Schema| s.fields().iter().map(|f| (f.name().clone(), f.data_type().clone())).collect::<Vec<_>>();
    if fields(&leading) != fields(schema) {
        return Err("the footer's schema differs from the schema message at the start of the file".into());
    }
    Ok(())
}

/// The flatbuffer message after the magic, with its continuation marker and length.
fn leading_message(bytes: &[u8], footer_start: usize) -> Option<arrow_ipc::Message<'_>> {
    let (start, len) = message_at(bytes, leading_message_start(bytes, footer_start), footer_start)?;
    arrow_ipc::root_as_message(&bytes[start..start + len]).ok()
}

/// Where the leading schema message ends.
fn leading_message_end(bytes: &[u8], footer_start: usize) -> Option<usize> {
    message_at(bytes, leading_message_start(bytes, footer_start), footer_start)
        .map(|(start, len)| start + len)
}

/// Where the first message starts: after the magic and the zero padding a writer adds to align it (8 bytes
/// for pyarrow, up to 64 for arrow-rs with 64-byte alignment).
fn leading_message_start(bytes: &[u8], footer_start: usize) -> usize {
    let mut at = HEADER_LEN;
    while at < 128 && at + 8 <= footer_start && bytes[at..at + 8] == [0; 8] {
        at += 8;
    }
    at
}

/// The flatbuffer of the encapsulated message at `at`: `0xFFFFFFFF`, a little-endian length, then the
/// flatbuffer (or, in old files, the length alone).
fn message_at(bytes: &[u8], at: usize, end: usize) -> Option<(usize, usize)> {
    let word = |i: usize| bytes.get(i..i + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let (start, len) = match word(at)? {
        0xFFFF_FFFF => (at + 8, word(at + 4)? as usize),
        len => (at + 4, len as usize),
    };
    (len > 0 && start.checked_add(len)? <= end).then_some((start, len))
}

/// One block: in bounds, a message of the right version, and (for record batches of `schema`) buffers
/// inside the body, aligned, disjoint and long enough.
fn check_block(
    bytes: &[u8],
    footer_start: usize,
    block: &Block,
    schema: Option<&Schema>,
    version: MetadataVersion,
) -> Result<(), String> {
    let (offset, meta_len, body_len) = (block.offset(), block.metaDataLength(), block.bodyLength());
    let bad = || {
        format!("a block (offset {offset}, metadata {meta_len}, body {body_len}) does not fit in the file")
    };
    let start = usize::try_from(offset).ok().filter(|&s| s >= HEADER_LEN && s % 8 == 0).ok_or_else(bad)?;
    let meta = usize::try_from(meta_len).ok().filter(|&m| m >= 8).ok_or_else(bad)?;
    let body = usize::try_from(body_len).map_err(|_| bad())?;
    let end = start.checked_add(meta).and_then(|e| e.checked_add(body)).filter(|&e| e <= footer_start);
    end.ok_or_else(bad)?;
    let (flat_start, flat_len) = message_at(bytes, start, start + meta).ok_or_else(bad)?;
    let message = arrow_ipc::root_as_message(&bytes[flat_start..flat_start + flat_len])
        .map_err(|e| format!("a block's message is not valid: {e}"))?;
    if message.version() != version {
        return Err("a block's message has another format version than the footer".into());
    }
    let batch = match (message.header_as_record_batch(), message.header_as_dictionary_batch()) {
        (Some(batch), _) => batch,
        (None, Some(dictionary)) => dictionary.data().ok_or("a dictionary batch has no data")?,
        (None, None) => return Err("a block holds neither a record batch nor a dictionary batch".into()),
    };
    let n_rows =
        usize::try_from(batch.length()).map_err(|_| "a record batch has a negative length".to_string())?;
    let buffers: Vec<(usize, usize)> = batch
        .buffers()
        .map(|b| b.iter().map(|b| (b.offset(), b.length())).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|(o, l)| {
            let range = usize::try_from(o).ok().zip(usize::try_from(l).ok());
            range.filter(|&(o, l)| o.checked_add(l).is_some_and(|e| e <= body) && o % 8 == 0).ok_or_else(|| {
                format!("a buffer (offset {o}, {l} bytes) is misaligned or reaches outside its {body}-byte body")
            })
        })
        .collect::<Result<_, _>>()?;
    let mut sorted: Vec<&(usize, usize)> = buffers.iter().filter(|(_, l)| *l > 0).collect();
    sorted.sort_unstable();
    if let Some(pair) = sorted.windows(2).find(|w| w[0].0 + w[0].1 > w[1].0) {
        return Err(format!("two buffers overlap (at bytes {} and {} of the body)", pair[0].0, pair[1].0));
    }
    if batch.compression().is_some() {
        check_uncompressed_lengths(bytes, start + meta, &buffers, n_rows)?;
    }
    // Exact layout checks for record batches of a flat schema without compression.
    let Some(schema) = schema else { return Ok(()) };
    let flat = schema.fields().iter().all(|f| layout(f.data_type()).is_some());
    if !flat || batch.compression().is_some() {
        return Ok(());
    }
    let nodes: Vec<(i64, i64)> =
        batch.nodes().map(|n| n.iter().map(|n| (n.length(), n.null_count())).collect()).unwrap_or_default();
    let n_buffers: usize =
        schema.fields().iter().filter_map(|f| layout(f.data_type())).map(|l| l.buffers).sum();
    if nodes.len() != schema.fields().len() || buffers.len() != n_buffers {
        return Err(format!(
            "the record batch has {} field nodes and {} buffers for {} flat columns",
            nodes.len(),
            buffers.len(),
            schema.fields().len()
        ));
    }
    let mut next = buffers.iter();
    for (field, &(length, nulls)) in schema.fields().iter().zip(&nodes) {
        if length != batch.length() || nulls < 0 || nulls > length {
            return Err(format!(
                "column `{}` claims {length} rows and {nulls} nulls in a batch of {n_rows} rows",
                field.name()
            ));
        }
        let layout = layout(field.data_type()).expect("flat checked above");
        if layout.buffers == 0 {
            continue;
        }
        let validity = next.next().map_or(0, |b| b.1);
        if nulls > 0 && validity < n_rows.div_ceil(8) {
            return Err(format!(
                "column `{}`'s validity buffer is too short for {n_rows} rows",
                field.name()
            ));
        }
        if let Some(width) = layout.width {
            let values = next.next().map_or(0, |b| b.1);
            let needed = match (width, layout.buffers) {
                (0, _) => n_rows.div_ceil(8),
                (_, 3) if n_rows > 0 => (n_rows + 1).saturating_mul(width),
                _ => n_rows.saturating_mul(width),
            };
            if values < needed {
                return Err(format!(
                    "column `{}`'s {} buffer has {values} bytes; {n_rows} rows need {needed}",
                    field.name(),
                    if layout.buffers == 3 { "offsets" } else { "values" }
                ));
            }
        }
        for _ in 2..layout.buffers {
            next.next();
        }
    }
    Ok(())
}

/// Each compressed buffer starts with its uncompressed length (an `i64`; -1 when the bytes are stored as
/// they are), which arrow-ipc allocates in one piece before decompressing: a corrupt length must not ask
/// for terabytes (found by fuzzing: an abort in the allocator, not an error). A length is accepted up to
/// what the codecs can produce from the compressed bytes (zstd's run-length blocks reach about 32768 to 1)
/// and up to 256 bytes a row.
fn check_uncompressed_lengths(
    bytes: &[u8],
    body_start: usize,
    buffers: &[(usize, usize)],
    n_rows: usize,
) -> Result<(), String> {
    for &(offset, len) in buffers.iter().filter(|(_, len)| *len > 0) {
        let at = body_start + offset;
        let prefix =
            bytes.get(at..at + 8).filter(|_| len >= 8).ok_or("a compressed buffer has no length prefix")?;
        let declared = i64::from_le_bytes(prefix.try_into().expect("8 bytes"));
        if declared == -1 {
            continue;
        }
        let bound = ((len - 8) as u64).saturating_mul(32_768).min((n_rows as u64).saturating_mul(256)) + 64;
        if !(0..=bound as i64).contains(&declared) {
            return Err(format!(
                "a compressed buffer of {len} bytes claims {declared} bytes uncompressed (at most {bound} are possible)"
            ));
        }
    }
    Ok(())
}

/// Buffers a flat column uses (validity first) and the bytes per row of its second buffer (0 for bits).
struct Layout {
    buffers: usize,
    width: Option<usize>,
}

fn layout(data_type: &DataType) -> Option<Layout> {
    let fixed = |width| Some(Layout { buffers: 2, width: Some(width) });
    match data_type {
        DataType::Null => Some(Layout { buffers: 0, width: None }),
        DataType::Boolean => fixed(0),
        DataType::Utf8 | DataType::Binary => Some(Layout { buffers: 3, width: Some(4) }),
        DataType::LargeUtf8 | DataType::LargeBinary => Some(Layout { buffers: 3, width: Some(8) }),
        t => t.primitive_width().and_then(fixed),
    }
}

/// Checks a whole IPC file held in memory: magic bytes, trailer, footer, schema and [`check_file`]. For
/// callers that have not parsed the footer themselves.
///
/// # Errors
///
/// As [`check_file`], plus a missing magic, a footer length that does not fit, or a damaged footer.
pub fn check_file_bytes(bytes: &[u8]) -> Result<(), IpcFileError> {
    let footer_start = footer_start(bytes)?;
    let footer = footer(footer_bytes(bytes, footer_start))?;
    let schema = footer_schema(&footer)?;
    check_file(bytes, footer_start, &footer, &schema)
}
