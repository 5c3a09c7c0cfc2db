//! Subsets: keep the operations a user named (by operationId or tag) and
//! exactly the types they reach.

use std::collections::BTreeSet;

use super::ir::{Api, TypeId, TypeKind, TypeRef};
use crate::diagnostics::did_you_mean;

/// Which operations to generate. Empty: all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// operationIds, matched exactly.
    pub operations: Vec<String>,
    /// Tags, matched ignoring case (real specs spell one tag several ways).
    pub tags: Vec<String>,
}

impl Selection {
    pub fn is_everything(&self) -> bool {
        self.operations.is_empty() && self.tags.is_empty()
    }
}

/// Names in `selection` that match no operation (a typo is an error, not
/// an empty crate), each with the nearest real names.
pub fn unmatched(api: &Api, selection: &Selection) -> Vec<String> {
    let mut problems = Vec::new();
    for id in &selection.operations {
        if !api.operations.iter().any(|op| op.id == *id) {
            let near = did_you_mean(id, api.operations.iter().map(|op| op.id.as_str()));
            problems.push(format!("no operation has operationId `{id}`{near}"));
        }
    }
    for tag in &selection.tags {
        if !api
            .operations
            .iter()
            .any(|op| op.tags.iter().any(|t| t.eq_ignore_ascii_case(tag)))
        {
            let near = did_you_mean(
                tag,
                api.operations
                    .iter()
                    .flat_map(|op| op.tags.iter().map(String::as_str)),
            );
            problems.push(format!("no operation has the tag `{tag}`{near}"));
        }
    }
    problems
}

/// Keep the selected operations and the types they reach. With no
/// selection, every component schema stays too (a spec's vocabulary is part
/// of its API); only inline types nothing reaches any more are dropped.
pub fn apply(api: &mut Api, selection: &Selection) {
    if !selection.is_everything() {
        api.operations.retain(|op| {
            selection.operations.contains(&op.id)
                || op
                    .tags
                    .iter()
                    .any(|t| selection.tags.iter().any(|s| s.eq_ignore_ascii_case(t)))
        });
    }
    let components: Vec<TypeRef> = if selection.is_everything() {
        api.types
            .keys()
            .filter(|id| {
                id.0.strip_prefix("#/components/schemas/")
                    .is_some_and(|name| !name.contains('/'))
            })
            .cloned()
            .map(TypeRef::Named)
            .collect()
    } else {
        Vec::new()
    };
    let mut pending: Vec<&TypeRef> = components.iter().collect();
    for op in &api.operations {
        pending.extend(op.parameters.iter().map(|p| &p.ty));
        pending.extend(
            op.body
                .iter()
                .flat_map(|b| b.content.iter().filter_map(|c| c.ty.as_ref())),
        );
        for response in &op.responses {
            pending.extend(response.headers.iter().map(|h| &h.ty));
            pending.extend(response.content.iter().filter_map(|c| c.ty.as_ref()));
        }
    }
    let mut reached = BTreeSet::new();
    while let Some(ty) = pending.pop() {
        match ty {
            TypeRef::Named(id) => {
                if let Some(def) = api.types.get(id).filter(|_| reached.insert(id.clone())) {
                    pending.extend(referenced(&def.kind));
                }
            }
            TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
                pending.push(inner);
            }
            _ => {}
        }
    }
    api.types.retain(|id: &TypeId, _| reached.contains(id));
}

fn referenced(kind: &TypeKind) -> Vec<&TypeRef> {
    match kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .map(|f| &f.ty)
            .chain(s.additional.iter())
            .collect(),
        TypeKind::OneOf(o) => o.variants.iter().map(|v| &v.ty).collect(),
        TypeKind::Newtype(inner) => vec![inner],
        TypeKind::Enum(_) => Vec::new(),
    }
}

/// Whether a diagnostic at `pointer` is about something still generated:
/// a kept operation or type, or a part of the spec that is neither.
pub fn concerns(api: &Api, pointer: &str) -> bool {
    let under = |prefix: &str| pointer == prefix || pointer.starts_with(&format!("{prefix}/"));
    if !pointer.starts_with("/paths/") && !pointer.starts_with("/components/") {
        return true;
    }
    api.operations.iter().any(|op| under(&op.pointer))
        || api
            .types
            .keys()
            .any(|id| under(id.0.trim_start_matches('#')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load;
    use crate::model::build;

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      tags: [Alpha]
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}}
  /b:
    get:
      operationId: getB
      tags: [Beta]
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/B'}}}}}
components:
  schemas:
    A: {type: object, properties: {inner: {$ref: '#/components/schemas/Inner'}, list: {type: array, items: {$ref: '#/components/schemas/Item'}}}}
    Inner: {type: object, properties: {x: {type: string}}}
    Item: {type: string, enum: [one, two]}
    B: {type: object, properties: {y: {type: string}}}
    Unused: {type: object, properties: {z: {type: string}}}
"#;

    fn type_names(selection: &Selection) -> Result<(Vec<String>, Vec<String>), Vec<String>> {
        let spec = load("t.yaml", SPEC).expect("loads");
        let built = build(&spec, selection)
            .map_err(|e| e.into_iter().map(|d| d.message).collect::<Vec<_>>())?;
        let ops = built
            .api
            .operations
            .iter()
            .map(|op| op.id.clone())
            .collect();
        let types = built
            .api
            .types
            .keys()
            .map(|id| id.0.rsplit('/').next().unwrap_or("").to_string())
            .collect();
        Ok((ops, types))
    }

    #[test]
    fn everything_by_default() {
        let (ops, types) = type_names(&Selection::default()).unwrap();
        assert_eq!(ops, ["getA", "getB"]);
        assert_eq!(types, ["A", "B", "Inner", "Item", "Unused"]);
    }

    #[test]
    fn an_operation_keeps_exactly_the_types_it_reaches() {
        let selection = Selection {
            operations: vec!["getA".into()],
            tags: vec![],
        };
        let (ops, types) = type_names(&selection).unwrap();
        assert_eq!(ops, ["getA"]);
        assert_eq!(types, ["A", "Inner", "Item"]);
    }

    #[test]
    fn tags_match_ignoring_case() {
        let selection = Selection {
            operations: vec![],
            tags: vec!["beta".into()],
        };
        assert_eq!(
            type_names(&selection).unwrap(),
            (vec!["getB".to_string()], vec!["B".to_string()])
        );
    }

    #[test]
    fn unknown_names_are_errors_with_suggestions() {
        let selection = Selection {
            operations: vec!["getAA".into()],
            tags: vec!["Gamma".into()],
        };
        let errors = type_names(&selection).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(
            errors[0].contains("no operation has operationId `getAA`; did you mean `getA`"),
            "{}",
            errors[0]
        );
        assert!(
            errors[1].contains("no operation has the tag `Gamma`"),
            "{}",
            errors[1]
        );
    }
}
