//! Parameter values on the wire: path segments, query pairs and headers
//! carry text, and [`ParamValue`] converts each generated type to and from
//! it. How several values share one query (arrays, objects, OpenAPI's
//! styles) is [`crate::query`]'s job.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// A value that travels as text in a path segment, query pair or header.
///
/// Implemented for the scalar types the generator uses; generated enums and
/// newtypes implement it too.
pub trait ParamValue: Sized {
    /// The value as text, before any percent-encoding.
    fn to_param(&self) -> String;
    /// Read the value back from its decoded text; `Err` says what was expected.
    fn from_param(text: &str) -> Result<Self, String>;
}

impl ParamValue for String {
    fn to_param(&self) -> String {
        self.clone()
    }
    fn from_param(text: &str) -> Result<Self, String> {
        Ok(text.to_string())
    }
}

impl ParamValue for bool {
    fn to_param(&self) -> String {
        self.to_string()
    }
    fn from_param(text: &str) -> Result<Self, String> {
        match text {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(format!("expected `true` or `false`, found `{other}`")),
        }
    }
}

macro_rules! number_param {
    ($($t:ty => $what:literal),*) => {$(
        impl ParamValue for $t {
            fn to_param(&self) -> String {
                self.to_string()
            }
            fn from_param(text: &str) -> Result<Self, String> {
                text.trim().parse().map_err(|_| format!("expected {}, found `{text}`", $what))
            }
        }
    )*};
}
number_param!(i32 => "a 32-bit integer", i64 => "an integer", u32 => "a non-negative 32-bit integer",
    u64 => "a non-negative integer", f32 => "a number", f64 => "a number");

/// Reads one branch of a union from text (see [`first_branch`]).
pub type ReadBranch<T> = fn(&str) -> Result<T, String>;

/// A union's value read from text: the first of `branches` (each reading
/// one branch, in the order the generator decided) that takes `text`; the
/// error names what each branch expected.
pub fn first_branch<T>(text: &str, branches: &[ReadBranch<T>]) -> Result<T, String> {
    let mut expected = Vec::new();
    for branch in branches {
        match branch(text) {
            Ok(value) => return Ok(value),
            Err(e) => expected.push(e),
        }
    }
    Err(format!("`{text}` fits no branch: {}", expected.join("; ")))
}

/// Where a named parameter travels, outside the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// In the query string.
    Query,
    /// In a header.
    Header,
    /// In a cookie.
    Cookie,
}

/// A field that holds a parameter: the value itself when the parameter is
/// required, an `Option` of it when not. Generated code reads and writes
/// both the same way; the field's type says which it is.
pub trait ParamField: Sized {
    /// The type of the parameter's value.
    type Value: ParamValue;

    /// The value to send, if there is one.
    fn value(&self) -> Option<&Self::Value>;

    /// The field for what was received: `missing` is the error when a
    /// required value was not sent.
    fn from_value<E>(value: Option<Self::Value>, missing: impl FnOnce() -> E) -> Result<Self, E>;
}

impl<T: ParamValue> ParamField for T {
    type Value = T;

    fn value(&self) -> Option<&T> {
        Some(self)
    }

    fn from_value<E>(value: Option<T>, missing: impl FnOnce() -> E) -> Result<Self, E> {
        value.ok_or_else(missing)
    }
}

impl<T: ParamValue> ParamField for Option<T> {
    type Value = T;

    fn value(&self) -> Option<&T> {
        self.as_ref()
    }

    fn from_value<E>(value: Option<T>, _: impl FnOnce() -> E) -> Result<Self, E> {
        Ok(value)
    }
}

/// Free-form values travel as compact JSON.
impl ParamValue for serde_json::Value {
    fn to_param(&self) -> String {
        match self {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
    fn from_param(text: &str) -> Result<Self, String> {
        Ok(serde_json::from_str(text)
            .unwrap_or_else(|_| serde_json::Value::String(text.to_string())))
    }
}

/// Any serializable value as a parameter, written as compact JSON: the
/// fallback for objects and unions in a query or header.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonParam<T>(pub T);

impl<T: serde::Serialize + serde::de::DeserializeOwned> ParamValue for JsonParam<T> {
    fn to_param(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_default()
    }
    fn from_param(text: &str) -> Result<Self, String> {
        serde_json::from_str(text)
            .map(JsonParam)
            .map_err(|e| format!("expected JSON: {e}"))
    }
}

/// A value as compact JSON text (for the client side of a [`JsonParam`]).
pub fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Why a path parameter's value cannot travel in its place, if it cannot:
/// it is empty; it is `.` or `..`, which every URL parser resolves away,
/// so the request would address another resource; or it holds a `/`,
/// which a server or proxy that decodes `%2F` before routing reads as a
/// segment boundary. A parameter the spec marks `allowReserved: true` may
/// hold `/` (it travels as `%2F`, in one segment). The client refuses to
/// send such a value and the server to hand one to an implementation, with
/// the same words.
pub fn path_value_problem(value: &str, allow_reserved: bool) -> Option<String> {
    match value {
        "" => Some("is empty".into()),
        "." | ".." => Some(format!(
            "is `{value}`, which would address a different resource"
        )),
        _ if value.contains('/') && !allow_reserved => Some(
            "holds a `/`, which the spec does not allow in it (no `allowReserved: true`)".into(),
        ),
        _ => None,
    }
}

/// Characters escaped in a path segment: everything but RFC 3986 unreserved.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encode one path segment so it can never add a `/`, `?` or `#`.
pub fn encode_segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// Decode one path segment; `None` when it is not UTF-8 after decoding.
pub fn decode_segment(segment: &str) -> Option<String> {
    percent_decode_str(segment)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_values_that_would_address_another_resource_are_named() {
        for value in ["", ".", ".."] {
            assert!(path_value_problem(value, true).is_some(), "{value:?}");
        }
        assert!(path_value_problem("a/b", false).is_some());
        assert_eq!(path_value_problem("a/b", true), None);
        for value in ["...", ".a", "a.", "a..b"] {
            assert_eq!(path_value_problem(value, false), None, "{value:?}");
        }
    }

    #[test]
    fn segments_cannot_escape_their_place() {
        assert_eq!(encode_segment("a/b?c#d e"), "a%2Fb%3Fc%23d%20e");
        assert_eq!(encode_segment("014c54bd-6078_x.y~z"), "014c54bd-6078_x.y~z");
        assert_eq!(decode_segment("a%2Fb%20c").as_deref(), Some("a/b c"));
        assert_eq!(decode_segment("%FF"), None);
    }

    #[test]
    fn a_field_is_required_unless_it_is_an_option() {
        let missing = || "missing";
        assert_eq!(<i64 as ParamField>::from_value(Some(1), missing), Ok(1));
        assert_eq!(
            <i64 as ParamField>::from_value(None, missing),
            Err("missing")
        );
        assert_eq!(
            <Option<i64> as ParamField>::from_value(None, missing),
            Ok(None)
        );
        assert_eq!(ParamField::value(&Some(2_i64)), Some(&2));
        assert_eq!(ParamField::value(&None::<i64>), None);
        assert_eq!(ParamField::value(&3_i64), Some(&3));
    }

    #[test]
    fn scalars_round_trip_and_reject_garbage() {
        assert_eq!(i64::from_param(" 42"), Ok(42));
        assert!(i64::from_param("4x").is_err());
        assert_eq!(bool::from_param("true"), Ok(true));
        assert!(bool::from_param("yes").is_err());
        assert_eq!(
            serde_json::Value::from_param("{\"a\":1}"),
            Ok(serde_json::json!({"a": 1}))
        );
    }
}
