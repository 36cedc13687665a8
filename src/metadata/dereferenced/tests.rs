use super::*;
use crate::metadata::test_support::{accepted_with, rejected_with, rules_with};
use serde_json::{Value, json};

fn refusing() -> MetadataRules {
    rules_with(|rules| rules.refuse_special_purpose_hosts = true)
}

#[track_caller]
fn refused(doc: Value, label: &str) {
    rejected_with(doc, &refusing(), &format!("{label}: {REFUSED}"));
}

/// VAL-39: with `refuse_special_purpose_hosts`, the URIs the server or the host dereferences
/// name neither localhost nor a special-purpose address.
#[test]
fn each_dereferenced_member_is_checked() {
    let host = "https://169.254.169.254";
    refused(json!({"jwks_uri": format!("{host}/keys")}), "jwks_uri");
    refused(
        json!({"sector_identifier_uri": format!("{host}/sector.json")}),
        "sector_identifier_uri",
    );
    refused(
        json!({"backchannel_logout_uri": format!("{host}/logout")}),
        "backchannel_logout_uri",
    );
    refused(
        json!({"initiate_login_uri": format!("{host}/login")}),
        "initiate_login_uri",
    );
    refused(
        json!({"request_uris": ["https://rp.example.org/r", format!("{host}/r")]}),
        "request_uris[1]",
    );
    refused(json!({"logo_uri": format!("{host}/logo.png")}), "logo_uri");
    refused(
        json!({"logo_uri#fr": format!("{host}/logo.png")}),
        "logo_uri#'fr'",
    );
    // The front-channel logout URI shares a redirect URI's host (PROF-8).
    refused(
        json!({
            "redirect_uris": ["https://10.1.2.3/cb"],
            "frontchannel_logout_uri": "https://10.1.2.3/logout",
        }),
        "frontchannel_logout_uri",
    );
}

/// VAL-39: with `refuse_special_purpose_hosts`, the URIs the server or the host dereferences
/// name neither localhost nor a special-purpose address.
#[test]
fn localhost_names_and_every_special_purpose_literal_are_refused() {
    for uri in [
        "https://localhost/keys",
        "https://LOCALHOST./keys",
        "https://keys.localhost/keys",
        "https://127.0.0.1:8443/keys",
        "https://0.0.0.0/keys",
        "https://2130706433/keys",
        "https://10.0.0.1/keys",
        "https://172.16.0.1/keys",
        "https://192.168.1.1/keys",
        "https://100.64.0.1/keys",
        "https://[::1]/keys",
        "https://[::ffff:169.254.169.254]/keys",
        "https://[fd00::1]/keys",
        "https://[fe80::1]/keys",
    ] {
        refused(json!({"jwks_uri": uri}), "jwks_uri");
    }
}

/// VAL-39: with `refuse_special_purpose_hosts`, the URIs the server or the host dereferences
/// name neither localhost nor a special-purpose address.
#[test]
fn public_hosts_redirects_and_links_are_not_judged() {
    let rules = refusing();
    for uri in [
        "https://rp.example.org/keys",
        "https://8.8.8.8/keys",
        "https://[2606:4700:4700::1111]/keys",
        // Judged by its text: a name is resolved only by whatever fetches it.
        "https://internal.example.org/keys",
    ] {
        accepted_with(json!({"jwks_uri": uri}), &rules);
    }
    // Loopback redirects are a native application's (RFC 8252 §7.3); the other links are for
    // the user to follow.
    accepted_with(
        json!({
            "application_type": "native",
            "redirect_uris": ["http://127.0.0.1:8400/cb", "http://localhost/cb"],
            "post_logout_redirect_uris": ["http://[::1]:8400/bye"],
            "client_uri": "http://10.0.0.1/",
            "tos_uri": "https://localhost/tos",
            "policy_uri": "https://192.168.1.1/policy",
        }),
        &rules,
    );
}

/// VAL-39: with `refuse_special_purpose_hosts`, the URIs the server or the host dereferences
/// name neither localhost nor a special-purpose address.
#[test]
fn off_by_default() {
    let rules = MetadataRules::default();
    assert!(!rules.refuse_special_purpose_hosts);
    accepted_with(
        json!({
            "jwks_uri": "https://169.254.169.254/keys",
            "backchannel_logout_uri": "http://127.0.0.1:6379/",
            "request_uris": ["http://10.0.0.1/admin"],
            "initiate_login_uri": "https://192.168.1.1/",
        }),
        &rules,
    );
}
