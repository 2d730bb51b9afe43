-- depends: 0005_operations_request_hash
-- Business settings of planning per organization, branch or vehicle (see server/plans/planning.py).
-- One row per level: branch_id and vehicle_id both NULL = the organization; branch_id set = a branch;
-- vehicle_id set = a vehicle. A NULL value falls back to the next wider level, then to the built-in default.
-- IF NOT EXISTS: for a while this table came from a migration numbered 0005 on some development databases.
CREATE TABLE IF NOT EXISTS planning_settings (
    id              bigserial PRIMARY KEY,
    organization_id text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    branch_id       text,
    vehicle_id      text,
    shift_start     time,
    shift_end       time,
    fixed_cost      double precision CHECK (fixed_cost BETWEEN 0 AND 1e9),
    cost_per_km     double precision CHECK (cost_per_km BETWEEN 0 AND 1e9),
    cost_per_hour   double precision CHECK (cost_per_hour BETWEEN 0 AND 1e9),
    speed_kmh       double precision CHECK (speed_kmh BETWEEN 1 AND 200),
    detour_factor   double precision CHECK (detour_factor BETWEEN 1 AND 5),
    max_trips       integer CHECK (max_trips BETWEEN 1 AND 10),
    road_graph      text CHECK (length(road_graph) BETWEEN 1 AND 200),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (shift_end IS NULL OR shift_start IS NULL OR shift_end > shift_start),
    CHECK (vehicle_id IS NULL OR branch_id IS NULL),
    FOREIGN KEY (organization_id, branch_id) REFERENCES branches (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, vehicle_id) REFERENCES vehicles (organization_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX IF NOT EXISTS planning_settings_level
    ON planning_settings (organization_id, coalesce(branch_id, ''), coalesce(vehicle_id, ''));
