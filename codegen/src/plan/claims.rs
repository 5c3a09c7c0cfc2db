//! Deciding who gets a contested name. Items compete for names within a
//! scope (a module's types, a struct's fields, an operation's parameters);
//! each claims its natural name (its spelling turned into an identifier)
//! and [`Namer::assign`] decides, in three passes:
//!
//! 1. an item the names lock knows keeps its locked name;
//! 2. each other item gets its natural name if no one holds it, the items
//!    wanting one name taken in a fixed order: by `rank` (component schemas
//!    before inline types, parameters before the body), then the item
//!    spelled exactly like the name (`Thing` before `THING`), then the one
//!    whose letters differ least from it (`self` before `Self` for the
//!    field `self_`, `getThing` before `GetThing` for `get_thing`), then
//!    by identity;
//! 3. the rest get numeric suffixes (`Thing2`, `status_2`), in that order.
//!
//! Nothing depends on the spec's order, so reordering a spec renames
//! nothing even without a lock; with one, adding or removing items renames
//! nothing either.

use std::collections::BTreeSet;

use super::lock::{NameLock, Table};

/// One item wanting a name.
#[derive(Debug, Clone)]
pub(super) struct Claim {
    /// The kind of name, and so the lock's table holding it.
    pub table: Table,
    /// The item's identity: its key in the lock's `table`.
    pub key: String,
    /// Its spelling in the spec (`status`, `THING`).
    pub spelling: String,
    /// The identifier the naming rules make of it.
    pub natural: String,
    /// Lower ranks choose first.
    pub rank: u8,
}

impl Claim {
    pub fn new(table: Table, key: String, spelling: &str, natural: String) -> Claim {
        Claim {
            table,
            key,
            spelling: spelling.to_string(),
            natural,
            rank: 0,
        }
    }

    pub fn rank(mut self, rank: u8) -> Claim {
        self.rank = rank;
        self
    }

    /// How far the spelling is from the natural name, letter by letter,
    /// separators aside: `self` is 0 from `self_`, `Self` 1.
    fn distance(&self) -> usize {
        let letters = |text: &str| -> Vec<char> {
            let text = text.strip_prefix("r#").unwrap_or(text);
            text.chars().filter(|c| c.is_alphanumeric()).collect()
        };
        let (spelled, natural) = (letters(&self.spelling), letters(&self.natural));
        let differing = spelled.iter().zip(&natural).filter(|(a, b)| a != b).count();
        differing + spelled.len().abs_diff(natural.len())
    }
}

/// The names every scope's items are checked against, and where the names
/// decided are recorded.
pub(super) struct Namer<'l> {
    lock: &'l NameLock,
    /// Every name given, to be written back as the new lock.
    pub given: NameLock,
    /// Locked names that could not be kept (taken by the generator itself,
    /// or given twice in one scope by a hand edit), for warnings.
    pub conflicts: Vec<String>,
}

impl<'l> Namer<'l> {
    pub fn new(lock: &'l NameLock) -> Self {
        Namer {
            lock,
            given: NameLock::default(),
            conflicts: Vec::new(),
        }
    }

    /// Names for `claims`, in their order, none of them in `reserved`.
    pub fn assign(&mut self, reserved: &[&str], claims: &[Claim]) -> Vec<String> {
        self.assign_with(reserved, claims, |name| vec![name.to_string()])
    }

    /// Like [`Namer::assign`], where a name also takes the other names
    /// `footprint` gives (an operation's `X` takes `XInput`, `XSuccess`
    /// and `XError` too).
    pub fn assign_with(
        &mut self,
        reserved: &[&str],
        claims: &[Claim],
        footprint: impl Fn(&str) -> Vec<String>,
    ) -> Vec<String> {
        let mut taken: BTreeSet<String> = reserved.iter().map(ToString::to_string).collect();
        let mut names: Vec<Option<String>> = vec![None; claims.len()];
        let mut order: Vec<usize> = (0..claims.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&claims[a], &claims[b]);
            (a.rank, a.spelling != a.natural, a.distance(), &a.key).cmp(&(
                b.rank,
                b.spelling != b.natural,
                b.distance(),
                &b.key,
            ))
        });
        let take = |name: &str, taken: &mut BTreeSet<String>| -> bool {
            let all = footprint(name);
            if all.iter().any(|n| taken.contains(n)) {
                return false;
            }
            taken.extend(all);
            true
        };
        for &i in &order {
            let Some(locked) = self.lock.get(claims[i].table, &claims[i].key) else {
                continue;
            };
            if take(locked, &mut taken) {
                names[i] = Some(locked.to_string());
            } else {
                self.conflicts.push(format!(
                    "the names lock gives `{locked}` to [{}] `{}`, but that name is taken; it gets a new one",
                    claims[i].table.name(),
                    claims[i].key
                ));
            }
        }
        for &i in &order {
            if names[i].is_none() && take(&claims[i].natural, &mut taken) {
                names[i] = Some(claims[i].natural.clone());
            }
        }
        for &i in &order {
            if names[i].is_some() {
                continue;
            }
            let natural = &claims[i].natural;
            let mut n = 2;
            loop {
                let candidate = suffixed(natural, n);
                if take(&candidate, &mut taken) {
                    names[i] = Some(candidate);
                    break;
                }
                n += 1;
            }
        }
        claims
            .iter()
            .zip(names)
            .map(|(claim, name)| {
                let name = name.unwrap_or_else(|| claim.natural.clone());
                self.given
                    .insert(claim.table, claim.key.clone(), name.clone());
                name
            })
            .collect()
    }
}

/// `name` with the suffix `n`: `Thing2`, but `status_2`, `r#type` as
/// `type_2`, `v1` as `v1_2` and `self_` as `self_2`, so the number always
/// reads as a suffix and the result is an identifier of the same case.
pub(super) fn suffixed(name: &str, n: usize) -> String {
    match name.strip_prefix("r#") {
        Some(bare) => format!("{bare}_{n}"),
        // A keyword's escape: `self_2`, and `Self2` (`Self_2` is not
        // UpperCamelCase).
        None if name.ends_with('_') && name.starts_with(|c: char| c.is_uppercase()) => {
            format!("{}{n}", &name[..name.len() - 1])
        }
        None if name.ends_with('_') => format!("{name}{n}"),
        None if name.chars().last().is_some_and(|c| c.is_ascii_digit()) => format!("{name}_{n}"),
        None if name
            .chars()
            .next()
            .is_some_and(|c| c.is_lowercase() || c == '_') =>
        {
            format!("{name}_{n}")
        }
        None => format!("{name}{n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(key: &str, natural: &str) -> Claim {
        Claim::new(Table::Types, key.to_string(), key, natural.to_string())
    }

    fn assign(lock: &NameLock, claims: &[Claim]) -> (Vec<String>, NameLock) {
        let mut namer = Namer::new(lock);
        let names = namer.assign(&[], claims);
        (names, namer.given)
    }

    #[test]
    fn the_exact_spelling_wins_whatever_the_order() {
        let empty = NameLock::default();
        let (names, _) = assign(&empty, &[claim("THING", "Thing"), claim("Thing", "Thing")]);
        assert_eq!(names, ["Thing2", "Thing"]);
        let (names, _) = assign(&empty, &[claim("Thing", "Thing"), claim("THING", "Thing")]);
        assert_eq!(names, ["Thing", "Thing2"]);
    }

    #[test]
    fn a_locked_name_is_kept_against_a_better_spelling() {
        let empty = NameLock::default();
        let (names, given) = assign(&empty, &[claim("THING", "Thing")]);
        assert_eq!(names, ["Thing"]);
        // `Thing` arrives later: `THING` keeps the name it had.
        let (names, given) = assign(&given, &[claim("Thing", "Thing"), claim("THING", "Thing")]);
        assert_eq!(names, ["Thing2", "Thing"]);
        assert_eq!(given.get(Table::Types, "Thing"), Some("Thing2"));
        // `THING` leaves: its entry goes, `Thing` keeps `Thing2`.
        let (names, given) = assign(&given, &[claim("Thing", "Thing")]);
        assert_eq!(names, ["Thing2"]);
        assert_eq!(given.len(), 1);
    }

    #[test]
    fn the_closest_spelling_wins_a_tie() {
        let empty = NameLock::default();
        let (names, _) = assign(&empty, &[claim("Self", "self_"), claim("self", "self_")]);
        assert_eq!(names, ["self_2", "self_"]);
        let (names, _) = assign(
            &empty,
            &[
                claim("GetThing", "get_thing"),
                claim("getThing", "get_thing"),
            ],
        );
        assert_eq!(names, ["get_thing_2", "get_thing"]);
        // Equally far: the identity decides.
        let (names, _) = assign(&empty, &[claim("a_b", "AB"), claim("a-b", "AB")]);
        assert_eq!(names, ["AB2", "AB"]);
    }

    #[test]
    fn suffixes_never_take_a_natural_name() {
        let empty = NameLock::default();
        let (names, _) = assign(
            &empty,
            &[
                claim("a", "Status"),
                claim("b", "Status"),
                claim("Status2", "Status2"),
            ],
        );
        assert_eq!(names, ["Status", "Status3", "Status2"]);
    }

    #[test]
    fn a_conflicting_lock_entry_yields_and_is_reported() {
        let mut lock = NameLock::default();
        lock.insert(Table::Types, "a".into(), "Same".into());
        lock.insert(Table::Types, "b".into(), "Same".into());
        let mut namer = Namer::new(&lock);
        let names = namer.assign(
            &["Client"],
            &[claim("b", "B"), claim("a", "A"), claim("c", "Client")],
        );
        assert_eq!(names, ["B", "Same", "Client2"]);
        assert_eq!(namer.conflicts.len(), 1, "{:?}", namer.conflicts);
    }

    #[test]
    fn suffixes_read_as_suffixes() {
        assert_eq!(suffixed("Status", 2), "Status2");
        assert_eq!(suffixed("status", 2), "status_2");
        assert_eq!(suffixed("r#type", 2), "type_2");
        assert_eq!(suffixed("self_", 2), "self_2");
        assert_eq!(suffixed("Self_", 2), "Self2");
        assert_eq!(suffixed("V1", 3), "V1_3");
    }
}
