-- The fields of the case form an event is about (issue 5): on a move to
-- perlu_perbaikan, the ones the coordinator marked to fix (the worker's fix
-- button opens the form at the first of them, and the summary flags them
-- until changed); on a resubmission, the ones the worker changed (told to the
-- coordinator). Comma-separated step keys of the case form (nik, address,
-- ...) in the form's order, '' for none; no personal data.
ALTER TABLE case_events ADD COLUMN fields TEXT NOT NULL DEFAULT '';
