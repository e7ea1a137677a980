-- A broadcast may be a photo with a caption (issue 8): file_id is the photo's
-- Telegram file_id, sent to every recipient by id (no upload); text is then
-- its caption. '' for a text broadcast.
ALTER TABLE broadcasts ADD COLUMN file_id TEXT NOT NULL DEFAULT '';
