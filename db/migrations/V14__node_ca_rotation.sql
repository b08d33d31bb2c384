-- Rotation of the node CA in three steps (docs/nodes.md): stage a new CA (trusted, in every bundle, not
-- issuing), promote it (it issues; the old one stays trusted), retire the old one (in no bundle).
-- promoted_at tells a staged CA (never issued) from one that issued before; ca_id tells which CA issued
-- each node certificate, so a CA is retired only once nothing it issued is still in use.
ALTER TABLE node_cas ADD COLUMN promoted_at timestamptz;
-- Before this version there was no staging: every CA issued from the moment it was made.
UPDATE node_cas SET promoted_at = created_at;
ALTER TABLE node_cas ADD CONSTRAINT node_cas_issuing_promoted_ck CHECK (NOT issuing OR promoted_at IS NOT NULL);

ALTER TABLE node_certificates ADD COLUMN ca_id uuid REFERENCES node_cas (id);
-- Before this version one CA issued everything.
UPDATE node_certificates SET ca_id = (SELECT id FROM node_cas WHERE issuing);
CREATE INDEX node_certificates_ca_idx ON node_certificates (ca_id);

COMMENT ON COLUMN node_cas.promoted_at IS 'when the CA began to issue; null while it is only staged';
COMMENT ON COLUMN node_certificates.ca_id IS 'the CA that signed the certificate';
