-- The family card number (No. KK) and RT/RW of the person a case is about,
-- both optional ('' when not given): DTKS/SIKS-NG entries ask for them as
-- their own fields (issue 14). no_kk is personal data like the NIK: it holds
-- ciphertext sealed by Go with the NIK keyring (store/cases.go), never the
-- digits. rt and rw are three digits each, as the KTP prints them (005, 002).
ALTER TABLE cases ADD COLUMN no_kk TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN rt TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN rw TEXT NOT NULL DEFAULT '';
