-- Meetings, their invitations with RSVP, and attendance (issue 6).

-- A meeting an organiser created. Times are UTC; the check-in window is
-- [starts_at - checkin_lead_min, ends_at]. radius_m = 0 means no location check.
CREATE TABLE meetings (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    title            TEXT    NOT NULL,
    starts_at        TEXT    NOT NULL,
    ends_at          TEXT    NOT NULL,
    place            TEXT    NOT NULL,
    lat              REAL    NOT NULL DEFAULT 0,
    lon              REAL    NOT NULL DEFAULT 0,
    radius_m         INTEGER NOT NULL DEFAULT 0,
    checkin_lead_min INTEGER NOT NULL DEFAULT 60,
    audience         TEXT    NOT NULL,                  -- all, psm, tksk, kecamatan, people
    note             TEXT    NOT NULL DEFAULT '',
    -- The random check-in code of the QR deep link (hadir_<code>). Kept in clear:
    -- it is shown on a screen at the door, and the organiser may ask for it again.
    code             TEXT    NOT NULL UNIQUE,
    status           TEXT    NOT NULL DEFAULT 'scheduled', -- scheduled, cancelled
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       TEXT    NOT NULL
);
CREATE INDEX meetings_starts ON meetings (starts_at);

-- Who is invited and what they answered. outbox_id is the invitation message,
-- edited to show the current answer.
CREATE TABLE meeting_invitations (
    meeting_id  INTEGER NOT NULL REFERENCES meetings (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    rsvp        TEXT    NOT NULL DEFAULT '',   -- '' not answered, yes, no
    reason      TEXT    NOT NULL DEFAULT '',
    answered_at TEXT,
    outbox_id   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (meeting_id, user_id)
);
CREATE INDEX meeting_invitations_user ON meeting_invitations (user_id);

-- Who came. at is the check-in time (the scan message's own date for QR);
-- method: qr, location, manual; walk_in: not on the invitation list.
CREATE TABLE meeting_attendance (
    meeting_id  INTEGER NOT NULL REFERENCES meetings (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    at          TEXT    NOT NULL,
    method      TEXT    NOT NULL,
    walk_in     INTEGER NOT NULL DEFAULT 0,
    distance_m  INTEGER NOT NULL DEFAULT 0,
    marked_by   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (meeting_id, user_id)
);
