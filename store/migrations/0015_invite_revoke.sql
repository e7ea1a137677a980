-- Invite links an admin can withdraw (issue 12): a revoked link no longer
-- activates anyone, and whoever opens it is told it was withdrawn. '' and 0
-- while the link stands.
ALTER TABLE invites ADD COLUMN revoked_at TEXT NOT NULL DEFAULT '';
ALTER TABLE invites ADD COLUMN revoked_by INTEGER NOT NULL DEFAULT 0;
