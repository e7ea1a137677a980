-- Media of form submissions (issue 15): the photos and voice notes a worker
-- sent while filling an XLSForm form, waiting to be downloaded into the media
-- folder as case photos are (case_photos). local_path is fixed when the
-- submission is saved, so FormAnswer.Files can name the file before it exists;
-- the downloader writes it there.
CREATE TABLE form_media (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id   INTEGER NOT NULL REFERENCES form_submissions (id) ON DELETE CASCADE,
    file_id         TEXT    NOT NULL,
    file_unique_id  TEXT    NOT NULL,
    local_path      TEXT    NOT NULL,  -- relative to the media folder
    status          TEXT    NOT NULL DEFAULT 'pending',  -- pending, done, failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_try        INTEGER NOT NULL DEFAULT 0,   -- unix ms
    error           TEXT    NOT NULL DEFAULT '',
    created_at      TEXT    NOT NULL
);
CREATE INDEX form_media_submission ON form_media (submission_id, id);
CREATE INDEX form_media_pending ON form_media (next_try) WHERE status = 'pending';
