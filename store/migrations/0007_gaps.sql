-- Loose ends of issues 4 and 6: the blocked user's one notice, and check-ins
-- waiting for a registration to be approved.

-- Set once a blocked user has been told so; later messages are ignored. Any
-- status change away from blocked clears it (SetStatus, SetProfile, SetRole).
ALTER TABLE users ADD COLUMN blocked_notified INTEGER NOT NULL DEFAULT 0;

-- Someone who was not registered yet scanned a meeting's check-in QR. When an
-- admin approves them (or an invite link activates them), the check-in is
-- completed if the meeting's window is still open; the row is deleted either
-- way. scanned_at is the scan message's own date (UTC). user_id has no
-- foreign key so erasing a user is not blocked by a stale scan; delete its rows
-- with the user.
CREATE TABLE pending_checkins (
    user_id    INTEGER NOT NULL,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    scanned_at TEXT    NOT NULL,
    PRIMARY KEY (user_id, meeting_id)
);
