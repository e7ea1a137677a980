-- The birth place of the person a case is about (optional, '' when not given):
-- SIKS-NG's import template has a Tempat Lahir column next to Tanggal Lahir,
-- and the export (issue 8) fills it from here.
ALTER TABLE cases ADD COLUMN birth_place TEXT NOT NULL DEFAULT '';
