-- Version 1: registered clients. The same columns as the SQLite schema: every column but
-- `metadata` is one the store reads back or queries; `metadata` is the validated metadata as a
-- compact JSON object, kept as TEXT so that it is returned byte for byte (JSONB would reorder it).
CREATE TABLE {clients} (
    client_id                  TEXT   NOT NULL PRIMARY KEY,
    -- The compare-and-swap guard of replace and delete.
    version                    BIGINT NOT NULL CHECK (version >= 0),
    -- SHA-256 of the current registration access token.
    registration_token_hash    BYTEA  NOT NULL CHECK (octet_length(registration_token_hash) = 32),
    -- The client secret in clear (StoredSecret::Plain) or its SHA-256 (StoredSecret::Hashed);
    -- never both, neither for a client without a secret.
    client_secret              TEXT   NULL,
    client_secret_hash         BYTEA  NULL CHECK (client_secret_hash IS NULL OR octet_length(client_secret_hash) = 32),
    client_secret_expires_at   BIGINT NOT NULL,
    client_id_issued_at        BIGINT NOT NULL,
    token_endpoint_auth_method TEXT   NOT NULL,
    -- 'anonymous', 'host' or 'iat:<initial access token id>'.
    registered_by              TEXT   NOT NULL,
    metadata                   TEXT   NOT NULL,
    -- Reserved for the cleanup of abandoned clients: seconds since the epoch, NULL for never.
    last_used_at               BIGINT NULL,
    CHECK (client_secret IS NULL OR client_secret_hash IS NULL)
);
-- Every lookup is by client_id, the primary key: no other index yet.
