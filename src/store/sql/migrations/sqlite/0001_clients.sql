-- Version 1: registered clients. Every column but `metadata` is one the store reads back or
-- queries; `metadata` is the validated metadata as a compact JSON object.
CREATE TABLE {clients} (
    client_id                  TEXT    NOT NULL PRIMARY KEY,
    -- The compare-and-swap guard of replace and delete.
    version                    INTEGER NOT NULL CHECK (version >= 0),
    -- SHA-256 of the current registration access token.
    registration_token_hash    BLOB    NOT NULL CHECK (length(registration_token_hash) = 32),
    -- The client secret in clear (StoredSecret::Plain) or its SHA-256 (StoredSecret::Hashed);
    -- never both, neither for a client without a secret.
    client_secret              TEXT    NULL,
    client_secret_hash         BLOB    NULL CHECK (client_secret_hash IS NULL OR length(client_secret_hash) = 32),
    client_secret_expires_at   INTEGER NOT NULL,
    client_id_issued_at        INTEGER NOT NULL,
    token_endpoint_auth_method TEXT    NOT NULL,
    -- 'anonymous', 'host' or 'iat:<initial access token id>'.
    registered_by              TEXT    NOT NULL,
    metadata                   TEXT    NOT NULL,
    -- Reserved for the cleanup of abandoned clients: seconds since the epoch, NULL for never.
    last_used_at               INTEGER NULL,
    CHECK (client_secret IS NULL OR client_secret_hash IS NULL)
) STRICT;
-- Every lookup is by client_id, the primary key: no other index yet.
