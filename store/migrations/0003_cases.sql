-- PMKS case reports, their history, photos and the notices sent about them (issue 5).

-- The per-year sequence behind case codes (JMB-26-00042): allocated in the same
-- transaction that inserts the case, so codes are gapless and never reused.
CREATE TABLE case_seq (
    year  INTEGER PRIMARY KEY,
    last  INTEGER NOT NULL
);

-- One reported person. nik holds the 16 digits ('' when the person has none,
-- with no_nik_reason); it is the only place the full NIK is kept. Timestamps are
-- UTC; birth_date is a calendar date (YYYY-MM-DD), '' when only an age is known.
CREATE TABLE cases (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    code           TEXT    NOT NULL UNIQUE,
    reporter_id    INTEGER NOT NULL REFERENCES users (id),
    category       TEXT    NOT NULL,              -- PPKS01..PPKS26
    full_name      TEXT    NOT NULL,
    nik            TEXT    NOT NULL DEFAULT '',
    no_nik_reason  TEXT    NOT NULL DEFAULT '',
    gender         TEXT    NOT NULL,              -- L or P
    birth_date     TEXT    NOT NULL DEFAULT '',
    age            INTEGER NOT NULL DEFAULT 0,    -- years at report time, when no birth date
    address        TEXT    NOT NULL,
    kecamatan      TEXT    NOT NULL,              -- catalogue code
    kelurahan      TEXT    NOT NULL,              -- catalogue code
    latitude       REAL,                          -- NULL: no location shared
    longitude      REAL,
    description    TEXT    NOT NULL,
    needs          TEXT    NOT NULL DEFAULT '',   -- comma-separated need keys
    urgency        TEXT    NOT NULL,              -- biasa, mendesak, darurat
    status         TEXT    NOT NULL DEFAULT 'baru',
    reviewer_id    INTEGER NOT NULL DEFAULT 0,    -- who asked for a fix, to resubmit to
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);
CREATE INDEX cases_nik ON cases (nik) WHERE nik != '';
CREATE INDEX cases_reporter ON cases (reporter_id, id);
CREATE INDEX cases_area ON cases (kecamatan, status, id);
CREATE INDEX cases_similar ON cases (kelurahan, birth_date);

-- Every change of a case: created, status transitions, follow-up notes,
-- resubmissions after a fix. from_status = to_status for a note.
CREATE TABLE case_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    at           TEXT    NOT NULL,
    user_id      INTEGER NOT NULL,
    action       TEXT    NOT NULL,                -- create, status, note, resubmit
    from_status  TEXT    NOT NULL DEFAULT '',
    to_status    TEXT    NOT NULL,
    note         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- Photos of a case, largest size as Telegram sent it. The runtime downloads
-- them into the media folder in the background (status pending -> done, or
-- failed after too many attempts), so the pictures outlive Telegram's links.
CREATE TABLE case_photos (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id         INTEGER NOT NULL REFERENCES cases (id),
    file_id         TEXT    NOT NULL,
    file_unique_id  TEXT    NOT NULL,
    width           INTEGER NOT NULL DEFAULT 0,
    height          INTEGER NOT NULL DEFAULT 0,
    size            INTEGER NOT NULL DEFAULT 0,
    status          TEXT    NOT NULL DEFAULT 'pending',
    local_path      TEXT    NOT NULL DEFAULT '',  -- relative to the media folder
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_try        INTEGER NOT NULL DEFAULT 0,   -- unix ms
    error           TEXT    NOT NULL DEFAULT '',
    created_at      TEXT    NOT NULL
);
CREATE INDEX case_photos_case ON case_photos (case_id, id);
CREATE INDEX case_photos_pending ON case_photos (next_try) WHERE status = 'pending';

-- The notices about a case sent to each coordinator, so a decision edits them
-- all and no one is left with live buttons for a decided case.
CREATE TABLE case_notices (
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    chat_id    INTEGER NOT NULL,
    outbox_id  INTEGER NOT NULL,
    PRIMARY KEY (case_id, chat_id)
);
