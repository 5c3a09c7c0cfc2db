//! The names lock: the Rust name given to each item of a spec, keyed by the
//! item's identity in the spec, so a later version of the spec gives every
//! item that is still there the same name, whatever was added, removed or
//! reordered around it.
//!
//! `cargo xtask gen` reads `specs/<stem>.names.lock` beside each spec and
//! writes it back: an entry whose item is still in the spec is kept as it
//! is (the lock wins over the naming rules), a new item gets an entry, and
//! the entry of an item that left the spec is dropped. Dropping rather than
//! reserving is deliberate: a vendor who renames `getUsers` to `GetUsers`
//! changes the item's identity, not its Rust name, and a reserved old entry
//! would push the renamed item to `get_users_2`, a breaking change for
//! nothing. The file is TOML, one table per kind of name and one line per
//! item, sorted, so a regeneration's new names read as added lines.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One kind of name, and so one table of the lock file. Items compete for
/// names within scopes (a struct's fields, an operation's parameters), not
/// tables; a table holds one kind of name for every scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    /// The `types` file's types. Key: the type's origin (see `type_key` in the naming rules).
    Types,
    /// Struct fields. Key: `<type key>/<property>`.
    Fields,
    /// Enum and union variants. Key: `<type key>/<value or tag>`.
    Variants,
    /// Client and trait methods. Key: the operationId.
    Methods,
    /// The stem of an operation's types (`ResetDevice` of
    /// `ResetDeviceInput`). Key: the operationId.
    Operations,
    /// Call builders. Key: the operationId.
    Builders,
    /// Input fields. Key: `<operationId>/<in>/<name>`, or
    /// `<operationId>/body` for the request body.
    Parameters,
    /// Response header fields. Key: `<operationId>/<status>/<header>`.
    Headers,
    /// A security scheme's snake-case name (its constants are this in upper
    /// case). Key: the scheme's key.
    Schemes,
    /// A scheme's credential methods. Key: the scheme's key, and
    /// `<key>/named` for an API key's `_named` method.
    Credentials,
    /// The functions filling in a server URL's variables. Key: the URL.
    Servers,
    /// Their arguments. Key: `<url>/<variable>`.
    ///
    /// Keys made of several words escape `~` and `/` in each word as a
    /// JSON pointer does (`~0`, `~1`), so they cannot be confused.
    ServerVariables,
}

impl Table {
    /// Every table, in the order a lock file lists them.
    pub const ALL: [Table; 12] = [
        Table::Types,
        Table::Fields,
        Table::Variants,
        Table::Methods,
        Table::Operations,
        Table::Builders,
        Table::Parameters,
        Table::Headers,
        Table::Schemes,
        Table::Credentials,
        Table::Servers,
        Table::ServerVariables,
    ];

    /// The table's name in the file.
    pub fn name(self) -> &'static str {
        match self {
            Table::Types => "types",
            Table::Fields => "fields",
            Table::Variants => "variants",
            Table::Methods => "methods",
            Table::Operations => "operations",
            Table::Builders => "builders",
            Table::Parameters => "parameters",
            Table::Headers => "headers",
            Table::Schemes => "schemes",
            Table::Credentials => "credentials",
            Table::Servers => "servers",
            Table::ServerVariables => "server_variables",
        }
    }

    fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// Names keyed by table and item identity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameLock {
    entries: BTreeMap<Table, BTreeMap<String, String>>,
}

impl NameLock {
    /// The name locked for the item `key` of `table`.
    pub fn get(&self, table: Table, key: &str) -> Option<&str> {
        self.entries.get(&table)?.get(key).map(String::as_str)
    }

    /// Give the item `key` of `table` the name `name`.
    pub fn insert(&mut self, table: Table, key: String, name: String) {
        self.entries.entry(table).or_default().insert(key, name);
    }

    /// Whether the lock names nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.values().all(BTreeMap::is_empty)
    }

    /// How many names are locked.
    pub fn len(&self) -> usize {
        self.entries.values().map(BTreeMap::len).sum()
    }

    /// Every entry: table, key, name.
    pub fn iter(&self) -> impl Iterator<Item = (Table, &str, &str)> {
        self.entries.iter().flat_map(|(table, entries)| {
            entries
                .iter()
                .map(|(key, name)| (*table, key.as_str(), name.as_str()))
        })
    }

    /// Read a lock file. `path` names it in errors. Every name must be a
    /// Rust identifier (the file may be edited by hand to rename an item).
    pub fn parse(path: &str, text: &str) -> Result<NameLock, String> {
        let raw: BTreeMap<String, BTreeMap<String, String>> =
            toml::from_str(text).map_err(|e| format!("{path}: {e}"))?;
        let mut lock = NameLock::default();
        for (table_name, entries) in raw {
            let table = Table::from_name(&table_name).ok_or_else(|| {
                format!(
                    "{path}: unknown table `[{table_name}]` (expected one of: {})",
                    Table::ALL.map(Table::name).join(", ")
                )
            })?;
            for (key, name) in entries {
                if !is_identifier(&name) {
                    return Err(format!(
                        "{path}: [{table_name}] `{key}` = `{name}` is not a Rust identifier"
                    ));
                }
                lock.insert(table, key, name);
            }
        }
        Ok(lock)
    }

    /// The lock file's text for the spec at `spec_path`: a header, then one
    /// table per kind of name, keys sorted.
    pub fn render(&self, spec_path: &str) -> String {
        let mut out = format!(
            "# The Rust name of each item of {spec_path}, keyed by where the item\n\
             # comes from in the spec. Written by `cargo xtask gen`, which keeps every\n\
             # entry whose item is still in the spec (so a new version of the spec never\n\
             # renames it), adds one per new item and drops those of removed items.\n\
             # To rename an item, edit its name here and run `cargo xtask gen`.\n"
        );
        for (table, entries) in &self.entries {
            if entries.is_empty() {
                continue;
            }
            let _ = write!(out, "\n[{}]\n", table.name());
            for (key, name) in entries {
                let _ = writeln!(out, "{} = {}", toml_key(key), toml_string(name));
            }
        }
        out
    }
}

/// A Rust identifier, raw ones (`r#type`) included.
fn is_identifier(name: &str) -> bool {
    syn::parse_str::<syn::Ident>(name).is_ok()
}

/// A TOML key: bare when it can be, quoted otherwise.
fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        toml_string(key)
    }
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One word of a key: `/` separates words, so it is escaped as in a JSON
/// pointer (`~` as `~0`, `/` as `~1`).
pub fn key_word(word: &str) -> String {
    word.replace('~', "~0").replace('/', "~1")
}

/// A key made of words.
pub fn key_path<S: AsRef<str>>(words: impl IntoIterator<Item = S>) -> String {
    words
        .into_iter()
        .map(|w| key_word(w.as_ref()))
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_reads_back_what_it_wrote() {
        let mut lock = NameLock::default();
        lock.insert(Table::Types, "Thing".into(), "Thing".into());
        lock.insert(Table::Types, "THING".into(), "Thing2".into());
        lock.insert(
            Table::Fields,
            key_path(["Thing", "a/b \"quoted\"\t~"]),
            "a_b_quoted".into(),
        );
        lock.insert(Table::Fields, "Thing/type".into(), "r#type".into());
        lock.insert(Table::Parameters, "getThing/body".into(), "body_2".into());
        let text = lock.render("specs/x.yaml");
        assert!(text.contains("[types]\nTHING = \"Thing2\"\nThing = \"Thing\"\n"));
        assert!(text.contains("\"Thing/a~1b \\\"quoted\\\"\\t~0\" = \"a_b_quoted\""));
        assert_eq!(NameLock::parse("x.names.lock", &text).unwrap(), lock);
        assert_eq!(lock.len(), 5);
    }

    #[test]
    fn a_hand_edited_lock_is_checked() {
        let error = NameLock::parse("x.names.lock", "[type]\nA = \"A\"\n").unwrap_err();
        assert!(error.contains("unknown table `[type]`"), "{error}");
        let error = NameLock::parse("x.names.lock", "[types]\nA = \"not an ident\"\n").unwrap_err();
        assert!(error.contains("is not a Rust identifier"), "{error}");
        let error = NameLock::parse("x.names.lock", "[types]\nA = 1\n").unwrap_err();
        assert!(error.starts_with("x.names.lock: "), "{error}");
        assert!(
            NameLock::parse("x.names.lock", "# empty\n")
                .unwrap()
                .is_empty()
        );
    }
}
