-- The runtime spine: poll offset, users, conversations, outbox, failed updates.

-- One row: the highest update_id whose effects are committed. Telegram forgets an
-- update once getUpdates is called with a higher offset, so this row is the only
-- record that it was handled.
CREATE TABLE poll_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    last_update_id INTEGER NOT NULL
);
INSERT INTO poll_state (id, last_update_id) VALUES (1, 0);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,          -- Telegram user id
    first_name    TEXT    NOT NULL DEFAULT '',
    username      TEXT    NOT NULL DEFAULT '',
    language      TEXT    NOT NULL DEFAULT '',  -- '' = the deployment default
    role          TEXT    NOT NULL DEFAULT 'none',
    status        TEXT    NOT NULL DEFAULT 'new',
    unreachable   INTEGER NOT NULL DEFAULT 0,   -- blocked the bot or left
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

-- One open conversation per chat and user; data holds the flow's answers and history.
CREATE TABLE conversations (
    chat_id     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    flow        TEXT    NOT NULL,
    step        TEXT    NOT NULL,
    nonce       TEXT    NOT NULL,
    data        TEXT    NOT NULL DEFAULT '{}',
    prompt_ref  INTEGER NOT NULL DEFAULT 0,     -- outbox id of the last prompt
    reminded    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);
CREATE INDEX conversations_updated ON conversations (updated_at);

-- Messages waiting to go to Telegram, in order. Rows are kept after sending so a
-- later flow can edit what was sent (tg_message_id).
CREATE TABLE outbox (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id        INTEGER NOT NULL,
    priority       INTEGER NOT NULL DEFAULT 0,   -- lower goes first: replies before broadcasts
    kind           TEXT    NOT NULL,
    payload        TEXT    NOT NULL,             -- JSON of store.Message without the file
    file           BLOB,
    status         TEXT    NOT NULL DEFAULT 'pending', -- pending, sent, failed, uncertain
    attempts       INTEGER NOT NULL DEFAULT 0,
    not_before     INTEGER NOT NULL DEFAULT 0,   -- unix ms; retry backoff
    tg_message_id  INTEGER NOT NULL DEFAULT 0,
    error          TEXT    NOT NULL DEFAULT '',
    created_at     TEXT    NOT NULL,
    sent_at        TEXT
);
CREATE INDEX outbox_pending ON outbox (status, priority, id) WHERE status = 'pending';

CREATE TABLE failed_updates (
    update_id  INTEGER PRIMARY KEY,
    payload    TEXT NOT NULL,
    error      TEXT NOT NULL,
    created_at TEXT NOT NULL
);
