//! Which specs a corpus run covers: files named on the command line, the
//! spec files in named directories (with `--recursive`, in their whole
//! tree, as the APIs.guru directory needs), the paths in list files, and a
//! deterministic sample of them.

use std::path::{Path, PathBuf};

use xtask::project;

/// One spec of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub path: PathBuf,
    /// How it is reported and keyed in the results file: its path relative
    /// to the directory it was found in, or as given.
    pub label: String,
}

/// Where to look.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub paths: Vec<PathBuf>,
    /// Files listing one spec path per line (`#` comments, blank lines).
    pub lists: Vec<PathBuf>,
    pub recursive: bool,
}

/// Every spec the sources name, in a stable order, without repeats.
pub fn collect(sources: &Sources) -> Result<Vec<Spec>, String> {
    let mut out = Vec::new();
    for path in &sources.paths {
        if path.is_dir() {
            let files = if sources.recursive {
                tree_files(path)?
            } else {
                project::spec_files(path)?
            };
            for file in files {
                let relative = file.strip_prefix(path).unwrap_or(&file);
                out.push(Spec {
                    label: slashed(relative),
                    path: file,
                });
            }
        } else if path.exists() {
            out.push(Spec {
                label: label_of_file(path),
                path: path.clone(),
            });
        } else {
            return Err(format!("{} does not exist", path.display()));
        }
    }
    for list in &sources.lists {
        let text = std::fs::read_to_string(list)
            .map_err(|e| format!("cannot read {}: {e}", list.display()))?;
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            out.push(Spec {
                label: line.to_string(),
                path: PathBuf::from(line),
            });
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|spec| seen.insert(spec.label.clone()));
    Ok(out)
}

/// A file named on its own is labelled by its name, unless that would be
/// ambiguous with a later one; its parent directory then tells them apart.
fn label_of_file(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    match (path.parent().and_then(Path::file_name), name) {
        (Some(parent), Some(name)) if name.starts_with("openapi.") => {
            format!("{}/{name}", parent.to_string_lossy())
        }
        (_, Some(name)) => name,
        _ => slashed(path),
    }
}

fn slashed(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Spec files anywhere under `dir`, sorted by path.
fn tree_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if kind.is_dir() {
                pending.push(path);
            } else if is_spec_file(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn is_spec_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// `count` of `specs` chosen by `seed`, in the seed's order. The choice
/// depends only on each spec's label and the seed (a hash of both, lowest
/// first), so it is the same on every machine and a spec added to the
/// directory does not reshuffle the rest of the sample. Kept in that order
/// rather than by label, so that a run stopped anywhere, or resumed over
/// several sessions, has done a random sample of the specs (the first `k`
/// of any larger sample with the seed) and not the alphabet's first vendors.
pub fn sample(mut specs: Vec<Spec>, count: usize, seed: u64) -> Vec<Spec> {
    specs.sort_by_cached_key(|spec| (score(seed, &spec.label), spec.label.clone()));
    specs.truncate(count);
    specs
}

/// FNV-1a over the seed and the label, then splitmix64's finaliser so that
/// labels differing in their last byte land far apart. Hand-written because
/// std's hashers are not guaranteed stable across Rust releases.
fn score(seed: u64, label: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in seed.to_le_bytes().iter().chain(label.as_bytes()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash = (hash ^ (hash >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash = (hash ^ (hash >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^ (hash >> 31)
}

/// A short stable hex digest of `text`, to make names unique.
pub fn digest(text: &str) -> String {
    format!("{:08x}", score(0, text) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(labels: &[&str]) -> Vec<Spec> {
        labels
            .iter()
            .map(|l| Spec {
                path: PathBuf::from(l),
                label: l.to_string(),
            })
            .collect()
    }

    #[test]
    fn samples_are_deterministic_prefixes_and_sized() {
        let all: Vec<String> = (0..500).map(|i| format!("vendor{i}.json")).collect();
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let a = sample(specs(&all), 20, 7);
        let b = sample(specs(&all).into_iter().rev().collect(), 20, 7);
        assert_eq!(a, b, "the input order does not matter");
        assert_eq!(a.len(), 20);
        // Any prefix of a run is a sample: the first 20 of a 100-spec
        // sample are the 20-spec sample, so a run stopped after 20 specs
        // has checked what `--sample 20` would have.
        assert_eq!(sample(specs(&all), 100, 7)[..20], a[..]);
        assert!(
            !a.windows(2).all(|w| w[0].label < w[1].label),
            "in the seed's order, not the labels'"
        );
        assert_ne!(a, sample(specs(&all), 20, 8), "the seed does");
        // A spec added to the population leaves the others' ranks alone:
        // the sample changes by at most that one spec.
        let mut more = all.clone();
        more.push("newcomer.json");
        let c = sample(specs(&more), 20, 7);
        let common = c.iter().filter(|s| a.contains(s)).count();
        assert!(common >= 19, "{common}");
        assert_eq!(sample(specs(&all[..3]), 20, 7).len(), 3);
    }

    #[test]
    fn the_score_is_fixed_across_releases() {
        // Changing these values changes every published sample.
        assert_eq!(score(0, ""), 0x813f_0174_a236_7c13);
        assert_eq!(digest("github.com/api.github.com.json").len(), 8);
    }

    #[test]
    fn trees_and_lists_are_collected_with_labels() {
        let dir = std::env::temp_dir().join(format!("xtask-specs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("vendor.com")).unwrap();
        std::fs::write(dir.join("a.json"), "{}").unwrap();
        std::fs::write(dir.join("vendor.com/b.yaml"), "{}").unwrap();
        std::fs::write(dir.join("notes.txt"), "").unwrap();
        let flat = collect(&Sources {
            paths: vec![dir.clone()],
            ..Sources::default()
        })
        .unwrap();
        let labels: Vec<_> = flat.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["a.json"]);
        let list = dir.join("list.txt");
        let listed = dir.join("a.json").display().to_string();
        std::fs::write(&list, format!("# a comment\n\n{listed}\n")).unwrap();
        let deep = collect(&Sources {
            paths: vec![dir.clone()],
            lists: vec![list],
            recursive: true,
        })
        .unwrap();
        let labels: Vec<_> = deep.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["a.json", "vendor.com/b.yaml", listed.as_str()]);
        assert!(
            collect(&Sources {
                paths: vec![dir.join("absent")],
                ..Sources::default()
            })
            .is_err()
        );
    }
}
