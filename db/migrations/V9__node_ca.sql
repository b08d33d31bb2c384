-- The internal CA that issues node client certificates (and the collector's server certificate).
-- Its private key is stored sealed with the installation's data key (AES-256-GCM, the CA's id as
-- associated data), never in the clear. Several CAs may be trusted at once, so the CA can be rotated
-- without cutting nodes off: one issues new certificates, the others stay trusted until retired.
CREATE TABLE node_cas (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    certificate  text        NOT NULL CHECK (certificate LIKE '-----BEGIN CERTIFICATE-----%'),
    private_key  bytea       NOT NULL,
    fingerprint  text        NOT NULL UNIQUE CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    not_before   timestamptz NOT NULL,
    not_after    timestamptz NOT NULL,
    issuing      boolean     NOT NULL DEFAULT false,
    retired_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (not_after > not_before),
    CHECK (NOT (issuing AND retired_at IS NOT NULL))
);
CREATE UNIQUE INDEX node_cas_one_issuing_uq ON node_cas ((true)) WHERE issuing;

COMMENT ON COLUMN node_cas.private_key IS 'PKCS#8 key sealed with GATEHOUSE_DATA_KEY (nonce || AES-256-GCM ciphertext, id as AAD)';
COMMENT ON COLUMN node_certificates.serial IS 'lower-case hex of the certificate serial number';
