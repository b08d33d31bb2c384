-- Ingest attributes a late sample of a credential the node no longer serves (a person cut off at
-- their quota still has bytes in flight) through the node's change log; this index finds it without
-- reading every revision of the node.
CREATE INDEX node_state_changes_credential_idx ON node_state_changes (node_id, credential_id);
