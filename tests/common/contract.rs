//! The OpenAPI contract (`openapi.yaml` at the repository root) as a checker of responses.
//!
//! [`super::send`] passes every response the layer writes through [`check_response`], so each
//! test that uses the shared helpers also proves that what it saw is documented: the status is
//! one the operation declares, required headers are there and match their schema, the content
//! type is declared, and the JSON body validates against the schema (JSON Schema 2020-12, the
//! dialect of OpenAPI 3.1). A violation panics with the request, the response and what failed.
//!
//! Responses of the wrapped (inner) service are not the layer's and are not checked. The test
//! harnesses know which those are by construction: their inner services mark every response
//! with [`INNER_SERVICE_HEADER`] ([`mark_inner`]), and every response without it is the
//! layer's and is checked, whatever headers it carries (a layer response that lost
//! `Cache-Control: no-store` fails the contract instead of passing for the inner service's).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use http::{HeaderMap, Method, StatusCode, header};
use serde_json::{Value, json};

/// The path of the contract.
pub const OPENAPI_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml");

/// The path templates of the document: the registration endpoint and the client configuration
/// endpoint, under the default prefix.
pub const REGISTRATION_TEMPLATE: &str = "/register";
/// See [`REGISTRATION_TEMPLATE`].
pub const CLIENT_TEMPLATE: &str = "/register/{client_id}";

/// The parsed document, with a cache of compiled schemas.
pub struct Contract {
    /// The document as JSON.
    pub doc: Value,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

/// The contract, parsed once per test binary.
pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let text =
            std::fs::read_to_string(OPENAPI_PATH).unwrap_or_else(|e| panic!("{OPENAPI_PATH}: {e}"));
        let doc: Value = serde_norway::from_str(&text)
            .unwrap_or_else(|e| panic!("{OPENAPI_PATH} is not YAML: {e}"));
        Contract {
            doc,
            validators: Mutex::default(),
        }
    })
}

/// The path prefixes of the layers the helpers built: a path is matched against them to find
/// its operation. The default prefix is always known.
static PREFIXES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Makes `prefix` known to [`check_response`] (the helpers call it for each layer they build).
pub fn register_prefix(prefix: &str) {
    let mut prefixes = PREFIXES.lock().expect("lock");
    if !prefixes.iter().any(|p| p == prefix) {
        prefixes.push(prefix.to_owned());
    }
}

/// The path template of the document that `path` is an instance of, under the longest known
/// prefix it starts with (the layer's own route matching, segment by segment).
pub fn template_of(path: &str) -> Option<&'static str> {
    let prefixes = PREFIXES.lock().expect("lock");
    let mut best: Option<(usize, &'static str)> = None;
    for prefix in prefixes.iter().map(String::as_str).chain(["/register"]) {
        let Some(rest) = path.strip_prefix(prefix) else {
            continue;
        };
        let template = if rest.is_empty() {
            REGISTRATION_TEMPLATE
        } else {
            match rest.strip_prefix('/') {
                Some(id) if !id.is_empty() && !id.contains('/') => CLIENT_TEMPLATE,
                _ => continue,
            }
        };
        if best.is_none_or(|(len, _)| prefix.len() > len) {
            best = Some((prefix.len(), template));
        }
    }
    best.map(|(_, template)| template)
}

/// The header the inner services of the test harnesses put on each of their responses, and the
/// layer never writes.
pub const INNER_SERVICE_HEADER: &str = "x-inner-service";

/// Marks `response` as the inner service's (see [`INNER_SERVICE_HEADER`]).
pub fn mark_inner<B>(mut response: http::Response<B>) -> http::Response<B> {
    response
        .headers_mut()
        .insert(INNER_SERVICE_HEADER, http::HeaderValue::from_static("1"));
    response
}

/// Whether the layer wrote this response: every response the inner services of the harnesses
/// did not mark.
pub fn is_layer_response(headers: &HeaderMap) -> bool {
    !headers.contains_key(INNER_SERVICE_HEADER)
}

/// Checks a response of the layer to `method path` against the contract; panics on a violation.
/// Responses of the inner service (marked by [`mark_inner`]) are left alone.
#[track_caller]
pub fn check_response(
    method: &Method,
    path: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) {
    if !is_layer_response(headers) {
        return;
    }
    let template = template_of(path).unwrap_or_else(|| {
        panic!("the layer answered {method} {path}, which is no path of openapi.yaml ({status})")
    });
    if let Err(problems) = contract().check(template, method, status, headers, body) {
        panic!(
            "response to {method} {path} breaks openapi.yaml ({template}):\n  {}\nstatus {status}\nheaders {headers:?}\nbody {}",
            problems.join("\n  "),
            String::from_utf8_lossy(body)
        );
    }
}

/// What the document cannot say, as JSON Schema judges a body without its headers: the `error`
/// of a `Bearer` challenge and the `error` of the body are the same. A request without a token
/// gets the bare challenge (RFC 6750 §3.1: no error information) and a body without an
/// `error`, only its `error_description`; the documented 401 bodies allow that shape, and this
/// is what keeps it to exactly that case: a body without `error` with any other status or
/// challenge, or a bare challenge over a body that claims `invalid_token`, is a problem.
fn check_error_code_agrees_with_the_challenge(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    problems: &mut Vec<String>,
) {
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    if !status.is_client_error() && !status.is_server_error() {
        return;
    }
    let in_body = body.get("error").and_then(Value::as_str);
    let challenge = headers
        .get(header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok());
    let bare = challenge.is_some_and(|c| c.eq_ignore_ascii_case("bearer"));
    match challenge.and_then(bearer_error) {
        Some(code) if in_body != Some(code) => problems.push(format!(
            "the challenge says error={code:?}, the body says {in_body:?}"
        )),
        None if bare && in_body.is_some() => problems.push(format!(
            "a bare Bearer challenge (no token sent) over a body that claims error {in_body:?}"
        )),
        _ => {}
    }
    if in_body.is_none() && !(status == StatusCode::UNAUTHORIZED && bare) {
        problems.push(format!(
            "a {status} error body without `error`: only a 401 with a bare Bearer challenge may go without"
        ));
    }
}

/// The `error` parameter of a `Bearer` challenge, if any.
fn bearer_error(challenge: &str) -> Option<&str> {
    let (_, rest) = challenge.split_once("error=\"")?;
    rest.split_once('"').map(|(code, _)| code)
}

/// The operation names OpenAPI knows (the lower-case keys of a path item).
const OPERATION_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl Contract {
    /// The path item of `template`.
    pub fn path_item(&self, template: &str) -> &Value {
        self.doc["paths"]
            .get(template)
            .unwrap_or_else(|| panic!("openapi.yaml has no path {template}"))
    }

    /// The operation of `method` on `template`, if the document lists one.
    pub fn operation(&self, template: &str, method: &Method) -> Option<&Value> {
        let name = method.as_str().to_ascii_lowercase();
        if !OPERATION_METHODS.contains(&name.as_str()) {
            return None;
        }
        self.path_item(template).get(&name)
    }

    /// Follows a local `$ref` (`#/components/...`), once or more.
    pub fn resolve<'a>(&'a self, mut value: &'a Value) -> &'a Value {
        while let Some(reference) = value.get("$ref").and_then(Value::as_str) {
            let pointer = reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("non-local $ref {reference}"));
            value = self
                .doc
                .pointer(pointer)
                .unwrap_or_else(|| panic!("dangling $ref {reference}"));
        }
        value
    }

    /// The documented response for `status` to `method` on `template`: the operation's own
    /// (exact status, then `4XX`-style range, then `default`), or for a method the document
    /// cannot list or does not list, the 405 of `components/responses/MethodNotAllowed`.
    pub fn response(
        &self,
        template: &str,
        method: &Method,
        status: StatusCode,
    ) -> Result<&Value, String> {
        let Some(operation) = self.operation(template, method) else {
            if status == StatusCode::METHOD_NOT_ALLOWED {
                return Ok(self.resolve(&self.doc["components"]["responses"]["MethodNotAllowed"]));
            }
            return Err(format!(
                "{method} is not an operation of {template}, and the status is {status}, not 405"
            ));
        };
        let responses = &operation["responses"];
        let code = status.as_str();
        let range = format!("{}XX", &code[..1]);
        [code, range.as_str(), "default"]
            .iter()
            .find_map(|key| responses.get(*key))
            .map(|r| self.resolve(r))
            .ok_or_else(|| format!("status {status} is not documented for {method} {template}"))
    }

    /// Every problem of a response against the contract.
    pub fn check(
        &self,
        template: &str,
        method: &Method,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), Vec<String>> {
        let response = self
            .response(template, method, status)
            .map_err(|e| vec![e])?;
        let mut problems = Vec::new();
        self.check_headers(response, headers, &mut problems);
        self.check_content(response, headers, body, &mut problems);
        check_error_code_agrees_with_the_challenge(status, headers, body, &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    fn check_headers(&self, response: &Value, headers: &HeaderMap, problems: &mut Vec<String>) {
        let Some(declared) = response.get("headers").and_then(Value::as_object) else {
            return;
        };
        for (name, spec) in declared {
            let spec = self.resolve(spec);
            let values: Vec<&str> = headers
                .get_all(name.as_str())
                .iter()
                .map(|v| v.to_str().unwrap_or("<not visible ASCII>"))
                .collect();
            if values.is_empty() {
                if spec["required"] == Value::Bool(true) {
                    problems.push(format!("required header {name} is missing"));
                }
                continue;
            }
            if let Some(schema) = spec.get("schema") {
                for value in values {
                    for error in self.validate(schema, &json!(value)) {
                        problems.push(format!("header {name}: {value:?}: {error}"));
                    }
                }
            }
        }
    }

    fn check_content(
        &self,
        response: &Value,
        headers: &HeaderMap,
        body: &[u8],
        problems: &mut Vec<String>,
    ) {
        let Some(content) = response.get("content").and_then(Value::as_object) else {
            if !body.is_empty() {
                problems.push("a body, where the contract documents none".to_owned());
            }
            return;
        };
        let Some(content_type) = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
        else {
            problems.push("no Content-Type, where the contract documents a body".to_owned());
            return;
        };
        let essence = content_type.split(';').next().unwrap_or("").trim();
        let Some((_, media)) = content
            .iter()
            .find(|(declared, _)| declared.eq_ignore_ascii_case(essence))
        else {
            problems.push(format!(
                "Content-Type {content_type:?} is not one of {:?}",
                content.keys().collect::<Vec<_>>()
            ));
            return;
        };
        let instance: Value = match serde_json::from_slice(body) {
            Ok(value) => value,
            Err(e) => {
                problems.push(format!("the body is not JSON: {e}"));
                return;
            }
        };
        if let Some(schema) = media.get("schema") {
            problems.extend(self.validate(schema, &instance));
        }
    }

    /// Validates `instance` against `schema` (a schema object of the document, whose `$ref`s
    /// point into its `components`); returns one message per error.
    pub fn validate(&self, schema: &Value, instance: &Value) -> Vec<String> {
        let validator = self.validator(schema);
        validator
            .iter_errors(instance)
            .map(|e| format!("at {:?}: {e}", e.instance_path().to_string()))
            .collect()
    }

    /// The compiled validator of a schema object of the document.
    pub fn validator(&self, schema: &Value) -> Arc<jsonschema::Validator> {
        let key = schema.to_string();
        let mut cache = self.validators.lock().expect("lock");
        if let Some(v) = cache.get(&key) {
            return Arc::clone(v);
        }
        // The schema becomes the root of a document that also holds the components, so that
        // its `#/components/...` references resolve as in the OpenAPI document.
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": self.doc["components"],
            "allOf": [schema],
        });
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&root)
            .unwrap_or_else(|e| panic!("schema {schema} does not compile: {e}"));
        let validator = Arc::new(validator);
        cache.insert(key, Arc::clone(&validator));
        validator
    }
}
