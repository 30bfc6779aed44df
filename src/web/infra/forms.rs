//! Raw form values. Every field arrives as `Text` so a missing field is an empty string and
//! parsing never fails before the domain types can give a field-level message.

use rocket::form::{self, FromFormField, ValueField};
use serde::Serialize;
use std::ops::Deref;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Text(pub String);

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(s.to_string())
    }
}

#[rocket::async_trait]
impl<'v> FromFormField<'v> for Text {
    fn from_value(field: ValueField<'v>) -> form::Result<'v, Self> {
        // NUL can never be meant, and PostgreSQL refuses it in text: drop it here so no
        // form can carry it to the database.
        Ok(Text(field.value.replace('\0', "")))
    }

    fn default() -> Option<Self> {
        Some(Text(String::new()))
    }
}

impl Text {
    /// A checkbox is on when the browser sent any value for it.
    pub fn is_on(&self) -> bool {
        !self.0.is_empty()
    }
}

/// A form with nothing but the CSRF token: buttons that archive, end or confirm.
#[derive(Debug, rocket::FromForm)]
pub struct CsrfOnly {
    pub csrf_token: Text,
}
crate::csrf_protected!(CsrfOnly);
