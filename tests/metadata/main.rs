//! Client metadata: validation on registration and update, JWK Sets, algorithms and
//! security-profile members, software statements, `sector_identifier_uri`, and the built-in
//! HTTPS fetcher those two rely on.

#[path = "../common/mod.rs"]
mod common;
#[cfg(feature = "fetch")]
#[path = "../https_server/mod.rs"]
mod https_server;

#[cfg(feature = "fetch")]
mod client_id_documents;
mod depth;
#[cfg(feature = "fetch")]
mod fetch_failures;
#[cfg(feature = "fetch")]
mod fetcher;
#[cfg(feature = "fetch")]
mod sector_identifier;
#[cfg(feature = "fetch")]
mod software_statements;
mod validation;
