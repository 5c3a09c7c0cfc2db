//! An operation's documented responses: one variant each, in the success
//! or the error enum, with its status, body and headers.

use super::Context;
use super::body::ResponseBody;
use super::names::{self, OperationNames};
use super::params::TextForm;
use super::rust_type::RustType;
use super::shape::Shape;
use crate::model::{Operation, StatusMatch};

#[derive(Debug, Clone, PartialEq)]
pub struct ResponsePlan {
    /// The variant's name: `Ok`, `NotFound`, `ServerError`, `Default`.
    pub variant: String,
    pub status: StatusMatch,
    /// The `http::StatusCode` constant of an exact code (`OK`, `NOT_FOUND`),
    /// when the `http` crate has one.
    pub status_constant: Option<&'static str>,
    /// The caller's `Ok` (2xx, `2XX`, or `default` when it is the only
    /// response documented) rather than an error.
    pub success: bool,
    pub description: String,
    pub body: Option<ResponseBody>,
    pub headers: Vec<HeaderPlan>,
}

impl ResponsePlan {
    /// Whether the variant carries its status (ranges and `default`).
    pub fn carries_status(&self) -> bool {
        !matches!(self.status, StatusMatch::Code(_))
    }

    /// Whether the variant has fields (a status, a body or headers).
    pub fn has_fields(&self) -> bool {
        self.carries_status() || self.body.is_some() || !self.headers.is_empty()
    }
}

/// A documented response header.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderPlan {
    pub field: String,
    /// The header's name.
    pub wire: String,
    /// The value's type; the field holds `Option<ty>` unless `required`.
    pub ty: RustType,
    pub required: bool,
    pub form: TextForm,
    pub description: Option<String>,
}

impl Context<'_> {
    pub(super) fn responses(&self, op: &Operation, names: &OperationNames) -> Vec<ResponsePlan> {
        op.responses
            .iter()
            .zip(&names.responses)
            .zip(&names.response_headers)
            .map(|((r, variant), header_fields)| ResponsePlan {
                variant: variant.clone(),
                status: r.status,
                status_constant: match r.status {
                    StatusMatch::Code(code) => names::status_constant(code),
                    _ => None,
                },
                success: r.is_success,
                description: r.description.clone(),
                body: r.primary_content().map(|c| self.response_body(c)),
                headers: r
                    .headers
                    .iter()
                    .zip(header_fields)
                    .map(|(h, field)| HeaderPlan {
                        field: field.clone(),
                        wire: h.name.clone(),
                        ty: self.rust_type(&h.ty),
                        required: h.required,
                        form: match self.shape(&h.ty) {
                            Shape::Scalar => TextForm::Scalar,
                            _ => TextForm::Json,
                        },
                        description: h.description.clone(),
                    })
                    .collect(),
            })
            .collect()
    }
}
