-- depends: 0004_operations
-- The fingerprint of the request that started an operation, so that a request_id reused with a
-- different request is refused (AIP-155) instead of silently answering with the first operation.
-- IF NOT EXISTS: for a while this column came from a migration named 0006 on some development databases.
ALTER TABLE operations ADD COLUMN IF NOT EXISTS request_hash text NOT NULL DEFAULT '';
