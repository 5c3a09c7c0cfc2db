//! Which members of which types are boxed: a type that holds itself, by
//! value, through any chain of struct fields, union variants and newtypes
//! would be infinitely large (E0072). A `Vec` or map already holds its items
//! on the heap, so only members held by value (or by `Option`) count.
//!
//! Decided once for the whole spec, in three passes over the graph of those
//! members, each finding its strongly connected components
//! ([`crate::graph`], linear in types and members):
//!
//! 1. every struct field whose type is in its struct's component is boxed
//!    (`Option<Box<Node>>`, as hand-written trees are);
//! 2. the loops left are made of union variants and newtypes only
//!    (`A: oneOf [B, ..]`, `B: oneOf [A, ..]`): every variant whose type is
//!    in its union's component among those members is boxed;
//! 3. the same for newtypes, on the loops of newtypes alone that are left.
//!
//! (The model already reads a loop that passes through no struct field as
//! any JSON value, since decoding it would never consume input; passes 2 and
//! 3 keep the generated code finite whatever the model hands over.)
//!
//! Every loop passes through a member inside one component, so none is left;
//! a union on a loop that a struct field already breaks keeps its variants
//! unboxed, and a newtype on a loop a union variant breaks keeps its inner
//! type (no `Deref` to a `Box`).

use std::collections::{BTreeMap, BTreeSet};

use super::shape::strip_nullable;
use crate::graph;
use crate::model::{Api, TypeId, TypeKind, TypeRef};

/// One member that holds a type by value: a struct field, a union variant,
/// or a newtype's inner type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Member {
    Field(usize),
    Variant(usize),
    Inner,
}

impl Member {
    /// The pass that boxes this kind of member.
    fn pass(self) -> u8 {
        match self {
            Member::Field(_) => 0,
            Member::Variant(_) => 1,
            Member::Inner => 2,
        }
    }
}

/// The boxed members of every type.
#[derive(Debug, Default)]
pub(super) struct Boxing {
    boxed: BTreeSet<(TypeId, Member)>,
}

impl Boxing {
    pub(super) fn new(api: &Api) -> Self {
        let index: BTreeMap<&TypeId, usize> = api
            .types
            .keys()
            .enumerate()
            .map(|(i, id)| (id, i))
            .collect();
        let all = members(api, &index);
        let mut boxed = BTreeSet::new();
        // Fields first, then variants, then newtypes: after each pass, the
        // loops left are made only of the kinds still to come.
        for pass in 0..3 {
            let kept: Vec<&Edge> = all.iter().filter(|e| e.member.pass() >= pass).collect();
            let pairs: Vec<(usize, usize)> = kept.iter().map(|e| (e.from, e.to)).collect();
            let looped = graph::on_loops(index.len(), &pairs);
            for (edge, looped) in kept.into_iter().zip(looped) {
                if looped && edge.member.pass() == pass {
                    boxed.insert((edge.owner.clone(), edge.member));
                }
            }
        }
        Boxing { boxed }
    }

    /// Whether field `index` of the struct `id` is boxed.
    pub(super) fn field(&self, id: &TypeId, index: usize) -> bool {
        self.boxed.contains(&(id.clone(), Member::Field(index)))
    }

    /// Whether variant `index` of the union `id` is boxed.
    pub(super) fn variant(&self, id: &TypeId, index: usize) -> bool {
        self.boxed.contains(&(id.clone(), Member::Variant(index)))
    }

    /// Whether the newtype `id` boxes its inner type.
    pub(super) fn inner(&self, id: &TypeId) -> bool {
        self.boxed.contains(&(id.clone(), Member::Inner))
    }
}

/// The type `owner` (node `from`) holds a type (node `to`) by value
/// through `member`.
struct Edge {
    owner: TypeId,
    from: usize,
    member: Member,
    to: usize,
}

/// Every member that holds a named type by value (or by `Option`).
fn members(api: &Api, index: &BTreeMap<&TypeId, usize>) -> Vec<Edge> {
    let mut edges = Vec::new();
    for (id, def) in &api.types {
        let from = index[id];
        let mut add = |member: Member, ty: &TypeRef| {
            if let TypeRef::Named(to) = strip_nullable(ty)
                && let Some(&to) = index.get(to)
            {
                edges.push(Edge {
                    owner: id.clone(),
                    from,
                    member,
                    to,
                });
            }
        };
        match &def.kind {
            TypeKind::Struct(s) => {
                for (i, field) in s.fields.iter().enumerate() {
                    add(Member::Field(i), &field.ty);
                }
            }
            TypeKind::OneOf(union) => {
                for (i, variant) in union.variants.iter().enumerate() {
                    add(Member::Variant(i), &variant.ty);
                }
            }
            TypeKind::Newtype(inner) => add(Member::Inner, inner),
            TypeKind::Enum(_) => {}
        }
    }
    edges
}
