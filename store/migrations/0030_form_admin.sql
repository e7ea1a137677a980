-- Publishing and reviewing XLSForm forms (issue 15, part 4).
--
-- An admin's .xlsx upload cannot be fetched inside the update's transaction
-- (flows do no HTTP): the update records it here, the runtime downloads it
-- (bounded size and time) and hands the bytes back in a new transaction.
-- status: pending (to fetch), done (checked; the result sent), failed (given up).
CREATE TABLE form_uploads (
	id          INTEGER PRIMARY KEY,
	user_id     INTEGER NOT NULL,
	chat_id     INTEGER NOT NULL,
	file_id     TEXT NOT NULL,
	file_name   TEXT NOT NULL DEFAULT '',
	size        INTEGER NOT NULL DEFAULT 0,
	status      TEXT NOT NULL DEFAULT 'pending',
	attempts    INTEGER NOT NULL DEFAULT 0,
	next_try    INTEGER NOT NULL DEFAULT 0, -- unix ms, wall clock
	error       TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL
);
CREATE INDEX form_uploads_pending ON form_uploads(status, next_try);

-- The review cards sent about a submission, to edit them when someone decides
-- and to take them back when the submission is erased.
CREATE TABLE form_submission_notices (
	submission_id INTEGER NOT NULL REFERENCES form_submissions(id) ON DELETE CASCADE,
	chat_id       INTEGER NOT NULL,
	outbox_id     INTEGER NOT NULL,
	PRIMARY KEY (submission_id, chat_id)
);
