-- The admin console (issue 8): broadcasts with their deliveries, backups sent
-- in chat, and erased users.

-- A broadcast an admin or coordinator prepared. status: draft (previewed, not
-- confirmed), running (messages in the outbox), done, cancelled. progress_ref
-- is the outbox row of the progress message that the sweep edits in place;
-- shown is the last "sent/failed/left" it showed, so an unchanged count is not
-- edited again.
CREATE TABLE broadcasts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    created_by    INTEGER NOT NULL,
    chat_id       INTEGER NOT NULL,
    audience      TEXT    NOT NULL,               -- all, psm, tksk, kecamatan
    kecamatan     TEXT    NOT NULL DEFAULT '',    -- comma-separated codes for audience kecamatan
    text          TEXT    NOT NULL,               -- HTML, exactly as sent
    status        TEXT    NOT NULL DEFAULT 'draft',
    progress_ref  INTEGER NOT NULL DEFAULT 0,
    shown         TEXT    NOT NULL DEFAULT '',
    created_at    TEXT    NOT NULL,
    started_at    TEXT,
    finished_at   TEXT
);
CREATE INDEX broadcasts_status ON broadcasts (status);

-- One recipient of a broadcast. outbox_id = 0: not sent because the user was
-- already unreachable when it started.
CREATE TABLE broadcast_messages (
    broadcast_id  INTEGER NOT NULL REFERENCES broadcasts (id),
    user_id       INTEGER NOT NULL,
    outbox_id     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (broadcast_id, user_id)
);
CREATE INDEX broadcast_messages_outbox ON broadcast_messages (outbox_id);

-- Backups made by /cadangan. outbox_id is the document message: its file
-- bytes are cleared from the outbox once sent, so the database does not keep a
-- copy of itself per backup.
CREATE TABLE backups (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    created_by  INTEGER NOT NULL,
    size        INTEGER NOT NULL,
    outbox_id   INTEGER NOT NULL DEFAULT 0,
    cleared     INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL
);
