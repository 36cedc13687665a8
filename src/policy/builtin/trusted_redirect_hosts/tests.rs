use super::*;
use crate::metadata::MetadataErrorCode;
use crate::policy::builtin::test_support::{anonymous, metadata_error, register};

fn redirects(uris: &[&str]) -> ClientMetadata {
    ClientMetadata {
        redirect_uris: Some(uris.iter().map(|u| u.to_string()).collect()),
        ..ClientMetadata::default()
    }
}

fn trusted() -> TrustedRedirectHosts {
    TrustedRedirectHosts::new(["rp.example.org", "*.apps.example.org"])
}

#[tokio::test]
async fn trusted_hosts_accept_exact_hosts_ignoring_case_and_port() {
    let metadata = redirects(&[
        "https://rp.example.org/cb",
        "https://RP.Example.ORG:8443/other?x=1",
    ]);
    let out = register(&trusted(), &anonymous(), metadata.clone())
        .await
        .expect("accepted");
    assert_eq!(out, metadata);
}

#[tokio::test]
async fn trusted_hosts_reject_an_untrusted_host_naming_the_index() {
    let metadata = redirects(&["https://rp.example.org/cb", "https://evil.example/cb"]);
    let (code, description) = metadata_error(register(&trusted(), &anonymous(), metadata).await);
    assert_eq!(code, MetadataErrorCode::InvalidRedirectUri);
    assert_eq!(
        description,
        "redirect_uris[1]: host 'evil.example' is not trusted"
    );
}

#[tokio::test]
async fn wildcards_match_subdomains_at_any_depth_but_not_the_domain_itself() {
    for uri in [
        "https://a.apps.example.org/cb",
        "https://a.b.apps.example.org/cb",
        "https://A.APPS.example.org/cb",
    ] {
        register(&trusted(), &anonymous(), redirects(&[uri]))
            .await
            .unwrap_or_else(|e| panic!("{uri} refused: {e}"));
    }
    for (uri, host) in [
        ("https://apps.example.org/cb", "apps.example.org"),
        ("https://evilapps.example.org/cb", "evilapps.example.org"),
        (
            "https://apps.example.org.evil.example/cb",
            "apps.example.org.evil.example",
        ),
        ("https://x.rp.example.org/cb", "x.rp.example.org"),
    ] {
        let (_, description) =
            metadata_error(register(&trusted(), &anonymous(), redirects(&[uri])).await);
        assert_eq!(
            description,
            format!("redirect_uris[0]: host '{host}' is not trusted")
        );
    }
}

#[tokio::test]
async fn loopback_hosts_are_trusted_unless_disabled() {
    let loopback = [
        "http://127.0.0.1:51004/cb",
        "http://[::1]:8080/cb",
        "http://localhost/cb",
        "http://LOCALHOST:3000/cb",
    ];
    register(&trusted(), &anonymous(), redirects(&loopback))
        .await
        .expect("loopback accepted by default");
    let strict = trusted().allow_loopback(false);
    for (uri, host) in [
        (loopback[0], "127.0.0.1"),
        (loopback[1], "[::1]"),
        (loopback[2], "localhost"),
    ] {
        let (code, description) =
            metadata_error(register(&strict, &anonymous(), redirects(&[uri])).await);
        assert_eq!(code, MetadataErrorCode::InvalidRedirectUri);
        assert_eq!(
            description,
            format!("redirect_uris[0]: host '{host}' is not trusted")
        );
    }
}

#[tokio::test]
async fn private_use_scheme_uris_without_host_are_allowed_unless_disabled() {
    let metadata = redirects(&["com.example.app:/oauth2redirect"]);
    register(&trusted(), &anonymous(), metadata.clone())
        .await
        .expect("accepted by default");
    let (code, description) = metadata_error(
        register(
            &trusted().allow_private_use_schemes(false),
            &anonymous(),
            metadata,
        )
        .await,
    );
    assert_eq!(code, MetadataErrorCode::InvalidRedirectUri);
    assert_eq!(
        description,
        "redirect_uris[0]: URIs without a host are not allowed"
    );
    // With an authority, the host is checked like any other.
    let (_, description) = metadata_error(
        register(
            &trusted(),
            &anonymous(),
            redirects(&["com.example.app://evil.example/cb"]),
        )
        .await,
    );
    assert_eq!(
        description,
        "redirect_uris[0]: host 'evil.example' is not trusted"
    );
}

/// `TrustedRedirectHosts` judges `post_logout_redirect_uris` as it judges `redirect_uris`: an
/// untrusted host among them is `invalid_client_metadata`, naming the member and its index.
#[tokio::test]
async fn post_logout_redirect_uris_must_be_trusted_too() {
    let metadata = ClientMetadata {
        post_logout_redirect_uris: Some(vec![
            "https://a.apps.example.org/bye".into(),
            "https://evil.example/bye".into(),
        ]),
        ..redirects(&["https://rp.example.org/cb"])
    };
    let (code, description) = metadata_error(register(&trusted(), &anonymous(), metadata).await);
    assert_eq!(code, MetadataErrorCode::InvalidClientMetadata);
    assert_eq!(
        description,
        "post_logout_redirect_uris[1]: host 'evil.example' is not trusted"
    );
}

#[test]
fn configured_hosts_are_canonicalized_like_uri_hosts() {
    let hosts = TrustedRedirectHosts::new(["B\u{fc}cher.example", "2001:db8::1", "*.Example.COM."])
        .allow_loopback(false);
    assert!(hosts.is_trusted("https://xn--bcher-kva.example/cb"));
    assert!(hosts.is_trusted("https://b\u{fc}cher.example/cb"));
    assert!(hosts.is_trusted("https://[2001:db8:0::1]/cb"));
    assert!(hosts.is_trusted("https://a.example.com/cb"));
    assert!(hosts.is_trusted("https://a.example.com./cb"));
    assert!(!hosts.is_trusted("https://example.com/cb"));
    assert!(!hosts.is_trusted("https://a..example.com/cb"));
    // Hosts of non-special schemes are not lowercased by the url crate.
    assert!(hosts.is_trusted("com.example.app://A.Example.com/cb"));
    assert!(hosts.is_trusted("com.example.app:///cb"));
    assert!(!hosts.is_trusted("not a uri"));
}
