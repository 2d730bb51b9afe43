-- depends: 0007_operations_service
-- Identity: a DRIVER user is linked to his driver record (whose routes he sees), users can be disabled,
-- and dispatch systems get API keys per organization (only a SHA-256 of the secret is stored).
ALTER TABLE users ADD COLUMN driver_id text;
ALTER TABLE users ADD CONSTRAINT users_driver_fk
    FOREIGN KEY (organization_id, driver_id) REFERENCES drivers (organization_id, id);

CREATE TABLE api_keys (
    organization_id text NOT NULL REFERENCES organizations (id),
    id          text PRIMARY KEY,
    display_name text NOT NULL,
    role        text NOT NULL CHECK (role IN ('ADMIN', 'DISPATCHER', 'DRIVER')),
    secret_hash text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX api_keys_organization_idx ON api_keys (organization_id, id);
