//! Behaviour of generated code for constructs the vendor specs do not use,
//! compiled from the fixtures by `build.rs`: what a user of such a spec
//! relies on when values cross the wire. Every fixture's module is compiled
//! into this test crate (with rustc's warnings denied), so a fixture whose
//! output does not compile fails `cargo test`.

#![allow(clippy::all, dead_code)]

include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));

use serde_json::json;

/// An `allOf` with a discriminated union member: the struct's own fields and
/// the chosen branch's fields share one JSON object, tag included.
#[test]
fn flattened_unions_round_trip_with_their_discriminator() {
    use composition::types::{BpsFee, Fee, FeeVariant, FixedFee};
    let fixed = json!({"feeType": "ORDER", "amountType": "FIXED", "amount": "0.01"});
    let fee: Fee = serde_json::from_value(fixed.clone()).expect("a fixed fee decodes");
    assert_eq!(
        fee,
        Fee {
            fee_type: "ORDER".into(),
            variant: FeeVariant::Fixed(FixedFee {
                amount_type: "FIXED".into(),
                amount: "0.01".into()
            }),
        }
    );
    assert_eq!(serde_json::to_value(&fee).expect("encodes"), fixed);

    let bps: Fee =
        serde_json::from_value(json!({"feeType": "NETWORK", "amountType": "BPS", "bps": 12.5}))
            .expect("bps decodes");
    assert_eq!(
        bps.variant,
        FeeVariant::Bps(BpsFee {
            amount_type: "BPS".into(),
            bps: 12.5
        })
    );

    let unknown = serde_json::from_value::<Fee>(json!({"feeType": "X", "amountType": "PERCENT"}))
        .unwrap_err();
    assert!(
        unknown
            .to_string()
            .contains("`amountType` must be one of `FIXED`, `BPS`"),
        "{unknown}"
    );
}

/// A discriminated union keeps the tag its branch struct requires.
#[test]
fn discriminated_unions_keep_the_tag_their_branch_requires() {
    use composition::types::{Factor, Sms};
    let value = json!({"method": "sms", "phone": "+15550100"});
    let factor: Factor = serde_json::from_value(value.clone()).expect("decodes");
    assert_eq!(
        factor,
        Factor::Sms(Sms {
            method: "sms".into(),
            phone: "+15550100".into()
        })
    );
    assert_eq!(serde_json::to_value(&factor).expect("encodes"), value);
}

/// Untagged unions try each branch: a string or an object.
#[test]
fn untagged_unions_take_the_branch_that_fits() {
    use composition::types::{Base, IdOrObject};
    assert_eq!(
        serde_json::from_value::<IdOrObject>(json!("abc")).unwrap(),
        IdOrObject::String("abc".into())
    );
    assert_eq!(
        serde_json::from_value::<IdOrObject>(json!({"id": "abc"})).unwrap(),
        IdOrObject::Base(Base { id: "abc".into() })
    );
}

/// A recursive schema is boxed where it recurses directly.
#[test]
fn recursive_types_nest() {
    use composition::types::Tree;
    let value = json!({"parent": {"children": [{}]}, "children": []});
    let tree: Tree = serde_json::from_value(value.clone()).expect("decodes");
    assert_eq!(
        tree.parent
            .as_ref()
            .and_then(|p| p.children.as_ref())
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(serde_json::to_value(&tree).unwrap(), value);
}

// ---------------------------------------------------------------------------
// Loopback support: implementations that record what they were called with.

use std::sync::{Arc, Mutex};

use http::{Method, StatusCode};
use mfa_runtime::form::{FilePart, Multipart, Part};
use mfa_runtime::param::ParamValue;
use mfa_tests::{TestServer, documented, raw};

/// The typed inputs an implementation received, in order.
type Seen<T> = Arc<Mutex<Vec<T>>>;

fn record<T>(seen: &Seen<T>, value: T) {
    seen.lock().expect("not poisoned").push(value);
}

fn seen<T: Clone>(seen: &Seen<T>) -> Vec<T> {
    seen.lock().expect("not poisoned").clone()
}

// ---------------------------------------------------------------------------
// numeric_enums

mod tasks {
    use super::numeric_enums::operations::{ListTasksError, ListTasksInput, ListTasksSuccess};
    use super::numeric_enums::server::NumericEnumsApi;
    use super::numeric_enums::types::{Priority, Task};
    use super::{Seen, record};

    /// Answers with one task of the priority asked for (`0` when none).
    pub struct Tasks {
        pub seen: Seen<ListTasksInput>,
    }

    impl NumericEnumsApi for Tasks {
        async fn list_tasks(
            &self,
            _caller: Option<mfa_runtime::server::Principal>,
            input: ListTasksInput,
        ) -> Result<ListTasksSuccess, ListTasksError> {
            let priority = input.priority.unwrap_or(Priority::Value0);
            record(&self.seen, input);
            Ok(ListTasksSuccess::Ok {
                body: vec![Task {
                    priority,
                    retries: None,
                    ratio: None,
                    scale: None,
                }],
            })
        }
    }
}

/// Each integer enum value is a JSON number, alone and inside an object,
/// and reads back as the same variant.
#[test]
fn integer_enums_travel_as_json_numbers() {
    use numeric_enums::types::{Priority, Scale, Task, TaskRetries};
    let priorities = [
        (Priority::Value0, 0_i64),
        (Priority::Value1, 1),
        (Priority::Value5, 5),
        (Priority::Minus1, -1),
    ];
    assert_eq!(Priority::ALL, priorities.map(|(p, _)| p).as_slice());
    for (priority, number) in priorities {
        assert_eq!(priority.as_i64(), number);
        assert_eq!(i64::from(priority), number);
        assert_eq!(Priority::try_from(number), Ok(priority));
        assert_eq!(
            serde_json::to_string(&priority).unwrap(),
            number.to_string()
        );
        assert_eq!(
            serde_json::from_str::<Priority>(&number.to_string()).unwrap(),
            priority
        );
    }
    let retries = [
        (TaskRetries::Value1, 1_i64),
        (TaskRetries::Value2, 2),
        (TaskRetries::Value3, 3),
    ];
    assert_eq!(TaskRetries::ALL, retries.map(|(r, _)| r).as_slice());
    for (retry, number) in retries {
        assert_eq!(serde_json::to_value(retry).unwrap(), json!(number));
        assert_eq!(
            serde_json::from_value::<TaskRetries>(json!(number)).unwrap(),
            retry
        );
    }

    let task = Task {
        priority: Priority::Minus1,
        retries: Some(Some(TaskRetries::Value3)),
        ratio: Some(0.25),
        scale: Some(Scale(2.5)),
    };
    let text = r#"{"priority":-1,"retries":3,"ratio":0.25,"scale":2.5}"#;
    assert_eq!(serde_json::to_string(&task).unwrap(), text);
    assert_eq!(serde_json::from_str::<Task>(text).unwrap(), task);
}

/// A number outside the enum (issue 13, finding 5): a client keeps it in
/// the catch-all; a server reading a request (`strictly`) refuses it,
/// naming the allowed values.
#[test]
fn integer_enums_keep_unknown_numbers_and_servers_refuse_them() {
    use mfa_runtime::enums::strictly;
    use numeric_enums::types::{Priority, Task, TaskRetries};
    assert_eq!(
        serde_json::from_value::<Priority>(json!(2)).unwrap(),
        Priority::Unknown(2)
    );
    assert_eq!(
        serde_json::to_value(Priority::Unknown(2)).unwrap(),
        json!(2)
    );
    assert_eq!(TaskRetries::try_from(0), Ok(TaskRetries::Unknown(0)));
    assert_eq!(
        strictly(|| serde_json::from_value::<Priority>(json!(2)))
            .unwrap_err()
            .to_string(),
        "invalid value: integer `2`, expected one of `0`, `1`, `5`, `-1`"
    );
    let in_task = strictly(|| serde_json::from_str::<Task>(r#"{"priority": -5}"#))
        .unwrap_err()
        .to_string();
    assert!(
        in_task.contains("invalid value: integer `-5`, expected one of `0`, `1`, `5`, `-1`"),
        "{in_task}"
    );
    let retries = strictly(|| serde_json::from_str::<Task>(r#"{"priority": 0, "retries": 4}"#))
        .unwrap_err()
        .to_string();
    assert!(
        retries.contains("invalid value: integer `4`, expected one of `1`, `2`, `3`"),
        "{retries}"
    );
    assert_eq!(
        strictly(|| TaskRetries::try_from(0)),
        Err("expected one of `1`, `2`, `3`, found `0`".to_string())
    );
}

/// A string, even one holding an allowed number, is refused, and the
/// message names the allowed values.
#[test]
fn integer_enums_refuse_strings_naming_the_allowed_values() {
    use numeric_enums::types::{Priority, Task};
    for value in [json!("1"), json!("high")] {
        let error = serde_json::from_value::<Priority>(value.clone())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("one of `0`, `1`, `5`, `-1`"),
            "{value}: {error}"
        );
    }
    let error = serde_json::from_str::<Task>(r#"{"priority": "5"}"#)
        .unwrap_err()
        .to_string();
    assert!(error.contains("one of `0`, `1`, `5`, `-1`"), "{error}");
}

/// `nullable: true` with `null` among the values: `null` and absence are
/// `None`, a number is the variant.
#[test]
fn nullable_integer_enums_tell_null_from_absent() {
    use numeric_enums::types::{Priority, Task, TaskRetries};
    // Optional and nullable (issue 13, finding 6): `null` is `Some(None)`,
    // written back as `null`; absent is `None`, left out.
    let task: Task = serde_json::from_value(json!({"priority": 5, "retries": null})).unwrap();
    assert_eq!(task.priority, Priority::Value5);
    assert_eq!(task.retries, Some(None));
    assert_eq!(
        serde_json::to_value(&task).unwrap(),
        json!({"priority": 5, "retries": null})
    );
    let task: Task = serde_json::from_value(json!({"priority": 5})).unwrap();
    assert_eq!(task.retries, None);
    assert_eq!(serde_json::to_value(&task).unwrap(), json!({"priority": 5}));
    let task: Task = serde_json::from_value(json!({"priority": 5, "retries": 2})).unwrap();
    assert_eq!(task.retries, Some(Some(TaskRetries::Value2)));
    assert_eq!(
        serde_json::to_value(&task).unwrap(),
        json!({"priority": 5, "retries": 2})
    );
}

/// `Display`, `FromStr` and `ParamValue` write the same digits and read
/// them back, and refuse the same text with the same message.
#[test]
fn integer_enum_text_forms_agree() {
    use numeric_enums::types::{Priority, TaskRetries};
    let texts: Vec<String> = Priority::ALL.iter().map(ToString::to_string).collect();
    assert_eq!(texts, ["0", "1", "5", "-1"]);
    for &priority in Priority::ALL {
        let text = priority.to_string();
        assert_eq!(priority.to_param(), text);
        assert_eq!(text.parse::<Priority>(), Ok(priority));
        assert_eq!(Priority::from_param(&text), Ok(priority));
    }
    for &retry in TaskRetries::ALL {
        assert_eq!(retry.to_param(), retry.to_string());
        assert_eq!(TaskRetries::from_param(&retry.to_string()), Ok(retry));
    }
    // Not a number: refused everywhere. A number not listed: kept by
    // clients, refused by servers.
    for bad in ["urgent", "", "1.0"] {
        let expected = format!("expected one of `0`, `1`, `5`, `-1`, found `{bad}`");
        assert_eq!(bad.parse::<Priority>(), Err(expected.clone()), "{bad:?}");
        assert_eq!(Priority::from_param(bad), Err(expected), "{bad:?}");
    }
    assert_eq!("2".parse::<Priority>(), Ok(Priority::Unknown(2)));
    assert_eq!(
        mfa_runtime::enums::strictly(|| Priority::from_param("2")),
        Err("expected one of `0`, `1`, `5`, `-1`, found `2`".to_string())
    );
}

/// The client sends an integer-enum query parameter as digits; the server
/// hands the implementation the variant, and the response's numbers decode.
#[tokio::test]
async fn integer_enum_query_parameters_round_trip_over_loopback() {
    use numeric_enums::types::Priority;
    let recorded = Seen::default();
    let server = TestServer::start(numeric_enums::server::router(tasks::Tasks {
        seen: Arc::clone(&recorded),
    }))
    .await;
    let client = numeric_enums::client::Client::new(server.base_url.clone());

    for (&priority, digits) in Priority::ALL.iter().zip(["0", "1", "5", "-1"]) {
        let numeric_enums::operations::ListTasksSuccess::Ok { body } =
            documented(client.list_tasks().priority(priority).await, digits).unwrap();
        assert_eq!(body.len(), 1);
        assert_eq!(body[0].priority, priority, "{digits}");
    }
    let numeric_enums::operations::ListTasksSuccess::Ok { body } =
        documented(client.list_tasks().await, "no priority").unwrap();
    assert_eq!(body[0].priority, Priority::Value0);

    let uris: Vec<String> = server.requests().into_iter().map(|r| r.uri).collect();
    assert_eq!(
        uris,
        [
            "/tasks?priority=0",
            "/tasks?priority=1",
            "/tasks?priority=5",
            "/tasks?priority=-1",
            "/tasks"
        ]
    );
    let received: Vec<Option<Priority>> = seen(&recorded).into_iter().map(|i| i.priority).collect();
    assert_eq!(
        received,
        [
            Some(Priority::Value0),
            Some(Priority::Value1),
            Some(Priority::Value5),
            Some(Priority::Minus1),
            None
        ]
    );
}

/// A number or word outside the enum is a 400 naming the parameter and the
/// allowed values, and never reaches the implementation.
#[tokio::test]
async fn unknown_integer_enum_query_values_get_400() {
    let recorded = Seen::default();
    let server = TestServer::start(numeric_enums::server::router(tasks::Tasks {
        seen: Arc::clone(&recorded),
    }))
    .await;
    for bad in ["2", "urgent", "1.0"] {
        let (status, _, body) = raw(
            &server.base_url,
            Method::GET,
            &format!("/tasks?priority={bad}"),
            &[],
            "",
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(
            body,
            json!({
                "code": 400,
                "message": format!(
                    "the query parameter `priority` is invalid: expected one of `0`, `1`, `5`, `-1`, found `{bad}`"
                ),
            }),
            "{bad}"
        );
    }
    assert!(seen(&recorded).is_empty());
}

// ---------------------------------------------------------------------------
// defaults

mod search {
    use super::defaults::operations::{SearchError, SearchInput, SearchSuccess};
    use super::defaults::server::DefaultsApi;
    use super::{Seen, record};

    /// Answers with the search as it was read.
    pub struct Echo {
        pub seen: Seen<SearchInput>,
    }

    impl DefaultsApi for Echo {
        async fn search(
            &self,
            _caller: Option<mfa_runtime::server::Principal>,
            input: SearchInput,
        ) -> Result<SearchSuccess, SearchError> {
            let body = input.body.clone();
            record(&self.seen, input);
            Ok(SearchSuccess::Ok { body })
        }
    }
}

/// The search the fixture's defaults describe, with `pageToken` (required,
/// `default: null`) given.
fn default_search(page_token: &str) -> defaults::types::Search {
    use defaults::types::{Order, Search, SearchKind};
    Search {
        query: "*".into(),
        limit: 20,
        exact: false,
        order: Order::Desc,
        kind: SearchKind::Device,
        page_token: page_token.into(),
        offset: None,
        threshold: None,
        verbose: None,
        label: None,
        cursor: None,
    }
}

/// Each required property with a default (string, integer, boolean, `$ref`
/// enum through `allOf`, inline enum) takes it when absent, and is written
/// out in full.
#[test]
fn required_properties_with_defaults_are_filled_in_when_absent() {
    use defaults::types::Search;
    let search: Search = serde_json::from_value(json!({"pageToken": "p1"})).unwrap();
    assert_eq!(search, default_search("p1"));
    assert_eq!(
        serde_json::to_value(&search).unwrap(),
        json!({
            "query": "*", "limit": 20, "exact": false, "order": "desc",
            "kind": "device", "pageToken": "p1"
        })
    );
    // Each one on its own: the others sent, this one left out.
    let full = json!({
        "query": "mfa", "limit": 3, "exact": true, "order": "asc",
        "kind": "user", "pageToken": "p"
    });
    let cases: [(&str, fn(&Search) -> bool); 5] = [
        ("query", |s| s.query == "*"),
        ("limit", |s| s.limit == 20),
        ("exact", |s| !s.exact),
        ("order", |s| s.order == defaults::types::Order::Desc),
        ("kind", |s| s.kind == defaults::types::SearchKind::Device),
    ];
    for (field, has_default) in cases {
        let mut value = full.clone();
        value.as_object_mut().unwrap().remove(field);
        let search: Search = serde_json::from_value(value).unwrap();
        assert!(has_default(&search), "{field}: {search:?}");
    }
}

/// Values that are sent win over the defaults, even falsy ones.
#[test]
fn sent_values_win_over_defaults() {
    use defaults::types::{Order, Search, SearchKind};
    let value = json!({
        "query": "", "limit": 0, "exact": true, "order": "asc", "kind": "user",
        "pageToken": "", "offset": 7, "threshold": 0.0, "verbose": false,
        "label": "", "cursor": "c1"
    });
    let search: Search = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(
        search,
        Search {
            query: "".into(),
            limit: 0,
            exact: true,
            order: Order::Asc,
            kind: SearchKind::User,
            page_token: "".into(),
            offset: Some(7),
            threshold: Some(0.0),
            verbose: Some(false),
            label: Some("".into()),
            cursor: Some(Some("c1".into())),
        }
    );
    assert_eq!(serde_json::to_value(&search).unwrap(), value);
}

/// `default: null` on a required, non-nullable string does not make it
/// optional; on an optional nullable one, `null` is `Some(None)`.
#[test]
fn default_null_does_not_make_a_field_optional() {
    use defaults::types::Search;
    assert_eq!(
        serde_json::from_value::<Search>(json!({}))
            .unwrap_err()
            .to_string(),
        "missing field `pageToken`"
    );
    assert_eq!(
        serde_json::from_value::<Search>(json!({"pageToken": null}))
            .unwrap_err()
            .to_string(),
        "invalid type: null, expected a string"
    );
    let search: Search = serde_json::from_value(json!({"pageToken": "p", "cursor": null})).unwrap();
    assert_eq!(search.cursor, Some(None));
}

/// A required nullable property (issue 13, finding 6) may be `null` but
/// not left out: before, serde's `Option` read absent as `null`.
#[test]
fn a_required_nullable_property_must_be_sent() {
    use defaults::types::Note;
    assert_eq!(
        serde_json::from_value::<Note>(json!({}))
            .unwrap_err()
            .to_string(),
        "missing field `text`"
    );
    let note: Note = serde_json::from_value(json!({"text": null})).unwrap();
    assert_eq!(note, Note { text: None });
    assert_eq!(serde_json::to_value(&note).unwrap(), json!({"text": null}));
    let note: Note = serde_json::from_value(json!({"text": "hi"})).unwrap();
    assert_eq!(note.text.as_deref(), Some("hi"));
}

/// Over loopback: the server fills in the defaults of a body that leaves
/// them out, refuses one without `pageToken`, and the typed client sends
/// every required property.
/// Forward compatibility (issue 13, finding 5): a value the spec does not
/// list decodes on a client into the catch-all, keeping its text, and is
/// written back as received; a server refuses it with 400 naming the
/// allowed values, so its implementation never sees one.
#[tokio::test]
async fn unlisted_enum_values_are_kept_by_clients_and_refused_by_servers() {
    use defaults::types::{Order, Search, SearchKind};
    let mut sent = serde_json::to_value(default_search("p")).unwrap();
    sent["order"] = json!("random");
    sent["kind"] = json!("group");
    let search: Search = serde_json::from_value(sent.clone()).unwrap();
    assert_eq!(search.order, Order::Unknown("random".into()));
    assert_eq!(search.kind, SearchKind::Unknown("group".into()));
    assert_eq!(serde_json::to_value(&search).unwrap(), sent);
    assert_eq!("desc".parse::<Order>(), Ok(Order::Desc));

    let recorded = Seen::default();
    let server = TestServer::start(defaults::server::router(search::Echo {
        seen: Arc::clone(&recorded),
    }))
    .await;
    let json_type = [("content-type", "application/json")];
    let (status, _, body) = raw(
        &server.base_url,
        Method::POST,
        "/search",
        &json_type,
        &sent.to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("expected one of `asc`, `desc`, found `random`"),
        "{message}"
    );
    assert!(seen(&recorded).is_empty());
    // The server's strictness ends with the request: a client in the same
    // thread keeps unlisted values again.
    let again: Search = serde_json::from_value(sent).unwrap();
    assert_eq!(again.order, Order::Unknown("random".into()));
}

#[tokio::test]
async fn the_server_fills_in_defaults_and_requires_page_token() {
    let recorded = Seen::default();
    let server = TestServer::start(defaults::server::router(search::Echo {
        seen: Arc::clone(&recorded),
    }))
    .await;
    let json_type = [("content-type", "application/json")];
    let (status, _, body) = raw(
        &server.base_url,
        Method::POST,
        "/search",
        &json_type,
        r#"{"pageToken":"p2"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({
            "query": "*", "limit": 20, "exact": false, "order": "desc",
            "kind": "device", "pageToken": "p2"
        })
    );
    assert_eq!(seen(&recorded)[0].body, default_search("p2"));

    let (status, _, body) = raw(&server.base_url, Method::POST, "/search", &json_type, "{}").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], json!(400));
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with("the request body is not valid: missing field `pageToken`"),
        "{message}"
    );
    assert_eq!(seen(&recorded).len(), 1);

    let client = defaults::client::Client::new(server.base_url.clone());
    let defaults::operations::SearchSuccess::Ok { body } =
        documented(client.search(default_search("p3")).await, "search").unwrap();
    assert_eq!(body, default_search("p3"));
    assert_eq!(
        server.requests()[2].json(),
        json!({
            "query": "*", "limit": 20, "exact": false, "order": "desc",
            "kind": "device", "pageToken": "p3"
        })
    );
}

// ---------------------------------------------------------------------------
// query_styles

mod devices {
    use super::query_styles::operations::{ListDevicesError, ListDevicesInput, ListDevicesSuccess};
    use super::query_styles::server::QueryStylesApi;
    use super::{Seen, record};

    /// Records the input and answers with one device.
    pub struct Devices {
        pub seen: Seen<ListDevicesInput>,
    }

    impl QueryStylesApi for Devices {
        async fn list_devices(
            &self,
            _caller: Option<mfa_runtime::server::Principal>,
            input: ListDevicesInput,
        ) -> Result<ListDevicesSuccess, ListDevicesError> {
            record(&self.seen, input);
            Ok(ListDevicesSuccess::Ok {
                body: vec!["dev-1".into()],
            })
        }
    }
}

async fn devices_server() -> (TestServer, Seen<query_styles::operations::ListDevicesInput>) {
    let recorded = Seen::default();
    let server = TestServer::start(query_styles::server::router(devices::Devices {
        seen: Arc::clone(&recorded),
    }))
    .await;
    (server, recorded)
}

/// Every parameter of `listDevices` at once, with text that needs
/// encoding (`&`, `=`, spaces, brackets, non-ASCII): the exact query on the
/// wire, and the implementation receives exactly the values sent.
#[tokio::test]
async fn every_query_style_round_trips_with_the_exact_wire_form() {
    use query_styles::operations::{ListDevicesInput, ListDevicesSuccess};
    use query_styles::types::{
        DeviceFilter, DeviceKind, ListDevicesOwners, ListDevicesSort, ListDevicesWindow, Page,
    };
    use std::collections::BTreeMap;
    let (server, recorded) = devices_server().await;
    let client = query_styles::client::Client::new(server.base_url.clone());

    let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let sent = ListDevicesInput {
        filter: Some(DeviceFilter {
            owner: "Ann & Bob = ü [x]".into(),
            limit: Some(5),
            active: Some(true),
            kind: Some(DeviceKind::Push),
            tags: Some(vec!["a b".into(), "c&d".into()]),
        }),
        window: Some(ListDevicesWindow {
            from: Some(-3),
            to: Some(9),
        }),
        sort: ListDevicesSort {
            field: Some("name [asc] & more=1 ü".into()),
            descending: Some(true),
        },
        meta: Some(map(&[("a b", "x&y=z"), ("k[1]", "ü")])),
        labels: Some(map(&[("env", "prod & test"), ("größe", "x=[1]")])),
        ids: Some(vec![1, -2, 30]),
        kinds: Some(vec![DeviceKind::Oath, DeviceKind::Webauthn]),
        names: Some(vec!["Ann & Bob".into(), "x=[1]".into(), "ü|,".into()]),
        owners: Some(ListDevicesOwners {
            primary: Some("Zoë & Co = [1], ok".into()),
        }),
        page: Page {
            size: 25,
            cursor: Some("c&d=[e] ü".into()),
        },
    };
    let call = client
        .list_devices(sent.sort.clone(), sent.page.clone())
        .filter(sent.filter.clone().unwrap())
        .window(sent.window.clone().unwrap())
        .meta(sent.meta.clone().unwrap())
        .labels(sent.labels.clone().unwrap())
        .ids(sent.ids.clone().unwrap())
        .kinds(sent.kinds.clone().unwrap())
        .names(sent.names.clone().unwrap())
        .owners(sent.owners.clone().unwrap());
    assert_eq!(call.request(), &sent);
    let outcome = documented(call.await, "every style").unwrap();
    assert_eq!(
        outcome,
        ListDevicesSuccess::Ok {
            body: vec!["dev-1".into()]
        }
    );

    let expected = [
        // filter: form, exploded; the array property repeats its key.
        "owner=Ann+%26+Bob+%3D+%C3%BC+%5Bx%5D&limit=5&active=true&kind=push&tags=a+b&tags=c%26d",
        // window: form, not exploded.
        "window=from,-3,to,9",
        // sort: deepObject.
        "sort%5Bfield%5D=name+%5Basc%5D+%26+more%3D1+%C3%BC&sort%5Bdescending%5D=true",
        // meta: deepObject map, keys in order.
        "meta%5Ba+b%5D=x%26y%3Dz&meta%5Bk%5B1%5D%5D=%C3%BC",
        // labels: open map, exploded.
        "env=prod+%26+test&gr%C3%B6%C3%9Fe=x%3D%5B1%5D",
        // ids: spaceDelimited.
        "ids=1%20-2%2030",
        // kinds: pipeDelimited.
        "kinds=oath|webauthn",
        // names: pipeDelimited, exploded (as form).
        "names=Ann+%26+Bob&names=x%3D%5B1%5D&names=%C3%BC%7C%2C",
        // owners: pipeDelimited object.
        "owners=primary|Zo%C3%AB+%26+Co+%3D+%5B1%5D%2C+ok",
        // page: the `$ref` parameter, deepObject.
        "page%5Bsize%5D=25&page%5Bcursor%5D=c%26d%3D%5Be%5D+%C3%BC",
    ]
    .join("&");
    assert_eq!(server.only_request().uri, format!("/devices?{expected}"));
    assert_eq!(seen(&recorded), [sent]);
}

/// Only the required parameters, each with nothing optional set: the
/// deepObject `sort` with no properties sends nothing and still reads back
/// as an empty object; nothing else is invented (no stray `labels`).
#[tokio::test]
async fn a_minimal_query_sends_only_what_is_set() {
    use query_styles::operations::ListDevicesInput;
    use query_styles::types::{ListDevicesSort, Page};
    let (server, recorded) = devices_server().await;
    let client = query_styles::client::Client::new(server.base_url.clone());
    let page = Page {
        size: 1,
        cursor: None,
    };
    documented(
        client
            .list_devices(ListDevicesSort::default(), page.clone())
            .await,
        "minimal",
    )
    .unwrap();
    assert_eq!(server.only_request().uri, "/devices?page%5Bsize%5D=1");
    assert_eq!(
        seen(&recorded),
        [ListDevicesInput {
            filter: None,
            window: None,
            sort: ListDevicesSort::default(),
            meta: None,
            labels: None,
            ids: None,
            kinds: None,
            names: None,
            owners: None,
            page,
        }]
    );
}

/// Malformed queries get a 400 in the fixture's `Error` shape naming the
/// parameter at fault, and never reach the implementation.
#[tokio::test]
async fn malformed_queries_get_400_naming_the_parameter() {
    let (server, recorded) = devices_server().await;
    let cases = [
        (
            "page[size]=ten",
            "the query parameter `page` is invalid: `page[size]`: expected a 32-bit integer, found `ten`",
        ),
        ("", "the query parameter `page` is required"),
        (
            "page%5Bsize%5D=1&ids=1%202x",
            "the query parameter `ids` is invalid: expected an integer, found `2x`",
        ),
        (
            "page[size]=1&kinds=oath|sms",
            "the query parameter `kinds` is invalid: expected one of `oath`, `push`, `webauthn`, found `sms`",
        ),
        (
            "page[size]=1&owner=ann&kind=sms",
            "the query parameter `filter` is invalid: `kind`: expected one of `oath`, `push`, `webauthn`, found `sms`",
        ),
        (
            "page[size]=1&owner=ann&limit=many",
            "the query parameter `filter` is invalid: `limit`: expected a 32-bit integer, found `many`",
        ),
        (
            "page[size]=1&window=from,soon",
            "the query parameter `window` is invalid: `from`: expected an integer, found `soon`",
        ),
        (
            "page[size]=1&sort[descending]=maybe",
            "the query parameter `sort` is invalid: `sort[descending]`: expected `true` or `false`, found `maybe`",
        ),
    ];
    for (query, message) in cases {
        let (status, _, body) = raw(
            &server.base_url,
            Method::GET,
            &format!("/devices?{query}"),
            &[],
            "",
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(body, json!({ "message": message }), "{query}");
    }
    assert!(seen(&recorded).is_empty());
}

/// An open exploded map's keys are the query's own keys: a key holding
/// brackets must come back whole, as it does in the deepObject `meta` map.
#[tokio::test]
async fn open_map_keys_with_brackets_round_trip() {
    use query_styles::types::{ListDevicesSort, Page};
    let (server, recorded) = devices_server().await;
    let client = query_styles::client::Client::new(server.base_url.clone());
    let labels: std::collections::BTreeMap<String, String> =
        [("zone[1]".to_string(), "x".to_string())].into();
    let page = Page {
        size: 1,
        cursor: None,
    };
    let outcome = client
        .list_devices(ListDevicesSort::default(), page)
        .labels(labels.clone())
        .await;
    assert_eq!(
        server.only_request().uri,
        "/devices?zone%5B1%5D=x&page%5Bsize%5D=1"
    );
    documented(outcome, "bracketed label").unwrap();
    assert_eq!(seen(&recorded)[0].labels, Some(labels));
}

// ---------------------------------------------------------------------------
// form_bodies

mod forms {
    use super::form_bodies::operations::*;
    use super::form_bodies::server::FormBodiesApi;
    use super::form_bodies::types::UploadPhotoCreatedBody;
    use super::{Seen, record};

    /// One typed input, whichever operation received it.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Call {
        SignUp(SignUpInput),
        SetPreferences(SetPreferencesInput),
        UploadPhoto(UploadPhotoInput),
        Attach(AttachInput),
        PutFirmware(PutFirmwareInput),
        PutNote(PutNoteInput),
    }

    /// Records every input; `uploadPhoto` answers with the device id and
    /// `putNote` echoes the note.
    pub struct Forms {
        pub seen: Seen<Call>,
    }

    impl FormBodiesApi for Forms {
        async fn sign_up(
            &self,
            _caller: Option<mfa_runtime::server::Principal>,
            input: SignUpInput,
        ) -> Result<SignUpSuccess, SignUpError> {
            record(&self.seen, Call::SignUp(input));
            Ok(SignUpSuccess::NoContent)
        }

        async fn set_preferences(
            &self,
            _caller: Option<mfa_runtime::server::Principal>,
            input: SetPreferencesInput,
        ) -> Result<SetPreferencesSuccess, SetPreferencesError> {
            record(&self.seen, Call::SetPreferences(input));
            Ok(SetPreferencesSuccess::NoContent)
        }

        async fn upload_photo(
            &self,
            _caller: Option<mfa_runtime::server::Principal>,
            input: UploadPhotoInput,
        ) -> Result<UploadPhotoSuccess, UploadPhotoError> {
            let id = Some(input.id.clone());
            record(&self.seen, Call::UploadPhoto(input));
            Ok(UploadPhotoSuccess::Created {
                body: UploadPhotoCreatedBody { id },
            })
        }

        async fn attach(
            &self,
            _caller: Option<mfa_runtime::server::Principal>,
            input: AttachInput,
        ) -> Result<AttachSuccess, AttachError> {
            record(&self.seen, Call::Attach(input));
            Ok(AttachSuccess::NoContent)
        }

        async fn put_firmware(
            &self,
            _caller: Option<mfa_runtime::server::Principal>,
            input: PutFirmwareInput,
        ) -> Result<PutFirmwareSuccess, PutFirmwareError> {
            record(&self.seen, Call::PutFirmware(input));
            Ok(PutFirmwareSuccess::NoContent)
        }

        async fn put_note(
            &self,
            _caller: Option<mfa_runtime::server::Principal>,
            input: PutNoteInput,
        ) -> Result<PutNoteSuccess, PutNoteError> {
            let body = format!("stored: {}", input.body);
            record(&self.seen, Call::PutNote(input));
            Ok(PutNoteSuccess::Ok { body })
        }
    }
}

async fn forms_server() -> (TestServer, Seen<forms::Call>, form_bodies::client::Client) {
    let recorded = Seen::default();
    let server = TestServer::start(form_bodies::server::router(forms::Forms {
        seen: Arc::clone(&recorded),
    }))
    .await;
    let client = form_bodies::client::Client::new(server.base_url.clone());
    (server, recorded, client)
}

/// `application/x-www-form-urlencoded`: the exact body and content type on
/// the wire (arrays repeat their key, nested objects use brackets), and the
/// implementation receives the same values; an optional form is `None` when
/// not sent and an empty form when sent empty.
#[tokio::test]
async fn urlencoded_bodies_round_trip() {
    use form_bodies::operations::{SetPreferencesInput, SignUpInput, SignUpSuccess};
    use form_bodies::types::{Address, SetPreferencesBody, Signup};
    use forms::Call;
    let (server, recorded, client) = forms_server().await;

    let full = Signup {
        name: "Zoë & Bob = [x]".into(),
        age: Some(42),
        newsletter: Some(true),
        interests: Some(vec!["mfa".into(), "a b".into()]),
        address: Some(Address {
            city: "Paris".into(),
            zip: Some("01234".into()),
        }),
    };
    let minimal = Signup {
        name: "ann".into(),
        age: None,
        newsletter: None,
        interests: None,
        address: None,
    };
    for body in [&full, &minimal] {
        let outcome = documented(client.sign_up(body.clone()).await, "signUp").unwrap();
        assert_eq!(outcome, SignUpSuccess::NoContent);
    }
    let themed = SetPreferencesBody {
        theme: Some("dark & light".into()),
        emails: Some(false),
    };
    documented(client.set_preferences().await, "no preferences").unwrap();
    documented(
        client
            .set_preferences()
            .body(SetPreferencesBody::default())
            .await,
        "empty preferences",
    )
    .unwrap();
    documented(
        client.set_preferences().body(themed.clone()).await,
        "preferences",
    )
    .unwrap();

    let wire = server.requests();
    let form = Some("application/x-www-form-urlencoded");
    let observed: Vec<(Method, &str, Option<&str>, &[u8])> = wire
        .iter()
        .map(|r| {
            (
                r.method.clone(),
                r.uri.as_str(),
                r.header("content-type"),
                &r.body[..],
            )
        })
        .collect();
    assert_eq!(
        observed,
        [
            (
                Method::POST,
                "/signup",
                form,
                &b"name=Zo%C3%AB+%26+Bob+%3D+%5Bx%5D&age=42&newsletter=true\
                   &interests=mfa&interests=a+b&address%5Bcity%5D=Paris&address%5Bzip%5D=01234"[..]
            ),
            (Method::POST, "/signup", form, &b"name=ann"[..]),
            (Method::PATCH, "/preferences", None, &b""[..]),
            (Method::PATCH, "/preferences", form, &b""[..]),
            (
                Method::PATCH,
                "/preferences",
                form,
                &b"theme=dark+%26+light&emails=false"[..]
            ),
        ]
    );
    assert_eq!(
        seen(&recorded),
        [
            Call::SignUp(SignUpInput { body: full }),
            Call::SignUp(SignUpInput { body: minimal }),
            Call::SetPreferences(SetPreferencesInput { body: None }),
            Call::SetPreferences(SetPreferencesInput {
                body: Some(SetPreferencesBody::default())
            }),
            Call::SetPreferences(SetPreferencesInput { body: Some(themed) }),
        ]
    );
}

/// The multipart body the runtime writes for `parts`, given the boundary
/// the request declared: `(name, file name, content type, bytes)`.
fn multipart_body(boundary: &str, parts: &[(&str, Option<&str>, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file_name, content_type, bytes) in parts {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
        );
        if let Some(file_name) = file_name {
            body.extend_from_slice(format!("; filename=\"{file_name}\"").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        if let Some(content_type) = content_type {
            body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

/// The boundary of a `multipart/form-data; boundary=...` request.
fn boundary_of(request: &mfa_tests::WireRequest) -> String {
    let content_type = request.header("content-type").expect("a content type");
    content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart: {content_type}"))
        .to_string()
}

/// `multipart/form-data`: text, a number, binary files with CR, LF, NUL and
/// a would-be boundary, repeated text and file parts and a JSON part; the
/// exact body on the wire, and the implementation receives the same typed
/// values. A file without a name or type is sent as `file` /
/// `application/octet-stream` and received so.
#[tokio::test]
async fn multipart_bodies_round_trip_text_numbers_and_binary_files() {
    use form_bodies::operations::{UploadPhotoInput, UploadPhotoMultipart, UploadPhotoSuccess};
    use form_bodies::types::{Address, UploadPhotoCreatedBody};
    use forms::Call;
    let (server, recorded, client) = forms_server().await;

    let photo: Vec<u8> = vec![
        0xFF, 0xD8, 0x00, b'\r', b'\n', b'-', b'-', b'x', 0x00, b'\r', b'\n', b'\r', b'\n', 0x7F,
        0x80, 0x00,
    ];
    let full = UploadPhotoMultipart {
        title: "Front & back = \"ü\"\r\nline 2".into(),
        rotation: Some(-90.5),
        file: FilePart::new(photo.clone())
            .with_file_name("cam 1.jpg")
            .with_content_type("image/jpeg"),
        thumbnails: Some(vec![
            FilePart::new(vec![0x00, 0x01])
                .with_file_name("t1.png")
                .with_content_type("image/png"),
            FilePart::new(b"\r\n".to_vec())
                .with_file_name("t2.png")
                .with_content_type("image/png"),
        ]),
        tags: Some(vec!["a b".into(), "ü".into()]),
        location: Some(Address {
            city: "Paris".into(),
            zip: Some("01234".into()),
        }),
    };
    let outcome = documented(client.upload_photo("cam-1", full.clone()).await, "full").unwrap();
    assert_eq!(
        outcome,
        UploadPhotoSuccess::Created {
            body: UploadPhotoCreatedBody {
                id: Some("cam-1".into())
            }
        }
    );

    let bare = UploadPhotoMultipart {
        title: "t".into(),
        rotation: None,
        file: FilePart::new(photo.clone()),
        thumbnails: None,
        tags: None,
        location: None,
    };
    documented(client.upload_photo("cam-2", bare).await, "bare").unwrap();

    let wire = server.requests();
    assert_eq!(wire.len(), 2);
    assert_eq!(wire[0].uri, "/devices/cam-1/photo");
    let boundary = boundary_of(&wire[0]);
    let json = Some("application/json");
    let png = Some("image/png");
    let expected = multipart_body(
        &boundary,
        &[
            ("title", None, None, full.title.as_bytes()),
            ("rotation", None, None, b"-90.5"),
            ("file", Some("cam 1.jpg"), Some("image/jpeg"), &photo),
            ("thumbnails", Some("t1.png"), png, &[0x00, 0x01]),
            ("thumbnails", Some("t2.png"), png, b"\r\n"),
            ("tags", None, None, b"a b"),
            ("tags", None, None, "ü".as_bytes()),
            ("location", None, json, br#"{"city":"Paris","zip":"01234"}"#),
        ],
    );
    assert_eq!(wire[0].body, expected);
    let boundary = boundary_of(&wire[1]);
    let octets = Some("application/octet-stream");
    assert_eq!(
        wire[1].body,
        multipart_body(
            &boundary,
            &[
                ("title", None, None, b"t"),
                ("file", Some("file"), octets, &photo),
            ],
        )
    );

    assert_eq!(
        seen(&recorded),
        [
            Call::UploadPhoto(UploadPhotoInput {
                id: "cam-1".into(),
                body: full,
            }),
            Call::UploadPhoto(UploadPhotoInput {
                id: "cam-2".into(),
                body: UploadPhotoMultipart {
                    title: "t".into(),
                    rotation: None,
                    file: FilePart::new(photo)
                        .with_file_name("file")
                        .with_content_type("application/octet-stream"),
                    thumbnails: None,
                    tags: None,
                    location: None,
                },
            }),
        ]
    );
}

/// A multipart body without a schema is a list of parts, received as sent;
/// without a body the implementation gets `None`.
#[tokio::test]
async fn schemaless_multipart_bodies_round_trip_as_parts() {
    use form_bodies::operations::AttachInput;
    use forms::Call;
    let (server, recorded, client) = forms_server().await;
    let parts = Multipart {
        parts: vec![
            Part {
                name: "note".into(),
                file_name: None,
                content_type: None,
                body: "Zoë\r\n".as_bytes().to_vec(),
            },
            Part {
                name: "blob".into(),
                file_name: Some("x.bin".into()),
                content_type: Some("application/octet-stream".into()),
                body: vec![0x00, b'\r', b'\n', 0xFF],
            },
        ],
    };
    documented(client.attach("d1").body(parts.clone()).await, "parts").unwrap();
    documented(client.attach("d2").await, "no parts").unwrap();
    let wire = server.requests();
    assert_eq!(
        wire[0].body,
        multipart_body(
            &boundary_of(&wire[0]),
            &[
                ("note", None, None, "Zoë\r\n".as_bytes()),
                (
                    "blob",
                    Some("x.bin"),
                    Some("application/octet-stream"),
                    &[0x00, b'\r', b'\n', 0xFF]
                ),
            ],
        )
    );
    assert_eq!(wire[1].header("content-type"), None);
    assert!(wire[1].body.is_empty());
    assert_eq!(
        seen(&recorded),
        [
            Call::Attach(AttachInput {
                id: "d1".into(),
                body: Some(parts),
            }),
            Call::Attach(AttachInput {
                id: "d2".into(),
                body: None,
            }),
        ]
    );
}

/// `application/octet-stream` carries every byte value as is; `text/plain`
/// carries text (CR/LF, `&`, non-ASCII) as is, both ways.
#[tokio::test]
async fn octet_stream_and_text_bodies_round_trip() {
    use form_bodies::operations::{PutFirmwareInput, PutNoteInput, PutNoteSuccess};
    use forms::Call;
    let (server, recorded, client) = forms_server().await;
    let firmware: Vec<u8> = (0..=255_u8).rev().collect();
    documented(
        client.put_firmware("fw 1", firmware.clone()).await,
        "firmware",
    )
    .unwrap();
    let note = "Zoë & co = [x]\r\nline 2\n";
    let outcome = documented(client.put_note("d?1", note).await, "note").unwrap();
    assert_eq!(
        outcome,
        PutNoteSuccess::Ok {
            body: format!("stored: {note}")
        }
    );

    let wire = server.requests();
    assert_eq!(wire[0].uri, "/devices/fw%201/firmware");
    assert_eq!(
        wire[0].header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(&wire[0].body[..], &firmware[..]);
    assert_eq!(wire[1].uri, "/devices/d%3F1/note");
    assert_eq!(wire[1].header("content-type"), Some("text/plain"));
    assert_eq!(&wire[1].body[..], note.as_bytes());
    assert_eq!(
        seen(&recorded),
        [
            Call::PutFirmware(PutFirmwareInput {
                id: "fw 1".into(),
                body: firmware,
            }),
            Call::PutNote(PutNoteInput {
                id: "d?1".into(),
                body: note.into(),
            }),
        ]
    );
}

/// A body in a media type the operation does not take is a 415, a
/// malformed form or multipart body a 400, each in the fixture's `Error`
/// shape, and none reaches the implementation.
#[tokio::test]
async fn wrong_content_types_get_415_and_broken_bodies_400() {
    let (server, recorded, _) = forms_server().await;
    let form = ("content-type", "application/x-www-form-urlencoded");
    let cases: Vec<(&str, Vec<(&str, &str)>, &str, StatusCode, &str)> = vec![
        (
            "/signup",
            vec![("content-type", "application/json")],
            r#"{"name":"ann"}"#,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the request body must be application/x-www-form-urlencoded, not application/json",
        ),
        (
            "/signup",
            vec![],
            "name=ann",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the request body must be application/x-www-form-urlencoded: Content-Type is missing",
        ),
        (
            "/devices/d1/photo",
            vec![form],
            "title=t&file=x",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the request body must be multipart/form-data, not application/x-www-form-urlencoded",
        ),
        (
            "/signup",
            vec![form],
            "name=%ZZ",
            StatusCode::BAD_REQUEST,
            "the request body is not valid: `name`: `%ZZ` is not a percent-escape (`%` and two hex digits)",
        ),
        (
            "/signup",
            vec![form],
            "name=ann&age=old",
            StatusCode::BAD_REQUEST,
            "the request body is not valid: `age`: expected a 32-bit integer, found `old`",
        ),
        (
            "/signup",
            vec![form],
            "age=3",
            StatusCode::BAD_REQUEST,
            "the request body is not valid: missing field `name`",
        ),
        (
            "/signup",
            vec![form],
            "name=a&name=b",
            StatusCode::BAD_REQUEST,
            "the request body is not valid: `name`: expected one value, found 2 (the key is repeated)",
        ),
        (
            "/signup",
            vec![form],
            "",
            StatusCode::BAD_REQUEST,
            "the request body is not valid: missing field `name`",
        ),
        (
            "/devices/d1/photo",
            vec![("content-type", "multipart/form-data; boundary=b")],
            "--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nt\r\n--b--\r\n",
            StatusCode::BAD_REQUEST,
            "the request body is not valid: the part `file` is required",
        ),
    ];
    for (path, headers, body, status, message) in cases {
        let (got_status, _, got_body) =
            raw(&server.base_url, Method::POST, path, &headers, body).await;
        assert_eq!(got_status, status, "{path} {body:?}");
        assert_eq!(got_body, json!({ "message": message }), "{path} {body:?}");
    }
    let (status, _, body) = raw(
        &server.base_url,
        Method::POST,
        "/devices/d1/photo",
        &[("content-type", "multipart/form-data; boundary=b")],
        "--b\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nno end",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("the request body is not valid: malformed multipart body: "),
        "{body}"
    );
    assert!(seen(&recorded).is_empty());
}

/// `text/plain` is the only media type `putNote` takes: a JSON body is a
/// 415, as it is for the form and multipart operations.
#[tokio::test]
async fn text_bodies_in_another_media_type_get_415() {
    let (server, recorded, _) = forms_server().await;
    let (status, _, body) = raw(
        &server.base_url,
        Method::PUT,
        "/devices/d1/note",
        &[("content-type", "application/json")],
        r#"{"note":"x"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        body,
        json!({"message": "the request body must be text/plain, not application/json"})
    );
    assert!(seen(&recorded).is_empty());
}

/// An empty string is a valid `type: string` text body and an empty file a
/// valid binary one: the client sends them (with their content type), so
/// the server must take them, as it takes an empty form.
#[tokio::test]
async fn empty_text_and_binary_bodies_round_trip() {
    use form_bodies::operations::{PutFirmwareInput, PutNoteInput, PutNoteSuccess};
    use forms::Call;
    let (server, recorded, client) = forms_server().await;
    let outcome = documented(client.put_note("d1", "").await, "empty note").unwrap();
    assert_eq!(
        outcome,
        PutNoteSuccess::Ok {
            body: "stored: ".into()
        }
    );
    documented(
        client.put_firmware("d1", Vec::new()).await,
        "empty firmware",
    )
    .unwrap();
    let wire = server.requests();
    assert_eq!(wire[0].header("content-type"), Some("text/plain"));
    assert_eq!(
        wire[1].header("content-type"),
        Some("application/octet-stream")
    );
    assert!(wire.iter().all(|r| r.body.is_empty()));
    assert_eq!(
        seen(&recorded),
        [
            Call::PutNote(PutNoteInput {
                id: "d1".into(),
                body: String::new(),
            }),
            Call::PutFirmware(PutFirmwareInput {
                id: "d1".into(),
                body: Vec::new(),
            }),
        ]
    );
}

// ---------------------------------------------------------------------------
// redirects

mod jobs {
    use super::redirects::operations::{
        CreateJobError, CreateJobInput, CreateJobSuccess, GetJobError, GetJobInput, GetJobSuccess,
    };
    use super::redirects::server::RedirectsApi;
    use super::redirects::types::Job;

    /// Every job has already run: creating one points at `j1`.
    pub struct Jobs;

    impl RedirectsApi for Jobs {
        async fn create_job(
            &self,
            _caller: Option<mfa_runtime::server::Principal>,
            _input: CreateJobInput,
        ) -> Result<CreateJobSuccess, CreateJobError> {
            Err(CreateJobError::SeeOther {
                location: "/jobs/j1".into(),
            })
        }

        async fn get_job(
            &self,
            _caller: Option<mfa_runtime::server::Principal>,
            input: GetJobInput,
        ) -> Result<GetJobSuccess, GetJobError> {
            Ok(GetJobSuccess::Ok {
                body: Job { id: input.id },
            })
        }
    }
}

/// A redirect the spec documents is the operation's typed answer: a POST
/// answered 303 is neither re-sent as a GET nor a `ClientError::Redirect`,
/// and the caller reads `Location` from the documented variant.
#[tokio::test]
async fn a_documented_redirect_is_a_typed_answer_not_followed() {
    use redirects::operations::{CreateJobError, GetJobSuccess};
    let server = TestServer::start(redirects::server::router(jobs::Jobs)).await;
    let client = redirects::client::Client::new(server.base_url.clone());
    let outcome = documented(client.create_job().await, "create");
    assert_eq!(
        outcome,
        Err(CreateJobError::SeeOther {
            location: "/jobs/j1".into()
        })
    );
    let wire = server.requests();
    assert_eq!(wire.len(), 1, "the 303 was not followed");
    assert_eq!(
        (wire[0].method.clone(), wire[0].uri.as_str()),
        (Method::POST, "/jobs")
    );
    let GetJobSuccess::Ok { body } = documented(client.get_job("j1").await, "get").unwrap();
    assert_eq!(body.id, "j1");
}

// ---------------------------------------------------------------------------
// parameters: constant path parameters

mod kinds {
    use super::parameters::operations::{
        DeleteLeafError, DeleteLeafInput, DeleteLeafSuccess, GetDocError, GetDocInput,
        GetDocSuccess, GetFileError, GetFileInput, GetFileSuccess, GetKindVersionError,
        GetKindVersionInput, GetKindVersionSuccess,
    };
    use super::parameters::server::ParametersApi;
    use super::{Seen, record};

    /// Records the `getKindVersion` and `getDoc` inputs it serves.
    #[derive(Default)]
    pub struct Kinds(pub Seen<GetKindVersionInput>, pub Seen<GetDocInput>);

    impl ParametersApi for Kinds {
        async fn get_file(
            &self,
            _caller: Option<mfa_runtime::server::Principal>,
            _input: GetFileInput,
        ) -> Result<GetFileSuccess, GetFileError> {
            Ok(GetFileSuccess::Ok)
        }

        async fn delete_leaf(
            &self,
            _caller: Option<mfa_runtime::server::Principal>,
            _input: DeleteLeafInput,
        ) -> Result<DeleteLeafSuccess, DeleteLeafError> {
            Ok(DeleteLeafSuccess::NoContent)
        }

        async fn get_kind_version(
            &self,
            _caller: Option<mfa_runtime::server::Principal>,
            input: GetKindVersionInput,
        ) -> Result<GetKindVersionSuccess, GetKindVersionError> {
            record(&self.0, input);
            Ok(GetKindVersionSuccess::NoContent)
        }

        async fn get_doc(
            &self,
            _caller: Option<mfa_runtime::server::Principal>,
            input: GetDocInput,
        ) -> Result<GetDocSuccess, GetDocError> {
            record(&self.1, input);
            Ok(GetDocSuccess::NoContent)
        }
    }
}

/// A path parameter with one allowed value is fixed path text: the caller
/// passes only `minor`, the client sends the constants (escaped) in the
/// path, and the server routes that path, or one escaped differently, to
/// the operation; any other value is another path.
#[tokio::test]
async fn constant_path_parameters_are_fixed_path_text_on_both_sides() {
    use parameters::operations::{GetKindVersionInput, GetKindVersionSuccess};
    let served: Seen<GetKindVersionInput> = Seen::default();
    let kinds = kinds::Kinds(served.clone(), Seen::default());
    let server = TestServer::start(parameters::server::router(kinds)).await;
    let client = parameters::client::Client::new(server.base_url.clone());
    let outcome = documented(client.get_kind_version(7).await, "constant path");
    assert_eq!(outcome, Ok(GetKindVersionSuccess::NoContent));
    assert_eq!(server.only_request().uri, "/kinds/a%20c%2Fb/v1.7");
    assert_eq!(seen(&served), [GetKindVersionInput { minor: 7 }]);

    let (status, _, _) = raw(
        &server.base_url,
        Method::GET,
        "/kinds/a%20c%2fb/v1.8",
        &[],
        "",
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NO_CONTENT,
        "another escape, the same text"
    );
    for other in [
        "/kinds/a%20c/b/v1.8",
        "/kinds/b/v1.8",
        "/kinds/a%20c%2Fb/v2.8",
    ] {
        let (status, _, _) = raw(&server.base_url, Method::GET, other, &[], "").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{other}");
    }
    assert_eq!(seen(&served).len(), 2);
}

/// A path value holds no `/`, `.` or `..` on either side, unless the spec
/// marks the parameter `allowReserved`: then its `/` travels as `%2F` and
/// reaches the implementation (issue 13, finding 7).
#[tokio::test]
async fn only_an_allow_reserved_path_parameter_holds_a_slash() {
    use mfa_runtime::client::ClientError;
    use parameters::operations::{GetDocInput, GetDocSuccess};
    let docs: Seen<GetDocInput> = Seen::default();
    let kinds = kinds::Kinds(Seen::default(), docs.clone());
    let server = TestServer::start(parameters::server::router(kinds)).await;
    let client = parameters::client::Client::new(server.base_url.clone());
    let outcome = documented(client.get_doc("guides/intro", "v1").await, "reserved");
    assert_eq!(outcome, Ok(GetDocSuccess::NoContent));
    assert_eq!(server.only_request().uri, "/docs/guides%2Fintro/raw/v1");
    let expected = GetDocInput {
        path: "guides/intro".into(),
        rev: "v1".into(),
    };
    assert_eq!(seen(&docs), [expected]);

    for (path, rev) in [("a", "x/y"), ("..", "1"), ("a", ".")] {
        match client.get_doc(path, rev).await {
            Err(ClientError::InvalidRequest(message)) => {
                assert!(message.contains("path parameter"), "{message}");
            }
            other => panic!("{path} {rev}: {other:?}"),
        }
    }
    // (Dot segments reach a server over raw TCP only, since URL parsers
    // resolve them: `e2e/hostile_requests.rs` sends those.)
    let (status, _, body) = raw(&server.base_url, Method::GET, "/docs/a/raw/x%2Fy", &[], "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        seen(&docs).len(),
        1,
        "no refused value reached the implementation"
    );
}
