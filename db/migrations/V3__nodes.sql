-- Edge servers, their identity in the internal CA, what they are assigned, and their desired state.

CREATE TABLE nodes (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id          uuid          NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name               text          NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- Public host name or address clients connect to.
    address            text          NOT NULL CHECK (length(address) BETWEEN 1 AND 253),
    tags               text[]        NOT NULL DEFAULT '{}',
    -- Maximum number of subscriptions assigned; NULL: no limit.
    capacity           integer       CHECK (capacity IS NULL OR capacity >= 0),
    -- Traffic on this node is billed as bytes x coefficient.
    usage_coefficient  numeric(8, 4) NOT NULL DEFAULT 1 CHECK (usage_coefficient > 0),
    -- Engines offered, with their inbound settings (Xray inbounds; WireGuard interface, port, key, pool).
    engines            jsonb         NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(engines) = 'object'),
    status             text          NOT NULL DEFAULT 'pending'
                                     CHECK (status IN ('pending', 'online', 'degraded', 'offline', 'disabled')),
    cert_serial        text,
    cert_fingerprint   text          CHECK (cert_fingerprint IS NULL OR cert_fingerprint ~ '^[0-9a-f]{64}$'),
    cert_not_after     timestamptz,
    last_seen_at       timestamptz,
    agent_version      text,
    core_versions      jsonb         NOT NULL DEFAULT '{}'::jsonb,
    created_at         timestamptz   NOT NULL DEFAULT now(),
    updated_at         timestamptz   NOT NULL DEFAULT now(),
    version            bigint        NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX nodes_tenant_name_uq ON nodes (tenant_id, lower(name));
CREATE INDEX nodes_tenant_status_idx ON nodes (tenant_id, status);
CREATE INDEX nodes_tags_idx ON nodes USING gin (tags);

-- Every certificate the internal CA issued to a node; a revoked serial is refused at the handshake.
CREATE TABLE node_certificates (
    serial        text PRIMARY KEY,
    node_id       uuid        NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    fingerprint   text        NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    not_before    timestamptz NOT NULL,
    not_after     timestamptz NOT NULL,
    revoked_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (not_after > not_before)
);
CREATE INDEX node_certificates_node_idx ON node_certificates (node_id);

-- One-time join tokens, stored only as SHA-256 hashes.
CREATE TABLE enrollment_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    node_id     uuid        NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    token_hash  bytea       NOT NULL CHECK (length(token_hash) = 32),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX enrollment_tokens_hash_uq ON enrollment_tokens (token_hash);
CREATE INDEX enrollment_tokens_node_idx ON enrollment_tokens (node_id);

-- Opaque policy document per node (seed v0.1.1 /nodes/{id}/policy).
CREATE TABLE node_policies (
    node_id     uuid PRIMARY KEY REFERENCES nodes (id) ON DELETE CASCADE,
    document    jsonb       NOT NULL CHECK (jsonb_typeof(document) = 'object'),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  uuid REFERENCES users (id) ON DELETE SET NULL
);

-- Which subscription is served by which node: one primary and any number of redundant ones.
CREATE TABLE node_assignments (
    subscription_id  uuid        NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    node_id          uuid        NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    tenant_id        uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    role             text        NOT NULL CHECK (role IN ('primary', 'redundant')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscription_id, node_id)
);
CREATE UNIQUE INDEX node_assignments_one_primary_uq ON node_assignments (subscription_id)
    WHERE role = 'primary';
CREATE INDEX node_assignments_node_idx ON node_assignments (node_id);

-- Desired state per node: a revision bumped in the same transaction as any change that alters
-- what the node must serve, and the applied revision the agent last acknowledged.
CREATE TABLE node_revisions (
    node_id            uuid PRIMARY KEY REFERENCES nodes (id) ON DELETE CASCADE,
    desired_revision   bigint      NOT NULL DEFAULT 0 CHECK (desired_revision >= 0),
    applied_revision   bigint      NOT NULL DEFAULT 0 CHECK (applied_revision >= 0),
    desired_changed_at timestamptz NOT NULL DEFAULT now(),
    applied_at         timestamptz
);

-- What changed at each revision, so a reconnecting agent can get a diff instead of a snapshot.
-- Old rows are pruned; an agent older than the oldest kept revision gets a snapshot.
CREATE TABLE node_state_changes (
    node_id        uuid        NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    revision       bigint      NOT NULL CHECK (revision > 0),
    credential_id  uuid        NOT NULL,
    engine         text        NOT NULL CHECK (engine IN ('xray', 'wireguard')),
    action         text        NOT NULL CHECK (action IN ('upsert', 'remove')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (node_id, revision, credential_id)
);
