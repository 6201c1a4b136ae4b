//! `SplitData`: one split of one symbol as the handler hands it out, with the warm-up history its cursor
//! may read.

use std::ops::Deref;
use std::sync::Arc;

use isolation_core::{Cursor, IsolatedData};
use memtrack::{BufferSet, Footprint};
use timeseries_array::TimeFrame;

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
/// let sizes: Vec<usize> = test.batches(8).map(|b| b.n_rows()).collect();
/// assert_eq!(sizes, [8, 8, 4]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SplitData {
    data: Arc<dyn IsolatedData>,
    /// Warm-up rows then `data`'s rows, and how many warm-up rows lead.
    history: Option<(Arc<dyn IsolatedData>, usize)>,
}

impl SplitData {
    /// Data with no warm-up history.
    pub fn new(data: Arc<dyn IsolatedData>) -> Self {
        Self { data, history: None }
    }

    /// `data`, whose cursor reads through `history`: `warmup_rows` rows of history followed by exactly
    /// `data`'s rows.
    pub(crate) fn with_history(
        data: Arc<dyn IsolatedData>,
        history: Arc<dyn IsolatedData>,
        warmup_rows: usize,
    ) -> Self {
        debug_assert_eq!(history.n_rows(), warmup_rows + data.n_rows());
        Self { data, history: Some((history, warmup_rows)) }
    }

    /// A cursor at the split's first bar. With a warm-up, `window(n)` may include up to
    /// [`SplitData::warmup_rows`] rows before the split; it never includes a row after the current bar.
    pub fn cursor(&self) -> Cursor<'_, dyn IsolatedData> {
        match &self.history {
            Some((history, warmup_rows)) => Cursor::with_warmup(history.as_ref(), *warmup_rows),
            None => Cursor::new(self.data.as_ref()),
        }
    }

    /// Rows of history before the split that the cursor's windows may read (0 without a warm-up).
    pub fn warmup_rows(&self) -> usize {
        self.history.as_ref().map_or(0, |(_, rows)| *rows)
    }

    /// The split's rows as frames of at most `batch_rows` rows each, in order (a model's mini-batches). For
    /// views and shared memory each batch shares the base's buffers.
    ///
    /// # Panics
    ///
    /// If `batch_rows` is 0.
    pub fn batches(&self, batch_rows: usize) -> impl Iterator<Item = TimeFrame> + use<> {
        frame_batches(self.data.to_frame(), batch_rows)
    }

    /// The split's data as a shared trait object (history not included).
    pub fn as_arc(&self) -> &Arc<dyn IsolatedData> {
        &self.data
    }

    /// What the split's rows and its history keep alive (see [`IsolatedData::footprint`]): each one's owned
    /// bytes, and the buffers they share with others counted once.
    pub fn footprint(&self) -> Footprint {
        let Some((history, _)) = &self.history else { return self.data.footprint() };
        let mut set = BufferSet::new();
        self.add_buffers_to(&mut set);
        let (data, history) = (self.data.footprint(), history.footprint());
        Footprint {
            owned_bytes: data.owned_bytes + history.owned_bytes,
            shared_bytes: set.footprint().shared_bytes,
        }
    }

    /// Adds the allocations behind the split's rows and its history to `set`.
    pub fn add_buffers_to(&self, set: &mut BufferSet) {
        self.data.add_buffers_to(set);
        if let Some((history, _)) = &self.history {
            history.add_buffers_to(set);
        }
    }
}

impl Deref for SplitData {
    type Target = dyn IsolatedData;

    fn deref(&self) -> &Self::Target {
        self.data.as_ref()
    }
}

impl AsRef<dyn IsolatedData> for SplitData {
    fn as_ref(&self) -> &(dyn IsolatedData + 'static) {
        self.data.as_ref()
    }
}

impl From<SplitData> for Arc<dyn IsolatedData> {
    fn from(split: SplitData) -> Self {
        split.data
    }
}

/// `frame` cut into slices of at most `batch_rows` rows, in order (no values copied).
///
/// # Panics
///
/// If `batch_rows` is 0.
pub(crate) fn frame_batches(frame: TimeFrame, batch_rows: usize) -> impl Iterator<Item = TimeFrame> {
    assert!(batch_rows > 0, "a batch needs at least one row");
    let n_rows = frame.n_rows();
    (0..n_rows).step_by(batch_rows).map(move |start| {
        frame.slice(start..(start + batch_rows).min(n_rows)).expect("batch rows lie inside the frame")
    })
}
