//! Routing a request to its operation: generated servers list their
//! operations in a [`Routes`] table, each a [`Route`] (method and path
//! template, matched by [`match_route`]) and the handler that serves it,
//! and [`Routes::into_router`] serves the table as one axum router.
//!
//! axum's own router cannot express a parameter that spans several segments
//! in the middle of a path (Ping's realm hierarchy,
//! `realms/root/realms/alpha`), so generated routers match templates here and
//! dispatch themselves.

mod path;
mod template;
mod values;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::response::Response;
use http::Method;
use http::header::HeaderValue;

pub use path::{RouteMatch, match_route, without_root};
pub use template::{Part, Route, Segment};

use super::auth::AuthOutcome;
use super::extract::Incoming;
use super::rejection::{Rejection, RejectionKind, not_found};

/// Serves one operation: the implementation, the request read whole (its
/// path parameters too), and how the API answers a rejected request.
pub type Handler<A> =
    fn(Arc<A>, Incoming, Reject<A>) -> Pin<Box<dyn Future<Output = Response> + Send>>;

/// How a generated router answers a rejected request (the trait's `reject`).
pub type Reject<A> = fn(&A, Rejection) -> Response;

/// The operations an API serves, each a route and its handler: generated
/// routers add one per operation (`Routes::operation`, in `server::endpoint`).
pub struct Routes<A> {
    routes: Vec<Route>,
    handlers: Vec<Handler<A>>,
    reject: Reject<A>,
}

impl<A> std::fmt::Debug for Routes<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Routes")
            .field("routes", &self.routes.len())
            .finish_non_exhaustive()
    }
}

impl<A: Send + Sync + 'static> Routes<A> {
    /// No routes yet; rejected requests (an unknown path, a wrong method,
    /// a body too large) are answered by `reject`.
    pub fn new(reject: Reject<A>) -> Self {
        Routes {
            routes: Vec::new(),
            handlers: Vec::new(),
            reject,
        }
    }

    /// Serve `route` with `handler`.
    #[must_use]
    pub fn route(mut self, route: Route, handler: Handler<A>) -> Self {
        self.routes.push(route);
        self.handlers.push(handler);
        self
    }

    /// The axum router serving `api`: match the path against the routes,
    /// answer 404 or 405 (with `Allow`) through `reject`, read the body up
    /// to `limit` bytes, and hand the request to the route's handler.
    pub fn into_router(self, api: A, limit: usize) -> axum::Router {
        let api = Arc::new(api);
        let table = Arc::new(self);
        let service = move |request: axum::extract::Request| {
            let (api, table) = (Arc::clone(&api), Arc::clone(&table));
            async move { dispatch(api, &table, limit, request).await }
        };
        axum::Router::new()
            .route("/", axum::routing::any(service.clone()))
            .route("/{*path}", axum::routing::any(service))
    }
}

async fn dispatch<A: Send + Sync + 'static>(
    api: Arc<A>,
    table: &Routes<A>,
    limit: usize,
    request: axum::extract::Request,
) -> Response {
    let reject = table.reject;
    // Matched on the borrowed path: nothing is copied to route a request.
    match match_route(&table.routes, request.method(), request.uri().path()) {
        RouteMatch::Found { route, params } => {
            let head = request.method() == Method::HEAD;
            let response = match Incoming::read(request, limit).await {
                // A credential that was sent and does not verify is refused
                // whatever the operation requires.
                Ok(mut incoming) => match incoming.extensions.get::<AuthOutcome>() {
                    Some(AuthOutcome::Refused(rejection)) => reject(&api, rejection.clone()),
                    _ => match values::named(&table.routes[route], params) {
                        Ok(params) => {
                            incoming.set_path(params);
                            (table.handlers[route])(api, incoming, reject).await
                        }
                        Err(rejection) => reject(&api, rejection),
                    },
                },
                Err(rejection) => reject(&api, rejection),
            };
            // A GET route answering HEAD: the headers, not the body (hyper
            // drops it on the wire too; this says so to any other server).
            match head {
                true => without_body(response),
                false => response,
            }
        }
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

/// `response` with its headers (`Content-Length` included, as GET would
/// send) and no body.
fn without_body(response: Response) -> Response {
    let (parts, _) = response.into_parts();
    Response::from_parts(parts, axum::body::Body::empty())
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
        use tower::ServiceExt;
        fn handle(
            _: Arc<()>,
            incoming: Incoming,
            _: Reject<()>,
        ) -> Pin<Box<dyn Future<Output = Response> + Send>> {
            Box::pin(async move {
                let id: String = incoming.path("id").unwrap_or_default();
                let body = format!("{} {id} {}", incoming.method, incoming.body.len());
                ResponseBuilder::new(StatusCode::OK).text("text/plain", body)
            })
        }
        fn reject(_: &(), rejection: Rejection) -> Response {
            rejection_response(
                &rejection,
                &serde_json::json!({ "error": rejection.message }),
            )
        }
        let app = Routes::new(reject)
            .route(Route::new(Method::GET, "/items/{id}", &[]), handle)
            .route(Route::new(Method::DELETE, "/items/{id}", &[]), handle)
            .into_router((), 8);
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
        assert_eq!(text(found).await, "DELETE a b 3");

        let wrong_method = call("PUT", "/items/1", "").await.unwrap();
        assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(wrong_method.headers()["allow"], "GET, HEAD, DELETE");
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

        // HEAD is answered by the GET route, without the body.
        let head = call("HEAD", "/items/a", "").await.unwrap();
        assert_eq!(head.status(), StatusCode::OK);
        assert_eq!(head.headers()["content-type"], "text/plain");
        assert_eq!(text(head).await, "");

        let too_big = call("GET", "/items/1", "123456789").await.unwrap();
        assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
}
