-- Tracking: devices (trackers registered to vehicles) and the position history.
-- A device id is the tracker's own identifier (OsmAnd `id`), unique across organizations because the
-- OsmAnd protocol names no organization. `positions` is partitioned by UTC day on `time` (partitions
-- are created by the application on demand and a few days ahead, and dropped whole by retention);
-- UNIQUE (device_id, time) makes a re-sent position a no-op and is the only btree; BRIN(time) serves
-- time ranges. A vehicle's track finds its devices through `device_assignments`, which keeps every
-- device that was ever registered to the vehicle (also after the device is deleted).

CREATE TABLE devices (
    id              text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._-]{1,64}$'),
    organization_id text NOT NULL REFERENCES organizations (id),
    vehicle_id      text NOT NULL,
    driver_id       text,
    display_name    text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz,
    FOREIGN KEY (organization_id, vehicle_id) REFERENCES vehicles (organization_id, id),
    FOREIGN KEY (organization_id, driver_id) REFERENCES drivers (organization_id, id)
);
CREATE INDEX devices_organization_idx ON devices (organization_id, id);

CREATE TABLE device_assignments (
    organization_id text NOT NULL,
    vehicle_id      text NOT NULL,
    device_id       text NOT NULL,
    PRIMARY KEY (organization_id, vehicle_id, device_id)
);

CREATE TABLE positions (
    device_id       text NOT NULL,
    time            timestamptz NOT NULL,
    organization_id text NOT NULL,
    vehicle_id      text NOT NULL,
    latitude        double precision NOT NULL,
    longitude       double precision NOT NULL,
    speed_kmh       real,
    heading         real,
    altitude        real,
    accuracy        real,
    battery         real,
    attributes      jsonb,
    UNIQUE (device_id, time)
) PARTITION BY RANGE (time);
CREATE INDEX positions_time_brin ON positions USING brin (time);
