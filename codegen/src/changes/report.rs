//! The change report: a module's changes grouped by whom they break, with
//! counts and a suggested semver bump.

use std::collections::BTreeSet;
use std::fmt;

use super::diff::diff;
use super::surface::Surface;
use super::what::{Change, Item, What};

/// What a version number must say about a set of changes, by Cargo's
/// semver rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// Nothing a user can see changed.
    None,
    /// Only behaviour on the wire, nothing in Rust.
    Patch,
    /// New API, nothing that compiled stops compiling.
    Minor,
    /// Something that compiled may stop compiling.
    Major,
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        })
    }
}

/// One module's changes from one surface to another.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The module the report is about.
    pub module: String,
    /// The spec before and after: `Fireblocks API 1.6.7`.
    pub from: String,
    /// The spec after.
    pub to: String,
    /// Every change, in the order the report lists them.
    pub changes: Vec<Change>,
}

impl Report {
    /// The changes from `old` to `new`.
    pub fn new(old: &Surface, new: &Surface) -> Report {
        Report {
            module: new.module.clone(),
            from: format!("{} {}", old.title, old.version),
            to: format!("{} {}", new.title, new.version),
            changes: diff(old, new),
        }
    }

    /// The bump code using the crate as a client needs.
    pub fn client_bump(&self) -> Bump {
        self.bump_for(|c| c.breaks_client)
    }

    /// The bump code implementing the server trait needs.
    pub fn server_bump(&self) -> Bump {
        self.bump_for(|c| c.breaks_server)
    }

    /// The crate's bump: the larger of the two.
    pub fn bump(&self) -> Bump {
        self.client_bump().max(self.server_bump())
    }

    fn bump_for(&self, breaks: impl Fn(&Change) -> bool) -> Bump {
        self.changes
            .iter()
            .map(|c| {
                if breaks(c) {
                    Bump::Major
                } else if c.what.adds_api() {
                    Bump::Minor
                } else {
                    Bump::Patch
                }
            })
            .max()
            .unwrap_or(Bump::None)
    }

    /// Items added, removed and changed, among those `is_kind` selects.
    fn counts(&self, is_kind: impl Fn(&Item) -> bool) -> [usize; 3] {
        let mut added = 0;
        let mut removed = 0;
        let mut changed = BTreeSet::new();
        for change in self.changes.iter().filter(|c| is_kind(&c.item)) {
            match change.what {
                What::Added { .. } => added += 1,
                What::Removed { .. } => removed += 1,
                _ => {
                    changed.insert(&change.item);
                }
            }
        }
        [added, removed, changed.len()]
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changes.is_empty() {
            return writeln!(f, "{}: no API changes ({})", self.module, self.to);
        }
        writeln!(f, "{}: {} -> {}", self.module, self.from, self.to)?;
        let [ops_added, ops_removed, ops_changed] =
            self.counts(|i| matches!(i, Item::Operation(_)));
        let [types_added, types_removed, types_changed] =
            self.counts(|i| matches!(i, Item::Type(_)));
        write!(
            f,
            "  operations: {ops_added} added, {ops_removed} removed, {ops_changed} changed; \
             types: {types_added} added, {types_removed} removed, {types_changed} changed"
        )?;
        let [others_added, others_removed, others_changed] =
            self.counts(|i| !matches!(i, Item::Operation(_) | Item::Type(_)));
        let others = others_added + others_removed + others_changed;
        if others > 0 {
            write!(f, "; {others} other item(s) added, removed or changed")?;
        }
        writeln!(f)?;
        let breaking = |side: fn(&Change) -> bool| self.changes.iter().filter(|c| side(c)).count();
        writeln!(
            f,
            "  clients: {} ({} breaking); servers: {} ({} breaking)",
            self.client_bump(),
            breaking(|c| c.breaks_client),
            self.server_bump(),
            breaking(|c| c.breaks_server),
        )?;
        let pre_1_0 = match self.bump() {
            Bump::Major => " (a 0.y.z crate bumps y)",
            Bump::Minor | Bump::Patch => " (a 0.y.z crate bumps z)",
            Bump::None => "",
        };
        writeln!(f, "  suggested version bump: {}{pre_1_0}", self.bump())?;
        // (title, breaks clients, breaks servers)
        let groups = [
            ("breaking for clients and servers", true, true),
            ("breaking for clients", true, false),
            ("breaking for servers", false, true),
            ("compatible", false, false),
        ];
        for (title, client, server) in groups {
            let changes: Vec<&Change> = self
                .changes
                .iter()
                .filter(|c| (c.breaks_client, c.breaks_server) == (client, server))
                .collect();
            if changes.is_empty() {
                continue;
            }
            writeln!(f, "\n  {title} ({}):", changes.len())?;
            for change in changes {
                write!(f, "    {}: {}", change.item, change.what)?;
                match change.why {
                    Some(why) => writeln!(f, "  [{why}]")?,
                    None => writeln!(f)?,
                }
            }
        }
        Ok(())
    }
}
