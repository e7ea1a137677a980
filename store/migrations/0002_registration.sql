-- Registration, roles, approvals, invites and the audit log (issue 4).

-- What a worker registers: the profile the admins approve. kecamatan and
-- kelurahan hold catalogue codes, not names, so a renamed kelurahan stays linked.
ALTER TABLE users ADD COLUMN full_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN phone     TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN kecamatan TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN kelurahan TEXT NOT NULL DEFAULT '';
-- Kecamatan codes a coordinator covers, comma separated; '*' = all.
ALTER TABLE users ADD COLUMN covers    TEXT NOT NULL DEFAULT '';
CREATE INDEX users_role ON users (role, status);

-- A registration or a profile change waiting for an admin. data is the JSON of
-- the requested profile; the user's row changes only when it is approved.
CREATE TABLE approvals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    kind        TEXT    NOT NULL,                    -- register, change
    data        TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'pending',  -- pending, approved, rejected, blocked
    decided_by  INTEGER NOT NULL DEFAULT 0,
    decided_at  TEXT,
    created_at  TEXT    NOT NULL
);
CREATE INDEX approvals_user ON approvals (user_id, status);

-- The notices sent to each admin for an approval, so the decision can edit them
-- all (no admin is left with live buttons for a decided request).
CREATE TABLE approval_notices (
    approval_id INTEGER NOT NULL REFERENCES approvals (id),
    chat_id     INTEGER NOT NULL,
    outbox_id   INTEGER NOT NULL,
    PRIMARY KEY (approval_id, chat_id)
);

-- Invite links. Only the SHA-256 of the code is kept: a copy of the database
-- does not hand out working links.
CREATE TABLE invites (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code_hash   TEXT    NOT NULL UNIQUE,
    role        TEXT    NOT NULL DEFAULT '',          -- '' = the worker chooses
    created_by  INTEGER NOT NULL,
    expires_at  TEXT    NOT NULL,
    max_uses    INTEGER NOT NULL,
    uses        INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL
);

-- Who did what that matters: approvals, role changes, refused actions.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT    NOT NULL,
    user_id  INTEGER NOT NULL,
    action   TEXT    NOT NULL,
    detail   TEXT    NOT NULL DEFAULT ''
);
