-- Tenants, people, roles and sessions. All timestamps are timestamptz and written in UTC.

CREATE TABLE tenants (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    slug        text        NOT NULL CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    status      text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     bigint      NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX tenants_slug_uq ON tenants (slug);
CREATE UNIQUE INDEX tenants_name_uq ON tenants (lower(name));

-- People: operators who log in and VPN end users alike. A user without a password hash cannot
-- log in; tenant_id is NULL only for platform operators.
CREATE TABLE users (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id             uuid REFERENCES tenants (id) ON DELETE CASCADE,
    username              text        NOT NULL CHECK (length(username) BETWEEN 1 AND 64),
    email                 text        CHECK (email IS NULL OR length(email) <= 254),
    display_name          text        CHECK (display_name IS NULL OR length(display_name) <= 200),
    password_hash         text,
    status                text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    platform_admin        boolean     NOT NULL DEFAULT false,
    -- Tokens issued before this instant are refused (password change, disable, logout-all).
    sessions_valid_after  timestamptz NOT NULL DEFAULT now(),
    password_changed_at   timestamptz,
    last_login_at         timestamptz,
    note                  text        CHECK (note IS NULL OR length(note) <= 2000),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    version               bigint      NOT NULL DEFAULT 0,
    CHECK (NOT platform_admin OR tenant_id IS NULL)
);
CREATE UNIQUE INDEX users_tenant_username_uq ON users (tenant_id, lower(username)) NULLS NOT DISTINCT;
CREATE INDEX users_email_idx ON users (lower(email)) WHERE email IS NOT NULL;

-- A role is a matrix over modules x operations. tenant_id NULL: a built-in role usable in every tenant.
CREATE TABLE roles (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid REFERENCES tenants (id) ON DELETE CASCADE,
    name         text        NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    description  text        CHECK (description IS NULL OR length(description) <= 500),
    builtin      boolean     NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    version      bigint      NOT NULL DEFAULT 0,
    CHECK (NOT builtin OR tenant_id IS NULL)
);
CREATE UNIQUE INDEX roles_tenant_name_uq ON roles (tenant_id, name) NULLS NOT DISTINCT;

CREATE TABLE role_permissions (
    role_id    uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    module     text NOT NULL CHECK (module IN ('TENANTS', 'USERS', 'PLANS', 'SUBSCRIPTIONS', 'NODES',
                                               'TRAFFIC', 'ROLES', 'AUDIT')),
    operation  text NOT NULL CHECK (operation IN ('CREATE', 'READ', 'UPDATE', 'DELETE')),
    -- SELF: only objects that belong to the caller (the self-service role of VPN end users).
    scope      text NOT NULL DEFAULT 'TENANT' CHECK (scope IN ('TENANT', 'SELF')),
    PRIMARY KEY (role_id, module, operation)
);

-- Which user holds which role in which tenant.
CREATE TABLE memberships (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    role_id     uuid        NOT NULL REFERENCES roles (id) ON DELETE RESTRICT,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX memberships_user_tenant_role_uq ON memberships (user_id, tenant_id, role_id);
CREATE INDEX memberships_tenant_idx ON memberships (tenant_id);
CREATE INDEX memberships_role_idx ON memberships (role_id);

-- One row per login; its refresh tokens form a rotation family. Revoking the session revokes them all.
CREATE TABLE auth_sessions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    revoke_reason text,
    client_ip     inet,
    user_agent    text CHECK (user_agent IS NULL OR length(user_agent) <= 512)
);
CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id) WHERE revoked_at IS NULL;

-- Opaque refresh tokens, stored only as SHA-256 hashes; each use rotates to a child token.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id  uuid        NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
    token_hash  bytea       NOT NULL CHECK (length(token_hash) = 32),
    parent_id   uuid REFERENCES refresh_tokens (id) ON DELETE SET NULL,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    revoked_at  timestamptz
);
CREATE UNIQUE INDEX refresh_tokens_hash_uq ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
