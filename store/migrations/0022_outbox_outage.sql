-- Outages apart from refusals (issue 13): a failed attempt that got no HTTP
-- answer at all (connection refused, a timeout, DNS) says the network or
-- Telegram is down for every chat, not that this message is refused, so it
-- counts only towards the outage's age budget; the attempts and the age of
-- the budget for answers (5xx, pages without Telegram's envelope, 429) count
-- only what a server answered.
ALTER TABLE outbox ADD COLUMN unanswered INTEGER NOT NULL DEFAULT 0;     -- failed attempts without an HTTP answer (of attempts)
ALTER TABLE outbox ADD COLUMN answered_since INTEGER NOT NULL DEFAULT 0; -- unix ms (store clock) of the first failed attempt a server answered; 0: none
