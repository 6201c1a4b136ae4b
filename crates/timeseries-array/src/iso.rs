//! A small ISO 8601 date-time parser: `YYYY-MM-DD`, `YYYY-MM-DD[T ]HH:MM[:SS[.f{1,9}]]`, optional zone
//! (`Z`, `UTC`, `+HH`, `+HHMM`, `+HH:MM`). Dates may also use `/` or `.` as separators.

use arrow_schema::TimeUnit;

/// A parsed date-time: nanoseconds since the epoch (UTC), and what the text carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedTimestamp {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    pub nanos: i64,
    /// The text had a zone designator (the offset is already applied).
    pub zoned: bool,
    /// The text was a date with no time.
    pub date_only: bool,
}

/// A parsed date-time as whole seconds and a fraction: any date from year 0000 to 9999, including those
/// an `i64` of nanoseconds cannot hold (`9999-12-31` is a valid date and a valid second-unit timestamp).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IsoDateTime {
    /// Whole seconds since 1970-01-01T00:00:00Z (the zone's offset applied), rounded down.
    pub seconds: i64,
    /// Nanoseconds into that second (below 1 000 000 000).
    pub subsec_nanos: u32,
    /// The text had a zone designator (the offset is already applied).
    pub zoned: bool,
    /// The text was a date with no time.
    pub date_only: bool,
}

impl IsoDateTime {
    /// Days since 1970-01-01 (UTC), rounded down.
    pub fn days(&self) -> i64 {
        self.seconds.div_euclid(86_400)
    }

    /// The instant as a count of `unit`s since the epoch, the fraction rounded down to the unit; `None` if
    /// it does not fit an `i64`.
    pub fn in_unit(&self, unit: TimeUnit) -> Option<i64> {
        let nanos_per_unit = crate::units::nanoseconds_per(unit);
        let fraction = i64::from(self.subsec_nanos) / nanos_per_unit;
        self.seconds.checked_mul(1_000_000_000 / nanos_per_unit)?.checked_add(fraction)
    }
}

/// Parses an ISO 8601 date or date-time; `None` if the text is not one. Loaders use the flags to tell
/// dates from date-times; [`crate::parse_timestamp`] gives the instant alone.
pub fn parse_iso(text: &str) -> Option<ParsedTimestamp> {
    let parsed = parse_iso_datetime(text)?;
    Some(ParsedTimestamp {
        nanos: parsed.in_unit(TimeUnit::Nanosecond)?,
        zoned: parsed.zoned,
        date_only: parsed.date_only,
    })
}

/// Parses an ISO 8601 date or date-time into seconds and a fraction; `None` if the text is not one. Unlike
/// [`parse_iso`], every date the text can write fits (no nanosecond range).
pub fn parse_iso_datetime(text: &str) -> Option<IsoDateTime> {
    let mut cur = Cursor { s: text.trim().as_bytes(), pos: 0 };
    let year = cur.digits(4, 4)?;
    let sep = cur.peek()?;
    if !matches!(sep, b'-' | b'/' | b'.') {
        return None;
    }
    cur.pos += 1;
    let month = cur.digits(1, 2)?;
    cur.expect(sep)?;
    let day = cur.digits(1, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if cur.done() {
        return Some(IsoDateTime { seconds: days * 86_400, subsec_nanos: 0, zoned: false, date_only: true });
    }
    if !matches!(cur.peek()?, b'T' | b't' | b' ') {
        return None;
    }
    cur.pos += 1;
    let hour = cur.digits(2, 2)?;
    cur.expect(b':')?;
    let minute = cur.digits(2, 2)?;
    let mut second = 0;
    let mut fraction = 0;
    if cur.peek() == Some(b':') {
        cur.pos += 1;
        second = cur.digits(2, 2)?;
        if matches!(cur.peek(), Some(b'.' | b',')) {
            cur.pos += 1;
            let start = cur.pos;
            let value = cur.digits(1, 9)?;
            fraction = value * 10_i64.pow(9 - (cur.pos - start) as u32);
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    while cur.peek() == Some(b' ') {
        cur.pos += 1;
    }
    let (zoned, offset_secs) = cur.zone()?;
    if !cur.done() {
        return None;
    }
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    Some(IsoDateTime { seconds, subsec_nanos: fraction as u32, zoned, date_only: false })
}

struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn done(&self) -> bool {
        self.pos == self.s.len()
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// Between `min` and `max` ASCII digits as a number.
    fn digits(&mut self, min: usize, max: usize) -> Option<i64> {
        let start = self.pos;
        let mut value = 0_i64;
        while self.pos - start < max
            && let Some(d @ b'0'..=b'9') = self.peek()
        {
            value = value * 10 + i64::from(d - b'0');
            self.pos += 1;
        }
        (self.pos - start >= min).then_some(value)
    }

    /// An optional zone designator: whether there was one, and its offset east of UTC in seconds.
    fn zone(&mut self) -> Option<(bool, i64)> {
        match self.peek() {
            None => Some((false, 0)),
            Some(b'Z' | b'z') => {
                self.pos += 1;
                Some((true, 0))
            }
            Some(b'U') if self.s[self.pos..].eq_ignore_ascii_case(b"UTC") => {
                self.pos += 3;
                Some((true, 0))
            }
            Some(sign @ (b'+' | b'-')) => {
                self.pos += 1;
                let hours = self.digits(2, 2)?;
                if self.peek() == Some(b':') {
                    self.pos += 1;
                }
                let minutes = if self.done() { 0 } else { self.digits(2, 2)? };
                let offset = hours * 3600 + minutes * 60;
                Some((true, if sign == b'-' { -offset } else { offset }))
            }
            Some(_) => None,
        }
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expect: Option<(&str, bool, bool)>) {
        let got = parse_iso(text).map(|p| (crate::format_timestamp(p.nanos), p.zoned, p.date_only));
        assert_eq!(got, expect.map(|(s, z, d)| (s.to_string(), z, d)), "{text}");
    }

    #[test]
    fn table() {
        check("2024-03-01", Some(("2024-03-01T00:00:00Z", false, true)));
        check("2024/3/1", Some(("2024-03-01T00:00:00Z", false, true)));
        check("2024.03.01", Some(("2024-03-01T00:00:00Z", false, true)));
        check("2024-03-01 09:30", Some(("2024-03-01T09:30:00Z", false, false)));
        check("2024-03-01T09:30:00", Some(("2024-03-01T09:30:00Z", false, false)));
        check("2024-03-01T09:30:00.25", Some(("2024-03-01T09:30:00.250Z", false, false)));
        check("2024-03-01T09:30:00.123456789Z", Some(("2024-03-01T09:30:00.123456789Z", true, false)));
        check("2024-03-01 09:30:00-05:00", Some(("2024-03-01T14:30:00Z", true, false)));
        check("2024-03-01T09:30:00+0100", Some(("2024-03-01T08:30:00Z", true, false)));
        check("2024-03-01T09:30:00+01", Some(("2024-03-01T08:30:00Z", true, false)));
        check("2024-03-01 09:30:00 UTC", Some(("2024-03-01T09:30:00Z", true, false)));
        check("1969-12-31T23:59:59Z", Some(("1969-12-31T23:59:59Z", true, false)));
        check("2024-02-30", None);
        check("2024-03-01T25:00", None);
        check("2024-03-01X", None);
        check("1700000000", None);
        check("", None);
    }

    #[test]
    fn dates_beyond_the_nanosecond_range_parse_to_seconds() {
        let end = parse_iso_datetime("9999-12-31").unwrap();
        assert_eq!(end.days(), 2_932_896);
        assert!(end.date_only && !end.zoned);
        assert_eq!(parse_iso("9999-12-31"), None, "no i64 of nanoseconds holds it");
        let before = parse_iso_datetime("1969-12-31T23:59:59.5Z").unwrap();
        assert_eq!((before.seconds, before.subsec_nanos, before.days()), (-1, 500_000_000, -1));
        assert_eq!(before.in_unit(TimeUnit::Millisecond), Some(-500), "milliseconds: -1 s + 500 ms");
        assert_eq!(before.in_unit(TimeUnit::Second), Some(-1), "seconds: the fraction rounded down");
        assert_eq!(end.in_unit(TimeUnit::Nanosecond), None);
    }
}
