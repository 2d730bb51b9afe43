-- Manual edits and re-planning: a stop can be locked to its route (re-planning keeps it there), and a
-- plan records when and by whom it was published.
ALTER TABLE stops ADD COLUMN locked boolean NOT NULL DEFAULT false;
ALTER TABLE plans ADD COLUMN published_at timestamptz;
ALTER TABLE plans ADD COLUMN published_by text;
