-- Group chats, and an audit log one person cannot flood (issue 12).

-- Whether the person has ever written to the bot in a private chat: only then
-- can the bot answer them there (Telegram refuses to open a chat with someone
-- who never started the bot). Existing users who registered (in a private
-- chat) or ever received a message from the bot have one.
ALTER TABLE users ADD COLUMN private_chat INTEGER NOT NULL DEFAULT 0;
UPDATE users SET private_chat = 1 WHERE id > 0 AND (role NOT IN ('none', 'admin')
    OR status IN ('pending', 'rejected')
    OR EXISTS (SELECT 1 FROM outbox o WHERE o.chat_id = users.id AND o.status = 'sent'));

-- Refusals one person keeps provoking (denied commands, forged buttons) are
-- written to the append-only audit_log in full only up to a burst per hour;
-- the rest are counted here and summarised into one audit row when the hour
-- is over (store.Tx.AuditLimited). The audit log itself stays append-only;
-- these counters are working state, one row per person and action.
CREATE TABLE audit_counters (
    user_id      INTEGER NOT NULL,
    action       TEXT    NOT NULL,
    window_start TEXT    NOT NULL,
    written      INTEGER NOT NULL DEFAULT 0,  -- rows written in full this window
    suppressed   INTEGER NOT NULL DEFAULT 0,  -- counted, not yet summarised
    last_detail  TEXT    NOT NULL DEFAULT '',
    last_at      TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, action)
);
CREATE INDEX audit_counters_window ON audit_counters (window_start);
