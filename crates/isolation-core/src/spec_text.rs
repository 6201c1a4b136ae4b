//! The `key=value,flag` text form shared by the fold specs' `FromStr` (as the CLI takes them).

use crate::{FoldError, Length};

/// A parsed `key=value,flag,...` list; unknown and repeated keys are rejected up front, and each accessor
/// takes its key out.
pub(crate) struct SpecText<'a> {
    spec: &'a str,
    expected: &'static [&'static str],
    items: Vec<(&'a str, Option<&'a str>)>,
}

impl<'a> SpecText<'a> {
    /// Splits `spec` at commas; `expected` names every key and flag the spec takes, for error messages.
    pub(crate) fn parse(spec: &'a str, expected: &'static [&'static str]) -> Result<Self, FoldError> {
        let mut text = Self { spec, expected, items: Vec::new() };
        for item in spec.split(',').map(str::trim) {
            let (key, value) = match item.split_once('=') {
                Some((key, value)) => (key.trim(), Some(value.trim())),
                None => (item, None),
            };
            if key.is_empty() {
                return Err(text.error(format!("empty item; expected comma-separated {}", text.keys())));
            }
            if !expected.contains(&key) {
                return Err(text.error(format!("unknown key `{key}`; expected {}", text.keys())));
            }
            if text.items.iter().any(|(k, _)| *k == key) {
                return Err(text.error(format!("`{key}` is given twice")));
            }
            text.items.push((key, value));
        }
        Ok(text)
    }

    /// The value of `key` as a length, if given.
    pub(crate) fn length(&mut self, key: &str) -> Result<Option<Length>, FoldError> {
        self.value(key)?
            .map(|value| value.parse::<Length>().map_err(|e| self.error(format!("`{key}`: {e}"))))
            .transpose()
    }

    /// The value of `key` as a count, if given.
    pub(crate) fn count(&mut self, key: &str) -> Result<Option<usize>, FoldError> {
        self.value(key)?
            .map(|value| {
                value
                    .parse::<usize>()
                    .map_err(|_| self.error(format!("`{key}={value}` is not a whole number of {key}")))
            })
            .transpose()
    }

    /// Whether the flag `key` is given (without a value).
    pub(crate) fn flag(&mut self, key: &str) -> Result<bool, FoldError> {
        match self.take(key) {
            None => Ok(false),
            Some(None) => Ok(true),
            Some(Some(value)) => {
                Err(self.error(format!("`{key}` is a flag and takes no value, got `{value}`")))
            }
        }
    }

    /// A parse error naming the spec.
    pub(crate) fn error(&self, reason: String) -> FoldError {
        FoldError::Parse { spec: self.spec.to_string(), reason }
    }

    fn value(&mut self, key: &str) -> Result<Option<&'a str>, FoldError> {
        match self.take(key) {
            None => Ok(None),
            Some(Some(value)) if !value.is_empty() => Ok(Some(value)),
            Some(_) => Err(self.error(format!("`{key}` needs a value (`{key}=...`)"))),
        }
    }

    fn take(&mut self, key: &str) -> Option<Option<&'a str>> {
        let position = self.items.iter().position(|(k, _)| *k == key)?;
        Some(self.items.remove(position).1)
    }

    fn keys(&self) -> String {
        self.expected.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
    }
}
