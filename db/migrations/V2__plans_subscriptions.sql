-- What is sold (plans), who has it (subscriptions) and the credentials each engine serves.

CREATE FUNCTION gatehouse_valid_engines(engines text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS
$$ SELECT engines IS NOT NULL AND engines <@ ARRAY['xray', 'wireguard']::text[] $$;

CREATE TABLE plans (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id               uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name                    text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description             text        CHECK (description IS NULL OR length(description) <= 2000),
    -- NULL: unlimited.
    quota_bytes             bigint      CHECK (quota_bytes IS NULL OR quota_bytes >= 0),
    -- NULL: never expires.
    duration_days           integer     CHECK (duration_days IS NULL OR duration_days BETWEEN 1 AND 36500),
    engines                 text[]      NOT NULL DEFAULT ARRAY['xray', 'wireguard']::text[]
                                        CHECK (gatehouse_valid_engines(engines)),
    reset_strategy          text        NOT NULL DEFAULT 'no_reset'
                                        CHECK (reset_strategy IN ('no_reset', 'day', 'week', 'month', 'year')),
    -- Start the clock on first use; the subscription must be used within on_hold_days.
    start_on_first_use      boolean     NOT NULL DEFAULT false,
    on_hold_days            integer     CHECK (on_hold_days IS NULL OR on_hold_days BETWEEN 1 AND 3650),
    next_plan_id            uuid REFERENCES plans (id) ON DELETE SET NULL,
    allow_engine_override   boolean     NOT NULL DEFAULT false,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    version                 bigint      NOT NULL DEFAULT 0,
    CHECK (next_plan_id IS NULL OR next_plan_id <> id),
    CHECK (NOT start_on_first_use OR on_hold_days IS NOT NULL)
);
CREATE UNIQUE INDEX plans_tenant_name_uq ON plans (tenant_id, lower(name));

CREATE TABLE subscriptions (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id             uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id               uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    plan_id               uuid        NOT NULL REFERENCES plans (id) ON DELETE RESTRICT,
    state                 text        NOT NULL DEFAULT 'active'
                                      CHECK (state IN ('active', 'on_hold', 'exhausted', 'expired',
                                                       'suspended', 'disabled')),
    engines               text[]      NOT NULL CHECK (gatehouse_valid_engines(engines)),
    quota_bytes           bigint      CHECK (quota_bytes IS NULL OR quota_bytes >= 0),
    reset_strategy        text        NOT NULL DEFAULT 'no_reset'
                                      CHECK (reset_strategy IN ('no_reset', 'day', 'week', 'month', 'year')),
    -- Usage of the current period (since the last reset), upload and download apart.
    used_bytes_up         bigint      NOT NULL DEFAULT 0 CHECK (used_bytes_up >= 0),
    used_bytes_down       bigint      NOT NULL DEFAULT 0 CHECK (used_bytes_down >= 0),
    -- Usage over the whole life of the subscription, kept across resets.
    lifetime_bytes_up     bigint      NOT NULL DEFAULT 0 CHECK (lifetime_bytes_up >= 0),
    lifetime_bytes_down   bigint      NOT NULL DEFAULT 0 CHECK (lifetime_bytes_down >= 0),
    starts_at             timestamptz,
    expires_at            timestamptz,
    on_hold_deadline      timestamptz,
    last_reset_at         timestamptz,
    next_plan_id          uuid REFERENCES plans (id) ON DELETE SET NULL,
    assignment_strategy   text        NOT NULL DEFAULT 'round_robin'
                                      CHECK (assignment_strategy IN ('manual', 'round_robin', 'by_tag',
                                                                     'by_capacity')),
    assignment_tags       text[]      NOT NULL DEFAULT '{}',
    redundancy            integer     NOT NULL DEFAULT 0 CHECK (redundancy BETWEEN 0 AND 16),
    -- The opaque subscription-link token: looked up by hash; the ciphertext lets the panel show it again.
    sub_token_hash        bytea       NOT NULL CHECK (length(sub_token_hash) = 32),
    sub_token_ciphertext  bytea,
    sub_token_rotated_at  timestamptz NOT NULL DEFAULT now(),
    state_changed_at      timestamptz NOT NULL DEFAULT now(),
    state_reason          text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    version               bigint      NOT NULL DEFAULT 0,
    CHECK (expires_at IS NULL OR starts_at IS NULL OR expires_at > starts_at)
);
CREATE UNIQUE INDEX subscriptions_sub_token_uq ON subscriptions (sub_token_hash);
CREATE INDEX subscriptions_tenant_state_idx ON subscriptions (tenant_id, state);
CREATE INDEX subscriptions_user_idx ON subscriptions (user_id);
CREATE INDEX subscriptions_plan_idx ON subscriptions (plan_id);
-- The expiry sweep reads only live subscriptions that can expire.
CREATE INDEX subscriptions_expiry_idx ON subscriptions (expires_at)
    WHERE state IN ('active', 'on_hold') AND expires_at IS NOT NULL;

-- Per-user engine override (seed v0.1.1 UserEngines): when a row exists it replaces the
-- subscription's engines for this user; an empty array allows no engine.
CREATE TABLE user_engines (
    user_id     uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    engines     text[]      NOT NULL CHECK (gatehouse_valid_engines(engines)),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  uuid REFERENCES users (id) ON DELETE SET NULL
);

-- Server-made credentials, one active row per (subscription, engine). Rotation revokes the row
-- and inserts a new one, so the old credential leaves every node.
CREATE TABLE engine_credentials (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id           uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    subscription_id     uuid        NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    engine              text        NOT NULL CHECK (engine IN ('xray', 'wireguard')),
    status              text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    xray_uuid           uuid,
    xray_flow           text        CHECK (xray_flow IS NULL OR xray_flow IN ('', 'xtls-rprx-vision')),
    xray_password       text,
    wg_private_key      text        CHECK (wg_private_key IS NULL OR length(wg_private_key) = 44),
    wg_public_key       text        CHECK (wg_public_key IS NULL OR length(wg_public_key) = 44),
    wg_preshared_key    text        CHECK (wg_preshared_key IS NULL OR length(wg_preshared_key) = 44),
    wg_address          inet,
    created_at          timestamptz NOT NULL DEFAULT now(),
    revoked_at          timestamptz,
    CHECK (engine <> 'xray' OR xray_uuid IS NOT NULL),
    CHECK (engine <> 'wireguard' OR (wg_public_key IS NOT NULL AND wg_address IS NOT NULL)),
    CHECK ((status = 'revoked') = (revoked_at IS NOT NULL))
);
CREATE UNIQUE INDEX engine_credentials_active_uq ON engine_credentials (subscription_id, engine)
    WHERE status = 'active';
-- No WireGuard address is handed out twice within a tenant's pool.
CREATE UNIQUE INDEX engine_credentials_wg_address_uq ON engine_credentials (tenant_id, wg_address)
    WHERE status = 'active' AND wg_address IS NOT NULL;
CREATE UNIQUE INDEX engine_credentials_xray_uuid_uq ON engine_credentials (xray_uuid)
    WHERE status = 'active' AND xray_uuid IS NOT NULL;
CREATE UNIQUE INDEX engine_credentials_wg_public_key_uq ON engine_credentials (wg_public_key)
    WHERE status = 'active' AND wg_public_key IS NOT NULL;
