//! `null` and absent, as the spec tells them apart: a required nullable
//! property must be present (`null` or a value); an optional property that
//! is not nullable may be left out but is never `null` in a request; an
//! optional nullable one is `Option<Option<T>>`, absent (`None`) apart from
//! `null` (`Some(None)`). Generated fields name these functions in their
//! serde attributes.
//!
//! Written here rather than taken from `serde_with` (whose
//! `rust::double_option` is the same few lines as [`double`]): the other
//! two depend on this crate's request strictness ([`crate::enums::strictly`]),
//! and one module keeps the three rules side by side.

use serde::de::{self, Deserialize, Deserializer, Unexpected};
use serde::{Serialize, Serializer};

use crate::enums::is_strict;

/// A required nullable property: `null` is `None`, a value is `Some`. Named
/// with `deserialize_with`, which makes serde refuse a message that leaves
/// it out (plain `Option` fields read absent as `None`).
pub fn required<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(deserializer)
}

/// An optional property that is not nullable, as `Option<T>` (with
/// `#[serde(default, skip_serializing_if = "Option::is_none")]`, and
/// re-exported as `rt::optional` so the attribute fits on one line):
/// absent is `None`, a value `Some`; `null`, which the spec does not allow,
/// is refused while a server reads a request, so it is never mistaken for
/// "not given", and read as absent by clients, since some vendors' servers
/// send it.
pub mod optional {
    use super::*;

    /// Writes a value, or nothing for `None` (with `skip_serializing_if`).
    pub fn serialize<S: Serializer, T: Serialize>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    /// Reads a value; `null` is an error while a server reads a request
    /// and `None` otherwise.
    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error> {
        match Option::<T>::deserialize(deserializer)? {
            None if is_strict() => Err(de::Error::invalid_type(
                Unexpected::Unit,
                &"a value (the property is not nullable; leave it out instead)",
            )),
            value => Ok(value),
        }
    }
}

/// An optional nullable property as `Option<Option<T>>` (with
/// `#[serde(default, skip_serializing_if = "Option::is_none")]`): absent is
/// `None`, `null` is `Some(None)`, a value `Some(Some(value))`.
pub mod double {
    use super::*;

    /// Writes `Some(None)` as `null` and a value as itself.
    pub fn serialize<S: Serializer, T: Serialize>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `null` as `Some(None)`; absence is `None` through
    /// `#[serde(default)]`.
    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use crate::enums::strictly;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Message {
        #[serde(deserialize_with = "super::required")]
        required: Option<u8>,
        #[serde(
            default,
            with = "super::optional",
            skip_serializing_if = "Option::is_none"
        )]
        optional: Option<u8>,
        #[serde(
            default,
            with = "super::double",
            skip_serializing_if = "Option::is_none"
        )]
        nullable: Option<Option<u8>>,
    }

    fn read(json: &str) -> Result<Message, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn absent_and_null_stay_apart() {
        assert_eq!(
            read(r#"{"required": null}"#),
            Ok(Message {
                required: None,
                optional: None,
                nullable: None
            })
        );
        assert!(
            read("{}")
                .unwrap_err()
                .starts_with("missing field `required`")
        );
        let null = read(r#"{"required": 1, "nullable": null}"#).unwrap();
        assert_eq!(null.nullable, Some(None));
        assert_eq!(
            serde_json::to_string(&null).unwrap(),
            r#"{"required":1,"nullable":null}"#
        );
        let absent = read(r#"{"required": 1}"#).unwrap();
        assert_eq!(serde_json::to_string(&absent).unwrap(), r#"{"required":1}"#);
        assert_eq!(
            read(r#"{"required": 1, "nullable": 2}"#).unwrap().nullable,
            Some(Some(2))
        );
    }

    #[test]
    fn null_for_a_property_that_is_not_nullable_is_refused_by_servers_only() {
        let json = r#"{"required": 1, "optional": null}"#;
        assert_eq!(read(json).unwrap().optional, None);
        let refused = strictly(|| read(json)).unwrap_err();
        assert!(
            refused.starts_with("invalid type: null, expected a value"),
            "{refused}"
        );
        assert_eq!(
            strictly(|| read(r#"{"required": 1, "optional": 3}"#))
                .unwrap()
                .optional,
            Some(3)
        );
    }
}
