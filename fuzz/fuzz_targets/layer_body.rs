//! Any bytes as the body of `POST /register` and of `PUT /register/{id}` (with the client's
//! valid token), end to end through the layer.
//!
//! Properties: no panic; never a 5xx; every 4xx is an RFC-shaped JSON error; a 201/200 is a
//! JSON object echoing the client id; and the layer never registers what the pure rules
//! (`parse` + `validate`) refuse.

#![no_main]

use http::{Method, StatusCode};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use tower_oidc_registration::__fuzz::{MetadataRules, parse, validate};
use tower_oidc_registration_fuzz::{
    CLIENT_ID, app, check_layer_answer, json_request, register_minimal, send,
};

/// Whether the pure rules accept `body` as registration metadata.
fn rules_accept(body: &[u8]) -> bool {
    serde_json::from_slice::<Map<String, Value>>(body)
        .ok()
        .and_then(|object| parse(&object).ok())
        .is_some_and(|metadata| validate(metadata, &MetadataRules::default()).is_ok())
}

fuzz_target!(|body: &[u8]| {
    let app = app("/register");

    let posted = send(
        &app,
        json_request(Method::POST, "/register", None, body.to_vec()),
    );
    check_layer_answer(&posted, "POST /register");
    if posted.status == StatusCode::CREATED {
        assert!(rules_accept(body), "registered what the rules refuse");
        assert_eq!(posted.json()["client_id"], CLIENT_ID);
    } else {
        assert!(
            posted.status.is_client_error(),
            "POST /register: {}",
            posted.status
        );
    }

    // A fresh server for the update, so that the client id is free again.
    let app = tower_oidc_registration_fuzz::app("/register");
    let token = register_minimal(&app);
    let path = format!("/register/{CLIENT_ID}");
    let put = send(
        &app,
        json_request(Method::PUT, &path, Some(&token), body.to_vec()),
    );
    check_layer_answer(&put, "PUT /register/{id}");
    if put.status == StatusCode::OK {
        assert!(rules_accept(body), "updated to what the rules refuse");
        assert_eq!(put.json()["client_id"], CLIENT_ID);
    } else {
        assert!(put.status.is_client_error(), "PUT: {}", put.status);
    }
});
