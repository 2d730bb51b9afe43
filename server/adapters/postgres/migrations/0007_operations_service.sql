-- depends: 0006_planning_settings
-- The optimizer's own operations (OptimizeLongRunning) live in the same table when the optimizer has a
-- database, so a restarted or another replica answers for them. They belong to no organization:
-- `service` tells whose operations a row holds, `organization_id` is NULL for the optimizer's, and
-- their request ids are unique per service.
ALTER TABLE operations ADD COLUMN service text NOT NULL DEFAULT 'plans';
ALTER TABLE operations ALTER COLUMN organization_id DROP NOT NULL;
CREATE UNIQUE INDEX operations_service_request_idx ON operations (service, request_id)
    WHERE organization_id IS NULL;
