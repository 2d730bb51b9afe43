-- depends: 0005_planning_settings
-- The fingerprint of the request that started an operation, so that a request_id reused with a
-- different request is refused (AIP-155) instead of silently answering with the first operation.
ALTER TABLE operations ADD COLUMN request_hash text NOT NULL DEFAULT '';
