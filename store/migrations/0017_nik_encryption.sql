-- The NIK is encrypted at rest (issue 12). cases.nik holds AES-256-GCM
-- ciphertext naming the key that sealed it ('' when the person has none);
-- nik_index is its blind index (HMAC-SHA256 under a key derived from the same
-- secret), the only way to find a case by NIK. Encrypting needs the key, which
-- SQL never sees: Go does it right after the migrations (store/nikstore.go),
-- and VACUUMs so no plaintext stays in free pages.
ALTER TABLE cases ADD COLUMN nik_index TEXT NOT NULL DEFAULT '';

-- The old index held every NIK in plaintext.
DROP INDEX cases_nik;
CREATE INDEX cases_nik_index ON cases (nik_index) WHERE nik_index != '';

-- An erasure that clears the NIK (nik = '') clears its index too, whichever
-- code path does it.
CREATE TRIGGER cases_nik_erased AFTER UPDATE OF nik ON cases WHEN NEW.nik = '' AND NEW.nik_index != ''
BEGIN
    UPDATE cases SET nik_index = '' WHERE id = NEW.id;
END;

-- Which key the NIKs are sealed with: its id and a check value derived from
-- it (never the key). A start with another key is refused, loudly, instead of
-- failing on the first case read or, worse, writing NIKs no one can read
-- with the key kept.
CREATE TABLE nik_key (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    key_id     TEXT NOT NULL,
    key_check  TEXT NOT NULL,
    set_at     TEXT NOT NULL
);
