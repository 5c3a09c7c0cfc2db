//! Schemas that are only each other: `A: {allOf: [{$ref: B}]}` with
//! `B: {oneOf: [{$ref: A}]}` say nothing about the value, yet as a newtype
//! and a one-variant union each would contain the other, a type of
//! infinite size. A direct self-reference is caught while the
//! schema is converted; a longer loop only shows once every type exists.

use std::collections::BTreeMap;

use super::builder::Builder;
use super::ir::{TypeId, TypeKind, TypeRef};

impl Builder<'_> {
    /// Make every type on a loop of newtypes and one-branch unions any JSON
    /// value, with a warning at each. Each points at one type, so following them
    /// from every type once, with a colour per type, finds every loop in
    /// time linear in the number of types.
    pub(crate) fn break_newtype_loops(&mut self) {
        #[derive(Clone, Copy, PartialEq)]
        enum Colour {
            Unseen,
            OnPath,
            Done,
        }
        let next: BTreeMap<TypeId, TypeId> = self
            .types
            .iter()
            .filter_map(|(id, def)| {
                let only = match &def.kind {
                    TypeKind::Newtype(inner) => inner,
                    TypeKind::OneOf(union) if union.variants.len() == 1 => &union.variants[0].ty,
                    _ => return None,
                };
                match strip_nullable(only) {
                    TypeRef::Named(target) => Some((id.clone(), target.clone())),
                    _ => None,
                }
            })
            .collect();
        let mut colour: BTreeMap<&TypeId, Colour> =
            next.keys().map(|id| (id, Colour::Unseen)).collect();
        let mut on_loops: Vec<TypeId> = Vec::new();
        for start in next.keys() {
            if colour[start] != Colour::Unseen {
                continue;
            }
            let mut path = Vec::new();
            let mut current = Some(start);
            while let Some(id) = current {
                match colour.get(id).copied() {
                    Some(Colour::Unseen) => {
                        colour.insert(id, Colour::OnPath);
                        path.push(id);
                        current = next.get(id);
                    }
                    Some(Colour::OnPath) => {
                        let first = path.iter().position(|p| *p == id).unwrap_or(0);
                        on_loops.extend(path[first..].iter().map(|id| (*id).clone()));
                        current = None;
                    }
                    // Done, or not a newtype: the chain ends.
                    _ => current = None,
                }
            }
            for id in path {
                colour.insert(id, Colour::Done);
            }
        }
        for id in on_loops {
            if let Some(def) = self.types.get_mut(&id) {
                def.kind = TypeKind::Newtype(TypeRef::Any);
            }
            let pointer = id.0.strip_prefix('#').unwrap_or(&id.0).to_string();
            self.warning(
                &pointer,
                "the schema is only a reference to schemas that are only references back to it; read as any JSON value",
            );
        }
    }
}

fn strip_nullable(ty: &TypeRef) -> &TypeRef {
    match ty {
        TypeRef::Nullable(inner) => inner,
        other => other,
    }
}
