-- Traffic accounting: raw samples partitioned by day, hourly rollups partitioned by month.
-- Neither table carries foreign keys: they are written at high volume and outlive deleted objects.

CREATE TABLE traffic_events (
    event_end_ts     timestamptz NOT NULL,
    node_id          uuid        NOT NULL,
    engine           text        NOT NULL CHECK (engine IN ('xray', 'wireguard')),
    user_id          uuid        NOT NULL,
    counter_seq      bigint      NOT NULL CHECK (counter_seq >= 0),
    tenant_id        uuid        NOT NULL,
    subscription_id  uuid        NOT NULL,
    event_start_ts   timestamptz NOT NULL,
    bytes_up         bigint      NOT NULL CHECK (bytes_up >= 0),
    bytes_down       bigint      NOT NULL CHECK (bytes_down >= 0),
    counter_up       bigint,
    counter_down     bigint,
    received_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (event_start_ts <= event_end_ts)
) PARTITION BY RANGE (event_end_ts);

-- The dedupe key (node_id, engine, user_id, ts_end, counter_seq); ts_end is the partition column,
-- and leads so that inserts stay near the index's end.
CREATE UNIQUE INDEX traffic_events_dedupe_uq
    ON traffic_events (event_end_ts, node_id, engine, user_id, counter_seq);
CREATE INDEX traffic_events_subscription_idx ON traffic_events (subscription_id, event_end_ts);

-- Catches any event whose day has no partition yet, so nothing is lost; the scheduler alerts on it
-- and moves its rows into the right partition.
CREATE TABLE traffic_events_default PARTITION OF traffic_events DEFAULT;

CREATE TABLE traffic_rollups_hourly (
    hour_start_ts    timestamptz NOT NULL CHECK (date_trunc('hour', hour_start_ts) = hour_start_ts),
    user_id          uuid        NOT NULL,
    node_id          uuid        NOT NULL,
    engine           text        NOT NULL CHECK (engine IN ('xray', 'wireguard')),
    tenant_id        uuid        NOT NULL,
    subscription_id  uuid        NOT NULL,
    bytes_up         bigint      NOT NULL CHECK (bytes_up >= 0),
    bytes_down       bigint      NOT NULL CHECK (bytes_down >= 0),
    events           bigint      NOT NULL CHECK (events >= 0),
    computed_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (hour_start_ts, user_id, node_id, engine)
) PARTITION BY RANGE (hour_start_ts);
CREATE INDEX traffic_rollups_subscription_idx ON traffic_rollups_hourly (subscription_id, hour_start_ts);
CREATE INDEX traffic_rollups_tenant_idx ON traffic_rollups_hourly (tenant_id, hour_start_ts);

CREATE TABLE traffic_rollups_hourly_default PARTITION OF traffic_rollups_hourly DEFAULT;

-- Creates the daily partitions of traffic_events for [first_day, first_day + days). Idempotent.
-- Partition names carry the UTC day: traffic_events_p20261125.
CREATE FUNCTION gatehouse_ensure_event_partitions(first_day date, days integer) RETURNS integer
    LANGUAGE plpgsql AS
$$
DECLARE
    d       date;
    created integer := 0;
    part    text;
BEGIN
    FOR i IN 0 .. days - 1 LOOP
        d := first_day + i;
        part := 'traffic_events_p' || to_char(d, 'YYYYMMDD');
        IF to_regclass(part) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF traffic_events FOR VALUES FROM (%L) TO (%L)',
                           part, (d::timestamp AT TIME ZONE 'UTC'), ((d + 1)::timestamp AT TIME ZONE 'UTC'));
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END
$$;

-- Creates the monthly partitions of traffic_rollups_hourly for [month of first_day, + months). Idempotent.
CREATE FUNCTION gatehouse_ensure_rollup_partitions(first_day date, months integer) RETURNS integer
    LANGUAGE plpgsql AS
$$
DECLARE
    m       date;
    created integer := 0;
    part    text;
BEGIN
    FOR i IN 0 .. months - 1 LOOP
        m := (date_trunc('month', first_day) + make_interval(months => i))::date;
        part := 'traffic_rollups_hourly_p' || to_char(m, 'YYYYMM');
        IF to_regclass(part) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF traffic_rollups_hourly FOR VALUES FROM (%L) TO (%L)',
                           part, (m::timestamp AT TIME ZONE 'UTC'),
                           ((m + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END
$$;

-- A first window of partitions; from then on the scheduler keeps creating them ahead.
SELECT gatehouse_ensure_event_partitions((now() AT TIME ZONE 'UTC')::date - 7, 22);
SELECT gatehouse_ensure_rollup_partitions((now() AT TIME ZONE 'UTC')::date - 31, 4);
