-- The shared domain core: one rule for who is served, an incremental desired state with a compactable
-- change log, even assignment, constant-cost WireGuard addresses, and rollups keyed by subscription.

-- Who is served: the one rule, read by the desired state, the client configs and the collector.
-- A credential is served on a node when its subscription is live and not past its dates, its person
-- and tenant are active, the engine is in effect for the person (override, else the subscription's)
-- and the node is in service and offers the engine.
CREATE VIEW served_credentials AS
SELECT a.node_id, c.id AS credential_id, c.engine, s.id AS subscription_id, s.user_id, s.tenant_id, a.role,
       c.xray_uuid, c.xray_flow, c.xray_password, c.wg_public_key, c.wg_preshared_key, c.wg_private_key,
       c.wg_address
FROM node_assignments a
JOIN nodes n ON n.id = a.node_id AND n.status <> 'disabled'
JOIN subscriptions s ON s.id = a.subscription_id
JOIN tenants t ON t.id = s.tenant_id AND t.status = 'active'
JOIN users u ON u.id = s.user_id AND u.status = 'active'
JOIN engine_credentials c ON c.subscription_id = s.id AND c.status = 'active'
LEFT JOIN user_engines ue ON ue.user_id = s.user_id
WHERE s.state IN ('active', 'on_hold')
  AND (s.expires_at IS NULL OR s.expires_at > now())
  AND (s.state <> 'on_hold' OR s.on_hold_deadline IS NULL OR s.on_hold_deadline > now())
  AND c.engine = ANY (COALESCE(ue.engines, s.engines))
  AND jsonb_typeof(n.engines -> c.engine) = 'object';

-- What each node's change log says it serves now: the running result of every logged upsert and
-- removal, so that a change compares only the credentials it touches instead of replaying the log.
CREATE TABLE node_served (
    node_id          uuid   NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    credential_id    uuid   NOT NULL,
    engine           text   NOT NULL CHECK (engine IN ('xray', 'wireguard')),
    -- No foreign keys below: a deleted subscription must still be found here to log its removal.
    subscription_id  uuid   NOT NULL,
    user_id          uuid   NOT NULL,
    tenant_id        uuid   NOT NULL,
    revision         bigint NOT NULL CHECK (revision > 0),
    PRIMARY KEY (node_id, credential_id)
);
CREATE INDEX node_served_subscription_idx ON node_served (subscription_id);
CREATE INDEX node_served_user_idx ON node_served (user_id);
CREATE INDEX node_served_tenant_idx ON node_served (tenant_id);

INSERT INTO node_served (node_id, credential_id, engine, subscription_id, user_id, tenant_id, revision)
SELECT last.node_id, last.credential_id, last.engine, c.subscription_id, s.user_id, s.tenant_id, last.revision
FROM (SELECT DISTINCT ON (node_id, credential_id) node_id, credential_id, engine, action, revision
      FROM node_state_changes ORDER BY node_id, credential_id, revision DESC) last
JOIN engine_credentials c ON c.id = last.credential_id
JOIN subscriptions s ON s.id = c.subscription_id
WHERE last.action = 'upsert';

-- Changes at or below log_floor are compacted away: a diff asked from below it is a snapshot.
ALTER TABLE node_revisions ADD COLUMN log_floor bigint NOT NULL DEFAULT 0 CHECK (log_floor >= 0);
CREATE INDEX node_state_changes_created_idx ON node_state_changes (created_at);

-- Even assignment: a node's load is a counter kept by trigger (no count(*) per assignment), and
-- round robin takes the node whose last assignment came earliest in one global sequence, which
-- moves inside a transaction where now() does not.
CREATE SEQUENCE node_assignment_seq;
ALTER TABLE nodes ADD COLUMN assigned_count integer NOT NULL DEFAULT 0 CHECK (assigned_count >= 0);
ALTER TABLE nodes ADD COLUMN last_assignment_seq bigint NOT NULL DEFAULT 0;
UPDATE nodes n SET assigned_count = (SELECT count(*) FROM node_assignments a WHERE a.node_id = n.id);

CREATE FUNCTION gatehouse_count_assignments() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE nodes SET assigned_count = assigned_count + 1, last_assignment_seq = nextval('node_assignment_seq')
        WHERE id = NEW.node_id;
        RETURN NEW;
    END IF;
    UPDATE nodes SET assigned_count = assigned_count - 1 WHERE id = OLD.node_id;
    RETURN OLD;
END
$$;
CREATE TRIGGER node_assignments_count
    AFTER INSERT OR DELETE ON node_assignments
    FOR EACH ROW EXECUTE FUNCTION gatehouse_count_assignments();

-- WireGuard addresses at constant cost: a cursor per (tenant, pool) hands out fresh addresses, and
-- addresses freed by revoked or deleted credentials are taken again first.
CREATE TABLE wg_address_pools (
    tenant_id    uuid   NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    pool         cidr   NOT NULL,
    next_offset  bigint NOT NULL CHECK (next_offset >= 1),
    PRIMARY KEY (tenant_id, pool)
);
-- No foreign key: rows are written by a trigger while a tenant's rows are being deleted.
CREATE TABLE wg_released_addresses (
    tenant_id  uuid NOT NULL,
    address    inet NOT NULL,
    PRIMARY KEY (tenant_id, address)
);

CREATE FUNCTION gatehouse_release_wg_address() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF OLD.wg_address IS NOT NULL AND OLD.status = 'active'
       AND (TG_OP = 'DELETE' OR NEW.status = 'revoked')
       AND EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) THEN
        INSERT INTO wg_released_addresses (tenant_id, address) VALUES (OLD.tenant_id, OLD.wg_address)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER engine_credentials_release_address
    AFTER UPDATE OF status OR DELETE ON engine_credentials
    FOR EACH ROW EXECUTE FUNCTION gatehouse_release_wg_address();

-- Rollups per subscription: a person with two subscriptions never has their hours mixed.
ALTER TABLE traffic_rollups_hourly DROP CONSTRAINT traffic_rollups_hourly_pkey;
ALTER TABLE traffic_rollups_hourly ADD PRIMARY KEY (hour_start_ts, subscription_id, node_id, engine);

COMMENT ON COLUMN traffic_events.counter_seq IS
    'From one sequence per node, persisted by the agent: with ts_end, node, engine and user it never collides';
COMMENT ON COLUMN subscriptions.reset_strategy IS
    'Rolling periods in UTC from the last reset (or start): day, week (7 days), month, year';
