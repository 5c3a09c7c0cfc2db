//! [`FormError`]: what is wrong with a form, and where.

use std::fmt;

use serde::de;

/// Why a value could not be written as a form, or read back from one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    message: String,
    /// Where: the key as sent, e.g. `filter[limit]`.
    at: Option<String>,
}

impl FormError {
    /// An error saying `message`, at no particular key.
    pub fn new(message: impl Into<String>) -> Self {
        FormError {
            message: message.into(),
            at: None,
        }
    }

    /// Say where the problem is, unless a more precise place is known.
    #[must_use]
    pub fn at(mut self, path: &str) -> Self {
        if self.at.is_none() && !path.is_empty() {
            self.at = Some(path.to_string());
        }
        self
    }

    /// What is wrong, without where.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The key at fault, as sent (`filter[limit]`), when known.
    pub fn path(&self) -> Option<&str> {
        self.at.as_deref()
    }
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Some(at) => write!(f, "`{at}`: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for FormError {}

impl de::Error for FormError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        FormError::new(message.to_string())
    }
}
