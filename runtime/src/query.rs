//! Query strings in OpenAPI's styles, both ways: [`QueryString`] writes
//! them (client), the `split_*` and `*_object` readers read them back from
//! decoded pairs (server). Each value is a [`ParamValue`]; objects become
//! pairs as [`crate::form`] describes.
//!
//! | value | style | sent as |
//! | --- | --- | --- |
//! | array | `form`, exploded (the default) | `ids=1&ids=2` |
//! | array | `form` | `ids=1,2` |
//! | array | `spaceDelimited` | `ids=1%202` |
//! | array | `pipeDelimited` | `ids=1\|2` |
//! | object | `form`, exploded (the default) | `owner=ann&limit=5` |
//! | object | `form` (or space / pipe delimited) | `filter=owner,ann,limit,5` |
//! | object | `deepObject` | `filter[owner]=ann&filter[limit]=5` |
//!
//! Each item is percent-encoded on its own and the delimiters are written
//! as the table shows (RFC 6570), so an item holding a `,` is sent as
//! `%2C`. Servers (this one too) read a delimited value by decoding it first
//! and splitting after, as most do: an item that holds its own style's
//! delimiter cannot be told apart from two items, so prefer the exploded
//! styles for free text. Nested objects and arrays inside an object value
//! use the bracket keys described in [`crate::form`].

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::form::{self, FormError};
use crate::param::ParamValue;

/// What separates the items of a non-exploded array or object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiter {
    /// `form` style: `a,b`.
    Comma,
    /// `spaceDelimited`: `a%20b`.
    Space,
    /// `pipeDelimited`: `a|b`.
    Pipe,
}

impl Delimiter {
    /// The delimiter once decoded.
    pub fn as_char(self) -> char {
        match self {
            Delimiter::Comma => ',',
            Delimiter::Space => ' ',
            Delimiter::Pipe => '|',
        }
    }

    /// The delimiter as written between encoded items.
    pub fn encoded(self) -> &'static str {
        match self {
            Delimiter::Comma => ",",
            Delimiter::Space => "%20",
            Delimiter::Pipe => "|",
        }
    }
}

/// How an object travels in a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectStyle {
    /// `form`, exploded: each property its own pair, `owner=ann&limit=5`.
    Exploded,
    /// Not exploded: `filter=owner,ann,limit,5` (with this delimiter).
    Delimited(Delimiter),
    /// `deepObject`: `filter[owner]=ann&filter[limit]=5`.
    DeepObject,
}

/// Which query pairs belong to an exploded object: its properties mix with
/// the other parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKeys<'a> {
    /// The object's properties (a struct without additional properties).
    Only(&'a [&'a str]),
    /// Every pair except these: the operation's other query parameters (a
    /// map, or a struct with additional properties).
    AllBut(&'a [&'a str]),
}

/// Build a query string in order, encoding names and values
/// (`application/x-www-form-urlencoded`, the encoding servers expect).
#[derive(Debug, Default, Clone)]
pub struct QueryString {
    encoded: String,
}

impl QueryString {
    /// An empty query string.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add `name=value`, both form-encoded.
    pub fn push(&mut self, name: &str, value: &str) {
        if !self.encoded.is_empty() {
            self.encoded.push('&');
        }
        self.encoded
            .extend(form_urlencoded::byte_serialize(name.as_bytes()));
        self.encoded.push('=');
        self.encoded
            .extend(form_urlencoded::byte_serialize(value.as_bytes()));
    }

    /// Add `name=value` with `value` written as a parameter.
    pub fn push_value<T: ParamValue>(&mut self, name: &str, value: &T) {
        self.push(name, &value.to_param());
    }

    /// An array: `name=a&name=b` when `explode`, `name=a,b` otherwise.
    pub fn push_array<T: ParamValue>(&mut self, name: &str, values: &[T], explode: bool) {
        if explode {
            for value in values {
                self.push_value(name, value);
            }
        } else {
            self.push_delimited(name, values, Delimiter::Comma);
        }
    }

    /// A non-exploded array with its style's delimiter: `name=a,b`,
    /// `name=a%20b` or `name=a|b`.
    pub fn push_delimited<T: ParamValue>(
        &mut self,
        name: &str,
        values: &[T],
        delimiter: Delimiter,
    ) {
        let items: Vec<String> = values.iter().map(ParamValue::to_param).collect();
        self.push_joined(name, &items, delimiter);
    }

    /// `name=` then each item encoded on its own, joined by the delimiter.
    fn push_joined<S: AsRef<str>>(&mut self, name: &str, items: &[S], delimiter: Delimiter) {
        if !self.encoded.is_empty() {
            self.encoded.push('&');
        }
        self.encoded
            .extend(form_urlencoded::byte_serialize(name.as_bytes()));
        self.encoded.push('=');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.encoded.push_str(delimiter.encoded());
            }
            self.encoded
                .extend(form_urlencoded::byte_serialize(item.as_ref().as_bytes()));
        }
    }

    /// An object (a struct or map) in `style`; `None` properties are left
    /// out. Fails only for a value that is not an object.
    pub fn push_object<T: Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
        style: ObjectStyle,
    ) -> Result<(), FormError> {
        let at = |e: FormError| FormError::new(format!("query parameter `{name}`: {e}"));
        match style {
            ObjectStyle::Exploded => {
                for (key, value) in form::to_pairs(value).map_err(at)? {
                    self.push(&key, &value);
                }
            }
            ObjectStyle::DeepObject => {
                for (key, value) in form::to_pairs_under(name, value).map_err(at)? {
                    self.push(&key, &value);
                }
            }
            ObjectStyle::Delimited(delimiter) => {
                let pairs = form::to_pairs(value).map_err(at)?;
                let items: Vec<&str> = pairs
                    .iter()
                    .flat_map(|(k, v)| [k.as_str(), v.as_str()])
                    .collect();
                self.push_joined(name, &items, delimiter);
            }
        }
        Ok(())
    }

    /// The encoded string so far, without a leading `?`.
    pub fn as_str(&self) -> &str {
        &self.encoded
    }

    /// The encoded string without the leading `?`, empty when nothing was pushed.
    pub fn finish(self) -> String {
        self.encoded
    }
}

/// Split a non-exploded array parameter (`a,b,c`) into values.
pub fn split_array<T: ParamValue>(text: &str) -> Result<Vec<T>, String> {
    split_delimited(text, Delimiter::Comma)
}

/// Split a non-exploded array parameter, already decoded, on its delimiter.
pub fn split_delimited<T: ParamValue>(text: &str, delimiter: Delimiter) -> Result<Vec<T>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(delimiter.as_char()).map(T::from_param).collect()
}

/// An exploded object read back from a query's decoded pairs: the pairs
/// `keys` selects, each parsed as its property's type. `None` when none is
/// there, unless `required` and the object can be empty (every property
/// optional), since an empty object sends nothing.
pub fn exploded_object<T: DeserializeOwned>(
    pairs: &[(String, String)],
    keys: ObjectKeys<'_>,
    required: bool,
) -> Result<Option<T>, FormError> {
    let belongs = |key: &str| {
        let base = form::split_key(key)[0];
        match keys {
            ObjectKeys::Only(fields) => fields
                .iter()
                .any(|f| *f == key || form::split_key(f)[0] == base),
            ObjectKeys::AllBut(others) => !others.contains(&key) && !others.contains(&base),
        }
    };
    let selected: Vec<&(String, String)> = pairs.iter().filter(|(k, _)| belongs(k)).collect();
    let tree = match keys {
        // A struct's properties may nest (`page[size]`).
        ObjectKeys::Only(_) => form::tree(selected.iter().map(|(k, v)| (k, v)))?,
        // An open map's keys are its entries' names, brackets and all.
        ObjectKeys::AllBut(_) => {
            let mut tree = std::collections::BTreeMap::new();
            for (key, value) in &selected {
                form::insert(&mut tree, &[key.as_str()], value)?;
            }
            tree
        }
    };
    object_from(tree, "", selected.is_empty(), required)
}

/// A `deepObject` read back from a query's decoded pairs: every
/// `name[key]=value` (nested: `name[key][sub]=value`).
pub fn deep_object<T: DeserializeOwned>(
    pairs: &[(String, String)],
    name: &str,
    required: bool,
) -> Result<Option<T>, FormError> {
    let mut tree = std::collections::BTreeMap::new();
    let mut empty = true;
    for (key, value) in pairs {
        let Some(inner) = key
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('['))
            .and_then(|rest| rest.strip_suffix(']'))
        else {
            continue;
        };
        form::insert(&mut tree, &form::split_inner(name, inner), value)?;
        empty = false;
    }
    let object = match tree.remove(name) {
        Some(form::Node::Map(object)) => object,
        _ => std::collections::BTreeMap::new(),
    };
    object_from(object, name, empty, required)
}

fn object_from<T: DeserializeOwned>(
    tree: std::collections::BTreeMap<String, form::Node>,
    path: &str,
    empty: bool,
    required: bool,
) -> Result<Option<T>, FormError> {
    if empty && !required {
        return Ok(None);
    }
    match form::from_tree(tree, path) {
        Ok(value) => Ok(Some(value)),
        // Nothing was sent and the object cannot be empty: it is missing.
        Err(_) if empty => Ok(None),
        Err(e) => Err(e),
    }
}

/// A non-exploded object (`owner,ann,limit,5`), already decoded: keys and
/// values alternate, split on the delimiter. An empty text is an empty object.
pub fn delimited_object<T: DeserializeOwned>(
    text: &str,
    delimiter: Delimiter,
) -> Result<T, FormError> {
    let items: Vec<&str> = if text.is_empty() {
        Vec::new()
    } else {
        text.split(delimiter.as_char()).collect()
    };
    if !items.len().is_multiple_of(2) {
        return Err(FormError::new(format!(
            "expected keys and values in turn (`key{d}value{d}...`), found {} items",
            items.len(),
            d = delimiter.as_char()
        )));
    }
    let tree = form::tree(items.chunks(2).map(|pair| (pair[0], pair[1])))?;
    form::from_tree(tree, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_split_on_commas() {
        assert_eq!(split_array::<i32>("1,2,3"), Ok(vec![1, 2, 3]));
        assert_eq!(split_array::<String>(""), Ok(vec![]));
        assert!(split_array::<i32>("1,x").is_err());
    }

    #[test]
    fn query_strings_encode_and_keep_order() {
        let mut q = QueryString::new();
        q.push("_action", "reset");
        q.push_value("limit", &10_i64);
        q.push_array("ids", &["a b".to_string(), "c&d".to_string()], true);
        q.push_array("tags", &["x".to_string(), "y".to_string()], false);
        assert_eq!(
            q.finish(),
            "_action=reset&limit=10&ids=a+b&ids=c%26d&tags=x,y"
        );
        assert_eq!(QueryString::new().finish(), "");
    }

    /// The server's view of a query string: decoded pairs, as `Incoming` keeps them.
    fn decoded(query: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Filter {
        owner: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        active: Option<bool>,
        #[serde(rename = "a[b]", default, skip_serializing_if = "Option::is_none")]
        bracketed: Option<String>,
    }

    const FIELDS: &[&str] = &["owner", "limit", "active", "a[b]"];

    fn tricky() -> Filter {
        Filter {
            owner: "Ann & Bob = \"ü\" [x],y|z".into(),
            limit: Some(-5),
            active: Some(true),
            bracketed: Some("1+1=2".into()),
        }
    }

    fn sent(style: ObjectStyle, value: &Filter) -> String {
        let mut q = QueryString::new();
        q.push("other", "1");
        q.push_object("filter", value, style).unwrap();
        q.finish()
    }

    #[test]
    fn objects_in_each_style_look_as_the_spec_shows() {
        let simple = Filter {
            owner: "ann".into(),
            limit: Some(5),
            active: None,
            bracketed: None,
        };
        assert_eq!(
            sent(ObjectStyle::Exploded, &simple),
            "other=1&owner=ann&limit=5"
        );
        assert_eq!(
            sent(ObjectStyle::Delimited(Delimiter::Comma), &simple),
            "other=1&filter=owner,ann,limit,5"
        );
        assert_eq!(
            sent(ObjectStyle::Delimited(Delimiter::Space), &simple),
            "other=1&filter=owner%20ann%20limit%205"
        );
        assert_eq!(
            sent(ObjectStyle::Delimited(Delimiter::Pipe), &simple),
            "other=1&filter=owner|ann|limit|5"
        );
        assert_eq!(
            sent(ObjectStyle::DeepObject, &simple),
            "other=1&filter%5Bowner%5D=ann&filter%5Blimit%5D=5"
        );
        // Keys and values are encoded on their own: `[`, `]`, `&`, `=`,
        // spaces and non-ASCII text.
        assert_eq!(
            sent(ObjectStyle::DeepObject, &tricky()),
            "other=1&filter%5Bowner%5D=Ann+%26+Bob+%3D+%22%C3%BC%22+%5Bx%5D%2Cy%7Cz\
             &filter%5Blimit%5D=-5&filter%5Bactive%5D=true&filter%5Ba%5Bb%5D%5D=1%2B1%3D2"
        );
        let mut q = QueryString::new();
        assert!(
            q.push_object("n", &5, ObjectStyle::Exploded)
                .unwrap_err()
                .to_string()
                .contains("query parameter `n`: expected an object")
        );
    }

    #[test]
    fn exploded_and_deep_objects_round_trip() {
        let pairs = decoded(&sent(ObjectStyle::Exploded, &tricky()));
        let back: Option<Filter> =
            exploded_object(&pairs, ObjectKeys::Only(FIELDS), false).unwrap();
        assert_eq!(back, Some(tricky()));
        let back: Option<Filter> =
            exploded_object(&pairs, ObjectKeys::AllBut(&["other"]), false).unwrap();
        assert_eq!(back, Some(tricky()));
        // A map takes every pair that is not another parameter.
        let map: Option<std::collections::BTreeMap<String, String>> =
            exploded_object(&pairs, ObjectKeys::AllBut(&["other", "owner", "a"]), false).unwrap();
        assert_eq!(
            map.unwrap().into_iter().collect::<Vec<_>>(),
            [
                ("active".to_string(), "true".to_string()),
                ("limit".into(), "-5".into())
            ]
        );

        let pairs = decoded(&sent(ObjectStyle::DeepObject, &tricky()));
        let back: Option<Filter> = deep_object(&pairs, "filter", false).unwrap();
        assert_eq!(back, Some(tricky()));
        // Brackets sent unencoded read the same.
        let pairs = decoded("filter[owner]=ann&filter[limit]=7&filterx[owner]=no");
        let back: Option<Filter> = deep_object(&pairs, "filter", true).unwrap();
        assert_eq!(back.unwrap().limit, Some(7));
    }

    #[test]
    fn delimited_objects_round_trip_unless_an_item_holds_the_delimiter() {
        let plain = Filter {
            owner: "Ann & Bob = ü".into(),
            limit: Some(3),
            active: Some(false),
            bracketed: Some("x=[1]".into()),
        };
        for delimiter in [Delimiter::Comma, Delimiter::Pipe] {
            let pairs = decoded(&sent(ObjectStyle::Delimited(delimiter), &plain));
            assert_eq!(pairs[1].0, "filter");
            let back: Filter = delimited_object(&pairs[1].1, delimiter).unwrap();
            assert_eq!(back, plain, "{delimiter:?}");
        }
        // Spaces inside items are what spaceDelimited cannot carry.
        let spaceless = Filter {
            owner: "Ann&Bob=ü".into(),
            ..plain.clone()
        };
        let pairs = decoded(&sent(ObjectStyle::Delimited(Delimiter::Space), &spaceless));
        let back: Filter = delimited_object(&pairs[1].1, Delimiter::Space).unwrap();
        assert_eq!(back, spaceless);
        // The comma is sent encoded (RFC 6570), but decoded first it splits.
        let pairs = decoded(&sent(ObjectStyle::Delimited(Delimiter::Comma), &tricky()));
        assert!(pairs[1].1.contains("[x],y|z"));
        assert!(delimited_object::<Filter>(&pairs[1].1, Delimiter::Comma).is_err());
    }

    #[test]
    fn absent_and_empty_objects() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct AllOptional {
            a: Option<i32>,
        }
        let none: &[(String, String)] = &[];
        assert_eq!(
            exploded_object::<Filter>(none, ObjectKeys::Only(FIELDS), false),
            Ok(None)
        );
        assert_eq!(
            exploded_object::<Filter>(none, ObjectKeys::Only(FIELDS), true),
            Ok(None)
        );
        assert_eq!(
            exploded_object::<AllOptional>(none, ObjectKeys::Only(&["a"]), true),
            Ok(Some(AllOptional { a: None }))
        );
        assert_eq!(deep_object::<AllOptional>(none, "f", false), Ok(None));
        assert_eq!(
            deep_object::<AllOptional>(none, "f", true),
            Ok(Some(AllOptional { a: None }))
        );
        assert_eq!(
            delimited_object::<AllOptional>("", Delimiter::Comma),
            Ok(AllOptional { a: None })
        );
    }

    #[test]
    fn malformed_objects_are_refused_with_the_key_at_fault() {
        let err = |r: Result<Option<Filter>, FormError>| r.unwrap_err().to_string();
        assert_eq!(
            err(deep_object(
                &decoded("filter[owner]=a&filter[limit]=lots"),
                "filter",
                false
            )),
            "`filter[limit]`: expected an integer, found `lots`"
        );
        assert_eq!(
            err(deep_object(&decoded("filter[limit]=1"), "filter", false)),
            "`filter`: missing field `owner`"
        );
        assert_eq!(
            err(deep_object(
                &decoded("filter[owner]=a&filter[owner][x]=b"),
                "filter",
                false
            )),
            "`filter[owner]`: given both as a value and as `filter[owner][...]` pairs"
        );
        assert_eq!(
            err(exploded_object(
                &decoded("owner=a&owner=b"),
                ObjectKeys::Only(FIELDS),
                false
            )),
            "`owner`: expected one value, found 2 (the key is repeated)"
        );
        assert_eq!(
            err(exploded_object(
                &decoded("owner=a&active=maybe"),
                ObjectKeys::Only(FIELDS),
                false
            )),
            "`active`: expected `true` or `false`, found `maybe`"
        );
        assert_eq!(
            delimited_object::<Filter>("owner,a,limit", Delimiter::Comma)
                .unwrap_err()
                .to_string(),
            "expected keys and values in turn (`key,value,...`), found 3 items"
        );
        assert_eq!(
            delimited_object::<Filter>("owner|a|limit|x", Delimiter::Pipe)
                .unwrap_err()
                .to_string(),
            "`limit`: expected an integer, found `x`"
        );
    }

    #[test]
    fn space_and_pipe_delimited_arrays_round_trip() {
        let values = vec!["a&b".to_string(), "ü=1".into(), "c,d".into()];
        let mut q = QueryString::new();
        q.push_delimited("s", &values, Delimiter::Space);
        q.push_delimited("p", &values, Delimiter::Pipe);
        q.push_delimited("n", &[1_i64, 2], Delimiter::Pipe);
        q.push_delimited::<String>("e", &[], Delimiter::Pipe);
        let query = q.finish();
        assert_eq!(
            query,
            "s=a%26b%20%C3%BC%3D1%20c%2Cd&p=a%26b|%C3%BC%3D1|c%2Cd&n=1|2&e="
        );
        let pairs = decoded(&query);
        assert_eq!(
            split_delimited::<String>(&pairs[0].1, Delimiter::Space),
            Ok(values.clone())
        );
        assert_eq!(
            split_delimited::<String>(&pairs[1].1, Delimiter::Pipe),
            Ok(values)
        );
        assert_eq!(
            split_delimited::<i64>(&pairs[2].1, Delimiter::Pipe),
            Ok(vec![1, 2])
        );
        assert_eq!(
            split_delimited::<i64>(&pairs[3].1, Delimiter::Pipe),
            Ok(vec![])
        );
        assert_eq!(
            split_delimited::<i64>("1|x", Delimiter::Pipe),
            Err("expected an integer, found `x`".to_string())
        );
        // A client that encodes the delimiter too is read the same.
        assert_eq!(
            split_delimited::<String>(&decoded("p=a%7Cb")[0].1, Delimiter::Pipe),
            Ok(vec!["a".to_string(), "b".into()])
        );
    }
}
