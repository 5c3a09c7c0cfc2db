//! Writing: a value as `key=value` pairs.

use std::fmt;

use serde::Serialize;
use serde::de::{self, Visitor};

use super::FormError;

/// A JSON value with object keys in the order they were written (serde_json's
/// own map sorts them unless a feature is enabled for the whole build).
enum Ordered {
    Null,
    /// A string, number or boolean, as text.
    Scalar(String),
    List(Vec<Ordered>),
    Object(Vec<(String, Ordered)>),
}

impl Ordered {
    fn of<T: Serialize + ?Sized>(value: &T) -> Result<Self, FormError> {
        let json = serde_json::to_vec(value)
            .map_err(|e| FormError::new(format!("cannot be written as a form: {e}")))?;
        let mut deserializer = serde_json::Deserializer::from_slice(&json);
        de::Deserialize::deserialize(&mut deserializer)
            .map_err(|e| FormError::new(format!("cannot be written as a form: {e}")))
    }

    fn is_scalar(&self) -> bool {
        matches!(self, Ordered::Null | Ordered::Scalar(_))
    }

    fn describe(&self) -> &'static str {
        match self {
            Ordered::Null => "null",
            Ordered::Scalar(_) => "a single value",
            Ordered::List(_) => "an array",
            Ordered::Object(_) => "an object",
        }
    }
}

impl<'de> de::Deserialize<'de> for Ordered {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor;
        impl<'de> Visitor<'de> for OrderedVisitor {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Null)
            }
            fn visit_none<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Null)
            }
            fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Ordered, D::Error> {
                de::Deserialize::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Ordered::List(items))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Ordered::Object(entries))
            }
        }
        deserializer.deserialize_any(OrderedVisitor)
    }
}

/// `key` under `path`: `key` at the top, `path[key]` below it.
pub(super) fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}[{key}]")
    }
}

fn flatten(path: String, value: Ordered, out: &mut Vec<(String, String)>) {
    match value {
        Ordered::Null => {}
        Ordered::Scalar(text) => out.push((path, text)),
        Ordered::List(items) if items.iter().all(Ordered::is_scalar) => {
            for item in items {
                if let Ordered::Scalar(text) = item {
                    out.push((path.clone(), text));
                }
            }
        }
        Ordered::List(items) => {
            for (i, item) in items.into_iter().enumerate() {
                flatten(format!("{path}[{i}]"), item, out);
            }
        }
        Ordered::Object(entries) => {
            for (key, item) in entries {
                flatten(child(&path, &key), item, out);
            }
        }
    }
}

/// `value` (an object) as `key=value` pairs, unencoded, in field order; see
/// the [module docs](crate::form) for arrays and nested objects.
pub fn to_pairs<T: Serialize + ?Sized>(value: &T) -> Result<Vec<(String, String)>, FormError> {
    to_pairs_under("", value)
}

/// Like [`to_pairs`], every key under `prefix`: `prefix[key]` (a query
/// parameter in `deepObject` style). An empty prefix leaves keys bare.
pub fn to_pairs_under<T: Serialize + ?Sized>(
    prefix: &str,
    value: &T,
) -> Result<Vec<(String, String)>, FormError> {
    let mut out = Vec::new();
    match Ordered::of(value)? {
        Ordered::Null => {}
        Ordered::Object(entries) => {
            for (key, item) in entries {
                flatten(child(prefix, &key), item, &mut out);
            }
        }
        other => {
            return Err(FormError::new(format!(
                "expected an object, found {}",
                other.describe()
            )));
        }
    }
    Ok(out)
}

/// `value` (an object) as an `application/x-www-form-urlencoded` body.
pub fn encode_urlencoded<T: Serialize + ?Sized>(value: &T) -> Result<String, FormError> {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (key, value) in to_pairs(value)? {
        serializer.append_pair(&key, &value);
    }
    Ok(serializer.finish())
}
