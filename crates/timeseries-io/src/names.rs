//! Recognising columns by name: the timestamp column, canonical OHLCV names, and names for files with no
//! header.

/// The canonical lower-case name of an OHLCV column header (`Adj Close` -> `adj_close`, `<VOL>` ->
/// `volume`), or `None` when the header is not one of them.
pub fn canonical_name(header: &str) -> Option<&'static str> {
    Some(match normalise(header).as_str() {
        "open" | "o" | "open_price" => "open",
        "high" | "h" | "high_price" => "high",
        "low" | "l" | "low_price" => "low",
        "close" | "c" | "close_price" | "last" => "close",
        "adj_close" | "adjclose" | "adj_close_price" | "adjusted_close" => "adj_close",
        "volume" | "vol" | "v" | "tickvol" | "tick_volume" => "volume",
        _ => return None,
    })
}

/// Whether a header names a timestamp column. An empty name counts (pandas writes its index unnamed).
pub(crate) fn is_timestamp_name(header: &str) -> bool {
    matches!(
        normalise(header).as_str(),
        "" | "timestamp"
            | "time"
            | "date"
            | "datetime"
            | "date_time"
            | "open_time"
            | "opentime"
            | "kline_open_time"
            | "ts"
            | "dt"
            | "index"
            | "unnamed_0"
            | "__index_level_0__"
            | "time_utc"
            | "timestamp_utc"
    )
}

/// Whether a header names a date-only column (`date`), for date and time in separate columns.
pub(crate) fn is_date_name(header: &str) -> bool {
    normalise(header) == "date"
}

/// Whether a header names a time-of-day column (`time`), for date and time in separate columns.
pub(crate) fn is_time_name(header: &str) -> bool {
    normalise(header) == "time"
}

/// Column names for a headerless file of `n` columns: the first is the timestamp; 12 columns are a
/// Binance kline export; 5 or 6 are OHLC(V); otherwise `column_1`, `column_2`, ...
pub(crate) fn headerless_names(n: usize) -> Vec<String> {
    const BINANCE: [&str; 12] = [
        "open_time",
        "open",
        "high",
        "low",
        "close",
        "volume",
        "close_time",
        "quote_volume",
        "trades",
        "taker_buy_base_volume",
        "taker_buy_quote_volume",
        "ignore",
    ];
    const OHLCV: [&str; 6] = ["timestamp", "open", "high", "low", "close", "volume"];
    match n {
        12 => BINANCE.iter().map(|s| s.to_string()).collect(),
        5 | 6 => OHLCV[..n].iter().map(|s| s.to_string()).collect(),
        _ => std::iter::once("timestamp".to_string()).chain((1..n).map(|i| format!("column_{i}"))).collect(),
    }
}

/// Lower case, `<>` and surrounding spaces removed, inner spaces, dots and hyphens as `_`.
fn normalise(header: &str) -> String {
    let trimmed = header.trim().trim_start_matches('<').trim_end_matches('>').trim();
    let mut out = String::with_capacity(trimmed.len());
    for c in trimmed.chars() {
        match c {
            ' ' | '.' | '-' | ':' => {
                if !out.ends_with('_') {
                    out.push('_');
                }
            }
            c => out.extend(c.to_lowercase()),
        }
    }
    out.trim_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_names() {
        for (header, expect) in [
            ("Open", Some("open")),
            ("Adj Close", Some("adj_close")),
            ("Adj. Close", Some("adj_close")),
            ("<VOL>", Some("volume")),
            ("close", Some("close")),
            ("quote_volume", None),
            ("Unnamed: 0", None),
        ] {
            assert_eq!(canonical_name(header), expect, "{header}");
        }
    }

    #[test]
    fn timestamp_names() {
        for header in ["Date", "", "open_time", "Unnamed: 0", "<DATE>", "Datetime"] {
            assert!(is_timestamp_name(header), "{header}");
        }
        assert!(!is_timestamp_name("close_time_ms"));
        assert_eq!(headerless_names(12)[0], "open_time");
        assert_eq!(headerless_names(3), ["timestamp", "column_1", "column_2"]);
    }
}
