-- Version 3: initial access tokens (RFC 7591 §3), shared by every replica. The same columns as
-- the SQLite schema. Only the token's SHA-256 is kept. Its live clients are not a column: they
-- are counted, the clients whose registered_by is 'iat:<id>', so that a deletion or the expiry
-- of unused clients needs no bookkeeping and no count can drift.
CREATE TABLE {initial_access_tokens} (
    id          TEXT    NOT NULL PRIMARY KEY,
    token_hash  BYTEA   NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    -- Seconds since the epoch; refused from that second on. NULL for never.
    expires_at  BIGINT  NULL,
    -- NULL for any number.
    max_uses    BIGINT  NULL CHECK (max_uses IS NULL OR max_uses >= 0),
    uses        BIGINT  NOT NULL CHECK (uses >= 0),
    -- NULL for any number.
    max_clients BIGINT  NULL CHECK (max_clients IS NULL OR max_clients >= 0),
    revoked     BOOLEAN NOT NULL,
    -- The name of the bound policy, as the configuration registers it.
    policy      TEXT    NULL
);
-- The live clients of a token are counted by registered_by. IF NOT EXISTS: a host may build it
-- beforehand (PostgreSQL: CONCURRENTLY, without blocking writes to a large table).
CREATE INDEX IF NOT EXISTS {clients_registered_by} ON {clients} (registered_by);
