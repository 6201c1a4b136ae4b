//! `Cursor`: walks a dataset bar by bar and never shows a bar after the current one.

use std::borrow::Cow;
use std::ops::Range;

use timeseries_array::{NativeValue, TimestampNs};

use crate::column::origin_of;
use crate::{BarColumn, ColumnRef, IsolatedData, IsolationError, NullableColumnRef};

/// A position in an isolated dataset that only looks backwards.
///
/// The cursor starts at its first bar. [`Cursor::current`] is the bar at the position, [`Cursor::window`]
/// the last `n` bars up to and including it; nothing after the position is reachable through the cursor,
/// its bars or its windows. The data is borrowed privately, so code handed a cursor cannot peek ahead.
///
/// Warm-up: [`Cursor::with_warmup`] starts the cursor `warmup` rows into the data, so indicators can read
/// that much history through `window` before the first bar they trade on.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::Float64Array;
/// use isolation_core::{Cursor, IsolatedData, Split};
/// use isolation_view::DataView;
/// use timeseries_array::TimeFrame;
///
/// let close = Arc::new(Float64Array::from_iter_values((0..100).map(f64::from)));
/// let bars = TimeFrame::try_new((0..100).collect::<Vec<i64>>(), vec![("close".into(), close)])?;
/// let test = DataView::new(&bars, 70..100, Split::Test)?;
///
/// let mut cursor = Cursor::new(&test);
/// let close = cursor.column::<f64>("close")?; // resolved once; a wrong type is an error here
/// let mut signals = 0;
/// while let Some(bar) = cursor.current() {
///     let window = cursor.window(20); // at most 20 bars, ending at this one: never a later bar
///     assert!(window.timestamps().iter().all(|&t| t <= bar.timestamp()));
///     let closes = window.values(&close); // borrowed `&[f64]`
///     let mean = closes.iter().sum::<f64>() / closes.len() as f64;
///     signals += usize::from(bar.get(&close) > mean); // a slice index per bar
///     cursor.advance();
/// }
/// assert_eq!(signals, 29); // every bar but the first is above the mean of a rising window
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Cursor<'a, D: ?Sized> {
    data: &'a D,
    /// The data's timestamps, read once: their length is the cursor's end.
    timestamps: &'a [TimestampNs],
    first: usize,
    row: usize,
}

impl<'a, D: IsolatedData + ?Sized> Cursor<'a, D> {
    /// A cursor at the first row of `data`.
    pub fn new(data: &'a D) -> Self {
        Self { data, timestamps: data.timestamps(), first: 0, row: 0 }
    }

    /// A cursor whose first bar is row `warmup` of `data`; `window` may reach back into rows `0..warmup`.
    /// A warm-up longer than the data leaves the cursor exhausted.
    pub fn with_warmup(data: &'a D, warmup: usize) -> Self {
        let timestamps = data.timestamps();
        let first = warmup.min(timestamps.len());
        Self { data, timestamps, first, row: first }
    }

    /// A typed handle on the column `name` of the data this cursor walks, for [`Bar::get`] and
    /// [`Window::values`]. Resolve handles here (once, before the loop): a split with a warm-up walks its
    /// history, so only the cursor knows which rows its bars number.
    ///
    /// # Errors
    ///
    /// An unknown column, another type (naming both), or nulls in the column (see
    /// [`Cursor::nullable_column`]).
    pub fn column<T: NativeValue>(&self, name: &str) -> Result<ColumnRef<'a, T>, IsolationError> {
        ColumnRef::resolve(self.data, name)
    }

    /// As [`Cursor::column`], for a column that may hold nulls: bars read `Option<T>`.
    ///
    /// # Errors
    ///
    /// An unknown column or another type (naming both).
    pub fn nullable_column<T: NativeValue>(
        &self,
        name: &str,
    ) -> Result<NullableColumnRef<'a, T>, IsolationError> {
        NullableColumnRef::resolve(self.data, name)
    }

    /// The bar at the position, or `None` once the cursor has walked past the last bar.
    #[inline(always)]
    pub fn current(&self) -> Option<Bar<'a, D>> {
        (self.row < self.timestamps.len()).then_some(Bar {
            data: self.data,
            timestamps: self.timestamps,
            row: self.row,
        })
    }

    /// Moves to the next bar; `false` when there is none (the cursor is then exhausted).
    #[inline(always)]
    pub fn advance(&mut self) -> bool {
        let end = self.timestamps.len();
        if self.row < end {
            self.row += 1;
        }
        self.row < end
    }

    /// Moves to the bar `position` bars after the first (as [`Cursor::position`] counts), clamped to the
    /// last bar: never past the data. Returns the position reached. An empty cursor stays exhausted.
    pub fn seek(&mut self, position: usize) -> usize {
        let last = self.len().saturating_sub(1);
        self.row = (self.first + position.min(last)).min(self.timestamps.len());
        self.position()
    }

    /// The last `n` bars up to and including the current one (fewer at the start; empty once exhausted).
    /// Reaches into warm-up rows, never past the current bar.
    #[inline]
    pub fn window(&self, n: usize) -> Window<'a, D> {
        let rows = if self.row < self.timestamps.len() {
            (self.row + 1).saturating_sub(n)..self.row + 1
        } else {
            self.row..self.row
        };
        Window { data: self.data, timestamps: self.timestamps, rows }
    }

    /// Back to the first bar.
    pub fn reset(&mut self) {
        self.row = self.first;
    }

    /// Bars walked so far: 0 at the first bar.
    pub fn position(&self) -> usize {
        self.row - self.first
    }

    /// Bars this cursor walks in all (the warm-up not counted).
    pub fn len(&self) -> usize {
        self.timestamps.len() - self.first
    }

    /// True when there is no bar to walk.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True once the cursor has walked past the last bar.
    pub fn is_exhausted(&self) -> bool {
        self.row >= self.timestamps.len()
    }
}

/// One bar: a row at or before a cursor's position.
#[derive(Debug, Clone, Copy)]
pub struct Bar<'a, D: ?Sized> {
    data: &'a D,
    timestamps: &'a [TimestampNs],
    row: usize,
}

impl<D: IsolatedData + ?Sized> Bar<'_, D> {
    /// The bar's row in its split.
    pub fn row(&self) -> usize {
        self.row
    }

    /// The bar's timestamp, nanoseconds UTC.
    #[inline]
    pub fn timestamp(&self) -> TimestampNs {
        self.timestamps[self.row]
    }

    /// The bar's value in a typed column handle: `T` for a [`ColumnRef`], `Option<T>` for a
    /// [`NullableColumnRef`]. An index into a slice: no dynamic call, no conversion.
    ///
    /// # Panics
    ///
    /// If the handle was resolved from another dataset than the one this bar belongs to (resolve handles
    /// with [`Cursor::column`]): a programming error, as an index past a slice's end is, and the check
    /// that keeps this read at a slice index's cost. [`Bar::try_get`] returns it as an error instead.
    #[inline(always)]
    pub fn get<C: BarColumn>(&self, column: &C) -> C::Value {
        column.read_at(origin_of(self.data), self.row)
    }

    /// [`Bar::get`] for a handle that may come from other data (resolved by a caller this code does not
    /// control): the same read after one comparison.
    ///
    /// # Errors
    ///
    /// [`IsolationError::ForeignHandle`] if the handle was resolved from another dataset.
    #[inline]
    pub fn try_get<C: BarColumn>(&self, column: &C) -> Result<C::Value, IsolationError> {
        let origin = origin_of(self.data);
        crate::column::same_origin(column, origin)?;
        Ok(column.read_at(origin, self.row))
    }

    /// A value of the bar by column position, as `f64`; `None` where null. A dynamic call per read: use
    /// [`Bar::get`] with a typed handle in loops.
    pub fn value(&self, column_idx: usize) -> Option<f64> {
        self.data.value_f64(column_idx, self.row)
    }

    /// A value of the bar by column name.
    ///
    /// # Errors
    ///
    /// An unknown column.
    pub fn value_by_name(&self, column: &str) -> Result<Option<f64>, IsolationError> {
        Ok(self.value(self.data.column_index(column)?))
    }
}

/// Consecutive bars ending at a cursor's current bar.
#[derive(Debug, Clone)]
pub struct Window<'a, D: ?Sized> {
    data: &'a D,
    timestamps: &'a [TimestampNs],
    rows: Range<usize>,
}

impl<'a, D: IsolatedData + ?Sized> Window<'a, D> {
    /// Number of bars.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the window has no bar.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows of the split this window covers.
    pub fn rows(&self) -> Range<usize> {
        self.rows.clone()
    }

    /// The bars' timestamps.
    pub fn timestamps(&self) -> &'a [TimestampNs] {
        &self.timestamps[self.rows.clone()]
    }

    /// A typed column over the window's bars: borrowed for contiguous storage, and for copy-on-write
    /// columns wherever the window lies inside one chunk (gathered into a small buffer only where it
    /// straddles two).
    ///
    /// # Panics
    ///
    /// If the handle was resolved from another dataset than the one this window belongs to
    /// ([`Window::try_values`] returns that as an error).
    #[inline]
    pub fn values<'c, T: NativeValue>(&self, column: &ColumnRef<'c, T>) -> Cow<'c, [T]> {
        column.check_origin(origin_of(self.data));
        column.rows(self.rows.clone())
    }

    /// [`Window::values`] for a handle that may come from other data.
    ///
    /// # Errors
    ///
    /// [`IsolationError::ForeignHandle`] if the handle was resolved from another dataset.
    pub fn try_values<'c, T: NativeValue>(
        &self,
        column: &ColumnRef<'c, T>,
    ) -> Result<Cow<'c, [T]>, IsolationError> {
        crate::column::same_origin(column, origin_of(self.data))?;
        Ok(column.rows(self.rows.clone()))
    }

    /// A column over the window's bars, as `f64` (borrowed where stored as contiguous `f64`).
    ///
    /// # Errors
    ///
    /// Only if the backend fails to read rows it holds, which is a bug in the backend.
    pub fn column(&self, column_idx: usize) -> Result<Cow<'a, [f64]>, IsolationError> {
        self.data.column_f64(column_idx, self.rows.clone())
    }

    /// The bar at `i` within the window (0 is the oldest).
    pub fn bar(&self, i: usize) -> Option<Bar<'a, D>> {
        (i < self.rows.len()).then(|| Bar {
            data: self.data,
            timestamps: self.timestamps,
            row: self.rows.start + i,
        })
    }
}
