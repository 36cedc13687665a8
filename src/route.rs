//! Which requests the layer answers: a pure function of the prefix and the path.

/// A path the registration layer answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// `{prefix}`: the registration endpoint.
    Registration,
    /// `{prefix}/{client_id}`: a client configuration endpoint.
    Client(String),
}

/// Matches `path` against `prefix` segment by segment: `/register` and `/register/{id}` are
/// ours; `/registerx`, `/register-ui`, `/register/` and `/register/a/b` are not.
pub(crate) fn route(prefix: &str, path: &str) -> Option<Route> {
    let rest = path.strip_prefix(prefix)?;
    if rest.is_empty() {
        return Some(Route::Registration);
    }
    let id = rest.strip_prefix('/')?;
    if id.is_empty() || id.contains('/') {
        return None;
    }
    Some(Route::Client(id.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_prefix_and_one_segment_below() {
        assert_eq!(route("/register", "/register"), Some(Route::Registration));
        assert_eq!(
            route("/register", "/register/abc"),
            Some(Route::Client("abc".into()))
        );
        assert_eq!(
            route("/oauth/register", "/oauth/register/abc"),
            Some(Route::Client("abc".into()))
        );
    }

    #[test]
    fn other_paths_pass_through() {
        for path in [
            "/",
            "/registerx",
            "/register-ui",
            "/register/",
            "/register/a/b",
            "/reg",
            "/api/register",
            "",
        ] {
            assert_eq!(route("/register", path), None, "{path}");
        }
    }
}
