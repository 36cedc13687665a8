-- Version 3: initial access tokens (RFC 7591 §3), shared by every process on the database. Only
-- the token's SHA-256 is kept. Its live clients are not a column: they are counted, the clients
-- whose registered_by is 'iat:<id>', so that a deletion or the expiry of unused clients needs no
-- bookkeeping and no count can drift.
CREATE TABLE {initial_access_tokens} (
    id          TEXT    NOT NULL PRIMARY KEY,
    token_hash  BLOB    NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    -- Seconds since the epoch; refused from that second on. NULL for never.
    expires_at  INTEGER NULL,
    -- NULL for any number.
    max_uses    INTEGER NULL CHECK (max_uses IS NULL OR max_uses >= 0),
    uses        INTEGER NOT NULL CHECK (uses >= 0),
    -- NULL for any number.
    max_clients INTEGER NULL CHECK (max_clients IS NULL OR max_clients >= 0),
    revoked     INTEGER NOT NULL CHECK (revoked IN (0, 1)),
    -- The name of the bound policy, as the configuration registers it.
    policy      TEXT    NULL
) STRICT;
-- The live clients of a token are counted by registered_by. IF NOT EXISTS: a host may build it
-- beforehand (PostgreSQL: CONCURRENTLY, without blocking writes to a large table).
CREATE INDEX IF NOT EXISTS {clients_registered_by} ON {clients} (registered_by);
