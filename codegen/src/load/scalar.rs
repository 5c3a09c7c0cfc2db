//! What a YAML scalar means as JSON.
//!
//! Plain scalars follow serde_yaml 0.9 (YAML 1.2 core schema plus `0o`/`0b`):
//! `null`/`~`/empty, `true`/`True`/`TRUE`, decimal, `0x`, `0o` and `0b`
//! integers, floats, and strings for everything else (`012`, `yes`, `3.0.3`).
//! Quoted and block scalars are always strings. The core tags `!!str`,
//! `!!int`, `!!float`, `!!bool` and `!!null` force a type.

use serde_json::{Number, Value};
use yaml_rust2::parser::Tag;
use yaml_rust2::scanner::TScalarStyle;

/// The handle yaml-rust2 expands `!!` to.
const CORE: &str = "tag:yaml.org,2002:";

/// Why a scalar has no JSON value.
#[derive(Debug, PartialEq)]
pub(super) enum Unrepresentable {
    /// `.inf`, `.nan`: JSON numbers are finite.
    NonFinite,
    /// `!!int abc` and the like.
    BadTag(&'static str),
}

/// Whether a tag is one of ours; other tags are reported and ignored.
pub(super) fn is_core_tag(tag: &Tag) -> bool {
    tag.handle == CORE || (tag.handle == "!" && tag.suffix.is_empty())
}

/// The JSON value of one scalar event.
pub(super) fn resolve(
    text: &str,
    style: TScalarStyle,
    tag: Option<&Tag>,
) -> Result<Value, Unrepresentable> {
    if let Some(tag) = tag.filter(|tag| tag.handle == CORE) {
        return resolve_tagged(text, &tag.suffix);
    }
    // The non-specific tag `!` means "not plain": a string.
    let non_specific = tag.is_some_and(|tag| tag.handle == "!" && tag.suffix.is_empty());
    if style != TScalarStyle::Plain || non_specific {
        return Ok(Value::String(text.to_string()));
    }
    resolve_plain(text)
}

fn resolve_tagged(text: &str, suffix: &str) -> Result<Value, Unrepresentable> {
    match suffix {
        "null" => Ok(Value::Null),
        "bool" => parse_bool(text)
            .map(Value::Bool)
            .ok_or(Unrepresentable::BadTag("a boolean")),
        "int" => parse_int(text).ok_or(Unrepresentable::BadTag("an integer")),
        "float" => match parse_int(text) {
            Some(Value::Number(n)) => n
                .as_f64()
                .map(float)
                .unwrap_or(Err(Unrepresentable::NonFinite)),
            _ => parse_float(text).ok_or(Unrepresentable::BadTag("a number"))?,
        },
        _ => Ok(Value::String(text.to_string())),
    }
}

/// serde_yaml 0.9's untagged plain scalar resolution.
fn resolve_plain(text: &str) -> Result<Value, Unrepresentable> {
    if text.is_empty() || matches!(text, "null" | "Null" | "NULL" | "~") {
        return Ok(Value::Null);
    }
    if let Some(b) = parse_bool(text) {
        return Ok(Value::Bool(b));
    }
    if let Some(int) = parse_int(text) {
        return Ok(int);
    }
    if let Some(result) = parse_float(text) {
        return result;
    }
    Ok(Value::String(text.to_string()))
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Leading zeros followed by digits make a string in YAML 1.2 (`012`).
fn digits_but_not_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    digits.len() > 1 && digits.starts_with('0') && digits[1..].bytes().all(|b| b.is_ascii_digit())
}

/// Integers; ones too big for 64 bits become floats, as JSON parsers do.
fn parse_int(text: &str) -> Option<Value> {
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if unsigned.starts_with(['+', '-']) {
        return None;
    }
    let (radix, digits) = if let Some(rest) = unsigned.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = unsigned.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = unsigned.strip_prefix("0b") {
        (2, rest)
    } else if digits_but_not_number(text) {
        return None;
    } else {
        (10, unsigned)
    };
    // from_str_radix accepts a sign of its own; the sign was taken above.
    if digits.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    let number = if negative {
        match i64::try_from(magnitude) {
            Ok(m) => Number::from(-m),
            Err(_) if magnitude == 1 << 63 => Number::from(i64::MIN),
            Err(_) => Number::from_f64(-(magnitude as f64))?,
        }
    } else {
        match u64::try_from(magnitude) {
            Ok(m) => Number::from(m),
            Err(_) => Number::from_f64(magnitude as f64)?,
        }
    };
    Some(Value::Number(number))
}

/// `Some(Err)` for YAML's `.inf`/`.nan`; `None` when not a float at all.
/// Rust's own `inf`/`nan` spellings and overflowing literals stay strings, as
/// in serde_yaml.
fn parse_float(text: &str) -> Option<Result<Value, Unrepresentable>> {
    if digits_but_not_number(text) {
        return None;
    }
    let unsigned = match text.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => text,
    };
    let special = matches!(
        unsigned,
        ".inf" | ".Inf" | ".INF" | "-.inf" | "-.Inf" | "-.INF"
    ) || matches!(text, ".nan" | ".NaN" | ".NAN");
    if special {
        return Some(Err(Unrepresentable::NonFinite));
    }
    match unsigned.parse::<f64>() {
        Ok(f) if f.is_finite() => Some(float(f)),
        _ => None,
    }
}

fn float(f: f64) -> Result<Value, Unrepresentable> {
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or(Unrepresentable::NonFinite)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plain(text: &str) -> Value {
        resolve(text, TScalarStyle::Plain, None).unwrap()
    }

    #[test]
    fn plain_scalars_follow_serde_yaml() {
        assert_eq!(plain(""), Value::Null);
        assert_eq!(plain("~"), Value::Null);
        assert_eq!(plain("TRUE"), json!(true));
        assert_eq!(plain("yes"), json!("yes"));
        assert_eq!(plain("200"), json!(200));
        assert_eq!(plain("-7"), json!(-7));
        assert_eq!(plain("0x1F"), json!(31));
        assert_eq!(plain("0o17"), json!(15));
        assert_eq!(plain("0b101"), json!(5));
        assert_eq!(plain("012"), json!("012"));
        assert_eq!(plain("1.5"), json!(1.5));
        assert_eq!(plain("1e3"), json!(1000.0));
        assert_eq!(plain("3.0.3"), json!("3.0.3"));
        assert_eq!(plain("inf"), json!("inf"));
        assert_eq!(plain("1e999"), json!("1e999"));
        assert_eq!(plain("+-1"), json!("+-1"));
        assert_eq!(plain("18446744073709551615"), json!(u64::MAX));
        assert_eq!(plain("-9223372036854775808"), json!(i64::MIN));
        assert_eq!(plain("36893488147419103232"), json!(36893488147419103232.0));
    }

    #[test]
    fn yaml_infinities_and_nan_are_unrepresentable() {
        for text in [".inf", "-.Inf", "+.INF", ".nan", ".NaN"] {
            assert_eq!(
                resolve(text, TScalarStyle::Plain, None),
                Err(Unrepresentable::NonFinite),
                "{text}"
            );
        }
    }

    #[test]
    fn quoted_scalars_are_strings_and_tags_force_types() {
        assert_eq!(
            resolve("200", TScalarStyle::SingleQuoted, None),
            Ok(json!("200"))
        );
        let tag = |suffix: &str| Tag {
            handle: CORE.to_string(),
            suffix: suffix.to_string(),
        };
        assert_eq!(
            resolve("200", TScalarStyle::Plain, Some(&tag("str"))),
            Ok(json!("200"))
        );
        assert_eq!(
            resolve("7", TScalarStyle::DoubleQuoted, Some(&tag("int"))),
            Ok(json!(7))
        );
        assert_eq!(
            resolve("7", TScalarStyle::Plain, Some(&tag("float"))),
            Ok(json!(7.0))
        );
        assert_eq!(
            resolve("x", TScalarStyle::Plain, Some(&tag("int"))),
            Err(Unrepresentable::BadTag("an integer"))
        );
        let bang = Tag {
            handle: "!".to_string(),
            suffix: String::new(),
        };
        assert_eq!(
            resolve("true", TScalarStyle::Plain, Some(&bang)),
            Ok(json!("true"))
        );
    }
}
