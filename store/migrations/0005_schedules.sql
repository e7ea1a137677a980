-- Scheduled jobs, reminders and digests (issue 7).

-- Each scheduled job: checked_until is the time up to which its slots have been
-- considered (run, failed or missed), so a restart neither repeats nor forgets
-- one. A job seen for the first time (or with a changed schedule) starts at that
-- moment: slots before it were never due.
CREATE TABLE jobs (
    name           TEXT PRIMARY KEY,
    spec           TEXT NOT NULL,
    checked_until  TEXT NOT NULL
);

-- Every slot of every job, at most once: done, failed (the error kept) or missed
-- (the bot was down longer than the catch-up window, or a newer slot ran
-- instead). The primary key is what makes "never twice" hold.
CREATE TABLE job_runs (
    job          TEXT NOT NULL,
    slot         TEXT NOT NULL,                 -- the scheduled time, UTC
    status       TEXT NOT NULL,                 -- done, failed, missed
    error        TEXT NOT NULL DEFAULT '',
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (job, slot)
);

-- Reminders sent, one per kind, subject (a meeting id, a case id) and person:
-- none is sent twice, whatever the schedule or a restart does.
CREATE TABLE reminders_sent (
    kind     TEXT    NOT NULL,
    subject  TEXT    NOT NULL,
    user_id  INTEGER NOT NULL,
    sent_at  TEXT    NOT NULL,
    PRIMARY KEY (kind, subject, user_id)
);

-- A coordinator's or admin's choice of digests (/ringkasan); no row means the
-- deployment's default.
CREATE TABLE digest_settings (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id),
    daily       INTEGER NOT NULL,
    weekly      INTEGER NOT NULL,
    updated_at  TEXT    NOT NULL
);

-- What digests and reminders filter by: cases created or changed in a period,
-- cases waiting in a status since a time, a worker's latest report.
-- The first two cover their queries: the digest reads no table row for them.
CREATE INDEX cases_created ON cases (created_at, kecamatan, category);
CREATE INDEX case_events_status_at ON case_events (at, to_status, case_id) WHERE action = 'status';
CREATE INDEX cases_status_updated ON cases (status, updated_at);
CREATE INDEX cases_reporter_created ON cases (reporter_id, created_at);
