//! The diff's rules on hand-made surfaces; `tests/changes.rs` runs them on
//! pairs of specs.

use std::collections::BTreeMap;

use super::*;
use crate::plan::RustType;

fn op(id: &str, endpoint: &str, arguments: &[&str]) -> OperationSurface {
    OperationSurface {
        id: id.into(),
        endpoint: endpoint.into(),
        arguments: arguments.iter().map(ToString::to_string).collect(),
        inputs: arguments
            .iter()
            .map(|a| {
                let input = InputSurface {
                    location: "query".into(),
                    wire: a.to_string(),
                    ty: "String".into(),
                    argument: true,
                };
                (a.to_string(), input)
            })
            .collect(),
        responses: BTreeMap::new(),
    }
}

fn with_ops(ops: &[(&str, OperationSurface)]) -> Surface {
    Surface {
        operations: ops
            .iter()
            .map(|(m, o)| (m.to_string(), o.clone()))
            .collect(),
        ..Surface::default()
    }
}

fn field(ty: &str, required: bool) -> FieldSurface {
    FieldSurface {
        wire: "x".into(),
        ty: ty.into(),
        required,
        nullable: false,
    }
}

#[test]
fn types_read_as_users_write_them() {
    let ty = RustType::Option(Box::new(RustType::List(Box::new(RustType::Map(Box::new(
        RustType::Named("Thing".into()),
    ))))));
    assert_eq!(render(&ty), "Option<Vec<BTreeMap<String, Thing>>>");
    assert_eq!(
        render(&RustType::Operation("UploadMultipart".into())),
        "operations::UploadMultipart"
    );
}

#[test]
fn an_operation_renamed_is_paired_by_id_then_by_endpoint() {
    let old = with_ops(&[
        ("get_thing", op("getThing", "GET /thing", &[])),
        ("get_users_", op("get /users/", "GET /users/", &[])),
    ]);
    let new = with_ops(&[
        ("fetch_thing", op("getThing", "GET /things", &[])),
        ("list_users", op("listUsers", "GET /users", &[])),
    ]);
    let changes = diff(&old, &new);
    let renames: Vec<(&Item, &What)> = changes
        .iter()
        .filter(|c| matches!(c.what, What::Renamed { .. }))
        .map(|c| (&c.item, &c.what))
        .collect();
    assert_eq!(renames.len(), 2, "{changes:#?}");
    assert!(
        changes
            .iter()
            .all(|c| !matches!(c.what, What::Added { .. } | What::Removed { .. }))
    );
    // The renamed operation's other changes are still reported.
    assert!(
        changes
            .iter()
            .any(|c| c.item == Item::Operation("fetch_thing".into())
                && matches!(c.what, What::EndpointChanged { .. }))
    );
}

#[test]
fn an_argument_added_last_is_not_a_reorder() {
    let old = with_ops(&[("f", op("f", "GET /f", &["a", "b"]))]);
    let appended = with_ops(&[("f", op("f", "GET /f", &["a", "b", "c"]))]);
    let swapped = with_ops(&[("f", op("f", "GET /f", &["b", "a"]))]);
    let reordered = |new: &Surface| {
        diff(&old, new)
            .iter()
            .any(|c| matches!(c.what, What::ArgumentsReordered { .. }))
    };
    assert!(!reordered(&appended));
    assert!(reordered(&swapped));
}

#[test]
fn a_type_no_operation_uses_counts_for_both_sides() {
    let ty = |fields: &[(&str, FieldSurface)]| TypeSurface::Struct {
        fields: fields
            .iter()
            .map(|(n, f)| (n.to_string(), f.clone()))
            .collect(),
        default: false,
    };
    let mut old = Surface::default();
    old.types.insert("Loose".into(), ty(&[]));
    let mut new = old.clone();
    new.types.insert(
        "Loose".into(),
        ty(&[("extra", field("Option<String>", false))]),
    );
    let changes = diff(&old, &new);
    assert_eq!(changes.len(), 1);
    assert!(changes[0].breaks_client && changes[0].breaks_server);
    // Used only in a response: servers build it, clients only read it.
    let mut response = ResponseSurface {
        status: "200".into(),
        success: true,
        body: Some("Loose".into()),
        headers: BTreeMap::new(),
    };
    let mut get = op("get", "GET /", &[]);
    get.responses.insert("Ok".into(), response.clone());
    old.operations.insert("get".into(), get.clone());
    new.operations.insert("get".into(), get.clone());
    let changes = diff(&old, &new);
    assert!(!changes[0].breaks_client && changes[0].breaks_server);
    // Reached through another type's field, the same.
    old.types
        .insert("Page".into(), ty(&[("items", field("Vec<Loose>", true))]));
    new.types
        .insert("Page".into(), ty(&[("items", field("Vec<Loose>", true))]));
    response.body = Some("Page".into());
    get.responses.insert("Ok".into(), response);
    old.operations.insert("get".into(), get.clone());
    new.operations.insert("get".into(), get);
    let changes = diff(&old, &new);
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert!(!changes[0].breaks_client && changes[0].breaks_server);
}

#[test]
fn bumps_order_from_none_to_major() {
    assert!(Bump::None < Bump::Patch && Bump::Patch < Bump::Minor && Bump::Minor < Bump::Major);
    let old = with_ops(&[("f", op("f", "GET /f", &[]))]);
    let moved = with_ops(&[("f", op("f", "GET /g", &[]))]);
    let report = Report::new(&old, &moved);
    assert_eq!(
        (report.client_bump(), report.server_bump()),
        (Bump::Patch, Bump::Patch)
    );
}
