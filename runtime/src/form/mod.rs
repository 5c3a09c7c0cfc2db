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

mod error;
mod multipart;
mod read;
mod write;

pub use error::FormError;
#[cfg(feature = "server")]
pub use multipart::parse_multipart;
pub use multipart::{FilePart, Multipart, MultipartBody, Part, non_empty, required};
pub(crate) use read::{Node, from_tree, insert, split_inner, split_key, tree};
pub use read::{decode_urlencoded, from_pairs, parse_urlencoded};
pub use write::{encode_urlencoded, to_pairs, to_pairs_under};

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Serialize};

    use super::*;

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
    #[test]
    fn multipart_bodies_round_trip_through_multer() {
        let (content_type, body) = upload().to_multipart().unwrap().encode().unwrap();
        let form = parse_multipart(&content_type, body.into()).unwrap();
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
            Upload::from_multipart(parse_multipart(&content_type, body.into()).unwrap()).unwrap();
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
    #[test]
    fn malformed_multipart_bodies_are_refused() {
        let parse = |content_type: &'static str, body: &'static [u8]| {
            parse_multipart(content_type, bytes::Bytes::from_static(body))
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            parse("multipart/form-data", b"").unwrap_err(),
            "the multipart Content-Type has no boundary"
        );
        let cut = parse(
            "multipart/form-data; boundary=B",
            b"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
        )
        .unwrap_err();
        assert!(cut.starts_with("malformed multipart body"), "{cut}");
        let garbage = parse("multipart/form-data; boundary=B", b"nothing like a form").unwrap_err();
        assert!(garbage.starts_with("malformed multipart body"), "{garbage}");
        let nameless = parse(
            "multipart/form-data; boundary=B",
            b"--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--\r\n",
        )
        .unwrap_err();
        assert_eq!(nameless, "a part has no name in its Content-Disposition");

        // Parts that parse but do not fit the type.
        let form = parse_multipart(
            "multipart/form-data; boundary=B",
            bytes::Bytes::from_static(
                b"--B\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n\xff\r\n--B--\r\n",
            ),
        )
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
