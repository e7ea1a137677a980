-- Bounded retries (issue 13): what the last failed attempt of a row got, and
-- since when its payload has been failing, so that every row's retries end
-- (the sender's budget) and a stuck chat shows in /healthz; and, for a text
-- that stands in for a photo, location or document Telegram would not take,
-- what it replaced and why.
ALTER TABLE outbox ADD COLUMN http_status INTEGER NOT NULL DEFAULT 0;   -- of the last failed attempt; 0: no HTTP answer
ALTER TABLE outbox ADD COLUMN failing_since INTEGER NOT NULL DEFAULT 0; -- unix ms (store clock) of the first failed attempt; 0: none failed
ALTER TABLE outbox ADD COLUMN fallback_of TEXT NOT NULL DEFAULT '';     -- the kind this row's text replaced ('photo', ...); '' for none
ALTER TABLE outbox ADD COLUMN fallback_error TEXT NOT NULL DEFAULT '';  -- why that was given up: HTTP status and body excerpt
