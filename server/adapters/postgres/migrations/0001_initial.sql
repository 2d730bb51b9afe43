-- Initial schema: every business row belongs to an organization; (organization_id, id) is the key and
-- every reference between business rows is a composite foreign key inside the same organization, so a row
-- can never point at another organization's data. `version` is the etag, bumped on every update.

CREATE TABLE organizations (
    id          text PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    address     text NOT NULL DEFAULT '',
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE branches (
    organization_id text NOT NULL REFERENCES organizations (id),
    id          text NOT NULL,
    code        text NOT NULL,
    name        text NOT NULL,
    address     text NOT NULL DEFAULT '',
    latitude    double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude   double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, code)
);

CREATE TABLE users (
    organization_id text NOT NULL REFERENCES organizations (id),
    id          text NOT NULL,
    branch_id   text,
    login_id    text NOT NULL,
    password_hash text NOT NULL DEFAULT '',
    name        text NOT NULL,
    email       text NOT NULL DEFAULT '',
    role        text NOT NULL CHECK (role IN ('ADMIN', 'DISPATCHER', 'DRIVER', 'VIEWER')),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, login_id),
    FOREIGN KEY (organization_id, branch_id) REFERENCES branches (organization_id, id)
);

CREATE TABLE vehicles (
    organization_id text NOT NULL REFERENCES organizations (id),
    id          text NOT NULL,
    branch_id   text NOT NULL,
    registration_number text NOT NULL,
    vehicle_class text NOT NULL,
    payload_kg  double precision NOT NULL CHECK (payload_kg >= 0),
    gross_weight_kg double precision CHECK (gross_weight_kg >= 0),
    length_mm   integer CHECK (length_mm > 0),
    width_mm    integer CHECK (width_mm > 0),
    height_mm   integer CHECK (height_mm > 0),
    volume_m3   double precision CHECK (volume_m3 >= 0),
    status      text NOT NULL DEFAULT 'AVAILABLE'
                CHECK (status IN ('AVAILABLE', 'IN_SERVICE', 'MAINTENANCE', 'RETIRED')),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, registration_number),
    FOREIGN KEY (organization_id, branch_id) REFERENCES branches (organization_id, id)
);
CREATE INDEX vehicles_branch_idx ON vehicles (organization_id, branch_id);

CREATE TABLE drivers (
    organization_id text NOT NULL REFERENCES organizations (id),
    id          text NOT NULL,
    branch_id   text NOT NULL,
    employee_number text NOT NULL,
    name        text NOT NULL,
    licence_number text NOT NULL DEFAULT '',
    licence_class text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT 'AVAILABLE'
                CHECK (status IN ('AVAILABLE', 'ON_DUTY', 'OFF_DUTY', 'ON_LEAVE', 'RETIRED')),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, employee_number),
    FOREIGN KEY (organization_id, branch_id) REFERENCES branches (organization_id, id)
);
CREATE INDEX drivers_branch_idx ON drivers (organization_id, branch_id);

CREATE TABLE customers (
    organization_id text NOT NULL REFERENCES organizations (id),
    id          text NOT NULL,
    code        text NOT NULL,
    name        text NOT NULL,
    phone_number text NOT NULL DEFAULT '',
    email       text NOT NULL DEFAULT '',
    address     text NOT NULL DEFAULT '',
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, code)
);

CREATE TABLE orders (
    organization_id text NOT NULL REFERENCES organizations (id),
    id          text NOT NULL,
    branch_id   text NOT NULL,
    customer_id text,
    place_name  text NOT NULL DEFAULT '',
    address     text NOT NULL DEFAULT '',
    latitude    double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude   double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    delivery_date date NOT NULL,
    -- [["09:00", "12:00"], ...] local (Asia/Tokyo) times of delivery_date; empty = any time
    time_windows jsonb NOT NULL DEFAULT '[]'::jsonb,
    weight_kg   double precision NOT NULL DEFAULT 0 CHECK (weight_kg >= 0),
    volume_m3   double precision NOT NULL DEFAULT 0 CHECK (volume_m3 >= 0),
    service_seconds integer NOT NULL DEFAULT 300 CHECK (service_seconds >= 0),
    allowed_vehicle_classes text[] NOT NULL DEFAULT '{}',
    notes       text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT 'PENDING'
                CHECK (status IN ('PENDING', 'PLANNED', 'IN_TRANSIT', 'DELIVERED', 'FAILED', 'CANCELLED')),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, branch_id) REFERENCES branches (organization_id, id),
    FOREIGN KEY (organization_id, customer_id) REFERENCES customers (organization_id, id)
);
CREATE INDEX orders_branch_date_idx ON orders (organization_id, branch_id, delivery_date);
CREATE INDEX orders_date_status_idx ON orders (organization_id, delivery_date, status);
CREATE INDEX orders_customer_idx ON orders (organization_id, customer_id);

CREATE TABLE plans (
    organization_id text NOT NULL REFERENCES organizations (id),
    id          text NOT NULL,
    branch_id   text NOT NULL,
    plan_date   date NOT NULL,
    status      text NOT NULL DEFAULT 'DRAFT'
                CHECK (status IN ('DRAFT', 'PUBLISHED', 'IN_PROGRESS', 'DONE')),
    revision    integer NOT NULL DEFAULT 1,
    created_by  text,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, branch_id) REFERENCES branches (organization_id, id),
    FOREIGN KEY (organization_id, created_by) REFERENCES users (organization_id, id)
);
CREATE INDEX plans_branch_date_idx ON plans (organization_id, branch_id, plan_date);

CREATE TABLE routes (
    organization_id text NOT NULL REFERENCES organizations (id),
    id          text NOT NULL,
    plan_id     text NOT NULL,
    vehicle_id  text NOT NULL,
    driver_id   text,
    start_time  timestamptz,
    end_time    timestamptz,
    distance_m  bigint NOT NULL DEFAULT 0,
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, plan_id, vehicle_id),
    FOREIGN KEY (organization_id, plan_id) REFERENCES plans (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, vehicle_id) REFERENCES vehicles (organization_id, id),
    FOREIGN KEY (organization_id, driver_id) REFERENCES drivers (organization_id, id)
);

CREATE TABLE stops (
    organization_id text NOT NULL REFERENCES organizations (id),
    id          text NOT NULL,
    route_id    text NOT NULL,
    sequence    integer NOT NULL CHECK (sequence >= 0),
    kind        text NOT NULL CHECK (kind IN ('DEPOT', 'DELIVERY', 'PICKUP', 'RELOAD', 'BREAK')),
    order_id    text,
    arrival_time timestamptz,
    service_start_time timestamptz,
    departure_time timestamptz,
    status      text NOT NULL DEFAULT 'PLANNED'
                CHECK (status IN ('PLANNED', 'ARRIVED', 'DONE', 'FAILED', 'SKIPPED')),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, route_id, sequence),
    FOREIGN KEY (organization_id, route_id) REFERENCES routes (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, order_id) REFERENCES orders (organization_id, id)
);
CREATE INDEX stops_order_idx ON stops (organization_id, order_id);

-- Who changed a plan, what, and when: one row per plan revision.
CREATE TABLE plan_versions (
    organization_id text NOT NULL REFERENCES organizations (id),
    plan_id     text NOT NULL,
    revision    integer NOT NULL,
    changed_by  text,
    change      text NOT NULL,
    snapshot    jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, plan_id, revision),
    FOREIGN KEY (organization_id, plan_id) REFERENCES plans (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, changed_by) REFERENCES users (organization_id, id)
);

-- Create requests already carried out, by client request id, so a retried create returns the same row.
CREATE TABLE idempotency_keys (
    organization_id text NOT NULL REFERENCES organizations (id),
    resource    text NOT NULL,
    request_id  text NOT NULL,
    resource_id text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, resource, request_id)
);
