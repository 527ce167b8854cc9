-- The outbox's SQL (schema version 1) exactly as timetrack created it, copied from
-- timesheet/tracking/ledger.py at 19380ec. Frozen: tests build version-1 files with it.
CREATE TABLE IF NOT EXISTS ops (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT    NOT NULL CHECK (kind IN ('start', 'end', 'end_running')),
    entry_id      TEXT    NOT NULL,
    user_id       TEXT,
    payload       TEXT    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')),
    enqueued_at   REAL    NOT NULL,
    claims        INTEGER NOT NULL DEFAULT 0,
    failures      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    claimed_by    TEXT,
    claim_host    TEXT,
    claim_pid     INTEGER,
    claim_expires REAL
);
CREATE INDEX IF NOT EXISTS ops_state_id ON ops (state, id);
CREATE INDEX IF NOT EXISTS ops_entry ON ops (entry_id);
CREATE INDEX IF NOT EXISTS ops_user ON ops (user_id);
