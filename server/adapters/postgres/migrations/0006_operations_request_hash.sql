-- depends: 0005_planning_settings
-- The fingerprint of the request that started an operation, so that a request_id reused with a
-- different request is refused (AIP-155) instead of silently answering with the first operation.
-- IF NOT EXISTS: the column was first added under the id 0005_operations_request_hash on some
-- development databases.
ALTER TABLE operations ADD COLUMN IF NOT EXISTS request_hash text NOT NULL DEFAULT '';
