//! `format_bytes`: byte counts in binary units for people (`76.3 MiB`). The one memory report of the
//! workspace is the facade's `isolation::MemoryReport` (handler figures, shared buffers counted once).

/// `bytes` in binary units for people: `512 B`, `1.5 KiB`, `76.3 MiB`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::format_bytes;

    #[test]
    fn binary_units_with_one_decimal() {
        for (bytes, expect) in
            [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"), (3 << 30, "3.0 GiB")]
        {
            assert_eq!(format_bytes(bytes), expect);
        }
    }
}
