//! Routing a request to its operation: generated servers list their
//! operations as a table of [`Route`]s ([`match_route`] matches a path
//! against them) and [`router`] serves the table as one axum router.
//!
//! axum's own router cannot express a parameter that spans several segments
//! in the middle of a path (Ping's realm hierarchy,
//! `realms/root/realms/alpha`), so generated routers match templates here and
//! dispatch themselves.

mod path;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::response::Response;
use http::Method;
use http::header::HeaderValue;

pub use path::{Part, PathValue, Route, RouteMatch, Segment, match_route, without_root};

use super::auth::AuthOutcome;
use super::extract::Incoming;
use super::rejection::{Rejection, RejectionKind, not_found};

/// A generated operation handler: route index, the request read whole, and
/// its path parameters in template order.
pub type Handler<A> =
    fn(Arc<A>, usize, Incoming, Vec<PathValue>) -> Pin<Box<dyn Future<Output = Response> + Send>>;

/// How a generated router answers a rejected request (the trait's `reject`).
pub type Reject<A> = fn(&A, Rejection) -> Response;

/// The axum router every generated server uses: match the path against
/// `routes`, answer 404 or 405 (with `Allow`) through `reject`, read the
/// body up to `limit` bytes, and hand the request to `handle`.
pub fn router<A: Send + Sync + 'static>(
    api: A,
    routes: &'static [Route],
    limit: usize,
    handle: Handler<A>,
    reject: Reject<A>,
) -> axum::Router {
    let api = Arc::new(api);
    let service = move |request: axum::extract::Request| {
        let api = Arc::clone(&api);
        async move { dispatch(api, routes, limit, handle, reject, request).await }
    };
    axum::Router::new()
        .route("/", axum::routing::any(service.clone()))
        .route("/{*path}", axum::routing::any(service))
}

async fn dispatch<A: Send + Sync + 'static>(
    api: Arc<A>,
    routes: &'static [Route],
    limit: usize,
    handle: Handler<A>,
    reject: Reject<A>,
    request: axum::extract::Request,
) -> Response {
    // Matched on the borrowed path: nothing is copied to route a request.
    match match_route(routes, request.method(), request.uri().path()) {
        RouteMatch::Found { route, params } => match Incoming::read(request, limit).await {
            // A credential that was sent and does not verify is refused
            // whatever the operation requires.
            Ok(incoming) => match incoming.extensions.get::<AuthOutcome>() {
                Some(AuthOutcome::Refused(rejection)) => reject(&api, rejection.clone()),
                _ => handle(api, route, incoming, params).await,
            },
            Err(rejection) => reject(&api, rejection),
        },
        RouteMatch::MethodNotAllowed { allowed } => {
            let (method, path) = (request.method(), request.uri().path());
            let allowed: Vec<&str> = allowed.iter().map(Method::as_str).collect();
            let allowed = allowed.join(", ");
            let message = format!("`{method}` is not allowed on `{path}`; allowed: {allowed}");
            let mut response = reject(
                &api,
                Rejection::new(RejectionKind::MethodNotAllowed, message),
            );
            if let Ok(value) = HeaderValue::from_str(&allowed) {
                response.headers_mut().insert(http::header::ALLOW, value);
            }
            response
        }
        RouteMatch::NotFound => reject(&api, not_found(request.uri().path())),
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use http::StatusCode;

    use super::*;
    use crate::server::response::{ResponseBuilder, rejection_response};

    /// A two-route table served through the shared router, as generated
    /// servers use it.
    #[tokio::test]
    async fn the_router_dispatches_rejects_and_names_allowed_methods() {
        use super::Segment;
        use tower::ServiceExt;
        static ROUTES: &[Route] = &[
            Route {
                method: Method::GET,
                segments: &[Segment::Literal("items"), Segment::Param],
            },
            Route {
                method: Method::DELETE,
                segments: &[Segment::Literal("items"), Segment::Param],
            },
        ];
        fn handle(
            _: std::sync::Arc<()>,
            route: usize,
            incoming: Incoming,
            params: Vec<PathValue>,
        ) -> Pin<Box<dyn Future<Output = Response> + Send>> {
            Box::pin(async move {
                let body = format!("{route} {:?} {}", params, incoming.body.len());
                ResponseBuilder::new(StatusCode::OK).text("text/plain", body)
            })
        }
        fn reject(_: &(), rejection: Rejection) -> Response {
            rejection_response(
                &rejection,
                &serde_json::json!({ "error": rejection.message }),
            )
        }
        let app = router((), ROUTES, 8, handle, reject);
        let call = |method: &str, uri: &str, body: &'static str| {
            let request = http::Request::builder()
                .method(method)
                .uri(uri)
                .body(Body::from(body))
                .unwrap();
            app.clone().oneshot(request)
        };
        let text = |r: Response| async move {
            String::from_utf8(
                axum::body::to_bytes(r.into_body(), 1024)
                    .await
                    .unwrap()
                    .to_vec(),
            )
            .unwrap()
        };

        let found = call("DELETE", "/items/a%20b", "xyz").await.unwrap();
        assert_eq!(found.status(), StatusCode::OK);
        assert_eq!(text(found).await, "1 [One(\"a b\")] 3");

        let wrong_method = call("PUT", "/items/1", "").await.unwrap();
        assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(wrong_method.headers()["allow"], "GET, DELETE");
        assert!(
            text(wrong_method)
                .await
                .contains("`PUT` is not allowed on `/items/1`")
        );

        let missing = call("GET", "/nothing", "").await.unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            text(missing).await,
            r#"{"error":"no operation at `/nothing`"}"#
        );

        let too_big = call("GET", "/items/1", "123456789").await.unwrap();
        assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
}
