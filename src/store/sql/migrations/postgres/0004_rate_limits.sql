-- Version 4: the state of the registration rate limits, shared by every replica. The same
-- columns as the SQLite schema: one row per key (a client address, or the whole server), its
-- theoretical arrival time in milliseconds since the epoch. A row whose time is past is as good
-- as absent: the store deletes such rows now and then. No index but the key's: those deletions
-- scan a table that holds only the keys of recent callers, and an index on the time would be
-- rewritten by every request.
CREATE TABLE {rate_limits} (
    limit_key TEXT   NOT NULL PRIMARY KEY,
    tat_ms    BIGINT NOT NULL CHECK (tat_ms >= 0)
);
