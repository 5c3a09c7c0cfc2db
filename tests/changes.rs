//! When a vendor changes its spec: names stay put, and the change report
//! says what breaks for whom. Each case is a pair of fixture specs in
//! `tests/fixtures/changes/`, `<case>.before.yaml` and `<case>.after.yaml`,
//! regenerated the way `cargo xtask gen` does it: the "after" spec is
//! planned with the names lock the "before" spec wrote.

use std::path::Path;

use mfa_codegen::changes::{Item, Report, Surface, What};
use mfa_codegen::lock::{NameLock, Table};
use mfa_codegen::{Options, SpecInput, plan_module};

/// One spec's surface and names, planned with `lock`.
fn plan(relative: &str, lock: &NameLock) -> (Surface, NameLock) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text =
        std::fs::read_to_string(root.join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let spec = SpecInput {
        module: "api".into(),
        path: relative.into(),
        text,
        options: Options::default().with_names(lock.clone()),
    };
    let (planned, _warnings) = plan_module(&spec).unwrap_or_else(|errors| {
        let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
        panic!("{relative} should plan:\n{}", errors.join("\n"))
    });
    (planned.surface, planned.names)
}

struct Regenerated {
    before: Surface,
    after: Surface,
    /// The lock `before` wrote and the one `after` writes.
    before_names: NameLock,
    after_names: NameLock,
    /// `after` planned without a lock, as a first generation would.
    unlocked: Surface,
    report: Report,
}

fn regenerate(case: &str) -> Regenerated {
    let before_path = format!("fixtures/changes/{case}.before.yaml");
    let after_path = format!("fixtures/changes/{case}.after.yaml");
    let (before, before_names) = plan(&before_path, &NameLock::default());
    let (after, after_names) = plan(&after_path, &before_names);
    let (unlocked, _) = plan(&after_path, &NameLock::default());
    let report = Report::new(&before, &after);
    Regenerated {
        before,
        after,
        before_names,
        after_names,
        unlocked,
        report,
    }
}

/// Every item of `before` that is still in the spec has its old name:
/// the new lock agrees with the old one on every surviving key, and the
/// report has no removal or rename.
fn assert_nothing_renamed(case: &str, r: &Regenerated) {
    for (table, key, name) in r.before_names.iter() {
        if let Some(now) = r.after_names.get(table, key) {
            assert_eq!(now, name, "{case}: [{}] {key} was renamed", table.name());
        }
    }
    for change in &r.report.changes {
        let renames = matches!(
            change.what,
            What::Removed { .. }
                | What::Renamed { .. }
                | What::InputRemoved { .. }
                | What::ResponseRemoved { .. }
                | What::FieldRemoved { .. }
                | What::VariantRemoved { .. }
        );
        assert!(!renames, "{case}: {}: {}", change.item, change.what);
    }
}

fn type_names(surface: &Surface) -> Vec<&str> {
    surface.types.keys().map(String::as_str).collect()
}

fn fields<'s>(surface: &'s Surface, ty: &str) -> Vec<(&'s str, &'s str)> {
    match &surface.types[ty] {
        mfa_codegen::changes::TypeSurface::Struct { fields, .. } => fields
            .iter()
            .map(|(name, f)| (name.as_str(), f.wire.as_str()))
            .collect(),
        other => panic!("{ty} is a {}", other.kind()),
    }
}

fn variants<'s>(surface: &'s Surface, ty: &str) -> Vec<(&'s str, &'s str)> {
    match &surface.types[ty] {
        mfa_codegen::changes::TypeSurface::Enum { variants } => variants
            .iter()
            .map(|(name, wire)| (name.as_str(), wire.as_str()))
            .collect(),
        other => panic!("{ty} is a {}", other.kind()),
    }
}

#[test]
fn a_colliding_schema_added_after_leaves_the_first_its_name() {
    let r = regenerate("schema_added");
    assert_nothing_renamed("schema_added", &r);
    assert_eq!(type_names(&r.before), ["Thing"]);
    assert_eq!(type_names(&r.after), ["Thing", "Thing2"]);
    assert_eq!(r.after.types["Thing"].kind(), "struct");
    assert_eq!(r.after.types["Thing2"].kind(), "newtype");
    // The exact spelling wins even without a lock.
    assert_eq!(r.unlocked, r.after);
}

#[test]
fn the_lock_keeps_a_name_a_better_spelled_newcomer_would_take() {
    let r = regenerate("schema_spelled_better");
    assert_nothing_renamed("schema_spelled_better", &r);
    assert_eq!(
        r.after.types["Thing"].kind(),
        "newtype",
        "THING keeps Thing"
    );
    assert_eq!(r.after.types["Thing2"].kind(), "struct");
    assert_eq!(r.after_names.get(Table::Types, "THING"), Some("Thing"));
    assert_eq!(r.after_names.get(Table::Types, "Thing"), Some("Thing2"));
    // Without the lock, the rules alone give `Thing` to the newcomer: the
    // lock is what keeps this one.
    assert_eq!(r.unlocked.types["Thing"].kind(), "struct");
}

#[test]
fn a_property_added_beside_its_other_spelling_renames_neither() {
    let r = regenerate("property_added");
    assert_nothing_renamed("property_added", &r);
    assert_eq!(fields(&r.before, "Widget"), [("status", "status")]);
    assert_eq!(
        fields(&r.after, "Widget"),
        [("status", "status"), ("status_2", "Status")]
    );
    // `Gadget.Status` held `status` first and keeps it.
    assert_eq!(fields(&r.before, "Gadget"), [("status", "Status")]);
    assert_eq!(
        fields(&r.after, "Gadget"),
        [("status", "Status"), ("status_2", "status")]
    );
    assert_eq!(
        fields(&r.unlocked, "Gadget"),
        [("status", "status"), ("status_2", "Status")],
        "without the lock the exact spelling would win"
    );
}

#[test]
fn an_operation_added_with_a_colliding_id_renames_no_method_or_type() {
    let r = regenerate("operation_added");
    assert_nothing_renamed("operation_added", &r);
    let op = &r.after.operations["get_thing"];
    assert_eq!(op.id, "getThing");
    assert_eq!(op.arguments, ["id"]);
    assert_eq!(r.after.operations["get_thing_2"].id, "GetThing");
    assert_eq!(
        r.after_names.get(Table::Operations, "getThing"),
        Some("GetThing")
    );
    assert_eq!(
        r.after_names.get(Table::Operations, "GetThing"),
        Some("GetThing2")
    );
    assert_eq!(
        r.after_names.get(Table::Builders, "GetThing"),
        Some("GetThing2")
    );
    // The only change: a method every server must now implement.
    assert_eq!(r.report.changes.len(), 1, "{}", r.report);
    assert_eq!(
        r.report.changes[0].item,
        Item::Operation("get_thing_2".into())
    );
    assert!(r.report.changes[0].breaks_server && !r.report.changes[0].breaks_client);
}

#[test]
fn an_enum_value_added_beside_its_other_spelling_renames_no_variant() {
    let r = regenerate("enum_value_added");
    assert_nothing_renamed("enum_value_added", &r);
    assert_eq!(variants(&r.before, "Mode"), [("AB", "a_b"), ("C", "c")]);
    assert_eq!(
        variants(&r.after, "Mode"),
        [("AB", "a_b"), ("AB2", "a-b"), ("C", "c")]
    );
    // `a-b` sorts before `a_b`: only the lock keeps `AB` for `a_b`.
    assert_eq!(variants(&r.unlocked, "Mode")[0], ("AB", "a-b"));
}

#[test]
fn a_parameter_added_before_another_leaves_its_field_and_enum_names() {
    let r = regenerate("parameter_added");
    assert_nothing_renamed("parameter_added", &r);
    let before = &r.before.operations["list_items"].inputs["status"];
    let after = &r.after.operations["list_items"].inputs;
    assert_eq!(after["status"], *before);
    assert_eq!(after["status_2"].wire, "Status");
    assert_eq!(before.ty, "Option<ListItemsStatus>");
    assert_eq!(after["status_2"].ty, "Option<ListItemsStatus2>");
}

#[test]
fn reordering_a_spec_renames_nothing_even_without_a_lock() {
    let r = regenerate("reorder");
    assert_nothing_renamed("reorder", &r);
    assert_eq!(r.unlocked, r.after);
    // Only the version and the order of enum values changed.
    assert!(r.report.changes.is_empty(), "{}", r.report);
    let (_, unlocked_before) = plan("fixtures/changes/reorder.before.yaml", &NameLock::default());
    let (_, unlocked_after) = plan("fixtures/changes/reorder.after.yaml", &NameLock::default());
    assert_eq!(unlocked_before, unlocked_after);
}

#[test]
fn a_removed_item_leaves_the_lock_and_the_others_keep_their_names() {
    let r = regenerate("schema_removed");
    assert_eq!(type_names(&r.before), ["Thing", "Thing2"]);
    assert_eq!(type_names(&r.after), ["Thing2"], "THING keeps Thing2");
    assert_eq!(r.after_names.get(Table::Types, "Thing"), None, "pruned");
    assert_eq!(r.after_names.len(), 1);
    assert_eq!(r.report.changes.len(), 1, "{}", r.report);
    assert!(matches!(r.report.changes[0].what, What::Removed { .. }));
}

/// The report for a pair of specs making every kind of change, as `gen`
/// and `xtask diff` print it.
#[test]
fn report_of_every_kind_of_change() {
    let r = regenerate("report");
    insta::assert_snapshot!(r.report.to_string());
}

/// The classifications the report exists for, one by one.
#[test]
fn who_each_change_breaks() {
    let r = regenerate("report");
    let find = |item: Item, what: &str| {
        r.report
            .changes
            .iter()
            .find(|c| c.item == item && c.what.to_string().contains(what))
            .unwrap_or_else(|| panic!("no change to {item} with {what:?} in\n{}", r.report))
    };
    let sides = |c: &mfa_codegen::changes::Change| (c.breaks_client, c.breaks_server);
    let ty = |name: &str| Item::Type(name.into());
    let op = |name: &str| Item::Operation(name.into());
    // A required field in a response: servers build it, clients only read.
    assert_eq!(
        sides(find(ty("Summary"), "`active: i64` added")),
        (false, true)
    );
    // A new value of an enum only responses carry: clients match on it.
    assert_eq!(sides(find(ty("Health"), "`Down`")), (true, false));
    // ... of one only requests carry: servers match on it.
    assert_eq!(sides(find(ty("DeviceState"), "`Lost`")), (false, true));
    // An optional field in a request body: an exhaustive literal breaks.
    assert_eq!(sides(find(ty("Filter"), "`owner")), (true, false));
    // A new optional parameter is a setter; a new required one an argument.
    assert_eq!(sides(find(op("list_devices"), "`page")), (false, false));
    assert_eq!(sides(find(op("list_devices"), "`owner")), (true, false));
    // A new operation is a trait method every server implements.
    assert_eq!(sides(find(op("rename_device"), "added")), (false, true));
    // A new error response: clients' exhaustive matches.
    assert_eq!(
        sides(find(op("list_devices"), "TooManyRequests")),
        (true, false)
    );
    // A method that now calls another endpoint while another method calls
    // its old one compiles, but means something else on both sides.
    assert_eq!(sides(find(op("get_status"), "old endpoint")), (true, true));
    assert_eq!(sides(find(op("reset_device"), "now calls")), (false, false));
    // Same Rust type, other wire rules: nothing to recompile.
    assert_eq!(sides(find(ty("Device"), "`last_seen`")), (false, false));
    assert_eq!(r.report.bump(), mfa_codegen::changes::Bump::Major);
}

#[test]
fn additions_alone_are_a_minor_bump_for_clients() {
    let r = regenerate("operation_added");
    assert_eq!(r.report.client_bump(), mfa_codegen::changes::Bump::Minor);
    assert_eq!(r.report.server_bump(), mfa_codegen::changes::Bump::Major);
    let same = Report::new(&r.after, &r.after);
    assert_eq!(same.bump(), mfa_codegen::changes::Bump::None);
    assert_eq!(same.to_string(), "api: no API changes (Things 2)\n");
}

/// The surface file `gen` keeps reads back as written.
#[test]
fn a_surface_reads_back_from_its_json() {
    let r = regenerate("report");
    let json = r.after.to_json();
    assert_eq!(Surface::from_json("api.json", &json).unwrap(), r.after);
    assert!(
        Surface::from_json("api.json", "{")
            .unwrap_err()
            .starts_with("api.json: ")
    );
}
