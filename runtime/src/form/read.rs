//! Reading: pairs into a tree of strings, the tree into a typed value.

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use std::collections::BTreeMap;

use super::FormError;
use super::write::child;

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
/// [`to_pairs`](super::to_pairs): brackets nest, repeated keys make lists, and each text is
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
