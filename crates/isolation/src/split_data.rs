//! `SplitData`: one split of one symbol as the handler hands it out, with the warm-up history its cursor
//! may read.

use std::ops::Deref;
use std::sync::Arc;

use isolation_core::{ColumnRef, Cursor, IsolatedData, IsolationError, NullableColumnRef};
use memtrack::{BufferSet, Footprint};
use timeseries_array::{NativeValue, TimeFrame};

use crate::backend::Isolated;

/// The rows of one split of one symbol, in the handler's mode, plus (on the test side of a split set up
/// with a warm-up) the history just before them.
///
/// It dereferences to the split's [`IsolatedData`]: `n_rows`, `timestamps`, `column_index` and the rest see
/// the split's own rows only. The history is reachable only through [`SplitData::cursor`], whose first bar
/// is the split's first bar and whose `window` may reach back into the history: indicators warm up on it,
/// and no history row is ever a tradable bar.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::Float64Array;
/// use isolation::{DataHandler, IsolationMode, Split, SplitSpec, TimeFrame};
///
/// let close = Arc::new(Float64Array::from_iter_values((0..100).map(f64::from)));
/// let bars = TimeFrame::try_new((0..100).collect::<Vec<i64>>(), vec![("close".into(), close)])?;
/// let mut handler = DataHandler::new(IsolationMode::View);
/// handler.load("BTCUSD", bars)?;
/// handler.setup_split(SplitSpec::Ratio(0.8))?;
///
/// let test = handler.data_for("BTCUSD", Split::Test)?;
/// let mut cursor = test.cursor();
/// let mut seen = 0;
/// while cursor.current().is_some() {
///     seen += 1;
///     cursor.advance();
/// }
/// assert_eq!(seen, 20);
/// // The same rows in batches of 8 (zero-copy frames for views and shared memory).
/// let sizes: Vec<usize> = test.batches(8)?.map(|b| b.n_rows()).collect();
/// assert_eq!(sizes, [8, 8, 4]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SplitData {
    data: Isolated,
    /// Warm-up rows then `data`'s rows, and how many warm-up rows lead.
    history: Option<(Arc<dyn IsolatedData>, usize)>,
}

impl SplitData {
    /// Data with no warm-up history.
    pub fn new(data: Arc<dyn IsolatedData>) -> Self {
        Self { data: Isolated::Shared(data), history: None }
    }

    /// Data as a backend made it, with no warm-up history.
    pub(crate) fn isolated(data: Isolated) -> Self {
        Self { data, history: None }
    }

    /// `data`, whose cursor reads through `history`: `warmup_rows` rows of history followed by exactly
    /// `data`'s rows.
    pub(crate) fn with_history(data: Isolated, history: Arc<dyn IsolatedData>, warmup_rows: usize) -> Self {
        debug_assert_eq!(history.n_rows(), warmup_rows + data.as_dyn().n_rows());
        Self { data, history: Some((history, warmup_rows)) }
    }

    /// A cursor at the split's first bar. With a warm-up, `window(n)` may include up to
    /// [`SplitData::warmup_rows`] rows before the split; it never includes a row after the current bar.
    pub fn cursor(&self) -> Cursor<'_, dyn IsolatedData> {
        match &self.history {
            Some((history, warmup_rows)) => Cursor::with_warmup(history.as_ref(), *warmup_rows),
            None => Cursor::new(self.data.as_dyn()),
        }
    }

    /// A typed handle on the column `name`, for the bars and windows of [`SplitData::cursor`]
    /// (`bar.get(&close)`): resolved once, then each read is a slice index. It reads the rows the cursor
    /// walks, warm-up history included.
    ///
    /// # Errors
    ///
    /// An unknown column, another type (naming both), or nulls in the column (see
    /// [`SplitData::nullable_column`]).
    pub fn column<T: NativeValue>(&self, name: &str) -> Result<ColumnRef<'_, T>, IsolationError> {
        ColumnRef::resolve(self.walked(), name)
    }

    /// As [`SplitData::column`], for a column that may hold nulls: bars read `Option<T>`.
    ///
    /// # Errors
    ///
    /// An unknown column or another type (naming both).
    pub fn nullable_column<T: NativeValue>(
        &self,
        name: &str,
    ) -> Result<NullableColumnRef<'_, T>, IsolationError> {
        NullableColumnRef::resolve(self.walked(), name)
    }

    /// The copy-on-write frame of a split made in
    /// [`IsolationMode::CopyOnWrite`](crate::IsolationMode::CopyOnWrite), to write into. Writes
    /// copy one chunk of one column on their first touch and are seen by this `SplitData` only (clones
    /// made before keep reading the old values; the handler's copy is never written).
    ///
    /// # Errors
    ///
    /// [`IsolationError::NotWritable`] in other modes, and for a split with a warm-up (its cursor reads
    /// a separate history, which the writes would not reach).
    #[cfg(feature = "cow")]
    pub fn cow_mut(&mut self) -> Result<&mut isolation_cow::CowFrame, IsolationError> {
        let mode = self.data.as_dyn().mode();
        if let Some((_, warmup_rows)) = &self.history {
            return Err(IsolationError::NotWritable {
                mode,
                reason: format!(
                    "the split has {warmup_rows} warm-up rows that its cursor reads from a separate history; \
                     set the split up without a warm-up to write it"
                ),
            });
        }
        match &mut self.data {
            Isolated::Cow(frame) => Ok(Arc::make_mut(frame)),
            Isolated::Shared(_) => Err(IsolationError::NotWritable {
                mode,
                reason: "only copy-on-write data can be written; use IsolationMode::CopyOnWrite".to_string(),
            }),
        }
    }

    /// The dataset the cursor walks: the history when there is one, else the split's rows.
    fn walked(&self) -> &dyn IsolatedData {
        match &self.history {
            Some((history, _)) => history.as_ref(),
            None => self.data.as_dyn(),
        }
    }

    /// The rows the cursor walks as one frame (the warm-up history, if any, then the split's rows) and how
    /// many history rows lead it. Zero-copy for views and shared memory; a copy-on-write split is
    /// materialised (its written chunks gathered). For bindings that keep their own position, as the Python
    /// package's views do.
    pub fn walked_frame(&self) -> (TimeFrame, usize) {
        (self.walked().to_frame(), self.warmup_rows())
    }

    /// Rows of history before the split that the cursor's windows may read (0 without a warm-up).
    pub fn warmup_rows(&self) -> usize {
        self.history.as_ref().map_or(0, |(_, rows)| *rows)
    }

    /// The split's rows as frames of at most `batch_rows` rows each, in order (a model's mini-batches). For
    /// views and shared memory each batch shares the base's buffers.
    ///
    /// # Errors
    ///
    /// [`IsolationError::InvalidArgument`] if `batch_rows` is 0.
    pub fn batches(
        &self,
        batch_rows: usize,
    ) -> Result<impl Iterator<Item = TimeFrame> + use<>, IsolationError> {
        frame_batches(self.data.as_dyn().to_frame(), batch_rows)
    }

    /// The split's data as a shared trait object (history not included).
    pub fn to_arc(&self) -> Arc<dyn IsolatedData> {
        self.data.to_arc()
    }

    /// What the split's rows and its history keep alive (see [`IsolatedData::footprint`]): each one's owned
    /// bytes, and the buffers they share with others counted once.
    pub fn footprint(&self) -> Footprint {
        let Some((history, _)) = &self.history else { return self.data.as_dyn().footprint() };
        let mut set = BufferSet::new();
        self.add_buffers_to(&mut set);
        let (data, history) = (self.data.as_dyn().footprint(), history.footprint());
        Footprint {
            owned_bytes: data.owned_bytes + history.owned_bytes,
            shared_bytes: set.footprint().shared_bytes,
        }
    }

    /// Adds the allocations behind the split's rows and its history to `set`.
    pub fn add_buffers_to(&self, set: &mut BufferSet) {
        self.data.as_dyn().add_buffers_to(set);
        if let Some((history, _)) = &self.history {
            history.add_buffers_to(set);
        }
    }
}

impl Deref for SplitData {
    type Target = dyn IsolatedData;

    fn deref(&self) -> &Self::Target {
        self.data.as_dyn()
    }
}

impl AsRef<dyn IsolatedData> for SplitData {
    fn as_ref(&self) -> &(dyn IsolatedData + 'static) {
        self.data.as_dyn()
    }
}

impl From<SplitData> for Arc<dyn IsolatedData> {
    fn from(split: SplitData) -> Self {
        split.data.to_arc()
    }
}

/// `frame` cut into slices of at most `batch_rows` rows, in order (no values copied).
///
/// # Errors
///
/// [`IsolationError::InvalidArgument`] if `batch_rows` is 0.
pub(crate) fn frame_batches(
    frame: TimeFrame,
    batch_rows: usize,
) -> Result<impl Iterator<Item = TimeFrame>, IsolationError> {
    if batch_rows == 0 {
        let reason = "must be at least 1 (rows per batch)".to_string();
        return Err(IsolationError::InvalidArgument { argument: "batch_rows", reason });
    }
    let n_rows = frame.n_rows();
    Ok((0..n_rows).step_by(batch_rows).map(move |start| {
        frame.slice(start..(start + batch_rows).min(n_rows)).expect("batch rows lie inside the frame")
    }))
}
