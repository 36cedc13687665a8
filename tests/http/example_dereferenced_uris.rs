//! The example server (`examples/hyper_standalone`, the binary itself) refuses client
//! metadata URIs it or an authorization server would dereference when they name localhost or a
//! special-purpose address, unless `--allow-special-purpose-hosts` says otherwise; `--help`
//! tells of the flag.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::example::example_binary;
use crate::seed_walkthrough::Server;

/// A registration naming a cloud metadata endpoint as its `jwks_uri`.
fn metadata_endpoint_as_jwks_uri() -> Value {
    json!({
        "redirect_uris": ["https://rp.example.org/cb"],
        "jwks_uri": "https://169.254.169.254/latest/meta-data",
    })
}

/// The status and body of registering `metadata` at `server`.
async fn register(server: &Server, metadata: &Value) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .post(format!("http://{}/register", server.authority()))
        .json(metadata)
        .send()
        .await
        .expect("registration request");
    let status = resp.status();
    (status, resp.json().await.expect("a JSON body"))
}

/// VAL-39: with `refuse_special_purpose_hosts`, the URIs the server or the host dereferences
/// name neither localhost nor a special-purpose address.
#[tokio::test]
async fn the_example_server_refuses_special_purpose_hosts_unless_told_otherwise() {
    let refusing = Server::start_with(&[]);
    let (status, body) = register(&refusing, &metadata_endpoint_as_jwks_uri()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_client_metadata", "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.starts_with("jwks_uri: must not point to localhost")),
        "{body}"
    );
    // A native application's loopback redirect is not such a URI.
    let native =
        json!({"application_type": "native", "redirect_uris": ["http://127.0.0.1:8400/cb"]});
    let (status, body) = register(&refusing, &native).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let allowing = Server::start_with(&["--allow-special-purpose-hosts"]);
    let (status, body) = register(&allowing, &metadata_endpoint_as_jwks_uri()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// VAL-39: with `refuse_special_purpose_hosts`, the URIs the server or the host dereferences
/// name neither localhost nor a special-purpose address.
#[test]
fn the_example_servers_help_tells_of_the_flag() {
    let output = Command::new(example_binary())
        .arg("--help")
        .output()
        .expect("run --help");
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{help}");
    assert!(help.contains("--allow-special-purpose-hosts"), "{help}");
    assert!(
        help.contains("REGISTRATION_ALLOW_SPECIAL_PURPOSE_HOSTS"),
        "{help}"
    );
}
