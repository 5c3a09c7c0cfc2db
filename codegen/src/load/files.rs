//! The other files a spec may `$ref`: read from the spec's own directory
//! tree and nowhere else. A path is resolved from the file that names it,
//! normalised lexically, and refused when it is absolute, a URL, or climbs
//! out of the tree (`../../etc/passwd`); on disk, a symbolic link that
//! leads out of the tree is refused too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a spec's other files come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Files {
    /// None: the spec was given as text alone, and a `$ref` to another
    /// file is an error.
    #[default]
    None,
    /// The directory holding the spec: files in it and below it.
    Directory(PathBuf),
    /// Files given as text, keyed by their path relative to the spec's
    /// directory (`schemas/pet.yaml`): for tests and fuzzing.
    Memory(BTreeMap<String, String>),
}

impl Files {
    /// The text of the file at `relative` (already normalised, inside the tree).
    pub(super) fn read(&self, relative: &str) -> Result<String, String> {
        match self {
            Files::None => Err(
                "the spec was given as text, without the files around it, so other files cannot be read"
                    .into(),
            ),
            Files::Memory(files) => files
                .get(relative)
                .cloned()
                .ok_or_else(|| format!("there is no file `{relative}`")),
            Files::Directory(root) => read_under(root, relative),
        }
    }
}

fn read_under(root: &Path, relative: &str) -> Result<String, String> {
    let path = root.join(relative);
    let real_root = root
        .canonicalize()
        .map_err(|e| format!("cannot read the spec's directory {}: {e}", root.display()))?;
    let real = match path.canonicalize() {
        Ok(real) => real,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("there is no file `{relative}`"));
        }
        Err(e) => return Err(format!("cannot read `{relative}`: {e}")),
    };
    if !real.starts_with(&real_root) {
        return Err(format!(
            "`{relative}` is a link to a file outside the spec's directory; refused"
        ));
    }
    std::fs::read_to_string(&real).map_err(|e| format!("cannot read `{relative}`: {e}"))
}

/// The path, relative to the spec's directory, of the file that `target`
/// (as written in a `$ref`) names from the file at `from` (relative too).
pub(super) fn resolve(from: &str, target: &str) -> Result<String, String> {
    if target.contains("://") || has_scheme(target) {
        return Err(format!(
            "`{target}` is a URL; only files beside the spec are read, never the network"
        ));
    }
    if target.starts_with('/') || target.starts_with('\\') || has_drive(target) {
        return Err(format!(
            "`{target}` is an absolute path; only files in the spec's directory are read"
        ));
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in target.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!(
                        "`{target}` leads outside the spec's directory; refused"
                    ));
                }
            }
            part => parts.push(part),
        }
    }
    if parts.is_empty() {
        return Err(format!("`{target}` names no file"));
    }
    Ok(parts.join("/"))
}

/// `http:`, `file:`, `urn:` and the like (but not a Windows drive).
fn has_scheme(target: &str) -> bool {
    match target.split_once(':') {
        Some((scheme, _)) => {
            scheme.len() > 1
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

fn has_drive(target: &str) -> bool {
    let bytes = target.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

/// `dir/file` for display: the root spec's shown path with its file name
/// replaced by `relative`.
pub(super) fn shown(root_shown: &str, relative: &str) -> String {
    match root_shown.rfind('/') {
        Some(end) => format!("{}/{relative}", &root_shown[..end]),
        None => relative.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_from_the_naming_file() {
        assert_eq!(
            resolve("openapi.yaml", "./schemas/pet.yaml").as_deref(),
            Ok("schemas/pet.yaml")
        );
        assert_eq!(
            resolve("resources/pets/list.yml", "../common.yaml").as_deref(),
            Ok("resources/common.yaml")
        );
        assert_eq!(
            resolve("a/b/c.yaml", "../../d.yaml").as_deref(),
            Ok("d.yaml")
        );
        assert_eq!(
            resolve("a/b.yaml", "c\\d.yaml").as_deref(),
            Ok("a/c/d.yaml")
        );
    }

    #[test]
    fn escapes_absolute_paths_and_urls_are_refused() {
        for (target, word) in [
            ("../../etc/passwd", "outside"),
            ("../x.yaml", "outside"),
            ("/etc/passwd", "absolute"),
            ("C:\\x.yaml", "absolute"),
            ("https://example.com/x.yaml", "URL"),
            ("file:///etc/passwd", "URL"),
            ("urn:x", "URL"),
        ] {
            let error = resolve("openapi.yaml", target).unwrap_err();
            assert!(error.contains(word), "{target}: {error}");
        }
    }

    #[test]
    fn a_directory_serves_only_its_own_tree() {
        let base = std::env::temp_dir().join(format!("mfa-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(base.join("spec/schemas")).unwrap();
        std::fs::write(base.join("spec/schemas/pet.yaml"), "Pet: {}").unwrap();
        std::fs::write(base.join("secret.yaml"), "secret").unwrap();
        let files = Files::Directory(base.join("spec"));
        assert_eq!(files.read("schemas/pet.yaml").as_deref(), Ok("Pet: {}"));
        assert!(
            files
                .read("schemas/none.yaml")
                .unwrap_err()
                .contains("no file")
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(base.join("secret.yaml"), base.join("spec/link.yaml"))
                .unwrap();
            let error = files.read("link.yaml").unwrap_err();
            assert!(error.contains("outside"), "{error}");
        }
        assert!(
            Files::None
                .read("x.yaml")
                .unwrap_err()
                .contains("given as text")
        );
    }

    #[test]
    fn other_files_are_shown_beside_the_spec() {
        assert_eq!(
            shown("specs/do/openapi.yaml", "models/a.yml"),
            "specs/do/models/a.yml"
        );
        assert_eq!(shown("openapi.yaml", "models/a.yml"), "models/a.yml");
    }
}
