//! Parameters of the shapes the APIs.guru directory has and the generator
//! once could not compile (issue 12): unions of texts in a path, query and
//! header, lists in a path, an object in a path, an integer right before
//! another parameter (`{id}{format}`), and types on loops of unions and
//! newtypes. Each goes through a generated client to a generated server
//! over loopback, with the exact wire text checked.

#![allow(clippy::all, dead_code)]

include!(concat!(env!("OUT_DIR"), "/fixture_param_shapes.rs"));
include!(concat!(env!("OUT_DIR"), "/fixture_cycles.rs"));

use http::{Method, StatusCode};
use mfa_runtime::client::ClientError;
use mfa_runtime::param::ParamValue;
use mfa_runtime::server::Principal;
use mfa_tests::{TestServer, raw};
use param_shapes::operations::*;
use param_shapes::types::{
    Echo, GetArrivalsKindsItem, GetKeySince, GetWorkflowWorkflow, KeyIdentifier, Kind, Range,
    SearchCreated,
};

/// Answers every operation with what it read, as `Debug` text.
struct Echoes;

fn echo(input: impl std::fmt::Debug) -> Echo {
    Echo {
        read: format!("{input:?}"),
    }
}

impl param_shapes::server::ParamShapesApi for Echoes {
    async fn get_key(
        &self,
        _: Option<Principal>,
        input: GetKeyInput,
    ) -> Result<GetKeySuccess, GetKeyError> {
        Ok(GetKeySuccess::Ok { body: echo(input) })
    }

    async fn get_workflow(
        &self,
        _: Option<Principal>,
        input: GetWorkflowInput,
    ) -> Result<GetWorkflowSuccess, GetWorkflowError> {
        Ok(GetWorkflowSuccess::Ok { body: echo(input) })
    }

    async fn get_arrivals(
        &self,
        _: Option<Principal>,
        input: GetArrivalsInput,
    ) -> Result<GetArrivalsSuccess, GetArrivalsError> {
        Ok(GetArrivalsSuccess::Ok { body: echo(input) })
    }

    async fn search(
        &self,
        _: Option<Principal>,
        input: SearchInput,
    ) -> Result<SearchSuccess, SearchError> {
        Ok(SearchSuccess::Ok { body: echo(input) })
    }

    async fn get_project(
        &self,
        _: Option<Principal>,
        input: GetProjectInput,
    ) -> Result<GetProjectSuccess, GetProjectError> {
        Ok(GetProjectSuccess::Ok { body: echo(input) })
    }

    async fn get_metrics(
        &self,
        _: Option<Principal>,
        _: GetMetricsInput,
    ) -> Result<GetMetricsSuccess, GetMetricsError> {
        Ok(GetMetricsSuccess::NoContent)
    }

    async fn get_version(
        &self,
        _: Option<Principal>,
        _: GetVersionInput,
    ) -> Result<GetVersionSuccess, GetVersionError> {
        Ok(GetVersionSuccess::NoContent)
    }

    async fn get_update(
        &self,
        _: Option<Principal>,
        input: GetUpdateInput,
    ) -> Result<GetUpdateSuccess, GetUpdateError> {
        Ok(GetUpdateSuccess::Ok { body: echo(input) })
    }
}

async fn start() -> (TestServer, param_shapes::client::Client) {
    let server = TestServer::start(param_shapes::server::router(Echoes)).await;
    let client = param_shapes::client::Client::new(server.base_url.clone());
    (server, client)
}

/// The last request's path and query as sent.
fn last_uri(server: &TestServer) -> String {
    server.requests().last().expect("a request").uri.clone()
}

/// A union of a string and an integer (DigitalOcean's key id or
/// fingerprint) travels as its branch's text; the server reads the branch
/// that takes the fewest texts first, so digits are the integer.
#[tokio::test]
async fn unions_of_texts_travel_as_their_branch_text() {
    let (server, client) = start().await;
    let cases = [
        (
            KeyIdentifier::Integer(42),
            "/keys/42",
            KeyIdentifier::Integer(42),
        ),
        (
            KeyIdentifier::String("ab:cd ef".into()),
            "/keys/ab%3Acd%20ef",
            KeyIdentifier::String("ab:cd ef".into()),
        ),
        // Text cannot tell the string "7" from the integer 7: it reads as
        // the integer, and is sent as the same text either way.
        (
            KeyIdentifier::String("7".into()),
            "/keys/7",
            KeyIdentifier::Integer(7),
        ),
    ];
    for (key, uri, read) in cases {
        let GetKeySuccess::Ok { body } = client.get_key(key.clone()).await.expect("answers");
        assert_eq!(last_uri(&server), uri);
        let expected = GetKeyInput {
            key: read,
            since: None,
            x_shard: None,
        };
        assert_eq!(body.read, format!("{expected:?}"), "{key:?}");
    }

    // In a query and a header too; `true` is the boolean branch, a date
    // the string one.
    let GetKeySuccess::Ok { body } = client
        .get_key(KeyIdentifier::Integer(1))
        .since(GetKeySince::Boolean(true))
        .x_shard(KeyIdentifier::String("eu-1".into()))
        .await
        .expect("answers");
    assert_eq!(last_uri(&server), "/keys/1?since=true");
    let shard = server
        .requests()
        .last()
        .unwrap()
        .headers
        .get("x-shard")
        .cloned();
    assert_eq!(shard.as_ref().and_then(|v| v.to_str().ok()), Some("eu-1"));
    let expected = GetKeyInput {
        key: KeyIdentifier::Integer(1),
        since: Some(GetKeySince::Boolean(true)),
        x_shard: Some(KeyIdentifier::String("eu-1".into())),
    };
    assert_eq!(body.read, format!("{expected:?}"));
    for (text, read) in [
        ("2024-01-31", GetKeySince::String("2024-01-31".into())),
        ("30", GetKeySince::Integer(30)),
        ("false", GetKeySince::Boolean(false)),
    ] {
        assert_eq!(GetKeySince::from_param(text), Ok(read.clone()), "{text}");
        assert_eq!(read.to_param(), text);
    }
}

/// A union of an integer and an enum (GitHub's workflow id or file name)
/// refuses text that fits neither, naming what each branch expected.
#[tokio::test]
async fn a_union_refuses_text_no_branch_takes() {
    let (server, client) = start().await;
    let GetWorkflowSuccess::Ok { body } = client
        .get_workflow(
            param_shapes::types::NameOrId::String("web".into()),
            GetWorkflowWorkflow::Kind(Kind::Deploy),
        )
        .await
        .expect("answers");
    assert_eq!(last_uri(&server), "/projects/web/workflows/deploy");
    assert!(body.read.contains("Kind(Deploy)"), "{}", body.read);

    // A server reads parameters strictly: an enum branch takes only the
    // values the spec lists (a client reading a response would keep
    // `release` as `Kind::Unknown`).
    let error =
        mfa_runtime::enums::strictly(|| GetWorkflowWorkflow::from_param("release")).unwrap_err();
    assert!(error.contains("`release` fits no branch"), "{error}");
    assert!(error.contains("`build`, `deploy`"), "{error}");
    let (status, _, body) = raw(
        &server.base_url,
        Method::GET,
        "/projects/web/workflows/release",
        &[],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("workflow"), "{body}");
}

/// Lists in a path are `simple` style: the items joined by commas, each
/// escaped, in one segment (tfl.gov.uk's line ids; openSUSE's list of a
/// one-value enum).
#[tokio::test]
async fn path_lists_are_comma_separated_items() {
    let (server, client) = start().await;
    let GetArrivalsSuccess::Ok { body } = client
        .get_arrivals(vec![3, 14], vec![GetArrivalsKindsItem::Repository])
        .await
        .expect("answers");
    assert_eq!(last_uri(&server), "/lines/3,14/arrivals/_repository");
    let expected = GetArrivalsInput {
        ids: vec![3, 14],
        kinds: vec![GetArrivalsKindsItem::Repository],
    };
    assert_eq!(body.read, format!("{expected:?}"));

    let (status, _, _) = raw(
        &server.base_url,
        Method::GET,
        "/lines/3,x/arrivals/_repository",
        &[],
        "",
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an item that is no integer"
    );
}

/// An object in a path, and a union with an object branch in a query, are
/// compact JSON (no style writes them as text both sides agree on).
#[tokio::test]
async fn objects_in_a_path_and_object_unions_in_a_query_are_json() {
    let (server, client) = start().await;
    let range = Range {
        gt: Some(1),
        lt: None,
    };
    let GetSearchOk { read } =
        search_read(&client, range.clone(), Some(SearchCreated::Integer(5))).await;
    assert_eq!(last_uri(&server), "/search/%7B%22gt%22%3A1%7D?created=5");
    let expected = SearchInput {
        filter: range.clone(),
        created: Some(SearchCreated::Integer(5)),
    };
    assert_eq!(read, format!("{expected:?}"));

    let created = SearchCreated::Range(Range {
        gt: None,
        lt: Some(9),
    });
    let GetSearchOk { read } = search_read(&client, range.clone(), Some(created.clone())).await;
    let expected = SearchInput {
        filter: range,
        created: Some(created),
    };
    assert_eq!(read, format!("{expected:?}"));
}

struct GetSearchOk {
    read: String,
}

async fn search_read(
    client: &param_shapes::client::Client,
    filter: Range,
    created: Option<SearchCreated>,
) -> GetSearchOk {
    let mut call = client.search(filter);
    if let Some(created) = created {
        call = call.created(created);
    }
    let SearchSuccess::Ok { body } = call.await.expect("answers");
    GetSearchOk { read: body.read }
}

/// `{id}{format}` with an integer `id` (NASA's `/api/projects/{id}{.format}`):
/// the integer ends where its digits do, so a `format` starting with a
/// digit is refused by the client, and the router splits there.
#[tokio::test]
async fn an_integer_right_before_another_parameter_ends_at_its_digits() {
    let (server, client) = start().await;
    let GetProjectSuccess::Ok { body } = client.get_project(120, ".json").await.expect("answers");
    assert_eq!(last_uri(&server), "/projects/120.json");
    let expected = GetProjectInput {
        id: 120,
        format: ".json".into(),
    };
    assert_eq!(body.read, format!("{expected:?}"));

    match client.get_project(1, "2x").await {
        Err(ClientError::InvalidRequest(message)) => {
            assert!(message.contains("starts with a digit"), "{message}");
        }
        other => panic!("expected an invalid request, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 1, "nothing ambiguous was sent");

    let (status, _, _) = raw(&server.base_url, Method::GET, "/projects/x.json", &[], "").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no digits, no project");
}

/// `{id}{ext}` where `ext` allows one value is `{id}.json`: fixed text.
#[tokio::test]
async fn a_constant_right_after_a_parameter_is_path_text() {
    let (server, client) = start().await;
    let GetUpdateSuccess::Ok { body } = client.get_update("a.b").await.expect("answers");
    assert_eq!(last_uri(&server), "/updates/a.b.json");
    let expected = GetUpdateInput { id: "a.b".into() };
    assert_eq!(body.read, format!("{expected:?}"));
}

/// Operations whose only parameters are constants take no input: the
/// client sends the constants, the server checks them (its reader has no
/// unused argument: the corpus checks fixtures with warnings denied).
#[tokio::test]
async fn operations_with_only_constant_parameters_take_no_input() {
    let (server, client) = start().await;
    assert_eq!(
        client.get_metrics().await.expect("answers"),
        GetMetricsSuccess::NoContent
    );
    assert_eq!(last_uri(&server), "/metrics/cpu");
    assert_eq!(
        client.get_version().await.expect("answers"),
        GetVersionSuccess::NoContent
    );
    assert_eq!(last_uri(&server), "/version?format=json");
    let (status, _, _) = raw(
        &server.base_url,
        Method::GET,
        "/version?format=xml",
        &[],
        "",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "another value is refused");
}

/// A loop through a struct property boxes the property and leaves the
/// union alone; it nests as deep as the JSON does.
#[test]
fn a_loop_through_a_property_is_boxed_there() {
    use cycles::types::{Tree, TreeOrLeaf};
    let tree = Tree {
        value: Some(1),
        next: Some(Box::new(TreeOrLeaf::Tree(Tree {
            value: Some(2),
            next: Some(Box::new(TreeOrLeaf::String("leaf".into()))),
        }))),
    };
    let value = serde_json::to_value(&tree).expect("encodes");
    assert_eq!(
        value,
        serde_json::json!({"value": 1, "next": {"value": 2, "next": "leaf"}})
    );
    assert_eq!(
        serde_json::from_value::<Tree>(value).expect("decodes"),
        tree
    );
}

/// A loop of unions, newtypes and flattened `allOf` members reads no input
/// of its own: decoding it used to recurse without end (and the types were
/// infinitely large). The members on the loop are any JSON value, so every
/// value decodes; a union tries its typed branches before those, so they
/// stay reachable.
#[test]
fn loops_that_read_no_input_decode_without_recursing() {
    use cycles::types::{Circle, Expr, Group, Not, Shape, ShapeKind, Wrapped};
    let any = || serde_json::json!({"anything": [1, true]});
    assert_eq!(
        serde_json::from_value::<Expr>(any()).unwrap(),
        Expr::Value(any())
    );
    assert_eq!(
        serde_json::from_value::<Expr>(serde_json::json!(true)).unwrap(),
        Expr::Boolean(true),
        "the typed branch is tried before any JSON value"
    );
    assert_eq!(
        serde_json::from_value::<Not>(any()).unwrap(),
        Not::Wrapped(Wrapped(any()))
    );
    assert_eq!(
        serde_json::from_value::<Group>(serde_json::json!(5)).unwrap(),
        Group::Integer(5)
    );
    assert_eq!(
        serde_json::from_value::<Group>(serde_json::json!("five")).unwrap(),
        Group::Value(serde_json::json!("five"))
    );
    assert_eq!(Wrapped(any()).0, any());
    let circle = serde_json::json!({"radius": 2.5});
    assert_eq!(
        serde_json::from_value::<ShapeKind>(circle.clone()).unwrap(),
        ShapeKind::Circle(Circle { radius: 2.5 })
    );
    let shape: Shape =
        serde_json::from_value(serde_json::json!({"radius": 2.5, "name": "c"})).expect("decodes");
    assert_eq!(shape.name.as_deref(), Some("c"));
    assert_eq!(
        shape.shape_kind, circle,
        "the properties the struct does not own"
    );
}
