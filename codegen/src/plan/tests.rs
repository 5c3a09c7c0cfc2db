//! The plan's decisions, checked on the vendor specs and small inline
//! specs: each is the one the client, the server and the shared types all
//! print.

use super::*;

fn plan_of(path: &str, text: &str, module: &str) -> Plan {
    let loaded = crate::load::load(path, text).expect("loads");
    let built = crate::model::build(&loaded, &Default::default()).expect("builds");
    build(&built.api, module)
}

fn vendor(name: &str) -> Plan {
    let path = format!("{}/../specs/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("vendor spec");
    plan_of(&path, &text, name)
}

fn operation<'p>(plan: &'p Plan, id: &str) -> &'p OperationPlan {
    plan.operations
        .iter()
        .find(|op| op.id == id)
        .expect("operation")
}

fn param<'o>(op: &'o OperationPlan, wire: &str) -> &'o ParamPlan {
    op.params
        .iter()
        .find(|p| p.wire == wire)
        .expect("parameter")
}

/// Ping's realm is a hierarchy, `_action` a constant nobody types, and
/// `Accept-API-Version`, optional for servers, is sent as the spec's
/// default (`x-send-default`) unless the call sets another.
#[test]
fn parameter_roles_on_ping() {
    let plan = vendor("ping");
    let op = operation(&plan, "resetOathDevices");
    assert_eq!(
        (&op.method, &op.builder, &op.input),
        (
            &"reset_oath_devices".to_string(),
            &"ResetOathDevices".to_string(),
            &"ResetOathDevicesInput".to_string()
        )
    );
    let realm = param(op, "realm");
    assert!(
        matches!(&realm.role, ParamRole::Hierarchy { prefix, field } if prefix == "realms" && field.init == ClientInit::Argument)
    );
    assert_eq!(
        realm.encoding,
        Encoding::Path(PathForm::Items { newtype: true })
    );
    let user = param(op, "user");
    assert!(matches!(user.role, ParamRole::Path(_)));
    assert_eq!(user.encoding, Encoding::Path(PathForm::Scalar));
    assert_eq!(
        op.segment_prefixes,
        [("realm".to_string(), "realms".to_string())]
    );
    let action = param(op, "_action");
    assert_eq!(
        action.role,
        ParamRole::Constant {
            value: "reset".into()
        }
    );
    assert!(action.input().is_none());
    let version = param(op, "Accept-API-Version").input().expect("an input");
    assert!(!version.required);
    assert_eq!(
        version.init,
        ClientInit::SendDefault {
            value: RustValue::Str("resource=1.0".into()),
            shown: "resource=1.0".into()
        }
    );
    assert!(op.security.requires_authentication());
    // Three alternatives (OR), each one scheme without scopes.
    let requirements: Vec<_> = op
        .security
        .requirements
        .iter()
        .map(|r| &r.schemes[..])
        .collect();
    let one = |scheme: &str| vec![(scheme.to_string(), Vec::<String>::new())];
    assert_eq!(
        requirements,
        [
            &one("bearerAuth")[..],
            &one("ssoToken")[..],
            &one("ssoCookie")[..]
        ]
    );
    let body = op.body.as_ref().expect("a body");
    assert_eq!(
        (body.kind, &body.field.init),
        (BodyKind::Json, &ClientInit::Default)
    );
}

const SEND_DEFAULT: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      operationId: getA
      parameters:
        - {name: X-Version, in: header, x-send-default: true, schema: {type: string, default: v2}}
        - {name: page, in: query, x-send-default: true, schema: {type: integer, default: 1}}
        - {name: limit, in: query, schema: {type: integer, default: 20}}
        - {name: size, in: query, required: true, schema: {type: integer, default: 5}}
      responses: {'200': {description: ok}}
"#;

/// Only `x-send-default` makes the client send an optional parameter's
/// default (shown as the setter's doc writes it); an optional parameter
/// with just a default starts unset (a server assumes it), a required one
/// starts at it.
#[test]
fn only_x_send_default_sends_an_optional_default() {
    let plan = plan_of("send_default.yaml", SEND_DEFAULT, "t");
    let op = operation(&plan, "getA");
    let init = |wire: &str| param(op, wire).input().expect("an input").init.clone();
    assert_eq!(
        init("X-Version"),
        ClientInit::SendDefault {
            value: RustValue::Str("v2".into()),
            shown: "v2".into()
        }
    );
    assert!(matches!(
        init("page"),
        ClientInit::SendDefault { shown, .. } if shown == "1"
    ));
    assert_eq!(init("limit"), ClientInit::Unset);
    assert!(matches!(init("size"), ClientInit::Value(_)));
}

/// Fireblocks' `Idempotency-Key` is the idempotency key: the client fills
/// in a fresh one, and the operation says so once for both sides.
#[test]
fn the_idempotency_key_is_decided_once() {
    let plan = vendor("fireblocks");
    let op = operation(&plan, "resetDevice");
    let key = op.idempotency_key().expect("a key");
    assert_eq!(key.wire, "Idempotency-Key");
    assert_eq!(key.encoding, Encoding::Header(TextForm::Scalar));
    assert!(
        matches!(&key.role, ParamRole::IdempotencyKey(field) if field.init == ClientInit::NewIdempotencyKey && !field.required)
    );
}

/// Scheme constants and the client's credential methods are named in the
/// plan, API keys with a `_named` variant; server URLs get a function.
#[test]
fn schemes_and_servers_are_named_in_the_plan() {
    let plan = vendor("ping");
    let names: Vec<_> = plan
        .schemes
        .iter()
        .map(|s| {
            (
                s.constant.as_str(),
                s.method.as_str(),
                s.named_method.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("BEARER_AUTH", "with_bearer_auth", None),
            ("SSO_TOKEN", "with_sso_token", Some("with_sso_token_named")),
            (
                "SSO_COOKIE",
                "with_sso_cookie",
                Some("with_sso_cookie_named")
            ),
        ]
    );
    let server = &plan.servers[0];
    assert_eq!(server.function.as_deref(), Some("server_url"));
    assert_eq!(server.variables[0].argument, "tenant_env_fqdn");
    assert_eq!(plan.server_trait, "PingApi");
}

const NAMES_AND_QUERIES: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
servers:
  - url: https://{region}.example.com
    variables: {region: {default: eu}}
components:
  securitySchemes:
    timeout: {type: http, scheme: bearer}
    key: {type: apiKey, in: query, name: api_key}
  schemas:
    Filter:
      type: object
      properties: {a: {type: string}, b: {type: integer}}
    Open:
      type: object
      additionalProperties: {type: string}
paths:
  /things:
    get:
      operationId: with_signer
      parameters:
        - {name: ids, in: query, schema: {type: array, items: {type: integer}}, explode: false}
        - {name: tags, in: query, style: pipeDelimited, explode: false, schema: {type: array, items: {type: string}}}
        - {name: filter, in: query, schema: {$ref: '#/components/schemas/Filter'}}
        - {name: deep, in: query, style: deepObject, schema: {$ref: '#/components/schemas/Filter'}}
        - {name: rest, in: query, schema: {$ref: '#/components/schemas/Open'}}
        - {name: send, in: query, schema: {type: string}}
      responses:
        '200': {description: ok}
"#;

/// Query lists and objects get the layout their `style` and `explode`
/// say; an open exploded object reads every pair but the others'.
#[test]
fn query_layouts_are_decided_once() {
    let plan = plan_of("t.yaml", NAMES_AND_QUERIES, "t");
    let op = &plan.operations[0];
    let query = |wire: &str| match &param(op, wire).encoding {
        Encoding::Query(form) => form.clone(),
        other => panic!("{wire} in the query, not {other:?}"),
    };
    assert_eq!(
        query("ids"),
        QueryForm::Array {
            layout: ArrayLayout::Form { explode: false },
            newtype: false
        }
    );
    assert_eq!(
        query("tags"),
        QueryForm::Array {
            layout: ArrayLayout::Delimited(Delimiter::Pipe),
            newtype: false
        }
    );
    assert_eq!(
        query("filter"),
        QueryForm::Object(ObjectLayout::Exploded(ObjectKeys::Only(vec![
            "a".into(),
            "b".into()
        ])))
    );
    assert_eq!(query("deep"), QueryForm::Object(ObjectLayout::Deep));
    let others = ["ids", "tags", "filter", "a", "b", "deep", "send", "api_key"];
    assert_eq!(
        query("rest"),
        QueryForm::Object(ObjectLayout::Exploded(ObjectKeys::AllBut(
            others.iter().map(ToString::to_string).collect()
        )))
    );
}

/// Names that would collide with the generated client's own methods, or a
/// call's, yield to them.
#[test]
fn names_yield_to_the_client_and_call_methods() {
    let plan = plan_of("t.yaml", NAMES_AND_QUERIES, "t");
    let op = &plan.operations[0];
    // `with_signer` is a client method; `send` a call method.
    assert_eq!(op.method, "with_signer_2");
    assert_eq!(param(op, "send").input().expect("input").name, "send_2");
    // An operation called `call` takes neither the client's `call` nor
    // the module's `Call` type.
    let call = plan_of(
        "t.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: call\n      responses: {'200': {description: ok}}\n",
        "t",
    );
    assert_eq!(
        (
            call.operations[0].method.as_str(),
            call.operations[0].builder.as_str()
        ),
        ("call_2", "Call2")
    );
    // A scheme called `timeout` does not take `Client::with_timeout`.
    assert_eq!(plan.schemes[0].method, "with_timeout_2");
    assert_eq!(
        plan.schemes[1].named_method.as_deref(),
        Some("with_key_named")
    );
}

/// A plan is plain data: the same spec plans the same, so two plans can
/// be compared item by item.
#[test]
fn plans_are_deterministic_and_comparable() {
    let first = vendor("ping");
    assert_eq!(first, vendor("ping"));
    assert_ne!(first.operations[0], first.operations[1]);
}

const REDIRECTS: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /moved:
    get:
      operationId: getMoved
      responses:
        '200': {description: ok}
        '303': {description: see the new place}
  /ranged:
    get:
      operationId: getRanged
      responses:
        '200': {description: ok}
        '3XX': {description: any redirect}
  /plain:
    get:
      operationId: getPlain
      responses:
        '200': {description: ok}
        '404': {description: not found}
        default: {description: anything else}
"#;

/// An operation documents redirects when the spec lists a 3xx code or the
/// `3XX` range; `default` alone does not, so the client ends such a call
/// in `ClientError::Redirect` rather than decoding the redirect.
#[test]
fn documented_redirects_are_decided_once() {
    let plan = plan_of("redirects.yaml", REDIRECTS, "t");
    let documents = |id: &str| operation(&plan, id).documents_redirects;
    assert!(documents("getMoved"));
    assert!(documents("getRanged"));
    assert!(!documents("getPlain"));
    let vendors = ["fireblocks", "ping", "flashback"].map(vendor);
    assert!(
        vendors
            .iter()
            .flat_map(|plan| &plan.operations)
            .all(|op| !op.documents_redirects),
        "no vendor spec documents a redirect"
    );
}

const CONSTANT_PATH: &str = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /backgrounds/{index}/v{major}.{minor}/:
    get:
      operationId: getBackground
      parameters:
        - {name: index, in: path, required: true, schema: {type: string, enum: [a c/b]}}
        - {name: major, in: path, required: true, schema: {type: string, enum: ['1']}}
        - {name: minor, in: path, required: true, schema: {type: integer}}
      responses: {'204': {description: ok}}
"#;

/// The model makes a constant path parameter fixed path text; the plan's
/// template (what the client fills in and the router matches) has it
/// written in, escaped, and keeps only what a caller passes as `{name}`.
/// Without constants it is the spec's template, character for character.
#[test]
fn constant_path_parameters_are_written_into_the_template() {
    let plan = plan_of("constant.yaml", CONSTANT_PATH, "t");
    let op = operation(&plan, "getBackground");
    assert_eq!(op.path, "/backgrounds/{index}/v{major}.{minor}/");
    assert_eq!(op.template, "/backgrounds/a%20c%2Fb/v1.{minor}/");
    let wires: Vec<&str> = op.params.iter().map(|p| p.wire.as_str()).collect();
    assert_eq!(wires, ["minor"]);
    for plan in ["fireblocks", "ping", "flashback"].map(vendor) {
        for op in &plan.operations {
            assert_eq!(op.template, op.path, "{}", op.id);
        }
    }
}

/// Null and absent (issue 13, finding 6), decided per field: a required
/// nullable property must be sent; an optional nullable one keeps null
/// apart from absent; an optional one that is not nullable refuses `null`
/// on servers only where a request carries its type; a closed object
/// (`additionalProperties: false`) refuses unknown properties.
#[test]
fn null_absent_and_unknown_properties_are_decided_per_field() {
    let text = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /notes:
    post:
      operationId: addNote
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Note'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Receipt'}
components:
  schemas:
    Note:
      type: object
      additionalProperties: false
      required: [text]
      properties:
        text: {type: string, nullable: true}
        tag: {type: string}
        color: {type: string, nullable: true}
    Receipt:
      type: object
      properties:
        id: {type: string}
"#;
    let plan = plan_of("t.yaml", text, "t");
    let fields = |name: &str| -> (Vec<(String, FieldSerde)>, bool) {
        let decl = plan.types.iter().find(|t| t.name == name).expect("type");
        let DeclKind::Struct(s) = &decl.kind else {
            panic!("{name} is a struct")
        };
        let fields = s.fields.iter().map(|f| (f.wire.clone(), f.serde.clone()));
        (fields.collect(), s.deny_unknown)
    };
    let owned = |pairs: &[(&str, FieldSerde)]| -> Vec<(String, FieldSerde)> {
        pairs
            .iter()
            .map(|(w, s)| (w.to_string(), s.clone()))
            .collect()
    };
    assert_eq!(
        fields("Note"),
        (
            owned(&[
                ("text", FieldSerde::RequiredNullable),
                ("tag", FieldSerde::OptionalNotNull),
                ("color", FieldSerde::OptionalNullable),
            ]),
            true
        )
    );
    assert_eq!(
        fields("Receipt"),
        (owned(&[("id", FieldSerde::Optional)]), false)
    );
}
