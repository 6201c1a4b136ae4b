//! Typed column handles: a column named once, resolved to borrowed slices of its own type, read per bar
//! by an index (no dynamic call, downcast or conversion).

use std::borrow::Cow;
use std::cell::Cell;
use std::ops::Range;

use arrow_array::Array;
use timeseries_array::{FrameError, NativeValue, ValueType};

use crate::{IsolatedData, IsolationError};

/// How a backend stores one column, borrowed: one contiguous run of every row's value, and (copy-on-write
/// only) the copied chunks that override some of those rows. Contiguous backends (view, deep copy, shared
/// memory) have no copied chunks.
#[derive(Debug, Clone)]
pub struct ColumnLayout<'a> {
    /// The column's name.
    pub name: &'a str,
    /// Its value type.
    pub value_type: ValueType,
    /// Every row of the dataset, where no copied chunk overrides it.
    pub base: ColumnChunk<'a>,
    /// Chunks copied by writes, if any.
    pub copied: Option<CopiedChunks<'a>>,
}

/// Fixed-size chunks of a column that writes copied: chunk `k` covers rows `k << shift .. (k + 1) << shift`
/// (the last may be shorter); `None` where the chunk was not copied.
#[derive(Debug, Clone)]
pub struct CopiedChunks<'a> {
    /// log2 of the rows per chunk.
    pub shift: u32,
    /// One entry per chunk of the dataset's rows.
    pub chunks: Vec<Option<ColumnChunk<'a>>>,
}

impl<'a> ColumnLayout<'a> {
    /// The chunk holding `row` and the row's index in it.
    fn locate(&self, row: usize) -> (&ColumnChunk<'a>, usize) {
        match &self.copied {
            Some(copied) => match &copied.chunks[row >> copied.shift] {
                Some(chunk) => (chunk, row & ((1 << copied.shift) - 1)),
                None => (&self.base, row),
            },
            None => (&self.base, row),
        }
    }

    /// True when some chunk carries validity bits (so some row may be null); false means no row is null,
    /// known without reading a row.
    fn has_validity(&self) -> bool {
        self.base.validity.is_some()
            || self.copied.iter().flat_map(|c| c.chunks.iter().flatten()).any(|c| c.validity.is_some())
    }

    /// The one chunk holding all of `rows` (not empty) and their indices in it, if one does: the base run
    /// when no copied chunk overlaps them, or a single copied chunk.
    fn single_run(&self, rows: &Range<usize>) -> Option<(&ColumnChunk<'a>, Range<usize>)> {
        let Some(copied) = &self.copied else { return Some((&self.base, rows.clone())) };
        let (first, last) = (rows.start >> copied.shift, (rows.end - 1) >> copied.shift);
        if copied.chunks[first..=last].iter().all(Option::is_none) {
            return Some((&self.base, rows.clone()));
        }
        let mask = (1 << copied.shift) - 1;
        match &copied.chunks[first] {
            Some(chunk) if first == last => Some((chunk, rows.start & mask..((rows.end - 1) & mask) + 1)),
            _ => None,
        }
    }
}

/// One run of a column's values: native bytes and, if the run has nulls, its validity bits.
#[derive(Debug, Clone, Copy)]
pub struct ColumnChunk<'a> {
    /// The values' bytes in native order (`len * byte_width` bytes, aligned for the value type).
    pub values: &'a [u8],
    /// Validity bits (bit set = value present) starting at bit `offset` of the bytes, or `None` when every
    /// value is present.
    pub validity: Option<(&'a [u8], usize)>,
    /// Values in the run.
    pub len: usize,
}

impl<'a> ColumnChunk<'a> {
    /// The whole of a supported numeric Arrow array as one chunk, borrowed; `None` for other arrays.
    pub fn of_array(array: &'a dyn Array) -> Option<Self> {
        let values = timeseries_array::values_buffer(array)?.as_slice();
        let validity = array.nulls().filter(|n| n.null_count() > 0).map(|n| (n.validity(), n.offset()));
        Some(Self { values, validity, len: array.len() })
    }

    /// A column layout of one run: the whole of `array`, named `name`; `None` for unsupported arrays.
    pub fn contiguous_layout(name: &'a str, array: &'a dyn Array) -> Option<ColumnLayout<'a>> {
        let value_type = ValueType::from_arrow(array.data_type())?;
        Some(ColumnLayout { name, value_type, base: Self::of_array(array)?, copied: None })
    }

    fn is_valid(&self, idx: usize) -> bool {
        self.validity.is_none_or(|(bits, offset)| bits[(offset + idx) / 8] & (1 << ((offset + idx) % 8)) != 0)
    }
}

/// A column resolved once to slices of its own type `T`; a strategy reads it through a cursor's bars and
/// windows (`bar.get(&close)`, `window.values(&close)`), at the cost of a slice index.
///
/// The handle itself exposes no rows: whatever can reach a bar or a window can read it, and a cursor's bars
/// and windows never reach past its current bar. Resolve it with [`ColumnRef::resolve`], `column::<T>` on
/// the data or [`Cursor::column`](crate::Cursor::column). A column with nulls is refused (read it with
/// [`NullableColumnRef`]); a column of another type is refused naming both types.
#[derive(Debug, Clone)]
pub struct ColumnRef<'a, T> {
    origin: usize,
    name: &'a str,
    len: usize,
    layout: Layout<'a, T>,
    /// Chunked layouts: the chunk the last read fell in, as (its first row, its values). A `Cell`, so a
    /// handle is `Send` but not `Sync` (clone it per thread).
    run: Cell<(usize, &'a [T])>,
}

#[derive(Debug, Clone)]
enum Layout<'a, T> {
    Contiguous(&'a [T]),
    /// Chunk `row >> shift` holds the row at `row & mask`: a copied chunk, or that chunk's rows of `base`.
    /// `copied[k]` says which; `rows` uses it to borrow `base` across untouched chunks.
    Chunked {
        chunks: Box<[&'a [T]]>,
        base: &'a [T],
        copied: Box<[bool]>,
        shift: u32,
        mask: usize,
    },
}

/// As [`ColumnRef`], for a column that may hold nulls: reads give `Option<T>`.
#[derive(Debug, Clone)]
pub struct NullableColumnRef<'a, T> {
    values: ColumnRef<'a, T>,
    layout: ColumnLayout<'a>,
}

/// The identity of a dataset: handles made from one dataset can only be read through that dataset's bars.
pub(crate) fn origin_of<D: ?Sized>(data: &D) -> usize {
    std::ptr::from_ref(data).cast::<()>() as usize
}

impl<'a, T: NativeValue> ColumnRef<'a, T> {
    /// The column `name` of `data`, which must hold values of type `T` and no nulls.
    ///
    /// # Errors
    ///
    /// An unknown column, a column of another type (naming both), or a column with nulls (naming how many
    /// and the first row).
    pub fn resolve<D: IsolatedData + ?Sized>(data: &'a D, name: &str) -> Result<Self, IsolationError> {
        let (layout, values) = typed_layout::<D, T>(data, name)?;
        let nulls = if layout.has_validity() {
            (0..values.len).filter(|&row| !is_valid_at(&layout, row)).count()
        } else {
            0
        };
        if nulls > 0 {
            let first_row = first_null_row(&layout);
            return Err(IsolationError::NullValues { column: layout.name.to_string(), nulls, first_row });
        }
        Ok(values)
    }

    /// The column's name.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// Rows in the dataset the handle was resolved from.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the dataset has no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True when the column is stored in one contiguous slice (every backend but a written copy-on-write
    /// column).
    pub fn is_contiguous(&self) -> bool {
        matches!(self.layout, Layout::Contiguous(_))
    }

    /// The value at `row`, which the caller (a bar or a window) has checked lies at or before its cursor.
    ///
    /// Contiguous: an index (the slice's pointer and length stay in registers across a loop). Chunked: an
    /// index into the chunk of the last read, and on leaving it (once per chunk walked) a lookup of the
    /// next. No call either way, so loops over bars keep everything loop-invariant out of the loop.
    #[inline(always)]
    pub(crate) fn at(&self, row: usize) -> T {
        match &self.layout {
            Layout::Contiguous(values) => values[row],
            Layout::Chunked { chunks, shift, mask, .. } => {
                let (start, values) = self.run.get();
                if let Some(&value) = values.get(row.wrapping_sub(start)) {
                    return value;
                }
                let chunk = chunks[row >> shift];
                self.run.set((row & !mask, chunk));
                chunk[row & mask]
            }
        }
    }

    /// The values of `rows`: borrowed when no copied chunk overlaps them or they lie in one copied chunk,
    /// else gathered.
    pub(crate) fn rows(&self, rows: Range<usize>) -> Cow<'a, [T]> {
        match &self.layout {
            Layout::Contiguous(values) => Cow::Borrowed(&values[rows]),
            Layout::Chunked { chunks, base, copied, shift, mask } => {
                if rows.is_empty() {
                    return Cow::Borrowed(&[]);
                }
                let (first, last) = (rows.start >> shift, (rows.end - 1) >> shift);
                if copied[first..=last].iter().all(|&c| !c) {
                    return Cow::Borrowed(&base[rows]);
                }
                if first == last {
                    return Cow::Borrowed(&chunks[first][rows.start & mask..=(rows.end - 1) & mask]);
                }
                Cow::Owned(rows.map(|row| self.at(row)).collect())
            }
        }
    }

    /// Panics unless the handle was resolved from the dataset `origin` (see [`origin_of`]).
    #[inline(always)]
    pub(crate) fn check_origin(&self, origin: usize) {
        if self.origin != origin {
            foreign_handle(self.name);
        }
    }
}

impl<'a, T: NativeValue> NullableColumnRef<'a, T> {
    /// The column `name` of `data`, which must hold values of type `T`; nulls are allowed.
    ///
    /// # Errors
    ///
    /// An unknown column or a column of another type (naming both).
    pub fn resolve<D: IsolatedData + ?Sized>(data: &'a D, name: &str) -> Result<Self, IsolationError> {
        let (layout, values) = typed_layout::<D, T>(data, name)?;
        Ok(Self { values, layout })
    }

    /// The column's name.
    pub fn name(&self) -> &'a str {
        self.values.name
    }

    /// Rows in the dataset the handle was resolved from.
    pub fn len(&self) -> usize {
        self.values.len
    }

    /// True when the dataset has no rows.
    pub fn is_empty(&self) -> bool {
        self.values.len == 0
    }

    #[inline(always)]
    pub(crate) fn at(&self, row: usize) -> Option<T> {
        let value = self.values.at(row);
        is_valid_at(&self.layout, row).then_some(value)
    }
}

/// A column handle a bar can read: [`ColumnRef`] gives `T`, [`NullableColumnRef`] gives `Option<T>`.
pub trait BarColumn {
    /// What one read gives.
    type Value;
    /// Reads `row` of the dataset `origin`.
    ///
    /// # Panics
    ///
    /// If the handle was resolved from another dataset.
    #[doc(hidden)]
    fn read_at(&self, origin: usize, row: usize) -> Self::Value;
    /// The dataset the handle was resolved from ([`origin_of`]) and the column's name.
    #[doc(hidden)]
    fn origin_and_name(&self) -> (usize, &str);
}

impl<T: NativeValue> BarColumn for ColumnRef<'_, T> {
    type Value = T;
    #[inline(always)]
    fn read_at(&self, origin: usize, row: usize) -> T {
        self.check_origin(origin);
        self.at(row)
    }
    fn origin_and_name(&self) -> (usize, &str) {
        (self.origin, self.name)
    }
}

impl<T: NativeValue> BarColumn for NullableColumnRef<'_, T> {
    type Value = Option<T>;
    #[inline(always)]
    fn read_at(&self, origin: usize, row: usize) -> Option<T> {
        self.values.check_origin(origin);
        self.at(row)
    }
    fn origin_and_name(&self) -> (usize, &str) {
        (self.values.origin, self.values.name)
    }
}

/// [`IsolationError::ForeignHandle`] unless `column` was resolved from the dataset `origin`.
pub(crate) fn same_origin<C: BarColumn + ?Sized>(column: &C, origin: usize) -> Result<(), IsolationError> {
    let (own, name) = column.origin_and_name();
    if own == origin { Ok(()) } else { Err(IsolationError::ForeignHandle { column: name.to_string() }) }
}

/// The panic of a handle read through another dataset's bar or window: out of line, so the per-bar path
/// stays a compare and an index.
#[cold]
#[inline(never)]
fn foreign_handle(name: &str) -> ! {
    panic!("{}", IsolationError::ForeignHandle { column: name.to_string() })
}

/// The layout of `name` in `data` and the typed handle over it (nulls not checked).
fn typed_layout<'a, D: IsolatedData + ?Sized, T: NativeValue>(
    data: &'a D,
    name: &str,
) -> Result<(ColumnLayout<'a>, ColumnRef<'a, T>), IsolationError> {
    let column_idx = data.column_index(name)?;
    let layout = data.column_layout(column_idx).ok_or_else(|| {
        IsolationError::Frame(FrameError::UnknownColumn {
            column: name.to_string(),
            available: data.column_names().join(", "),
        })
    })?;
    if layout.value_type != T::VALUE_TYPE {
        return Err(IsolationError::Frame(FrameError::WrongType {
            column: layout.name.to_string(),
            expected: T::VALUE_TYPE.name().to_string(),
            found: layout.value_type.name().to_string(),
        }));
    }
    let typed = |chunk: &ColumnChunk<'a>| -> Result<&'a [T], IsolationError> {
        T::slice_from_bytes(chunk.values).and_then(|values| values.get(..chunk.len)).ok_or_else(|| {
            IsolationError::Frame(FrameError::BadBuffer {
                column: layout.name.to_string(),
                detail: format!(
                    "{} bytes at {:p} do not hold {} aligned {} values",
                    chunk.values.len(),
                    chunk.values.as_ptr(),
                    chunk.len,
                    T::VALUE_TYPE
                ),
            })
        })
    };
    let base = typed(&layout.base)?;
    let inner = match &layout.copied {
        None => Layout::Contiguous(base),
        Some(copied) => {
            let rows_per_chunk = 1_usize << copied.shift;
            let chunks = (copied.chunks.iter().enumerate())
                .map(|(k, chunk)| match chunk {
                    Some(chunk) => typed(chunk),
                    None => Ok(&base[k * rows_per_chunk..((k + 1) * rows_per_chunk).min(base.len())]),
                })
                .collect::<Result<_, _>>()?;
            Layout::Chunked {
                chunks,
                base,
                copied: copied.chunks.iter().map(Option::is_some).collect(),
                shift: copied.shift,
                mask: rows_per_chunk - 1,
            }
        }
    };
    let run = match &inner {
        Layout::Contiguous(values) => (0, *values),
        Layout::Chunked { chunks, .. } => (0, chunks.first().copied().unwrap_or_default()),
    };
    let values = ColumnRef {
        origin: origin_of(data),
        name: layout.name,
        len: data.n_rows(),
        layout: inner,
        run: Cell::new(run),
    };
    Ok((layout, values))
}

fn is_valid_at(layout: &ColumnLayout<'_>, row: usize) -> bool {
    let (chunk, idx) = layout.locate(row);
    chunk.is_valid(idx)
}

fn first_null_row(layout: &ColumnLayout<'_>) -> usize {
    (0..layout.base.len).find(|&row| !is_valid_at(layout, row)).unwrap_or(layout.base.len)
}

/// Rows `rows` (inside the data) of a column as `f64`: borrowed where they lie in one chunk of an `f64`
/// column without nulls, else converted (nulls read as NaN). The one `f64` fallback of the workspace.
pub(crate) fn rows_as_f64<'a>(layout: &ColumnLayout<'a>, rows: Range<usize>) -> Cow<'a, [f64]> {
    let run = (layout.value_type == ValueType::Float64 && !rows.is_empty())
        .then(|| layout.single_run(&rows))
        .flatten()
        .filter(|(chunk, idx)| idx.clone().all(|i| chunk.is_valid(i)));
    if let Some((chunk, idx)) = run
        && let Some(values) = f64::slice_from_bytes(chunk.values)
    {
        return Cow::Borrowed(&values[idx]);
    }
    let value_type = layout.value_type;
    Cow::Owned(
        rows.map(|row| {
            let (chunk, idx) = layout.locate(row);
            if !chunk.is_valid(idx) {
                return f64::NAN;
            }
            timeseries_array::with_value_type!(value_type, |T| {
                T::slice_from_bytes(chunk.values).map_or(f64::NAN, |values| values[idx].to_f64())
            })
        })
        .collect(),
    )
}
