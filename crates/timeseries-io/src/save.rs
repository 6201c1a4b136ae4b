//! Writing a frame as CSV, Parquet or Arrow IPC, chosen by the path's extension: the round-trip partner of
//! `load`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use arrow_ipc::MetadataVersion;
use arrow_ipc::writer::{FileWriter, IpcWriteOptions};
use parquet::arrow::ArrowWriter;
use timeseries_array::TimeFrame;

use crate::error::LoadError;
use crate::{FileFormat, display_name};

/// Writes `frame` to `path` in the format its extension names. CSV timestamps are ISO 8601 UTC with the
/// fraction of a second only when needed; IPC buffers are 64-byte aligned so the file maps without copies.
///
/// # Errors
///
/// An unknown extension, or an I/O or encoder error, naming the file.
pub fn save(path: impl AsRef<Path>, frame: &TimeFrame) -> Result<(), LoadError> {
    let path = path.as_ref();
    let file = display_name(path);
    let format = FileFormat::from_path(path).ok_or_else(|| LoadError::UnknownFormat {
        file: file.clone(),
        extension: path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default(),
    })?;
    let handle = File::create(path).map_err(|source| LoadError::Io { file: file.clone(), source })?;
    let batch = frame.record_batch();
    let failed = |detail: String| LoadError::Format { file: file.clone(), detail };
    match format {
        FileFormat::Csv => {
            let mut out = BufWriter::new(handle);
            crate::csv::write_csv(frame, &mut out).map_err(failed)?;
            out.flush().map_err(|e| failed(e.to_string()))?;
        }
        FileFormat::Parquet => {
            let mut writer =
                ArrowWriter::try_new(handle, batch.schema(), None).map_err(|e| failed(e.to_string()))?;
            writer.write(batch).map_err(|e| failed(e.to_string()))?;
            writer.close().map_err(|e| failed(e.to_string()))?;
        }
        FileFormat::Ipc => {
            let options = IpcWriteOptions::try_new(64, false, MetadataVersion::V5)
                .map_err(|e| failed(e.to_string()))?;
            let mut writer =
                FileWriter::try_new_with_options(BufWriter::new(handle), &batch.schema(), options)
                    .map_err(|e| failed(e.to_string()))?;
            writer.write(batch).map_err(|e| failed(e.to_string()))?;
            let buffered = writer.into_inner().map_err(|e| failed(e.to_string()))?;
            buffered.into_inner().map_err(|e| failed(e.to_string()))?;
        }
    }
    Ok(())
}
