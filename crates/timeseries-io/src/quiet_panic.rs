//! Catching a panic of an upstream decoder without the panic hook's output: the caller reports the clean
//! error, and nothing else reaches stderr (no "thread panicked at", no `RUST_BACKTRACE` stack).
//!
//! A process-wide hook is installed once, wrapping the hook that was there: it stays silent while the
//! panicking thread is inside [`catch_quietly`] and hands every other panic to the previous hook, so
//! panics elsewhere (ours included) print as before. A hook installed after ours replaces it; then a
//! caught decoder panic prints again, and nothing else changes.

use std::any::Any;
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// How many [`catch_quietly`] calls this thread is inside.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

static HOOK: Once = Once::new();

/// Runs `call`, catching a panic (as `catch_unwind`) and printing nothing for it.
pub(crate) fn catch_quietly<T>(call: impl FnOnce() -> T) -> Result<T, Box<dyn Any + Send>> {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if DEPTH.with(Cell::get) == 0 {
                previous(info);
            }
        }));
    });
    DEPTH.with(|d| d.set(d.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(call));
    DEPTH.with(|d| d.set(d.get() - 1));
    result
}

/// A panic's message, as `panic!` gave it.
pub(crate) fn message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("no message")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catches_and_gives_the_message() {
        let caught = catch_quietly(|| -> u8 { panic!("offset + len out of bounds") }).unwrap_err();
        assert_eq!(message(caught.as_ref()), "offset + len out of bounds");
        assert_eq!(catch_quietly(|| 7).unwrap(), 7);
        assert_eq!(DEPTH.with(Cell::get), 0);
    }
}
