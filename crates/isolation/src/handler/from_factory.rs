//! `IsolationFactory::create_handler`: the seed's `DataIsolationFactory.create_isolation` for a whole frame,
//! as a handler in the mode the factory chose (what the Python `IsolationFactory.create_isolation` returns).

use isolation_core::IsolationError;
use timeseries_array::TimeFrame;

use crate::{CreateOptions, DataHandler, Decision, IsolationFactory, Resources, Workload};

impl IsolationFactory {
    /// Decides the mode for `frame` and `options`' workload (or checks `options.mode`) and loads the frame
    /// into a handler of that mode as `symbol`: its data is then `handler.data_for(symbol, Split::Full)`,
    /// and in shared-memory mode the frame is published once, as the segment `handler.segment_names()`
    /// names (unlinked when the handler releases it or is dropped).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use isolation::arrow_array::Float64Array;
    /// use isolation::{CreateOptions, IsolationFactory, IsolationMode, Split, TimeFrame};
    ///
    /// let close = Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0]));
    /// let frame = TimeFrame::try_new(vec![1, 2, 3], vec![("close".into(), close)])?;
    /// let options = CreateOptions { mode: Some(IsolationMode::View), ..CreateOptions::default() };
    /// let (handler, decision) = IsolationFactory::default().create_handler("data", frame, &options)?;
    /// assert_eq!((decision.mode, handler.data_for("data", Split::Full)?.n_rows()), (IsolationMode::View, 3));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Any error of [`IsolationFactory::decide`], or of loading the frame in that mode (a segment that
    /// cannot be published).
    pub fn create_handler(
        &self,
        symbol: &str,
        frame: TimeFrame,
        options: &CreateOptions,
    ) -> Result<(DataHandler, Decision), IsolationError> {
        let workload = Workload {
            dataset_bytes: frame.visible_bytes(),
            will_write: options.will_write,
            readers: options.readers,
            copies: options.copies,
        };
        let resources = options.resources.unwrap_or_else(Resources::current);
        let decision = self.decide(options.mode, &workload, &resources)?;
        let mut handler = DataHandler::new(decision.mode);
        handler.load(symbol, frame)?;
        Ok((handler, decision))
    }
}
