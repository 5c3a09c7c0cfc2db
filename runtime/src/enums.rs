//! What every generated enum and tagged union shares, written once: a wire
//! value read back with an error that lists the allowed ones, integer
//! enums as JSON numbers, and unions tagged by a discriminator property.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, Unexpected, Visitor};
use serde::{Serialize, Serializer};

/// The listed value of an enum whose wire text is `text`, or an error
/// naming the allowed ones.
pub fn parse<T: Clone>(text: &str, all: &[T], wire: fn(&T) -> &str) -> Result<T, String> {
    all.iter()
        .find(|v| wire(v) == text)
        .cloned()
        .ok_or_else(|| {
            let expected = listed(all.iter().map(|v| wire(v).to_string()));
            format!("expected one of {expected}, found `{text}`")
        })
}

/// The value of a string enum whose wire text is `text`: a listed one, else
/// `unknown(text)`, the catch-all that keeps it, so a client survives a
/// server's new values; while a server reads a request ([`strictly`]), an
/// unlisted value is an error naming the allowed ones instead.
pub fn read<T: Clone>(
    text: &str,
    all: &[T],
    wire: fn(&T) -> &str,
    unknown: fn(String) -> T,
) -> Result<T, String> {
    match parse(text, all, wire) {
        Err(_) if !is_strict() => Ok(unknown(text.to_owned())),
        parsed => parsed,
    }
}

/// A string enum from a JSON string, by [`read`].
pub fn deserialize_text<'de, D: Deserializer<'de>, T: Clone>(
    deserializer: D,
    all: &[T],
    wire: fn(&T) -> &str,
    unknown: fn(String) -> T,
) -> Result<T, D::Error> {
    let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
    read(&text, all, wire, unknown).map_err(de::Error::custom)
}

thread_local! {
    /// Whether unlisted enum values are refused on this thread now.
    static STRICT: Cell<bool> = const { Cell::new(false) };
}

/// Whether unlisted enum values are refused here: inside [`strictly`].
pub fn is_strict() -> bool {
    STRICT.with(Cell::get)
}

/// Run `read` refusing unlisted enum values: what a server does while it
/// decodes a request, so an implementation only ever sees values the spec
/// lists. Decoding is synchronous (a server's `Endpoint::read` is a plain
/// function), so a thread-local flag set for the duration of the call (and
/// restored after, even on a panic) covers every value `read` decodes and
/// nothing else.
pub fn strictly<R>(read: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            STRICT.with(|strict| strict.set(self.0));
        }
    }
    let _restore = Restore(STRICT.with(|strict| strict.replace(true)));
    read()
}

/// The value of an integer enum whose number is `number`.
pub fn from_number<T: Copy>(number: i64, all: &[T], wire: fn(&T) -> i64) -> Result<T, String> {
    all.iter()
        .find(|v| wire(v) == number)
        .copied()
        .ok_or_else(|| format!("expected {}, found `{number}`", one_of(all, wire)))
}

/// The value of an integer enum whose number is `number`: a listed one,
/// else `unknown(number)`, except while a server reads a request
/// ([`strictly`]), as [`read`] does for text.
pub fn read_number<T: Copy>(
    number: i64,
    all: &[T],
    wire: fn(&T) -> i64,
    unknown: fn(i64) -> T,
) -> Result<T, String> {
    match from_number(number, all, wire) {
        Err(_) if !is_strict() => Ok(unknown(number)),
        read => read,
    }
}

/// The value of an integer enum written as text, by [`read_number`]; text
/// that is no integer is refused everywhere.
pub fn parse_number<T: Copy>(
    text: &str,
    all: &[T],
    wire: fn(&T) -> i64,
    unknown: fn(i64) -> T,
) -> Result<T, String> {
    match text.parse::<i64>() {
        Ok(number) => read_number(number, all, wire, unknown)
            .map_err(|_| format!("expected {}, found `{text}`", one_of(all, wire))),
        Err(_) => Err(format!("expected {}, found `{text}`", one_of(all, wire))),
    }
}

/// An integer enum from a JSON number, by [`read_number`]; anything else
/// (a string, a float) is refused with the allowed values.
pub fn deserialize_number<'de, D: Deserializer<'de>, T: Copy>(
    deserializer: D,
    all: &'static [T],
    wire: fn(&T) -> i64,
    unknown: fn(i64) -> T,
) -> Result<T, D::Error> {
    deserializer.deserialize_i64(NumberVisitor { all, wire, unknown })
}

struct NumberVisitor<T: 'static> {
    all: &'static [T],
    wire: fn(&T) -> i64,
    unknown: fn(i64) -> T,
}

impl<T: Copy> Visitor<'_> for NumberVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&one_of(self.all, self.wire))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<T, E> {
        read_number(value, self.all, self.wire, self.unknown)
            .map_err(|_| E::invalid_value(Unexpected::Signed(value), &self))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<T, E> {
        match i64::try_from(value) {
            Ok(value) => self.visit_i64(value),
            Err(_) => Err(E::invalid_value(Unexpected::Unsigned(value), &self)),
        }
    }
}

/// `one of `1`, `2``.
fn one_of<T>(all: &[T], wire: fn(&T) -> i64) -> String {
    format!("one of {}", listed(all.iter().map(|v| wire(v).to_string())))
}

/// `` `a`, `b` ``.
fn listed(values: impl Iterator<Item = String>) -> String {
    values
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A union branch as JSON, with its discriminator `property` set to `tag`
/// when the branch's own type does not write it. serde's internally tagged
/// enums consume the tag, but each branch's schema declares it too (often
/// as a required field), so unions are tagged by hand.
pub fn serialize_tagged<S: Serializer, T: Serialize>(
    serializer: S,
    property: &str,
    tag: &str,
    value: &T,
) -> Result<S::Ok, S::Error> {
    let mut value = serde_json::to_value(value).map_err(serde::ser::Error::custom)?;
    if let Some(object) = value.as_object_mut() {
        object
            .entry(property)
            .or_insert_with(|| serde_json::Value::from(tag));
    }
    value.serialize(serializer)
}

/// A tagged union's JSON and its discriminator value, to pick the branch
/// by (the branch then reads the whole object, tag included).
pub fn tagged<'de, D: Deserializer<'de>>(
    deserializer: D,
    property: &str,
) -> Result<(Option<String>, serde_json::Value), D::Error> {
    let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
    let tag = value
        .get(property)
        .and_then(serde_json::Value::as_str)
        .map(str::to_string);
    Ok((tag, value))
}

/// One branch of a tagged union, from the union's JSON.
pub fn branch<T: DeserializeOwned, E: de::Error>(value: serde_json::Value) -> Result<T, E> {
    serde_json::from_value(value).map_err(E::custom)
}

/// A discriminator value no branch has.
pub fn unknown_tag<E: de::Error>(property: &str, tags: &[&str], found: Option<&str>) -> E {
    let expected = listed(tags.iter().map(ToString::to_string));
    E::custom(format!(
        "`{property}` must be one of {expected}, found {found:?}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Priority {
        Low,
        High,
        Unknown(i64),
    }

    impl Priority {
        const ALL: &'static [Self] = &[Self::Low, Self::High];

        fn as_i64(&self) -> i64 {
            match self {
                Self::Low => 1,
                Self::High => -5,
                Self::Unknown(number) => *number,
            }
        }

        fn as_str(&self) -> &'static str {
            match self {
                Self::Low => "low",
                Self::High => "HIGH",
                Self::Unknown(_) => "?",
            }
        }
    }

    #[test]
    fn wire_values_read_back_or_list_what_is_allowed() {
        assert_eq!(
            parse("HIGH", Priority::ALL, Priority::as_str),
            Ok(Priority::High)
        );
        assert_eq!(
            parse("high", Priority::ALL, Priority::as_str),
            Err("expected one of `low`, `HIGH`, found `high`".to_string())
        );
        assert_eq!(
            from_number(-5, Priority::ALL, Priority::as_i64),
            Ok(Priority::High)
        );
        let number = |text| parse_number(text, Priority::ALL, Priority::as_i64, Priority::Unknown);
        assert_eq!(number("2"), Ok(Priority::Unknown(2)));
        assert_eq!(
            strictly(|| number("2")),
            Err("expected one of `1`, `-5`, found `2`".to_string())
        );
        assert_eq!(
            number("x"),
            Err("expected one of `1`, `-5`, found `x`".to_string())
        );
    }

    #[derive(Debug, Clone, PartialEq)]
    enum Kind {
        Sms,
        Unknown(String),
    }

    impl Kind {
        const ALL: &'static [Self] = &[Self::Sms];

        fn as_str(&self) -> &str {
            match self {
                Self::Sms => "SMS",
                Self::Unknown(text) => text,
            }
        }
    }

    /// Clients keep an unlisted value; a server reading a request refuses
    /// it naming the allowed ones, and only while it reads.
    #[test]
    fn unlisted_values_are_kept_except_while_a_server_reads() {
        let read = |json: &str| {
            let mut de = serde_json::Deserializer::from_str(json);
            deserialize_text(&mut de, Kind::ALL, Kind::as_str, Kind::Unknown)
                .map_err(|e| e.to_string())
        };
        assert_eq!(read(r#""SMS""#), Ok(Kind::Sms));
        assert_eq!(read(r#""PUSH""#), Ok(Kind::Unknown("PUSH".into())));
        assert_eq!(
            strictly(|| read(r#""PUSH""#)),
            Err("expected one of `SMS`, found `PUSH`".to_string())
        );
        assert_eq!(strictly(|| read(r#""SMS""#)), Ok(Kind::Sms));
        assert!(!is_strict(), "restored after");
        let caught = std::panic::catch_unwind(|| strictly(|| panic!("in a handler")));
        assert!(caught.is_err());
        assert!(!is_strict(), "restored after a panic too");
    }

    #[test]
    fn integer_enums_read_json_numbers_only() {
        let read = |json: &str| {
            let mut de = serde_json::Deserializer::from_str(json);
            deserialize_number(&mut de, Priority::ALL, Priority::as_i64, Priority::Unknown)
                .map_err(|e| e.to_string())
        };
        assert_eq!(read("1"), Ok(Priority::Low));
        assert_eq!(read("-5"), Ok(Priority::High));
        assert_eq!(read("2"), Ok(Priority::Unknown(2)));
        assert_eq!(
            strictly(|| read("2")),
            Err(
                "invalid value: integer `2`, expected one of `1`, `-5` at line 1 column 1"
                    .to_string()
            )
        );
        assert!(read("\"1\"").is_err());
    }

    #[test]
    fn tagged_unions_keep_and_check_their_tag() {
        let json = serde_json::to_value(TagWriter(serde_json::json!({"a": 1}))).unwrap();
        assert_eq!(json, serde_json::json!({"a": 1, "kind": "A"}));
        let (tag, _) = tagged(serde_json::json!({"kind": "B"}), "kind").unwrap();
        assert_eq!(tag.as_deref(), Some("B"));
        let error: serde_json::Error = unknown_tag("kind", &["A", "B"], Some("C"));
        assert_eq!(
            error.to_string(),
            "`kind` must be one of `A`, `B`, found Some(\"C\")"
        );
    }

    struct TagWriter(serde_json::Value);

    impl Serialize for TagWriter {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serialize_tagged(serializer, "kind", "A", &self.0)
        }
    }
}
