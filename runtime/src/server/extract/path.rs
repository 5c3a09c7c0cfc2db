//! Path parameters: the router matches the template and hands over each
//! parameter's decoded text by name; these read it as its type.

use serde::de::DeserializeOwned;

use super::Incoming;
use crate::param::{ParamField, ParamValue};
use crate::server::rejection::{Rejection, invalid, missing};

/// A path parameter's decoded value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathValue {
    /// One segment (or part of one).
    One(String),
    /// A hierarchy: one item per `{prefix}/{item}` pair.
    Many(Vec<String>),
}

impl Incoming {
    /// The path parameters the router matched, in template order.
    pub(crate) fn set_path(&mut self, params: Vec<(&'static str, PathValue)>) {
        self.path = params;
    }

    fn path_value(&self, name: &str) -> Option<&PathValue> {
        self.path.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// A one-segment path parameter. Path parameters are always required;
    /// an `Option` field reads as `None` when the template has no such
    /// parameter.
    pub fn path<F: ParamField>(&self, name: &str) -> Result<F, Rejection> {
        let value = match self.path_value(name) {
            Some(PathValue::One(text)) => {
                Some(F::Value::from_param(text).map_err(|e| invalid("path parameter", name, &e))?)
            }
            Some(PathValue::Many(_)) => {
                return Err(invalid("path parameter", name, "expected one segment"));
            }
            None => None,
        };
        F::from_value(value, || missing("path parameter", name))
    }

    /// A one-segment path parameter written as compact JSON.
    pub fn path_json<T: DeserializeOwned>(&self, name: &str) -> Result<T, Rejection> {
        match self.path_value(name) {
            Some(PathValue::One(text)) => serde_json::from_str(text)
                .map_err(|e| invalid("path parameter", name, &format!("expected JSON: {e}"))),
            Some(PathValue::Many(_)) => {
                Err(invalid("path parameter", name, "expected one segment"))
            }
            None => Err(missing("path parameter", name)),
        }
    }

    /// A list path parameter in `simple` style (`a,b`), each item parsed,
    /// as any list type (`Vec<T>` or a newtype of one). The segment is
    /// decoded before it is split, so an item holding a comma reads as two
    /// (as for a delimited query list).
    pub fn path_array<T: ParamValue, L: From<Vec<T>>>(&self, name: &str) -> Result<L, Rejection> {
        match self.path_value(name) {
            Some(PathValue::One(text)) => text
                .split(',')
                .map(T::from_param)
                .collect::<Result<Vec<T>, _>>()
                .map(L::from)
                .map_err(|e| invalid("path parameter", name, &e)),
            Some(PathValue::Many(_)) => {
                Err(invalid("path parameter", name, "expected one segment"))
            }
            None => Err(missing("path parameter", name)),
        }
    }

    /// A path parameter spanning several segments (a hierarchy), each item
    /// parsed, as any list type (`Vec<T>` or a newtype of one).
    pub fn path_items<T: ParamValue, L: From<Vec<T>>>(&self, name: &str) -> Result<L, Rejection> {
        let items = match self.path_value(name) {
            Some(PathValue::Many(items)) => items
                .iter()
                .map(|t| T::from_param(t))
                .collect::<Result<Vec<T>, _>>(),
            Some(PathValue::One(text)) => T::from_param(text).map(|item| vec![item]),
            None => return Err(missing("path parameter", name)),
        };
        items
            .map(L::from)
            .map_err(|e| invalid("path parameter", name, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::incoming;
    use super::*;
    use crate::server::rejection::RejectionKind;

    #[tokio::test]
    async fn path_parameters_are_read_by_name_as_their_type() {
        let mut req = incoming("/x", &[], "").await;
        req.set_path(vec![
            (
                "realm",
                PathValue::Many(vec!["root".into(), "alpha".into()]),
            ),
            ("id", PathValue::One("12".into())),
            ("word", PathValue::One("x".into())),
            ("doc", PathValue::One("{\"a\":1}".into())),
        ]);
        assert_eq!(req.path::<i64>("id").unwrap(), 12);
        assert_eq!(req.path::<Option<i64>>("absent").unwrap(), None);
        assert_eq!(
            req.path::<i64>("word").unwrap_err().kind,
            RejectionKind::InvalidParameter
        );
        assert_eq!(
            req.path::<i64>("absent").unwrap_err().kind,
            RejectionKind::MissingParameter
        );
        assert!(req.path::<String>("realm").is_err());
        let realm: Vec<String> = req.path_items("realm").unwrap();
        assert_eq!(realm, ["root", "alpha"]);
        let one: Vec<i64> = req.path_items("id").unwrap();
        assert_eq!(one, [12]);
        let doc: serde_json::Value = req.path_json("doc").unwrap();
        assert_eq!(doc, serde_json::json!({"a": 1}));
        assert!(req.path_json::<serde_json::Value>("word").is_err());
    }

    #[tokio::test]
    async fn simple_style_path_lists_split_on_commas() {
        let mut req = incoming("/x", &[], "").await;
        req.set_path(vec![
            ("ids", PathValue::One("1,2,3".into())),
            ("one", PathValue::One("7".into())),
            ("bad", PathValue::One("1,x".into())),
        ]);
        assert_eq!(req.path_array::<i64, Vec<i64>>("ids").unwrap(), [1, 2, 3]);
        assert_eq!(req.path_array::<i64, Vec<i64>>("one").unwrap(), [7]);
        let bad = req.path_array::<i64, Vec<i64>>("bad").unwrap_err();
        assert_eq!(bad.kind, RejectionKind::InvalidParameter);
        assert_eq!(
            req.path_array::<i64, Vec<i64>>("absent").unwrap_err().kind,
            RejectionKind::MissingParameter
        );
    }
}
