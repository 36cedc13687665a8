//! `--client-id-metadata-documents`: MCP clients that skip registration and name themselves by
//! the `https` URL of their client ID metadata document. The registry fetches the document
//! through the library's guarded HTTPS fetcher, checks it with the registration rules, and
//! caches it; `/authorize` and `/token` then treat the client as a registered one.
//!
//! `--test-fetch-root-cert` is for tests only: the fetcher then trusts that certificate and
//! may reach loopback addresses, so that a test can serve documents from a local HTTPS server.
//! Never on a real server: any client could then make it fetch from its own machine.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tower_oidc_registration::RegistrationConfigBuilder;
use tower_oidc_registration::client_id_document::ClientIdMetadataDocuments;
use tower_oidc_registration::fetch::HttpsFetcher;

use crate::BoxError;

/// The flags of client ID metadata documents.
#[derive(Debug, clap::Args)]
pub struct DocumentArgs {
    /// Accept client ids that are https URLs of client ID metadata documents, beside
    /// registered clients (advertised as client_id_metadata_document_supported).
    #[arg(long, env = "AXUM_APP_CLIENT_ID_METADATA_DOCUMENTS")]
    client_id_metadata_documents: bool,

    /// TESTS ONLY: trust this PEM certificate when fetching documents, and allow loopback
    /// addresses, so that documents can be served from a local HTTPS server.
    #[arg(long, value_name = "PEM", requires = "client_id_metadata_documents")]
    test_fetch_root_cert: Option<PathBuf>,
}

/// `builder` with client ID metadata documents, if the flags ask for them.
pub fn configure(
    builder: RegistrationConfigBuilder,
    args: &DocumentArgs,
) -> Result<RegistrationConfigBuilder, BoxError> {
    if !args.client_id_metadata_documents {
        return Ok(builder);
    }
    let mut fetcher = HttpsFetcher::builder();
    if let Some(path) = &args.test_fetch_root_cert {
        tracing::warn!(
            certificate = %path.display(),
            "TEST MODE: documents are fetched from loopback addresses, trusting this certificate"
        );
        let pem = std::fs::read_to_string(path)
            .map_err(|e| format!("--test-fetch-root-cert {}: {e}", path.display()))?;
        fetcher = fetcher
            .allow_loopback(true)
            .add_root_certificate(pem_certificate(&pem)?);
    }
    Ok(builder
        .uri_fetcher(fetcher.build()?)
        .client_id_metadata_documents(ClientIdMetadataDocuments::default()))
}

/// The DER of the first certificate in a PEM file.
fn pem_certificate(pem: &str) -> Result<Vec<u8>, BoxError> {
    let body = pem
        .split("-----BEGIN CERTIFICATE-----")
        .nth(1)
        .and_then(|rest| rest.split("-----END CERTIFICATE-----").next())
        .ok_or("--test-fetch-root-cert: no PEM certificate in the file")?;
    let base64: String = body.split_whitespace().collect();
    Ok(STANDARD.decode(base64)?)
}
