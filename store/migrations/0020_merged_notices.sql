-- One merged case notice per reviewer's chat (issue 13): when a chat already
-- has several notices waiting, the next cases are not sent one by one but
-- counted in one message with a button to the verification queue, and that
-- message is edited as more arrive. Rows are never rewritten once enqueued
-- (the sender may hold a copy): each count change is a new edit row, at most
-- one waiting at a time; last_row and shown say what the chat will show.
CREATE TABLE merged_notices (
    chat_id    INTEGER PRIMARY KEY,
    outbox_id  INTEGER NOT NULL,           -- the merged message's outbox row
    last_row   INTEGER NOT NULL,           -- the newest row showing it: that message or its latest edit
    merged     INTEGER NOT NULL,           -- cases merged into it
    shown      TEXT NOT NULL DEFAULT '',   -- the text last_row shows
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL               -- when a case was last merged into it
);
