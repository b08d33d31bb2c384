-- Authentication material and the built-in roles.

-- HMAC keys for access tokens (HS256, 256 random bits each). The newest active key signs; every
-- key not yet retired verifies, so a rotation does not log anybody out.
CREATE TABLE jwt_signing_keys (
    kid         text PRIMARY KEY CHECK (kid ~ '^[A-Za-z0-9_-]{8,64}$'),
    secret      bytea       NOT NULL CHECK (length(secret) >= 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz
);

-- Named, scoped tokens for automation: a subset of their owner's permissions in one tenant
-- (or platform-wide for a platform admin), shown once, stored as SHA-256 hashes.
CREATE TABLE api_tokens (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id     uuid REFERENCES tenants (id) ON DELETE CASCADE,
    name          text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash    bytea       NOT NULL CHECK (length(token_hash) = 32),
    -- Each entry MODULE:OPERATION, e.g. SUBSCRIPTIONS:READ.
    permissions   text[]      NOT NULL,
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    last_used_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX api_tokens_hash_uq ON api_tokens (token_hash);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- The one-time token that lets the first platform admin be created; one row at most.
CREATE TABLE bootstrap_tokens (
    id          integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    token_hash  bytea       NOT NULL CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz
);

-- Built-in tenant roles. The matrix is data: operators may add their own roles per tenant.
INSERT INTO roles (id, tenant_id, name, description, builtin) VALUES
    ('00000000-0000-0000-0000-0000000000a1', NULL, 'owner',    'Everything in the tenant, including roles and memberships', true),
    ('00000000-0000-0000-0000-0000000000a2', NULL, 'admin',    'Manages users, plans, subscriptions and nodes; reads roles and audit', true),
    ('00000000-0000-0000-0000-0000000000a3', NULL, 'operator', 'Day-to-day support: users and subscriptions; reads plans, nodes and traffic', true),
    ('00000000-0000-0000-0000-0000000000a4', NULL, 'viewer',   'Reads everything but roles and audit', true),
    ('00000000-0000-0000-0000-0000000000a5', NULL, 'self',     'A VPN end user: reads only their own user, subscriptions, usage and configs', true);

INSERT INTO role_permissions (role_id, module, operation, scope)
SELECT '00000000-0000-0000-0000-0000000000a1'::uuid, m, o, 'TENANT'
FROM unnest(ARRAY['USERS', 'PLANS', 'SUBSCRIPTIONS', 'NODES', 'TRAFFIC', 'ROLES', 'AUDIT']) m,
     unnest(ARRAY['CREATE', 'READ', 'UPDATE', 'DELETE']) o
WHERE NOT (m IN ('TRAFFIC', 'AUDIT') AND o <> 'READ')
UNION ALL SELECT '00000000-0000-0000-0000-0000000000a1', 'TENANTS', o, 'TENANT'
FROM unnest(ARRAY['READ', 'UPDATE']) o;

INSERT INTO role_permissions (role_id, module, operation, scope)
SELECT '00000000-0000-0000-0000-0000000000a2'::uuid, m, o, 'TENANT'
FROM unnest(ARRAY['USERS', 'PLANS', 'SUBSCRIPTIONS', 'NODES']) m,
     unnest(ARRAY['CREATE', 'READ', 'UPDATE', 'DELETE']) o
UNION ALL SELECT '00000000-0000-0000-0000-0000000000a2', m, 'READ', 'TENANT'
FROM unnest(ARRAY['TENANTS', 'TRAFFIC', 'ROLES', 'AUDIT']) m;

INSERT INTO role_permissions (role_id, module, operation, scope)
SELECT '00000000-0000-0000-0000-0000000000a3'::uuid, m, o, 'TENANT'
FROM unnest(ARRAY['USERS', 'SUBSCRIPTIONS']) m, unnest(ARRAY['CREATE', 'READ', 'UPDATE']) o
UNION ALL SELECT '00000000-0000-0000-0000-0000000000a3', m, 'READ', 'TENANT'
FROM unnest(ARRAY['TENANTS', 'PLANS', 'NODES', 'TRAFFIC']) m;

INSERT INTO role_permissions (role_id, module, operation, scope)
SELECT '00000000-0000-0000-0000-0000000000a4'::uuid, m, 'READ', 'TENANT'
FROM unnest(ARRAY['TENANTS', 'USERS', 'PLANS', 'SUBSCRIPTIONS', 'NODES', 'TRAFFIC']) m;

INSERT INTO role_permissions (role_id, module, operation, scope)
SELECT '00000000-0000-0000-0000-0000000000a5'::uuid, m, 'READ', 'SELF'
FROM unnest(ARRAY['USERS', 'SUBSCRIPTIONS', 'TRAFFIC']) m;

-- Built-in roles are part of the product: only a new migration changes them.
CREATE FUNCTION gatehouse_builtin_roles_read_only() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF current_setting('gatehouse.migrating', true) = 'on' THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    IF TG_TABLE_NAME = 'roles' THEN
        IF OLD.builtin THEN
            RAISE EXCEPTION 'built-in role % cannot be changed', OLD.name USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM roles r WHERE r.id = NEW.role_id AND r.builtin) THEN
            RAISE EXCEPTION 'permissions of a built-in role cannot be changed' USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSIF EXISTS (SELECT 1 FROM roles r WHERE r.id = OLD.role_id AND r.builtin) THEN
        RAISE EXCEPTION 'permissions of a built-in role cannot be changed' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN COALESCE(NEW, OLD);
END
$$;

CREATE TRIGGER roles_builtin_read_only BEFORE UPDATE OR DELETE ON roles
    FOR EACH ROW EXECUTE FUNCTION gatehouse_builtin_roles_read_only();
CREATE TRIGGER role_permissions_builtin_read_only BEFORE INSERT OR UPDATE OR DELETE ON role_permissions
    FOR EACH ROW EXECUTE FUNCTION gatehouse_builtin_roles_read_only();
