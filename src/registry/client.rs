//! Who a client is, whether it registered (RFC 7591) or names itself by the URL of a client id
//! metadata document: [`Registry::client`], what the host's authorization and token endpoints
//! look clients up with. The document rules are in [`client_id_document`](crate::client_id_document);
//! here they are put together with the fetch, the registration rules, the policies and the
//! cache.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::{Registry, sector};
use crate::client_id_document::{self, ClientLookupError, DocumentResolver};
use crate::context::RequestContext;
use crate::fetch::{FetchError, FetchPurpose};
use crate::metadata::{self, AuthMethod};
use crate::policy::Operation;
use crate::store::{ClientRecord, MetadataJson};
use crate::token::CredentialHash;

impl Registry {
    /// The client behind `client_id`: its stored record if it registered, or, when client id
    /// metadata documents are enabled
    /// ([`client_id_metadata_documents`](crate::RegistrationConfigBuilder::client_id_metadata_documents))
    /// and `client_id` is an `https` URL, the client its document describes, fetched and
    /// checked (or from the cache). `Ok(None)` for a registered id that does not exist.
    ///
    /// A document's client reads like a registered one: [`ClientRecord::client_id`] is the URL,
    /// [`has_redirect_uri`](ClientRecord::has_redirect_uri) and
    /// [`allows_grant_type`](ClientRecord::allows_grant_type) answer from the document, it has no
    /// secret, and [`registered_by`](ClientRecord::registered_by) is
    /// [`Caller::Anonymous`](crate::Caller::Anonymous). It is not in the store: it cannot be read, updated or deleted
    /// through the registration endpoint, and does not count against client limits.
    ///
    /// Counts as no use of the client (for the expiry of unused clients).
    ///
    /// # Errors
    ///
    /// [`ClientLookupError`]: why a URL client id or its document was refused, or the store
    /// failed. Its `Display` is safe to show the client.
    pub async fn client(
        &self,
        client_id: &str,
    ) -> Result<Option<Arc<ClientRecord>>, ClientLookupError> {
        match &self.settings.client_id_documents {
            Some(documents) if client_id_document::is_url_client_id(client_id) => {
                self.document_client(documents, client_id).await.map(Some)
            }
            _ => Ok(self.settings.store.get(client_id).await?),
        }
    }

    /// Forgets the cached document of `url`, if any: the next lookup fetches it again. For a
    /// host that learns a client's document changed (or must no longer be trusted) before its
    /// cache lifetime ends. Returns whether a document was cached.
    pub fn forget_client_id_document(&self, url: &str) -> bool {
        self.settings
            .client_id_documents
            .as_ref()
            .is_some_and(|documents| documents.cache.remove(url))
    }

    /// The client of the document at `url`, from the cache while it is fresh; concurrent
    /// lookups of an uncached one share one fetch.
    async fn document_client(
        &self,
        documents: &DocumentResolver,
        url: &str,
    ) -> Result<Arc<ClientRecord>, ClientLookupError> {
        if let Some(record) = documents.cache.get(url, self.now()) {
            return Ok(record);
        }
        documents
            .in_flight
            .resolve(url, self.fetch_document_client(documents, url))
            .await
            .map_err(|error| error.duplicate())
    }

    /// Fetches, checks and caches the document at `url`.
    async fn fetch_document_client(
        &self,
        documents: &DocumentResolver,
        url: &str,
    ) -> Result<Arc<ClientRecord>, ClientLookupError> {
        client_id_document::check_url(url).map_err(ClientLookupError::InvalidUrl)?;
        if let Some(trusted) = &documents.options.trusted_hosts
            && !trusted.is_trusted(url)
        {
            return Err(ClientLookupError::UntrustedHost);
        }
        // The configuration refuses documents without a fetcher.
        let Some(fetcher) = self.settings.uri_fetcher.as_deref() else {
            return Err(ClientLookupError::Fetch(FetchError::Other(
                "no fetcher is configured".to_owned(),
            )));
        };
        let max_bytes = documents.options.max_document_bytes;
        let fetched = fetcher
            .fetch_document(url, FetchPurpose::ClientNamed, max_bytes)
            .await
            .map_err(|error| {
                tracing::debug!(client_id = url, %error, ?error, "client id metadata document: fetch failed");
                ClientLookupError::Fetch(error)
            })?;
        let lifetime = documents.options.lifetime(fetched.max_age);
        let document = client_id_document::checked_document(url, fetched, max_bytes)
            .map_err(ClientLookupError::InvalidDocument)?;
        let now = self.now();
        let record = Arc::new(self.document_record(url, document, now).await?);
        documents.cache.insert(
            url,
            Arc::clone(&record),
            now,
            now.saturating_add(lifetime.as_secs()),
        );
        Ok(record)
    }

    /// A document's metadata through the registration rules and the policies, as the client
    /// `url`.
    async fn document_record(
        &self,
        url: &str,
        document: Map<String, Value>,
        now: u64,
    ) -> Result<ClientRecord, ClientLookupError> {
        let refused =
            |error: crate::RegistrationError| ClientLookupError::InvalidDocument(error.to_string());
        metadata::check_limits(&document, &self.settings.metadata_limits)
            .map_err(|e| refused(e.into()))?;
        let parsed = metadata::parse_owned(document).map_err(|e| refused(e.into()))?;
        let mut valid =
            metadata::validate(parsed, &self.settings.rules).map_err(|e| refused(e.into()))?;
        // Anyone can publish a document: its client is judged as an anonymous registrant's.
        let context = RequestContext::metadata_document();
        valid = self
            .apply_policies(
                &context,
                Operation::MetadataDocument,
                Some(url),
                valid,
                None,
            )
            .await
            .map_err(refused)?;
        valid = metadata::validate(valid, &self.settings.rules).map_err(|e| refused(e.into()))?;
        sector::check(&valid, self.settings.uri_fetcher.as_deref())
            .await
            .map_err(|e| refused(e.into()))?;
        let method = valid.token_endpoint_auth_method.unwrap_or(AuthMethod::None);
        // No registration access token exists for it: the hash of none matches nothing, and
        // the registration endpoint never looks a URL client id up anyway.
        let no_token = CredentialHash::from_bytes([0; 32]);
        Ok(ClientRecord::new(
            url.to_owned(),
            None,
            0,
            now,
            no_token,
            MetadataJson::render(&valid),
        )
        .with_auth_method(method))
    }
}
