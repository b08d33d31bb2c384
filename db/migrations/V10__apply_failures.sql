-- What a node's agent could not apply at its last applied revision (per credential, with the core's
-- reason); /nodes/{id}/health shows them with applied_at.
ALTER TABLE node_revisions
    ADD COLUMN apply_failures jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(apply_failures) = 'array');
