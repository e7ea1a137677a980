-- The audit log is append-only (issue 8): who approved, blocked, exported,
-- broadcast or erased stays on record whatever a code path or a bug tries.
-- (Someone with shell access could drop the triggers; the backups kept off
-- the server are the answer to that.) Rows are only ever inserted
-- (store.Tx.Audit); an erasure records itself under the stand-in and never
-- rewrites earlier entries, which hold ids, codes and counts, no names or
-- phone numbers. A backup (VACUUM INTO) copies these triggers with the table.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be changed');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted');
END;
