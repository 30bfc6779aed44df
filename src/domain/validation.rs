//! Field-level validation results: one message per field, in Norwegian, in form order.

use serde::Serialize;
use std::collections::BTreeMap;
use validator::{ValidationError, ValidationErrors};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors {
    list: Vec<(String, String)>,
}

#[derive(Serialize)]
struct FieldErrorsView<'a> {
    by_field: BTreeMap<&'a str, &'a str>,
    list: Vec<FieldErrorView<'a>>,
}

#[derive(Serialize)]
struct FieldErrorView<'a> {
    field: &'a str,
    message: &'a str,
}

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` for `field` unless the field already has one (the first error is
    /// the most useful to the user).
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.list.push((field.to_string(), message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.list
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Ok(value) when no errors were recorded.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }

    /// Adds the messages of a `validator` run, in the order of `field_order`.
    pub fn extend_from(&mut self, errors: &ValidationErrors, field_order: &[&str]) {
        let by_field = errors.field_errors();
        for field in field_order {
            if let Some(message) = by_field
                .get(*field)
                .and_then(|errs| errs.first())
                .and_then(|e| e.message.as_ref())
            {
                self.add(field, message.to_string());
            }
        }
    }

    /// Sorts the recorded errors into the order of the form's fields.
    pub fn order_by(&mut self, field_order: &[&str]) {
        self.list.sort_by_key(|(f, _)| {
            field_order
                .iter()
                .position(|o| o == f)
                .unwrap_or(usize::MAX)
        });
    }
}

impl Serialize for FieldErrors {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        FieldErrorsView {
            by_field: self
                .list
                .iter()
                .map(|(f, m)| (f.as_str(), m.as_str()))
                .collect(),
            list: self
                .list
                .iter()
                .map(|(f, m)| FieldErrorView {
                    field: f,
                    message: m,
                })
                .collect(),
        }
        .serialize(s)
    }
}

/// `validator` custom check: the value has something other than white space.
pub fn not_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(ValidationError::new("blank"))
    } else {
        Ok(())
    }
}

/// `validator` custom check: one line of text, no control characters.
pub fn single_line(value: &str) -> Result<(), ValidationError> {
    if value.chars().any(|c| c.is_control()) {
        Err(ValidationError::new("control"))
    } else {
        Ok(())
    }
}

/// `validator` custom check: free text without control characters other than line breaks
/// and tabs.
pub fn plain_text(value: &str) -> Result<(), ValidationError> {
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Err(ValidationError::new("control"))
    } else {
        Ok(())
    }
}
