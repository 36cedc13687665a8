-- Version 2: the expiry of abandoned clients finds the clients unused since a time: by their
-- last use, or their registration time when never used.
CREATE INDEX {clients_last_used} ON {clients} (COALESCE(last_used_at, client_id_issued_at));
