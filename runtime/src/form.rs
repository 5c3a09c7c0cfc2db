//! Form encodings, both ways: an object as `key=value` pairs (query
//! parameters and `application/x-www-form-urlencoded` bodies) and
//! `multipart/form-data` bodies.
//!
//! # Objects as pairs
//!
//! [`to_pairs`] writes a serializable value (an object) as text pairs, in
//! field order:
//!
//! - a scalar property is one `key=value` (numbers and booleans as JSON
//!   writes them, strings as they are);
//! - `null` and absent (`None`) properties are left out;
//! - an array of scalars repeats the key: `tags=a&tags=b`;
//! - a nested object uses brackets: `address[city]=Paris`;
//! - an array holding objects or arrays indexes its items:
//!   `items[0][sku]=a&items[1][sku]=b`.
//!
//! [`from_pairs`] reads them back. The pairs first become a tree of strings
//! (brackets nest, repeated keys make lists), then a deserializer that knows
//! only strings hands each value to the target type in the form it asks for:
//! an `i64` field gets the text parsed as an integer, a `bool` field
//! `true`/`false`, a `String` the text as is, a `Vec` every repeated value
//! (or the one value there is), a struct or map the bracketed keys under it.
//! The target type decides, so `"007"` stays `"007"` for a string and is 7 for
//! an integer: nothing is guessed. What is left to guessing is only what the
//! target does not say: a free-form value (`serde_json::Value`) or an untagged
//! union reads every leaf as a string.
//!
//! Limits of the encoding: an empty array or object sends nothing (so a
//! required one cannot be told from an absent one), a property name holding
//! `[` or `]` below the top level is read back as brackets, and a numeric key
//! of a map is indistinguishable from an array index (the target type
//! decides).
//!
//! # Multipart
//!
//! [`Multipart`] is a body as a list of [`Part`]s. Generated structs for
//! `multipart/form-data` bodies implement [`MultipartBody`]: one part per
//! property, scalars as text parts, `format: binary` strings as file parts
//! ([`FilePart`], `application/octet-stream` unless its content type says
//! otherwise), anything else as an `application/json` part.
//! [`Multipart::encode`] writes the body (client side); on the server side
//! the body, already read whole within the router's body limit, is parsed by
//! the `multer` crate.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

use crate::param::ParamValue;

/// Why a value could not be written as a form, or read back from one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormError {
    message: String,
    /// Where: the key as sent, e.g. `filter[limit]`.
    at: Option<String>,
}

impl FormError {
    pub fn new(message: impl Into<String>) -> Self {
        FormError {
            message: message.into(),
            at: None,
        }
    }

    /// Say where the problem is, unless a more precise place is known.
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

// ---------------------------------------------------------------------------
// Writing: a value as pairs.

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
fn child(path: &str, key: &str) -> String {
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
/// the [module docs](self) for arrays and nested objects.
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

// ---------------------------------------------------------------------------
// Reading: pairs into a tree of strings, the tree into a typed value.

/// Keys nest at most this deep (`a[b][c]...`): deeper is refused rather than
/// recursed into.
const MAX_DEPTH: usize = 32;

/// Pairs read back, before they meet a type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Text(String),
    /// A key given more than once.
    List(Vec<String>),
    /// Keys with brackets under this one.
    Map(BTreeMap<String, Node>),
}

/// The segments of a key: `a[b][c]` is `a`, `b`, `c`. A key whose
/// brackets do not pair up cleanly stays whole. (A struct field whose name
/// has brackets, like `ids[]`, is put back together when the struct is read:
/// see [`regroup`].)
pub(crate) fn split_key(key: &str) -> Vec<&str> {
    match key.find('[') {
        Some(open) if open > 0 && key.ends_with(']') => {
            let base = &key[..open];
            let inner = &key[open + 1..key.len() - 1];
            split_inner(base, inner)
        }
        _ => vec![key],
    }
}

/// `base` and the bracketed segments of `inner` (`b][c` for `a[b][c]`).
pub(crate) fn split_inner<'k>(base: &'k str, inner: &'k str) -> Vec<&'k str> {
    let segments: Vec<&str> = inner.split("][").collect();
    let mut out = vec![base];
    if segments.iter().any(|s| s.contains('[') || s.contains(']')) {
        out.push(inner);
    } else {
        out.extend(segments);
    }
    out
}

fn path_of(segments: &[&str]) -> String {
    segments
        .iter()
        .fold(String::new(), |path, segment| child(&path, segment))
}

/// Add one pair, by its key's segments, to the tree.
pub(crate) fn insert(
    root: &mut BTreeMap<String, Node>,
    segments: &[&str],
    value: &str,
) -> Result<(), FormError> {
    let Some((last, parents)) = segments.split_last() else {
        return Ok(());
    };
    if segments.len() > MAX_DEPTH {
        return Err(
            FormError::new(format!("keys nest at most {MAX_DEPTH} levels deep"))
                .at(&path_of(&segments[..MAX_DEPTH])),
        );
    }
    let conflict = |depth: usize| {
        let path = path_of(&segments[..depth]);
        FormError::new(format!("given both as a value and as `{path}[...]` pairs")).at(&path)
    };
    let mut map = root;
    for (depth, segment) in parents.iter().enumerate() {
        map = match map
            .entry((*segment).to_string())
            .or_insert_with(|| Node::Map(BTreeMap::new()))
        {
            Node::Map(inner) => inner,
            _ => return Err(conflict(depth + 1)),
        };
    }
    match map.get_mut(*last) {
        None => {
            map.insert((*last).to_string(), Node::Text(value.to_string()));
        }
        Some(node @ Node::Text(_)) => {
            let Node::Text(first) = std::mem::replace(node, Node::List(Vec::new())) else {
                unreachable!("matched as text")
            };
            *node = Node::List(vec![first, value.to_string()]);
        }
        Some(Node::List(items)) => items.push(value.to_string()),
        Some(Node::Map(_)) => return Err(conflict(segments.len())),
    }
    Ok(())
}

/// A tree from pairs, every key split on its brackets.
pub(crate) fn tree<K: AsRef<str>, V: AsRef<str>>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> Result<BTreeMap<String, Node>, FormError> {
    let mut root = BTreeMap::new();
    for (key, value) in pairs {
        insert(&mut root, &split_key(key.as_ref()), value.as_ref())?;
    }
    Ok(root)
}

/// A struct field whose name has brackets (`ids[]`, `a[b]`) was split like
/// any key when the tree was built: move its value back under its name.
fn regroup(entries: &mut BTreeMap<String, Node>, fields: &[&str]) {
    for field in fields {
        let segments = split_key(field);
        if segments.len() < 2 || entries.contains_key(*field) {
            continue;
        }
        if let Some(node) = take_path(entries, &segments) {
            entries.insert((*field).to_string(), node);
        }
    }
}

fn take_path(entries: &mut BTreeMap<String, Node>, segments: &[&str]) -> Option<Node> {
    match segments {
        [] => None,
        [last] => entries.remove(*last),
        [first, rest @ ..] => {
            let Some(Node::Map(inner)) = entries.get_mut(*first) else {
                return None;
            };
            let node = take_path(inner, rest);
            if inner.is_empty() {
                entries.remove(*first);
            }
            node
        }
    }
}

/// `T` from a tree; errors name keys starting at `path`.
pub(crate) fn from_tree<T: DeserializeOwned>(
    root: BTreeMap<String, Node>,
    path: &str,
) -> Result<T, FormError> {
    T::deserialize(Coerce {
        node: Node::Map(root),
        path: path.to_string(),
    })
}

/// `T` from `key=value` pairs (already percent-decoded), the reverse of
/// [`to_pairs`]: brackets nest, repeated keys make lists, and each text is
/// parsed as the type its place asks for.
pub fn from_pairs<T: DeserializeOwned, K: AsRef<str>, V: AsRef<str>>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> Result<T, FormError> {
    from_tree(tree(pairs)?, "")
}

/// The pairs of an `application/x-www-form-urlencoded` body, decoded.
/// Unlike a browser's lenient reading, a `%` that does not start an escape
/// and text that is not UTF-8 once decoded are refused.
pub fn parse_urlencoded(body: &[u8]) -> Result<Vec<(String, String)>, FormError> {
    body.split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = match pair.iter().position(|b| *b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            let key = decode_component(key)?;
            let value = decode_component(value).map_err(|e| e.at(&key))?;
            Ok((key, value))
        })
        .collect()
}

fn decode_component(raw: &[u8]) -> Result<String, FormError> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = raw
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        bytes.push(byte);
                        i += 2;
                    }
                    None => {
                        let shown = String::from_utf8_lossy(&raw[i..raw.len().min(i + 3)]);
                        return Err(FormError::new(format!(
                            "`{shown}` is not a percent-escape (`%` and two hex digits)"
                        )));
                    }
                }
            }
            other => bytes.push(other),
        }
        i += 1;
    }
    String::from_utf8(bytes)
        .map_err(|_| FormError::new("the text is not UTF-8 once percent-decoded"))
}

/// `T` from an `application/x-www-form-urlencoded` body.
pub fn decode_urlencoded<T: DeserializeOwned>(body: &[u8]) -> Result<T, FormError> {
    from_pairs(parse_urlencoded(body)?)
}

/// Hands a tree of strings to a type, parsing each text as the type asks.
struct Coerce {
    node: Node,
    /// The key of this node as sent, for errors.
    path: String,
}

impl Coerce {
    /// The one text here, or why there is not exactly one.
    fn text(self) -> Result<(String, String), FormError> {
        match self.node {
            Node::Text(text) => Ok((text, self.path)),
            Node::List(items) => Err(FormError::new(format!(
                "expected one value, found {} (the key is repeated)",
                items.len()
            ))
            .at(&self.path)),
            Node::Map(_) => Err(FormError::new(format!(
                "expected one value, found `{}[...]` pairs",
                display_path(&self.path)
            ))
            .at(&self.path)),
        }
    }

    /// The items here: repeated values, numbered keys in order, or the one
    /// value there is.
    fn items(self) -> Result<Vec<Coerce>, FormError> {
        let path = self.path;
        match self.node {
            Node::List(items) => Ok(items
                .into_iter()
                .map(|text| Coerce {
                    node: Node::Text(text),
                    path: path.clone(),
                })
                .collect()),
            node @ Node::Text(_) => Ok(vec![Coerce { node, path }]),
            Node::Map(entries) => {
                let mut numbered = Vec::with_capacity(entries.len());
                for (key, node) in entries {
                    let Ok(index) = key.parse::<u64>() else {
                        return Err(FormError::new(format!(
                            "expected a list (repeated values or numbered `[0]`, `[1]` keys), found the key `{key}`"
                        ))
                        .at(&path));
                    };
                    let path = child(&path, &key);
                    numbered.push((index, Coerce { node, path }));
                }
                numbered.sort_by_key(|(index, _)| *index);
                Ok(numbered.into_iter().map(|(_, item)| item).collect())
            }
        }
    }
}

fn display_path(path: &str) -> &str {
    if path.is_empty() { "key" } else { path }
}

struct Items {
    items: std::vec::IntoIter<Coerce>,
}

impl<'de> de::SeqAccess<'de> for Items {
    type Error = FormError;
    fn next_element_seed<S: de::DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, FormError> {
        self.items
            .next()
            .map(|item| seed.deserialize(item))
            .transpose()
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Entries {
    entries: std::collections::btree_map::IntoIter<String, Node>,
    path: String,
    value: Option<Coerce>,
}

impl<'de> de::MapAccess<'de> for Entries {
    type Error = FormError;
    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, FormError> {
        let Some((key, node)) = self.entries.next() else {
            return Ok(None);
        };
        let path = child(&self.path, &key);
        let key = seed
            .deserialize(IntoDeserializer::<FormError>::into_deserializer(key))
            .map_err(|e: FormError| e.at(&path))?;
        self.value = Some(Coerce { node, path });
        Ok(Some(key))
    }
    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, FormError> {
        match self.value.take() {
            Some(value) => seed.deserialize(value),
            None => Err(FormError::new("a value was asked for before its key")),
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

macro_rules! parse_text {
    ($($method:ident => $visit:ident($t:ty, $what:literal)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
            let (text, path) = self.text()?;
            let value: $t = text.trim().parse().map_err(|_| {
                FormError::new(format!("expected {}, found `{text}`", $what)).at(&path)
            })?;
            visitor.$visit(value).map_err(|e: FormError| e.at(&path))
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Coerce {
    type Error = FormError;

    parse_text! {
        deserialize_i8 => visit_i8(i8, "a small integer"),
        deserialize_i16 => visit_i16(i16, "a 16-bit integer"),
        deserialize_i32 => visit_i32(i32, "a 32-bit integer"),
        deserialize_i64 => visit_i64(i64, "an integer"),
        deserialize_i128 => visit_i128(i128, "an integer"),
        deserialize_u8 => visit_u8(u8, "a small non-negative integer"),
        deserialize_u16 => visit_u16(u16, "a non-negative 16-bit integer"),
        deserialize_u32 => visit_u32(u32, "a non-negative 32-bit integer"),
        deserialize_u64 => visit_u64(u64, "a non-negative integer"),
        deserialize_u128 => visit_u128(u128, "a non-negative integer"),
        deserialize_f32 => visit_f32(f32, "a number"),
        deserialize_f64 => visit_f64(f64, "a number"),
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        let path = self.path.clone();
        match self.node {
            Node::Text(text) => visitor.visit_string(text),
            Node::List(_) => visitor.visit_seq(Items {
                items: self.items()?.into_iter(),
            }),
            Node::Map(entries) => visitor.visit_map(Entries {
                entries: entries.into_iter(),
                path: self.path,
                value: None,
            }),
        }
        .map_err(|e: FormError| e.at(&path))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        let (text, path) = self.text()?;
        match text.as_str() {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            _ => Err(FormError::new(format!(
                "expected `true` or `false`, found `{text}`"
            ))),
        }
        .map_err(|e: FormError| e.at(&path))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        let (text, path) = self.text()?;
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => visitor.visit_char(c),
            _ => Err(FormError::new(format!(
                "expected one character, found `{text}`"
            ))),
        }
        .map_err(|e: FormError| e.at(&path))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        let (text, path) = self.text()?;
        visitor
            .visit_string(text)
            .map_err(|e: FormError| e.at(&path))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        let (text, path) = self.text()?;
        visitor
            .visit_byte_buf(text.into_bytes())
            .map_err(|e: FormError| e.at(&path))
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        self.deserialize_bytes(visitor)
    }

    /// Only what was sent is in the tree: anything here is `Some`.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        let path = self.path.clone();
        visitor.visit_some(self).map_err(|e: FormError| e.at(&path))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        let (text, path) = self.text()?;
        if text.is_empty() {
            visitor.visit_unit()
        } else {
            Err(FormError::new(format!("expected nothing, found `{text}`")).at(&path))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, FormError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, FormError> {
        let path = self.path.clone();
        visitor
            .visit_newtype_struct(self)
            .map_err(|e: FormError| e.at(&path))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        let path = self.path.clone();
        visitor
            .visit_seq(Items {
                items: self.items()?.into_iter(),
            })
            .map_err(|e: FormError| e.at(&path))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, FormError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, FormError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        let path = self.path.clone();
        match self.node {
            Node::Map(entries) => visitor.visit_map(Entries {
                entries: entries.into_iter(),
                path: self.path,
                value: None,
            }),
            Node::Text(_) | Node::List(_) => Err(FormError::new(format!(
                "expected `{}[key]=value` pairs, found a value for `{}` itself",
                display_path(&path),
                display_path(&path)
            ))),
        }
        .map_err(|e: FormError| e.at(&path))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        mut self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FormError> {
        if let Node::Map(entries) = &mut self.node {
            regroup(entries, fields);
        }
        self.deserialize_map(visitor)
    }

    /// Enums as their unit variants' names.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FormError> {
        let (text, path) = self.text()?;
        visitor
            .visit_enum(IntoDeserializer::<FormError>::into_deserializer(text))
            .map_err(|e: FormError| e.at(&path))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        visitor.visit_unit()
    }
}

// ---------------------------------------------------------------------------
// Multipart.

/// One part of a `multipart/form-data` body.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Part {
    /// The form field it belongs to.
    pub name: String,
    /// Set for file parts.
    pub file_name: Option<String>,
    /// `None`: text (`text/plain`).
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl fmt::Debug for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Part")
            .field("name", &self.name)
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("body", &format_args!("{} bytes", self.body.len()))
            .finish()
    }
}

/// A file in a multipart body: its bytes, and the name and media type the
/// part declares (`application/octet-stream` is sent when none is set).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct FilePart {
    pub bytes: Vec<u8>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
}

impl FilePart {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        FilePart {
            bytes: bytes.into(),
            file_name: None,
            content_type: None,
        }
    }

    /// The file name sent in the part's `Content-Disposition`.
    pub fn with_file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// The part's `Content-Type`.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl From<Vec<u8>> for FilePart {
    fn from(bytes: Vec<u8>) -> Self {
        FilePart::new(bytes)
    }
}

impl From<&[u8]> for FilePart {
    fn from(bytes: &[u8]) -> Self {
        FilePart::new(bytes)
    }
}

impl<const N: usize> From<&[u8; N]> for FilePart {
    fn from(bytes: &[u8; N]) -> Self {
        FilePart::new(bytes.as_slice())
    }
}

impl From<bytes::Bytes> for FilePart {
    fn from(bytes: bytes::Bytes) -> Self {
        FilePart::new(bytes.to_vec())
    }
}

/// A `multipart/form-data` body: its parts in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Multipart {
    pub parts: Vec<Part>,
}

/// A typed multipart body (generated structs implement it).
pub trait MultipartBody: Sized {
    fn to_multipart(&self) -> Result<Multipart, FormError>;
    fn from_multipart(form: Multipart) -> Result<Self, FormError>;
}

impl MultipartBody for Multipart {
    fn to_multipart(&self) -> Result<Multipart, FormError> {
        Ok(self.clone())
    }
    fn from_multipart(form: Multipart) -> Result<Self, FormError> {
        Ok(form)
    }
}

/// A required part or value that is absent.
pub fn required<T>(name: &str, value: Option<T>) -> Result<T, FormError> {
    value.ok_or_else(|| FormError::new(format!("the part `{name}` is required")))
}

/// `None` for no values: an optional list that was not sent.
pub fn non_empty<T>(values: Vec<T>) -> Option<Vec<T>> {
    (!values.is_empty()).then_some(values)
}

impl Multipart {
    pub fn new() -> Self {
        Self::default()
    }

    /// A text part holding `value`.
    pub fn text<T: ParamValue>(&mut self, name: &str, value: &T) {
        self.parts.push(Part {
            name: name.to_string(),
            file_name: None,
            content_type: None,
            body: value.to_param().into_bytes(),
        });
    }

    /// One text part per value.
    pub fn texts<'a, T: ParamValue + 'a>(
        &mut self,
        name: &str,
        values: impl IntoIterator<Item = &'a T>,
    ) {
        for value in values {
            self.text(name, value);
        }
    }

    /// A file part; its file name defaults to `name`, since many servers
    /// only treat a part with a file name as a file.
    pub fn file(&mut self, name: &str, file: &FilePart) {
        self.parts.push(Part {
            name: name.to_string(),
            file_name: Some(file.file_name.clone().unwrap_or_else(|| name.to_string())),
            content_type: Some(
                file.content_type
                    .clone()
                    .unwrap_or_else(|| "application/octet-stream".to_string()),
            ),
            body: file.bytes.clone(),
        });
    }

    /// One file part per file.
    pub fn files<'a>(&mut self, name: &str, files: impl IntoIterator<Item = &'a FilePart>) {
        for file in files {
            self.file(name, file);
        }
    }

    /// An `application/json` part (objects and arrays of them, per OpenAPI's
    /// default for complex properties).
    pub fn json<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), FormError> {
        let body = serde_json::to_vec(value)
            .map_err(|e| FormError::new(format!("cannot be written as JSON: {e}")).at(name))?;
        self.parts.push(Part {
            name: name.to_string(),
            file_name: None,
            content_type: Some("application/json".to_string()),
            body,
        });
        Ok(())
    }

    /// Remove and return every part named `name`, in order.
    fn take_all(&mut self, name: &str) -> Vec<Part> {
        let (taken, kept) = std::mem::take(&mut self.parts)
            .into_iter()
            .partition(|p| p.name == name);
        self.parts = kept;
        taken
    }

    /// Remove and return the first part named `name` (later ones are dropped).
    fn take_one(&mut self, name: &str) -> Option<Part> {
        self.take_all(name).into_iter().next()
    }

    fn part_text(part: Part) -> Result<String, FormError> {
        let name = part.name;
        String::from_utf8(part.body)
            .map_err(|_| FormError::new("the part is not UTF-8 text").at(&name))
    }

    /// The text part `name`, parsed.
    pub fn take_text<T: ParamValue>(&mut self, name: &str) -> Result<Option<T>, FormError> {
        self.take_one(name)
            .map(|part| {
                let text = Self::part_text(part)?;
                T::from_param(&text).map_err(|e| FormError::new(e).at(name))
            })
            .transpose()
    }

    /// Every text part `name`, parsed.
    pub fn take_texts<T: ParamValue>(&mut self, name: &str) -> Result<Vec<T>, FormError> {
        self.take_all(name)
            .into_iter()
            .map(|part| {
                let text = Self::part_text(part)?;
                T::from_param(&text).map_err(|e| FormError::new(e).at(name))
            })
            .collect()
    }

    /// The part `name` as a file (any part will do: a client may send a
    /// small file as text).
    pub fn take_file(&mut self, name: &str) -> Option<FilePart> {
        self.take_one(name).map(Self::into_file)
    }

    /// Every part `name` as a file.
    pub fn take_files(&mut self, name: &str) -> Vec<FilePart> {
        self.take_all(name)
            .into_iter()
            .map(Self::into_file)
            .collect()
    }

    fn into_file(part: Part) -> FilePart {
        FilePart {
            bytes: part.body,
            file_name: part.file_name,
            content_type: part.content_type,
        }
    }

    /// The JSON part `name`, decoded.
    pub fn take_json<T: DeserializeOwned>(&mut self, name: &str) -> Result<Option<T>, FormError> {
        self.take_one(name)
            .map(|part| {
                serde_json::from_slice(&part.body)
                    .map_err(|e| FormError::new(format!("invalid JSON: {e}")).at(name))
            })
            .transpose()
    }

    /// The body as sent: its `Content-Type` (with the boundary) and bytes.
    ///
    /// Names and file names are quoted, a `"` escaped as `\"` and CR and LF
    /// as `%0D` and `%0A` (they cannot appear in a header); a content type
    /// with CR or LF is refused.
    pub fn encode(&self) -> Result<(String, Vec<u8>), FormError> {
        for part in &self.parts {
            if let Some(content_type) = &part.content_type {
                if content_type.contains(['\r', '\n']) {
                    return Err(
                        FormError::new("the content type of the part has a line break")
                            .at(&part.name),
                    );
                }
            }
        }
        let boundary = self.boundary();
        let mut body = Vec::new();
        for part in &self.parts {
            body.extend_from_slice(b"--");
            body.extend_from_slice(boundary.as_bytes());
            body.extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"");
            body.extend_from_slice(quote_header(&part.name).as_bytes());
            body.push(b'"');
            if let Some(file_name) = &part.file_name {
                body.extend_from_slice(b"; filename=\"");
                body.extend_from_slice(quote_header(file_name).as_bytes());
                body.push(b'"');
            }
            body.extend_from_slice(b"\r\n");
            if let Some(content_type) = &part.content_type {
                body.extend_from_slice(b"Content-Type: ");
                body.extend_from_slice(content_type.as_bytes());
                body.extend_from_slice(b"\r\n");
            }
            body.extend_from_slice(b"\r\n");
            body.extend_from_slice(&part.body);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--");
        body.extend_from_slice(boundary.as_bytes());
        body.extend_from_slice(b"--\r\n");
        Ok((format!("multipart/form-data; boundary={boundary}"), body))
    }

    /// A random boundary that occurs in no part.
    fn boundary(&self) -> String {
        use std::hash::{BuildHasher, Hasher};
        self.boundary_from(|attempt| {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u64(attempt);
            format!("mfa-form-{:016x}{attempt:x}", hasher.finish())
        })
    }

    /// The first of the `candidate`s that occurs in no part.
    fn boundary_from(&self, mut candidate: impl FnMut(u64) -> String) -> String {
        let mut attempt = 0_u64;
        loop {
            let boundary = candidate(attempt);
            let needle = boundary.as_bytes();
            let clashes = self.parts.iter().any(|p| {
                p.body.windows(needle.len()).any(|w| w == needle)
                    || p.name.contains(&boundary)
                    || p.file_name
                        .as_deref()
                        .is_some_and(|f| f.contains(&boundary))
            });
            if !clashes {
                return boundary;
            }
            attempt += 1;
        }
    }
}

/// A name or file name inside a quoted header parameter.
fn quote_header(text: &str) -> String {
    text.replace('"', "\\\"")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Parse a multipart body read whole (so already within the body limit):
/// `content_type` must be `multipart/form-data` with a boundary.
#[cfg(feature = "server")]
pub async fn parse_multipart(
    content_type: &str,
    body: bytes::Bytes,
) -> Result<Multipart, FormError> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| FormError::new("the multipart Content-Type has no boundary"))?;
    let stream =
        futures_util::stream::once(std::future::ready(Ok::<_, std::convert::Infallible>(body)));
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut form = Multipart::new();
    let malformed = |e: multer::Error| FormError::new(format!("malformed multipart body: {e}"));
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        let name = field
            .name()
            .ok_or_else(|| FormError::new("a part has no name in its Content-Disposition"))?
            .to_string();
        let file_name = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(ToString::to_string);
        let body = field.bytes().await.map_err(malformed)?;
        form.parts.push(Part {
            name,
            file_name,
            content_type,
            body: body.to_vec(),
        });
    }
    Ok(form)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
    struct Address {
        city: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        zip: Option<u32>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
    enum Role {
        #[serde(rename = "admin")]
        Admin,
        #[serde(rename = "help-desk")]
        HelpDesk,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Item {
        sku: String,
        qty: i64,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Everything {
        owner: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ratio: Option<f64>,
        active: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        role: Option<Role>,
        #[serde(default)]
        tags: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<Address>,
        #[serde(default)]
        items: Vec<Item>,
        #[serde(default)]
        labels: BTreeMap<String, String>,
        #[serde(rename = "ids[]", default)]
        ids: Vec<u64>,
        #[serde(default)]
        nothing: Option<String>,
    }

    fn everything() -> Everything {
        Everything {
            owner: "Ann & Bob = \"friends\" ☃ ü".into(),
            limit: Some(-5),
            ratio: Some(0.25),
            active: true,
            role: Some(Role::HelpDesk),
            tags: vec!["a b".into(), "c,d".into(), "007".into()],
            address: Some(Address {
                city: "São Paulo [SP]".into(),
                zip: Some(1000),
            }),
            items: vec![
                Item {
                    sku: "x".into(),
                    qty: 1,
                },
                Item {
                    sku: "y&z".into(),
                    qty: 2,
                },
            ],
            labels: [("k=1".to_string(), "v&2".to_string())].into(),
            ids: vec![1, 2],
            nothing: None,
        }
    }

    #[test]
    fn objects_flatten_in_field_order_and_skip_absent_values() {
        #[derive(Serialize)]
        struct Filter {
            owner: String,
            limit: i64,
            missing: Option<String>,
        }
        let pairs = to_pairs(&Filter {
            owner: "ann".into(),
            limit: 5,
            missing: None,
        })
        .unwrap();
        assert_eq!(
            pairs,
            [("owner".into(), "ann".into()), ("limit".into(), "5".into())]
        );
        let pairs = to_pairs(&everything()).unwrap();
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "owner",
                "limit",
                "ratio",
                "active",
                "role",
                "tags",
                "tags",
                "tags",
                "address[city]",
                "address[zip]",
                "items[0][sku]",
                "items[0][qty]",
                "items[1][sku]",
                "items[1][qty]",
                "labels[k=1]",
                "ids[]",
                "ids[]",
            ]
        );
        assert_eq!(
            to_pairs_under("f", &Address::default()).unwrap(),
            [("f[city]".to_string(), String::new())]
        );
        assert_eq!(
            to_pairs(&5).unwrap_err().to_string(),
            "expected an object, found a single value"
        );
        assert!(to_pairs(&None::<Address>).unwrap().is_empty());
    }

    #[test]
    fn urlencoded_bodies_round_trip_every_kind_of_value() {
        let body = encode_urlencoded(&everything()).unwrap();
        assert!(body.starts_with("owner=Ann+%26+Bob+%3D+%22friends%22+%E2%98%83+%C3%BC&limit=-5"));
        assert!(
            body.contains("&address%5Bcity%5D=S%C3%A3o+Paulo+%5BSP%5D&"),
            "{body}"
        );
        let back: Everything = decode_urlencoded(body.as_bytes()).unwrap();
        assert_eq!(back, everything());
    }

    #[test]
    fn text_is_parsed_as_the_target_asks() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Typed {
            code: String,
            n: u8,
            any: serde_json::Value,
            one: Vec<i32>,
            #[serde(default)]
            flag: Option<bool>,
        }
        let typed: Typed = from_pairs([
            ("code", "007"),
            ("n", " 7"),
            ("any", "12"),
            ("one", "3"),
            ("flag", "false"),
        ])
        .unwrap();
        assert_eq!(
            typed,
            Typed {
                code: "007".into(),
                n: 7,
                any: serde_json::json!("12"),
                one: vec![3],
                flag: Some(false),
            }
        );
        // Free-form values keep the tree's shape, every leaf a string.
        let value: serde_json::Value =
            from_pairs([("a", "1"), ("b[c]", "x"), ("b[c]", "y")]).unwrap();
        assert_eq!(value, serde_json::json!({"a": "1", "b": {"c": ["x", "y"]}}));
    }

    #[test]
    fn malformed_pairs_are_refused_with_the_key_at_fault() {
        let err = |pairs: &[(&str, &str)]| {
            from_pairs::<Everything, _, _>(pairs.iter().copied())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(&[("owner", "a"), ("active", "yes")]),
            "`active`: expected `true` or `false`, found `yes`"
        );
        assert_eq!(
            err(&[("owner", "a"), ("active", "true"), ("limit", "5x")]),
            "`limit`: expected an integer, found `5x`"
        );
        assert_eq!(
            err(&[
                ("owner", "a"),
                ("active", "true"),
                ("address[zip]", "-1"),
                ("address[city]", "c")
            ]),
            "`address[zip]`: expected a non-negative 32-bit integer, found `-1`"
        );
        assert_eq!(
            err(&[("owner", "a"), ("active", "true"), ("address[zip]", "1")]),
            "`address`: missing field `city`"
        );
        assert_eq!(err(&[("active", "true")]), "missing field `owner`");
        assert_eq!(
            err(&[("owner", "a"), ("owner", "b"), ("active", "true")]),
            "`owner`: expected one value, found 2 (the key is repeated)"
        );
        assert_eq!(
            err(&[("owner", "a"), ("active", "true"), ("role", "boss")]),
            "`role`: unknown variant `boss`, expected `admin` or `help-desk`"
        );
        assert_eq!(
            err(&[("owner", "a"), ("active", "true"), ("address", "x")]),
            "`address`: expected `address[key]=value` pairs, found a value for `address` itself"
        );
        assert_eq!(
            err(&[("owner[x]", "a"), ("active", "true")]),
            "`owner`: expected one value, found `owner[...]` pairs"
        );
        assert_eq!(
            err(&[("owner", "a"), ("active", "true"), ("items[a][sku]", "x")]),
            "`items`: expected a list (repeated values or numbered `[0]`, `[1]` keys), found the key `a`"
        );
        assert_eq!(
            err(&[("owner", "a"), ("active", "true"), ("items[0][qty]", "1")]),
            "`items[0]`: missing field `sku`"
        );
        assert_eq!(
            err(&[("a", "1"), ("a[b]", "2")]),
            "`a`: given both as a value and as `a[...]` pairs"
        );
        assert_eq!(
            err(&[("a[b]", "2"), ("a", "1")]),
            "`a`: given both as a value and as `a[...]` pairs"
        );
        let deep = format!("a{}", "[b]".repeat(40));
        assert!(err(&[(deep.as_str(), "1")]).contains("nest at most 32 levels"));
    }

    #[test]
    fn numbered_keys_are_ordered_by_number() {
        let items: Vec<Item> = from_pairs::<BTreeMap<String, Vec<Item>>, _, _>([
            ("i[10][sku]", "b"),
            ("i[10][qty]", "2"),
            ("i[9][sku]", "a"),
            ("i[9][qty]", "1"),
        ])
        .unwrap()
        .remove("i")
        .unwrap();
        assert_eq!(items[0].sku, "a");
        assert_eq!(items[1].sku, "b");
    }

    #[test]
    fn keys_split_on_brackets_that_pair_up() {
        assert_eq!(split_key("a"), ["a"]);
        assert_eq!(split_key("a[b][c]"), ["a", "b", "c"]);
        assert_eq!(split_key("a[]"), ["a", ""]);
        assert_eq!(split_key("a[b]c]"), ["a", "b]c"]);
        assert_eq!(split_key("[a]"), ["[a]"]);
        assert_eq!(split_key("a[b"), ["a[b"]);
    }

    #[test]
    fn urlencoded_bodies_are_parsed_strictly() {
        assert_eq!(
            parse_urlencoded(b"a=1+2&b=%C3%BC&&c&d=x%3Dy").unwrap(),
            [
                ("a".to_string(), "1 2".to_string()),
                ("b".into(), "ü".into()),
                ("c".into(), String::new()),
                ("d".into(), "x=y".into()),
            ]
        );
        assert_eq!(
            parse_urlencoded(b"a=%zz").unwrap_err().to_string(),
            "`a`: `%zz` is not a percent-escape (`%` and two hex digits)"
        );
        assert_eq!(
            parse_urlencoded(b"a=%4").unwrap_err().message(),
            "`%4` is not a percent-escape (`%` and two hex digits)"
        );
        assert_eq!(
            parse_urlencoded(b"a=%FF").unwrap_err().to_string(),
            "`a`: the text is not UTF-8 once percent-decoded"
        );
        assert!(decode_urlencoded::<Address>(b"\xff=1").is_err());
    }

    #[derive(Debug, PartialEq)]
    struct Upload {
        title: String,
        size: Option<i64>,
        tags: Vec<String>,
        meta: Option<Address>,
        file: FilePart,
    }

    impl MultipartBody for Upload {
        fn to_multipart(&self) -> Result<Multipart, FormError> {
            let mut form = Multipart::new();
            form.text("title", &self.title);
            if let Some(value) = &self.size {
                form.text("size", value);
            }
            form.texts("tags", self.tags.iter());
            if let Some(value) = &self.meta {
                form.json("meta", value)?;
            }
            form.file("file", &self.file);
            Ok(form)
        }
        fn from_multipart(mut form: Multipart) -> Result<Self, FormError> {
            Ok(Upload {
                title: required("title", form.take_text("title")?)?,
                size: form.take_text("size")?,
                tags: form.take_texts("tags")?,
                meta: form.take_json("meta")?,
                file: required("file", form.take_file("file"))?,
            })
        }
    }

    fn upload() -> Upload {
        Upload {
            title: "Ann & Bob = \"friends\"\r\n☃".into(),
            size: Some(42),
            tags: vec!["a".into(), "b c".into()],
            meta: Some(Address {
                city: "Zürich".into(),
                zip: None,
            }),
            file: FilePart::new(vec![0, 159, 146, 150, b'\r', b'\n', b'-', b'-'])
                .with_file_name("we\"ird\nname ü.bin"),
        }
    }

    #[test]
    fn multipart_bodies_are_written_part_by_part() {
        let (content_type, body) = upload().to_multipart().unwrap().encode().unwrap();
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nAnn & Bob"
        )));
        assert!(text.contains(
            "Content-Disposition: form-data; name=\"file\"; filename=\"we\\\"ird%0Aname ü.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        ));
        assert!(text.contains(
            "name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"city\":\"Zürich\"}\r\n"
        ));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));

        let mut bad = Multipart::new();
        bad.file(
            "f",
            &FilePart::new(b"x".as_slice()).with_content_type("text/plain\r\nX-Evil: 1"),
        );
        assert_eq!(
            bad.encode().unwrap_err().to_string(),
            "`f`: the content type of the part has a line break"
        );
    }

    #[test]
    fn the_boundary_never_occurs_in_a_part() {
        let mut form = Multipart::new();
        form.text("a", &"xx--b0--xx".to_string());
        form.file("b1", &FilePart::new(Vec::new()));
        assert_eq!(form.boundary_from(|n| format!("b{n}")), "b2");
        let (first, _) = form.encode().unwrap();
        let (second, _) = form.encode().unwrap();
        assert_ne!(first, second, "boundaries are random");
    }

    #[cfg(feature = "server")]
    #[tokio::test]
    async fn multipart_bodies_round_trip_through_multer() {
        let (content_type, body) = upload().to_multipart().unwrap().encode().unwrap();
        let form = parse_multipart(&content_type, body.into()).await.unwrap();
        let back = Upload::from_multipart(form).unwrap();
        let mut expected = upload();
        // The quote survives; a line break cannot be in a header, so it
        // arrives as the `%0A` it was sent as.
        expected.file.file_name = Some("we\"ird%0Aname ü.bin".into());
        expected.file.content_type = Some("application/octet-stream".into());
        assert_eq!(back, expected);

        // Absent optional parts, a file without a name.
        let mut form = Multipart::new();
        form.text("title", &"t".to_string());
        form.file("file", &FilePart::new(Vec::new()));
        let (content_type, body) = form.encode().unwrap();
        let back =
            Upload::from_multipart(parse_multipart(&content_type, body.into()).await.unwrap())
                .unwrap();
        assert_eq!(
            back,
            Upload {
                title: "t".into(),
                size: None,
                tags: Vec::new(),
                meta: None,
                file: FilePart::new(Vec::new())
                    .with_file_name("file")
                    .with_content_type("application/octet-stream"),
            }
        );
    }

    #[cfg(feature = "server")]
    #[tokio::test]
    async fn malformed_multipart_bodies_are_refused() {
        let parse = |content_type: &'static str, body: &'static [u8]| async move {
            parse_multipart(content_type, bytes::Bytes::from_static(body))
                .await
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            parse("multipart/form-data", b"").await.unwrap_err(),
            "the multipart Content-Type has no boundary"
        );
        let cut = parse(
            "multipart/form-data; boundary=B",
            b"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
        )
        .await
        .unwrap_err();
        assert!(cut.starts_with("malformed multipart body"), "{cut}");
        let garbage = parse("multipart/form-data; boundary=B", b"nothing like a form")
            .await
            .unwrap_err();
        assert!(garbage.starts_with("malformed multipart body"), "{garbage}");
        let nameless = parse(
            "multipart/form-data; boundary=B",
            b"--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--\r\n",
        )
        .await
        .unwrap_err();
        assert_eq!(nameless, "a part has no name in its Content-Disposition");

        // Parts that parse but do not fit the type.
        let form = parse_multipart(
            "multipart/form-data; boundary=B",
            bytes::Bytes::from_static(
                b"--B\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n\xff\r\n--B--\r\n",
            ),
        )
        .await
        .unwrap();
        assert_eq!(
            Upload::from_multipart(form).unwrap_err().to_string(),
            "`title`: the part is not UTF-8 text"
        );
        let mut form = Multipart::new();
        form.text("title", &"t".to_string());
        form.text("size", &"big".to_string());
        assert_eq!(
            Upload::from_multipart(form.clone())
                .unwrap_err()
                .to_string(),
            "`size`: expected an integer, found `big`"
        );
        form.parts.pop();
        assert_eq!(
            Upload::from_multipart(form.clone())
                .unwrap_err()
                .to_string(),
            "the part `file` is required"
        );
        form.text("meta", &"{".to_string());
        assert!(
            Upload::from_multipart(form)
                .unwrap_err()
                .to_string()
                .starts_with("`meta`: invalid JSON")
        );
    }
}
