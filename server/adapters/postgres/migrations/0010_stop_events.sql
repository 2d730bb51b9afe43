-- Stop events (配送実績): what happened at a stop of a plan, recorded by the driver's phone, a dispatcher
-- or detected from positions. Idempotent by (organization, request_id). Photos and signatures live in the
-- object store; the row keeps their URIs.
CREATE TABLE stop_events (
    organization_id text NOT NULL REFERENCES organizations (id),
    id              text NOT NULL,
    plan_id         text NOT NULL,
    request_id      text NOT NULL,
    type            text NOT NULL,
    vehicle_id      text NOT NULL,
    order_id        text,
    driver_id       text,
    event_time      timestamptz NOT NULL,
    failure_reason  text,
    failure_note    text NOT NULL DEFAULT '',
    latitude        double precision,
    longitude       double precision,
    location_source text NOT NULL,
    source          text NOT NULL,
    receiver_name   text NOT NULL DEFAULT '',
    photo_uri       text NOT NULL DEFAULT '',
    signature_uri   text NOT NULL DEFAULT '',
    requested_by    text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, request_id),
    FOREIGN KEY (organization_id, plan_id) REFERENCES plans (organization_id, id) ON DELETE CASCADE,
    CHECK (type IN ('ARRIVED', 'DEPARTED', 'DELIVERED', 'FAILED', 'LOADING_STARTED', 'LOADING_ENDED',
                    'UNLOADING_STARTED', 'UNLOADING_ENDED', 'WAITING_STARTED', 'WAITING_ENDED',
                    'BREAK_STARTED', 'BREAK_ENDED')),
    CHECK (type <> 'FAILED' OR failure_reason IS NOT NULL)
);
CREATE INDEX stop_events_plan ON stop_events (organization_id, plan_id, event_time);
CREATE INDEX stop_events_vehicle ON stop_events (organization_id, vehicle_id, event_time);
