//! The path values a route matched, named and checked before any
//! implementation sees them: a value the generated client would never send
//! (`.`, `..`, or a `/` that arrived as `%2F` where the spec allows none)
//! is refused with 400, naming the parameter. An implementation that builds
//! a file path, a key or an upstream URL from it would otherwise address
//! something else than the caller's path says.

use super::template::Route;
use crate::param::path_value_problem;
use crate::server::extract::PathValue;
use crate::server::rejection::{Rejection, RejectionKind};

impl Route {
    /// Let the parameters `names` hold a `/` (`allowReserved: true` in the
    /// spec), as their one segment's `%2F`.
    #[must_use]
    pub fn allowing_reserved(mut self, names: &'static [&'static str]) -> Self {
        self.allow_reserved = names;
        self
    }
}

/// `values` (in template order) by their parameter's name, or the
/// rejection of the first that cannot be handed over.
pub(super) fn named(
    route: &Route,
    values: Vec<PathValue>,
) -> Result<Vec<(&'static str, PathValue)>, Rejection> {
    let named: Vec<(&'static str, PathValue)> = route.params.iter().copied().zip(values).collect();
    for (name, value) in &named {
        let allow_reserved = route.allow_reserved.contains(name);
        let texts = match value {
            PathValue::One(text) => std::slice::from_ref(text),
            PathValue::Many(items) => items.as_slice(),
        };
        if let Some(problem) = texts
            .iter()
            .find_map(|text| path_value_problem(text, allow_reserved))
        {
            return Err(Rejection::new(
                RejectionKind::InvalidParameter,
                format!("the path parameter `{name}` {problem}"),
            ));
        }
    }
    Ok(named)
}

#[cfg(test)]
mod tests {
    use http::Method;

    use super::*;

    #[test]
    fn values_a_client_never_sends_are_refused_by_name() {
        let route = Route::new(
            Method::GET,
            "/{realm}/files/{path}/{id}",
            &[("realm", "realms")],
        )
        .allowing_reserved(&["path"]);
        let one = |s: &str| PathValue::One(s.to_string());
        let realm =
            |items: &[&str]| PathValue::Many(items.iter().map(ToString::to_string).collect());
        let check = |values: Vec<PathValue>| named(&route, values).map_err(|r| r.message);
        assert!(check(vec![realm(&["root"]), one("a/b"), one("7")]).is_ok());
        assert_eq!(
            check(vec![realm(&["root"]), one("a"), one("..")]).unwrap_err(),
            "the path parameter `id` is `..`, which would address a different resource"
        );
        assert!(
            check(vec![realm(&["root"]), one("a"), one("x/y")])
                .unwrap_err()
                .contains("`id` holds a `/`")
        );
        assert!(
            check(vec![realm(&["root", "."]), one("a"), one("1")])
                .unwrap_err()
                .contains("`realm` is `.`")
        );
        assert!(
            check(vec![realm(&["root"]), one(".."), one("1")]).is_err(),
            "reserved is not dots"
        );
    }
}
