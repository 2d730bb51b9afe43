-- depends: 0003_plan_edits
-- Long-running operations of the plans service (OptimizePlan, ReplanPlan), so that any replica can
-- answer GetOperation / WaitOperation and a restart loses none. Messages are stored as serialized
-- protobuf (metadata and response as google.protobuf.Any, error as google.rpc.Status).
CREATE TABLE operations (
    organization_id text NOT NULL REFERENCES organizations (id),
    name        text NOT NULL,
    request_id  text,
    done        boolean NOT NULL DEFAULT false,
    cancel_requested boolean NOT NULL DEFAULT false,
    metadata    bytea NOT NULL,
    response    bytea,
    error       bytea,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name),
    UNIQUE (organization_id, request_id)
);
CREATE INDEX operations_org_created_idx ON operations (organization_id, created_at);
