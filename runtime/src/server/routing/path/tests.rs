//! Matching paths against templates.

use super::*;
use Segment::*;

#[test]
fn both_forms_of_a_realm_path_name_the_same_realm() {
    let full = ["root", "alpha"];
    let short = ["alpha"];
    assert_eq!(without_root(&full), without_root(&short));
    assert_eq!(without_root(&short), ["alpha"]);
    assert!(without_root(&["root"]).is_empty());
    // Only the top of the hierarchy is the root realm.
    assert_eq!(without_root(&["root", "root"]), ["root"]);
    assert_eq!(without_root(&["alpha", "root"]), ["alpha", "root"]);
    // What a generated server receives for both forms.
    for path in [
        "/realms/alpha/users/u1/devices/2fa/oath",
        "/realms/root/realms/alpha/users/u1/devices/2fa/oath",
    ] {
        let RouteMatch::Found { params, .. } = match_route(&routes(), &Method::POST, path) else {
            panic!("{path} is routed");
        };
        let PathValue::Many(realm) = &params[0] else {
            panic!("{params:?}");
        };
        assert_eq!(without_root(realm), ["alpha"], "{path}");
    }
}

fn routes() -> Vec<Route> {
    let realm = &[("realm", "realms")];
    vec![
        Route::new(
            Method::POST,
            "/{realm}/users/{user}/devices/2fa/oath",
            realm,
        ),
        Route::new(
            Method::DELETE,
            "/{realm}/users/{user}/devices/2fa/webauthn/{id}",
            realm,
        ),
        Route::new(Method::GET, "/users/{id}", &[]),
        Route::new(Method::GET, "/users/me", &[]),
        Route::new(Method::GET, "/files/{name}.json", &[]),
        Route::new(Method::GET, "/items/", &[]),
    ]
}

#[test]
fn templates_read_as_the_spec_writes_them() {
    let oath = &routes()[0];
    assert_eq!(
        oath.segments,
        [
            Hierarchy("realms"),
            Literal("users"),
            Param,
            Literal("devices"),
            Literal("2fa"),
            Literal("oath")
        ]
    );
    assert_eq!(oath.params, ["realm", "user"]);
    assert_eq!(
        routes()[4].segments,
        [
            Literal("files"),
            Mixed(vec![Part::Param, Part::Literal(".json")])
        ]
    );
    assert_eq!(routes()[5].segments, [Literal("items"), TrailingSlash]);
    assert_eq!(Route::new(Method::GET, "/", &[]).segments, []);
    // Text that is not a parameter stays literal.
    assert_eq!(
        Route::new(Method::GET, "/a{b/c}", &[]).segments,
        [Literal("a{b"), Literal("c}")]
    );
}

fn one(s: &str) -> PathValue {
    PathValue::One(s.to_string())
}

#[test]
fn realm_hierarchies_of_any_depth_match() {
    let m = match_route(
        &routes(),
        &Method::POST,
        "/realms/root/realms/alpha/users/u%201/devices/2fa/oath",
    );
    assert_eq!(
        m,
        RouteMatch::Found {
            route: 0,
            params: vec![
                PathValue::Many(vec!["root".into(), "alpha".into()]),
                one("u 1")
            ]
        }
    );
    let m = match_route(
        &routes(),
        &Method::POST,
        "/realms/root/realms/alpha/realms/sub/users/u/devices/2fa/oath",
    );
    assert!(
        matches!(m, RouteMatch::Found { route: 0, ref params } if params[0] == PathValue::Many(vec!["root".into(), "alpha".into(), "sub".into()]))
    );
    assert_eq!(
        match_route(&routes(), &Method::POST, "/users/u/devices/2fa/oath"),
        RouteMatch::NotFound
    );
}

#[test]
fn a_realm_named_like_a_literal_still_matches() {
    // The realm is called "users": greedy pairs must give one back.
    let m = match_route(
        &routes(),
        &Method::DELETE,
        "/realms/users/users/x/devices/2fa/webauthn/d1",
    );
    assert_eq!(
        m,
        RouteMatch::Found {
            route: 1,
            params: vec![PathValue::Many(vec!["users".into()]), one("x"), one("d1")]
        }
    );
}

#[test]
fn literals_beat_parameters_and_methods_are_checked() {
    assert_eq!(
        match_route(&routes(), &Method::GET, "/users/me"),
        RouteMatch::Found {
            route: 3,
            params: vec![]
        }
    );
    assert_eq!(
        match_route(&routes(), &Method::GET, "/users/42"),
        RouteMatch::Found {
            route: 2,
            params: vec![one("42")]
        }
    );
    assert_eq!(
        match_route(&routes(), &Method::PUT, "/users/42"),
        RouteMatch::MethodNotAllowed {
            allowed: vec![Method::GET, Method::HEAD]
        }
    );
    assert_eq!(
        match_route(&routes(), &Method::GET, "/users/"),
        RouteMatch::NotFound
    );
    assert_eq!(
        match_route(&routes(), &Method::GET, "users/42"),
        RouteMatch::NotFound
    );
}

#[test]
fn mixed_segments_and_trailing_slashes() {
    assert_eq!(
        match_route(&routes(), &Method::GET, "/files/a.b.json"),
        RouteMatch::Found {
            route: 4,
            params: vec![one("a.b")]
        }
    );
    assert_eq!(
        match_route(&routes(), &Method::GET, "/files/.json"),
        RouteMatch::NotFound
    );
    assert_eq!(
        match_route(&routes(), &Method::GET, "/items/"),
        RouteMatch::Found {
            route: 5,
            params: vec![]
        }
    );
    assert_eq!(
        match_route(&routes(), &Method::GET, "/items"),
        RouteMatch::NotFound
    );
}

/// `{id}{format}` with an integer `id`: it takes the longest run of
/// digits, the rest is `format`; no digits, no match.
#[test]
fn an_integer_right_before_another_parameter_ends_where_its_digits_do() {
    let route =
        Route::new(Method::GET, "/p/{id}{format}", &[]).with_adjacent_params(&[("id", "format")]);
    assert_eq!(
        route.segments[1],
        Mixed(vec![Part::Digits, Part::Param]),
        "only `id` is bounded"
    );
    let routes = [route];
    for (path, id, format) in [
        ("/p/123.json", "123", ".json"),
        ("/p/-4x", "-4", "x"),
        ("/p/7%2Ejson", "7", ".json"),
    ] {
        assert_eq!(
            match_route(&routes, &Method::GET, path),
            RouteMatch::Found {
                route: 0,
                params: vec![one(id), one(format)]
            },
            "{path}"
        );
    }
    for path in ["/p/json", "/p/123", "/p/-.json"] {
        assert_eq!(
            match_route(&routes, &Method::GET, path),
            RouteMatch::NotFound,
            "{path}"
        );
    }
}

#[test]
fn literal_segments_match_escaped_or_not() {
    // Escaped literals and hierarchy prefixes decode before comparing;
    // a segment that is not UTF-8 once decoded matches no literal.
    assert_eq!(
        match_route(&routes(), &Method::GET, "/%75sers/%6De"),
        RouteMatch::Found {
            route: 3,
            params: vec![]
        }
    );
    assert_eq!(
        match_route(
            &routes(),
            &Method::POST,
            "/realm%73/root/users/u/devices/2fa/oath"
        ),
        RouteMatch::Found {
            route: 0,
            params: vec![PathValue::Many(vec!["root".into()]), one("u")]
        }
    );
    assert_eq!(
        match_route(&routes(), &Method::GET, "/users%FF/me"),
        RouteMatch::NotFound
    );
    assert!(segment_is("me", "me") && !segment_is("me", "m") && !segment_is("%FF", "\u{FFFD}"));
}

/// A constant path parameter is written into the template escaped, as
/// the client sends it (`a%20c%2Fb`): the route matches it sent that
/// way, or with other escapes that decode to the same text.
#[test]
fn escaped_template_text_matches_its_decoded_value() {
    let routes = [Route::new(Method::GET, "/kinds/a%20c%2Fb/v1.{minor}", &[])];
    for path in ["/kinds/a%20c%2Fb/v1.2", "/kinds/a%20c%2fb/v1.2"] {
        assert_eq!(
            match_route(&routes, &Method::GET, path),
            RouteMatch::Found {
                route: 0,
                params: vec![one("2")]
            },
            "{path}"
        );
    }
    assert_eq!(
        match_route(&routes, &Method::GET, "/kinds/a%20c/b/v1.2"),
        RouteMatch::NotFound
    );
}

/// HEAD is GET without the body (RFC 9110 9.3.2): every GET route
/// answers it, and the methods allowed on a GET path include it.
#[test]
fn head_is_answered_by_the_get_route() {
    let routes = [
        Route::new(Method::GET, "/items/{id}", &[]),
        Route::new(Method::DELETE, "/items/{id}", &[]),
        Route::new(Method::POST, "/reset", &[]),
    ];
    assert_eq!(
        match_route(&routes, &Method::HEAD, "/items/7"),
        RouteMatch::Found {
            route: 0,
            params: vec![one("7")]
        }
    );
    assert_eq!(
        match_route(&routes, &Method::PUT, "/items/7"),
        RouteMatch::MethodNotAllowed {
            allowed: vec![Method::GET, Method::HEAD, Method::DELETE]
        }
    );
    // Without a GET there is no HEAD.
    assert_eq!(
        match_route(&routes, &Method::HEAD, "/reset"),
        RouteMatch::MethodNotAllowed {
            allowed: vec![Method::POST]
        }
    );
}
