-- The scheduler: Quartz's clustered job store, fencing tokens and a run history per job, the rollup
-- watermark, usage periods on the calendar of each tenant's time zone, the usage ledger's
-- checkpoints, and notifications delivered as signed webhooks.

-- Quartz's JDBC job store (clustered). Column names and types are the ones Quartz's PostgreSQL
-- delegate reads; the scheduler never creates them itself.
CREATE TABLE qrtz_job_details (
    sched_name         varchar(120) NOT NULL,
    job_name           varchar(200) NOT NULL,
    job_group          varchar(200) NOT NULL,
    description        varchar(250),
    job_class_name     varchar(250) NOT NULL,
    is_durable         boolean      NOT NULL,
    is_nonconcurrent   boolean      NOT NULL,
    is_update_data     boolean      NOT NULL,
    requests_recovery  boolean      NOT NULL,
    job_data           bytea,
    PRIMARY KEY (sched_name, job_name, job_group)
);
CREATE TABLE qrtz_triggers (
    sched_name      varchar(120) NOT NULL,
    trigger_name    varchar(200) NOT NULL,
    trigger_group   varchar(200) NOT NULL,
    job_name        varchar(200) NOT NULL,
    job_group       varchar(200) NOT NULL,
    description     varchar(250),
    next_fire_time  bigint,
    prev_fire_time  bigint,
    priority        integer,
    trigger_state   varchar(16)  NOT NULL,
    trigger_type    varchar(8)   NOT NULL,
    start_time      bigint       NOT NULL,
    end_time        bigint,
    calendar_name   varchar(200),
    misfire_instr   smallint,
    job_data        bytea,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, job_name, job_group) REFERENCES qrtz_job_details (sched_name, job_name, job_group)
);
CREATE TABLE qrtz_simple_triggers (
    sched_name       varchar(120) NOT NULL,
    trigger_name     varchar(200) NOT NULL,
    trigger_group    varchar(200) NOT NULL,
    repeat_count     bigint       NOT NULL,
    repeat_interval  bigint       NOT NULL,
    times_triggered  bigint       NOT NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group)
        REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group)
);
CREATE TABLE qrtz_cron_triggers (
    sched_name       varchar(120) NOT NULL,
    trigger_name     varchar(200) NOT NULL,
    trigger_group    varchar(200) NOT NULL,
    cron_expression  varchar(120) NOT NULL,
    time_zone_id     varchar(80),
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group)
        REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group)
);
CREATE TABLE qrtz_simprop_triggers (
    sched_name     varchar(120)   NOT NULL,
    trigger_name   varchar(200)   NOT NULL,
    trigger_group  varchar(200)   NOT NULL,
    str_prop_1     varchar(512),
    str_prop_2     varchar(512),
    str_prop_3     varchar(512),
    int_prop_1     integer,
    int_prop_2     integer,
    long_prop_1    bigint,
    long_prop_2    bigint,
    dec_prop_1     numeric(13, 4),
    dec_prop_2     numeric(13, 4),
    bool_prop_1    boolean,
    bool_prop_2    boolean,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group)
        REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group)
);
CREATE TABLE qrtz_blob_triggers (
    sched_name     varchar(120) NOT NULL,
    trigger_name   varchar(200) NOT NULL,
    trigger_group  varchar(200) NOT NULL,
    blob_data      bytea,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group)
        REFERENCES qrtz_triggers (sched_name, trigger_name, trigger_group)
);
CREATE TABLE qrtz_calendars (
    sched_name     varchar(120) NOT NULL,
    calendar_name  varchar(200) NOT NULL,
    calendar       bytea        NOT NULL,
    PRIMARY KEY (sched_name, calendar_name)
);
CREATE TABLE qrtz_paused_trigger_grps (
    sched_name     varchar(120) NOT NULL,
    trigger_group  varchar(200) NOT NULL,
    PRIMARY KEY (sched_name, trigger_group)
);
CREATE TABLE qrtz_fired_triggers (
    sched_name         varchar(120) NOT NULL,
    entry_id           varchar(95)  NOT NULL,
    trigger_name       varchar(200) NOT NULL,
    trigger_group      varchar(200) NOT NULL,
    instance_name      varchar(200) NOT NULL,
    fired_time         bigint       NOT NULL,
    sched_time         bigint       NOT NULL,
    priority           integer      NOT NULL,
    state              varchar(16)  NOT NULL,
    job_name           varchar(200),
    job_group          varchar(200),
    is_nonconcurrent   boolean,
    requests_recovery  boolean,
    PRIMARY KEY (sched_name, entry_id)
);
CREATE TABLE qrtz_scheduler_state (
    sched_name         varchar(120) NOT NULL,
    instance_name      varchar(200) NOT NULL,
    last_checkin_time  bigint       NOT NULL,
    checkin_interval   bigint       NOT NULL,
    PRIMARY KEY (sched_name, instance_name)
);
CREATE TABLE qrtz_locks (
    sched_name  varchar(120) NOT NULL,
    lock_name   varchar(40)  NOT NULL,
    PRIMARY KEY (sched_name, lock_name)
);
CREATE INDEX qrtz_triggers_job_idx ON qrtz_triggers (sched_name, job_name, job_group);
CREATE INDEX qrtz_triggers_state_idx ON qrtz_triggers (sched_name, trigger_state, next_fire_time);
CREATE INDEX qrtz_triggers_misfire_idx ON qrtz_triggers (sched_name, misfire_instr, next_fire_time, trigger_state);
CREATE INDEX qrtz_fired_triggers_instance_idx ON qrtz_fired_triggers (sched_name, instance_name, requests_recovery);
CREATE INDEX qrtz_fired_triggers_job_idx ON qrtz_fired_triggers (sched_name, job_name, job_group);
CREATE INDEX qrtz_fired_triggers_trigger_idx ON qrtz_fired_triggers (sched_name, trigger_name, trigger_group);

-- A fencing token per job. Every run takes the next token; each of its write transactions first
-- checks, with the lease row share-locked, that the token is still the newest. A run that lost the
-- job (its scheduler paused past Quartz's failover while another took over) cannot write late.
CREATE TABLE job_leases (
    job          text PRIMARY KEY,
    token        bigint      NOT NULL DEFAULT 0 CHECK (token >= 0),
    holder       text,
    acquired_at  timestamptz
);

-- What the scheduler runs (its description and schedule), kept up to date by the scheduler at
-- startup, so control-api's read-only /jobs needs no Quartz.
CREATE TABLE scheduler_jobs (
    job          text PRIMARY KEY,
    description  text        NOT NULL,
    schedule     text        NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Every run of every job: who ran it, how long, how many rows it touched, how it ended.
CREATE TABLE job_runs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job           text        NOT NULL,
    instance      text        NOT NULL,
    token         bigint      NOT NULL,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz,
    rows_touched  bigint      CHECK (rows_touched IS NULL OR rows_touched >= 0),
    outcome       text        NOT NULL DEFAULT 'running'
                              CHECK (outcome IN ('running', 'succeeded', 'failed', 'fenced')),
    error         text        CHECK (error IS NULL OR length(error) <= 2000)
);
CREATE INDEX job_runs_job_started_idx ON job_runs (job, started_at DESC);

-- Rollups: every event that arrived up to received_through is rolled up. Arrival is the database's
-- transaction time (received_at defaults to now()), so an event whose transaction is still open is
-- never behind the watermark; a BRIN index finds the late arrivals without reading old pages.
CREATE TABLE rollup_watermark (
    id                integer     PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    received_through  timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
INSERT INTO rollup_watermark (received_through) VALUES ('-infinity');
CREATE INDEX traffic_events_received_brin ON traffic_events USING brin (received_at) WITH (autosummarize = on);

-- Usage periods follow the calendar of the tenant's time zone: a day from local midnight, a week
-- from Monday, a month from the 1st, a year from 1 January. next_reset_at is kept by trigger, so the
-- reset sweep reads only what is due through an index.
ALTER TABLE tenants ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC' CHECK (length(time_zone) BETWEEN 1 AND 64);
ALTER TABLE subscriptions ADD COLUMN next_reset_at timestamptz;

-- The end of the calendar period that contains period_start; NULL when usage never resets.
CREATE FUNCTION gatehouse_next_reset(strategy text, period_start timestamptz, tz text) RETURNS timestamptz
    LANGUAGE sql STABLE AS
$$
SELECT CASE
           WHEN period_start IS NULL OR strategy = 'no_reset' THEN NULL
           ELSE (date_trunc(strategy, period_start AT TIME ZONE tz)
                 + CASE strategy WHEN 'day' THEN interval '1 day' WHEN 'week' THEN interval '7 days'
                                 WHEN 'month' THEN interval '1 month' ELSE interval '1 year' END) AT TIME ZONE tz
       END
$$;

CREATE FUNCTION gatehouse_schedule_reset() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    NEW.next_reset_at := gatehouse_next_reset(NEW.reset_strategy, COALESCE(NEW.last_reset_at, NEW.starts_at),
                                              (SELECT time_zone FROM tenants WHERE id = NEW.tenant_id));
    RETURN NEW;
END
$$;
-- Only these columns move the period: the usage counters' updates at ingest never fire it.
CREATE TRIGGER subscriptions_schedule_reset
    BEFORE INSERT OR UPDATE OF reset_strategy, last_reset_at, starts_at ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION gatehouse_schedule_reset();

CREATE FUNCTION gatehouse_tenant_time_zone_changed() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    UPDATE subscriptions
    SET next_reset_at = gatehouse_next_reset(reset_strategy, COALESCE(last_reset_at, starts_at), NEW.time_zone)
    WHERE tenant_id = NEW.id AND reset_strategy <> 'no_reset';
    RETURN NULL;
END
$$;
CREATE TRIGGER tenants_time_zone_changed
    AFTER UPDATE OF time_zone ON tenants
    FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone)
    EXECUTE FUNCTION gatehouse_tenant_time_zone_changed();

UPDATE subscriptions SET next_reset_at = gatehouse_next_reset(reset_strategy, COALESCE(last_reset_at, starts_at), 'UTC')
WHERE reset_strategy <> 'no_reset';
CREATE INDEX subscriptions_next_reset_idx ON subscriptions (next_reset_at) WHERE next_reset_at IS NOT NULL;
COMMENT ON COLUMN subscriptions.reset_strategy IS
    'Calendar periods in the tenant''s time zone: day (from midnight), week (from Monday), month (from the 1st), year';

-- The usage check: per subscription, its lifetime counters as they stood once every event that
-- arrived up to received_through was counted. A check adds the billed bytes of the events that
-- arrived since and compares with the counters, under the subscription's row lock.
CREATE TABLE usage_checkpoints (
    subscription_id      uuid PRIMARY KEY REFERENCES subscriptions (id) ON DELETE CASCADE,
    received_through     timestamptz NOT NULL,
    lifetime_bytes_up    bigint      NOT NULL,
    lifetime_bytes_down  bigint      NOT NULL,
    checked_at           timestamptz NOT NULL DEFAULT now()
);
-- A coefficient change makes the events of a check window billed at two rates: such a window is
-- taken as it stands instead of corrected.
ALTER TABLE nodes ADD COLUMN coefficient_changed_at timestamptz;
CREATE FUNCTION gatehouse_coefficient_changed() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    NEW.coefficient_changed_at := now();
    RETURN NEW;
END
$$;
CREATE TRIGGER nodes_coefficient_changed
    BEFORE UPDATE OF usage_coefficient ON nodes
    FOR EACH ROW WHEN (OLD.usage_coefficient IS DISTINCT FROM NEW.usage_coefficient)
    EXECUTE FUNCTION gatehouse_coefficient_changed();

-- Notifications, delivered as webhooks a tenant configures. A notification is made once per subject
-- and period (the usage period, the expiry instant, the offline spell); each webhook that wants its
-- kind gets one delivery, retried with backoff, logged with its last answer.
ALTER TABLE role_permissions DROP CONSTRAINT role_permissions_module_check;
ALTER TABLE role_permissions ADD CONSTRAINT role_permissions_module_check
    CHECK (module IN ('TENANTS', 'USERS', 'PLANS', 'SUBSCRIPTIONS', 'NODES', 'TRAFFIC', 'ROLES', 'AUDIT', 'WEBHOOKS'));
SELECT set_config('gatehouse.migrating', 'on', true);
INSERT INTO role_permissions (role_id, module, operation, scope)
SELECT r, 'WEBHOOKS', o, 'TENANT'
FROM unnest(ARRAY['00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000a2']::uuid[]) r,
     unnest(ARRAY['CREATE', 'READ', 'UPDATE', 'DELETE']) o;
SELECT set_config('gatehouse.migrating', 'off', true);

CREATE FUNCTION gatehouse_valid_notification_kinds(kinds text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS
$$ SELECT kinds IS NOT NULL AND kinds <@ ARRAY['usage_80', 'usage_100', 'expiring', 'expired', 'node_offline']::text[] $$;

CREATE TABLE webhooks (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    url         text        NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
    -- The HMAC-SHA256 key, sealed with the data key (the webhook's id as associated data).
    secret      bytea       NOT NULL,
    events      text[]      NOT NULL CHECK (gatehouse_valid_notification_kinds(events) AND cardinality(events) > 0),
    enabled     boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     bigint      NOT NULL DEFAULT 0
);
CREATE INDEX webhooks_tenant_idx ON webhooks (tenant_id);
CREATE UNIQUE INDEX webhooks_tenant_name_uq ON webhooks (tenant_id, lower(name));

CREATE TABLE notifications (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind        text        NOT NULL CHECK (gatehouse_valid_notification_kinds(ARRAY[kind])),
    -- The subscription or node the notification is about (no foreign key: either table).
    subject_id  uuid        NOT NULL,
    -- Which period of the subject it belongs to; at most one notification per kind, subject and period.
    period_key  text        NOT NULL,
    payload     jsonb       NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX notifications_once_uq ON notifications (kind, subject_id, period_key);
CREATE INDEX notifications_tenant_idx ON notifications (tenant_id, created_at);

CREATE TABLE webhook_deliveries (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    webhook_id        uuid        NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    notification_id   uuid        NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    tenant_id         uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    status            text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts          integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- When the next attempt is due; while an attempt is in flight, when its claim runs out.
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    last_attempt_at   timestamptz,
    last_status_code  integer,
    last_error        text        CHECK (last_error IS NULL OR length(last_error) <= 500),
    delivered_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (webhook_id, notification_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, created_at DESC);
CREATE INDEX webhook_deliveries_notification_idx ON webhook_deliveries (notification_id);
