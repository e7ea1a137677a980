-- XLSForm forms (issue 15). An admin uploads an XLSForm workbook; each upload
-- that passes the check is a form version, kept for good: an open draft
-- finishes on the version it started, and exports name each submission's
-- version. forms holds one row per XLSForm form_id with the version new drafts
-- use (published_version, NULL while none is published) and its audience.
CREATE TABLE forms (
	form_id            TEXT PRIMARY KEY,
	published_version  INTEGER REFERENCES form_versions(id),
	-- audience: role '' = every worker, else psm or tksk; kecamatan '' = all.
	audience_role      TEXT NOT NULL DEFAULT '',
	audience_kecamatan TEXT NOT NULL DEFAULT '',
	updated_at         TEXT NOT NULL
);

CREATE TABLE form_versions (
	id          INTEGER PRIMARY KEY,
	form_id     TEXT NOT NULL,
	version     TEXT NOT NULL,      -- settings.version as written ('' when none)
	title       TEXT NOT NULL,
	xlsx        BLOB NOT NULL,      -- the workbook, to rebuild the form after a restart
	uploaded_by INTEGER NOT NULL,
	uploaded_at TEXT NOT NULL,
	-- status: preview (checked, shown to the admin), published (the one new
	-- drafts use), replaced (an older published one), discarded (preview not confirmed).
	status      TEXT NOT NULL DEFAULT 'preview'
);
CREATE INDEX form_versions_form ON form_versions(form_id, id);

-- A submission's answers are JSON by question name. NIK answers are sealed
-- with the NIK keyring before they reach data (never the digits), and their
-- blind index goes in nik_index so erasure and duplicate checks can find them.
CREATE TABLE form_submissions (
	id           INTEGER PRIMARY KEY,
	version_id   INTEGER NOT NULL REFERENCES form_versions(id),
	form_id      TEXT NOT NULL,
	user_id      INTEGER NOT NULL,  -- who submitted
	case_id      INTEGER REFERENCES cases(id) ON DELETE CASCADE, -- link_case forms
	kecamatan    TEXT NOT NULL DEFAULT '', -- for scoping: the case's, the answered region's, else the worker's
	data         TEXT NOT NULL,     -- JSON answers
	nik_index    TEXT NOT NULL DEFAULT '',
	-- status: baru (submitted), terverifikasi, perlu_perbaikan (fix_fields JSON names the questions)
	status       TEXT NOT NULL DEFAULT 'baru',
	fix_fields   TEXT NOT NULL DEFAULT '',
	review_note  TEXT NOT NULL DEFAULT '',
	reviewed_by  INTEGER,
	reviewed_at  TEXT,
	submitted_at TEXT NOT NULL,
	updated_at   TEXT NOT NULL
);
CREATE INDEX form_submissions_form ON form_submissions(form_id, id);
CREATE INDEX form_submissions_user ON form_submissions(user_id, id);
CREATE INDEX form_submissions_case ON form_submissions(case_id);
CREATE INDEX form_submissions_kec ON form_submissions(kecamatan, status);
