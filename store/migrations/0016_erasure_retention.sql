-- Erasure that reaches every copy, and retention (issue 12).

-- The case a draft is about: the case being fixed (case form, variable fix),
-- the case a coordinator is deciding on (case_note, variable case) or the
-- case whose NIK a new report repeats (case form, variable dup); 0 for none.
-- Erasing a case drops exactly these drafts, matched by id, never by a name
-- that may be part of another ("Budi" in "Budiman").
ALTER TABLE conversations ADD COLUMN case_id INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET case_id = CAST(COALESCE(json_extract(data, '$.v.fix'), json_extract(data, '$.v.case'),
    json_extract(data, '$.v.dup'), 0) AS INTEGER)
    WHERE flow IN ('case', 'case_note') AND json_valid(data);
CREATE INDEX conversations_case ON conversations (case_id) WHERE case_id != 0;

-- An outbox row whose texts retention (or an erasure) already removed: only
-- its chat and Telegram message id stay, for later edits.
ALTER TABLE outbox ADD COLUMN scrubbed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_created ON outbox (created_at) WHERE scrubbed = 0;

-- case_photos.status gains 'replaced': a photo a fixed report no longer
-- shows. The row (and its downloaded file) is kept until the case is erased,
-- so that erasure finds every file ever downloaded for the case.

-- The audit log stays append-only, with one narrow exception: the retention
-- job may blank the detail of entries older than the cutoff recorded here.
-- Who did what and when (id, at, user_id, action) can never change, no row
-- can be deleted, the cutoff only moves forward, and it can never reach the
-- last 7 days before the newest entry (the job audits itself first, so the
-- newest entry is now): a bug setting a cutoff in the future still cannot
-- blank what was just recorded.
CREATE TABLE audit_scrub (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    cutoff  TEXT    NOT NULL
);
INSERT INTO audit_scrub (id, cutoff) VALUES (1, '');

CREATE TRIGGER audit_scrub_forward BEFORE UPDATE ON audit_scrub
WHEN NEW.id != OLD.id OR NEW.cutoff < OLD.cutoff
    OR NEW.cutoff > (SELECT strftime('%Y-%m-%dT%H:%M:%fZ', MAX(at), '-7 days') FROM audit_log)
BEGIN
    SELECT RAISE(ABORT, 'audit_scrub: the cutoff only moves forward and stays 7 days behind the newest entry');
END;

CREATE TRIGGER audit_scrub_no_delete BEFORE DELETE ON audit_scrub
BEGIN
    SELECT RAISE(ABORT, 'audit_scrub: the row cannot be deleted');
END;

DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (NEW.detail = '' AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.user_id = OLD.user_id
    AND NEW.action = OLD.action AND OLD.at < (SELECT cutoff FROM audit_scrub WHERE id = 1))
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be changed');
END;
