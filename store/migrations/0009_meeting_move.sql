-- A meeting can be moved to another time or place (issue 6). moved_at is when
-- it last was: a reminder due before the move is not sent after it, as one
-- due before the meeting was created is not.
ALTER TABLE meetings ADD COLUMN moved_at TEXT;
