-- Who did what, when, to which object. Append-only, enforced here and not only by the code.

CREATE TABLE audit_logs (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at    timestamptz NOT NULL DEFAULT now(),
    actor_kind     text        NOT NULL CHECK (actor_kind IN ('user', 'api_token', 'system', 'node')),
    actor_id       uuid,
    actor_name     text,
    tenant_id      uuid,
    action         text        NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
    target_type    text        CHECK (target_type IS NULL OR length(target_type) <= 64),
    target_id      text        CHECK (target_id IS NULL OR length(target_id) <= 128),
    before_state   jsonb,
    after_state    jsonb,
    request_id     text        CHECK (request_id IS NULL OR length(request_id) <= 128),
    client_ip      inet
);
CREATE INDEX audit_logs_tenant_time_idx ON audit_logs (tenant_id, occurred_at DESC);
CREATE INDEX audit_logs_target_idx ON audit_logs (target_type, target_id);
CREATE INDEX audit_logs_actor_idx ON audit_logs (actor_id, occurred_at DESC);

CREATE FUNCTION gatehouse_audit_logs_append_only() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'audit_logs is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_logs_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_logs
    FOR EACH ROW EXECUTE FUNCTION gatehouse_audit_logs_append_only();

CREATE TRIGGER audit_logs_no_truncate
    BEFORE TRUNCATE ON audit_logs
    FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_audit_logs_append_only();
