-- Xray inbounds become typed by protocol, transport and security (NodeEngineSettings.Inbound): the
-- free-form "settings" object of each inbound moves into "ws", "grpc", "tls", "reality" and
-- "shadowsocks", each present only where it applies. Inbounds that break the new rules stay stored as
-- they are (client configurations leave them out) until an administrator corrects the node.
UPDATE nodes n
SET engines = jsonb_set(n.engines, '{xray,inbounds}', (
    SELECT coalesce(jsonb_agg(
               jsonb_strip_nulls(
                   (i - 'settings')
                   || jsonb_build_object(
                          'ws', CASE WHEN i ->> 'network' = 'ws' THEN jsonb_strip_nulls(jsonb_build_object(
                                    'path', i -> 'settings' -> 'path', 'host', i -> 'settings' -> 'host')) END,
                          'grpc', CASE WHEN i ->> 'network' = 'grpc' THEN jsonb_build_object(
                                    'service_name', i -> 'settings' -> 'service_name') END,
                          'tls', CASE WHEN i ->> 'security' = 'tls' THEN jsonb_strip_nulls(jsonb_build_object(
                                    'server_name', i -> 'settings' -> 'sni',
                                    'fingerprint', i -> 'settings' -> 'fingerprint')) END,
                          'reality', CASE WHEN i ->> 'security' = 'reality' THEN jsonb_strip_nulls(jsonb_build_object(
                                    'server_name', i -> 'settings' -> 'sni',
                                    'public_key', i -> 'settings' -> 'public_key',
                                    'short_id', i -> 'settings' -> 'short_id',
                                    'fingerprint', i -> 'settings' -> 'fingerprint',
                                    'spider_x', i -> 'settings' -> 'spider_x')) END,
                          'shadowsocks', CASE WHEN i ->> 'protocol' = 'shadowsocks' THEN jsonb_build_object(
                                    'method', coalesce(i -> 'settings' -> 'method', '"chacha20-ietf-poly1305"'))
                                    END,
                          'flow', CASE WHEN i ->> 'flow' = '' THEN NULL ELSE i -> 'flow' END)
               ) ORDER BY ordinality), '[]'::jsonb)
    FROM jsonb_array_elements(n.engines -> 'xray' -> 'inbounds') WITH ORDINALITY AS t(i, ordinality)))
WHERE jsonb_typeof(n.engines -> 'xray' -> 'inbounds') = 'array';
