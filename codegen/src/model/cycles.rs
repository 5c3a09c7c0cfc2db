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

/// A member that holds another type without reading any input of its own:
/// a union's branch, a newtype's type, a flattened `allOf` union.
#[derive(Debug, Clone, Copy)]
enum Member {
    Variant(usize),
    Inner,
    Flattened(usize),
}

impl Builder<'_> {
    /// A loop of unions, newtypes and flattened `allOf` members, with no
    /// struct property or list on it (`Expr: oneOf [Not, boolean]`, `Not:
    /// oneOf [Expr, ..]`), holds no input of its own: as Rust it would be
    /// infinitely large, and decoding it (each union trying its branches on
    /// the same value) would recurse until the stack overflows. Each member
    /// on such a loop is read as any JSON value instead, with a warning;
    /// the other members keep their types. Linear: one pass over the
    /// members, loops found as strongly connected components.
    pub(crate) fn break_union_loops(&mut self) {
        let index: BTreeMap<TypeId, usize> = self
            .types
            .keys()
            .enumerate()
            .map(|(i, id)| (id.clone(), i))
            .collect();
        let mut members: Vec<(TypeId, Member)> = Vec::new();
        let mut edges: Vec<(usize, usize)> = Vec::new();
        for (id, def) in &self.types {
            let mut add = |member: Member, ty: &TypeRef| {
                if let TypeRef::Named(to) = strip_nullable(ty)
                    && let Some(&to) = index.get(to)
                {
                    members.push((id.clone(), member));
                    edges.push((index[id], to));
                }
            };
            match &def.kind {
                TypeKind::OneOf(union) => {
                    for (i, variant) in union.variants.iter().enumerate() {
                        add(Member::Variant(i), &variant.ty);
                    }
                }
                TypeKind::Newtype(inner) => add(Member::Inner, inner),
                TypeKind::Struct(s) => {
                    for (i, field) in s.fields.iter().enumerate().filter(|(_, f)| f.flatten) {
                        add(Member::Flattened(i), &field.ty);
                    }
                }
                TypeKind::Enum(_) => {}
            }
        }
        let looped = crate::graph::on_loops(index.len(), &edges);
        let mut broken_unions = Vec::new();
        for ((id, member), looped) in members.into_iter().zip(looped) {
            if !looped {
                continue;
            }
            let Some(def) = self.types.get_mut(&id) else {
                continue;
            };
            let what = match (&mut def.kind, member) {
                (TypeKind::OneOf(union), Member::Variant(i)) => {
                    union.variants[i].ty = TypeRef::Any;
                    broken_unions.push(id.clone());
                    format!("branch {i}")
                }
                (TypeKind::Newtype(inner), Member::Inner) => {
                    *inner = TypeRef::Any;
                    "its type".to_string()
                }
                (TypeKind::Struct(s), Member::Flattened(i)) => {
                    s.fields[i].ty = TypeRef::Any;
                    format!("`allOf` member `{}`", s.fields[i].name)
                }
                _ => continue,
            };
            let pointer = id.0.strip_prefix('#').unwrap_or(&id.0).to_string();
            self.warning(
                &pointer,
                format!("{what} leads back to this schema through unions and `allOf` members only, with no property or list between, so decoding it would never end; read as any JSON value"),
            );
        }
        // An untagged union tries its branches in order and any JSON value
        // matches everything: first, it would leave the typed branches
        // unreachable (`true` read as `Value(true)`, never `Boolean(true)`).
        // A tagged union picks by its tag, so the order is only cosmetic.
        for id in broken_unions {
            if let Some(TypeKind::OneOf(union)) = self.types.get_mut(&id).map(|def| &mut def.kind) {
                union.variants.sort_by_key(|v| matches!(v.ty, TypeRef::Any));
            }
        }
    }
}

fn strip_nullable(ty: &TypeRef) -> &TypeRef {
    match ty {
        TypeRef::Nullable(inner) => inner,
        other => other,
    }
}
