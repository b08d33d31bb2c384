-- Raw events are read by time window (rollups, summaries: the dedupe key leads with event_end_ts);
-- per-subscription figures come from the ledger on subscriptions and from the hourly rollups, which
-- keep their own subscription index. The second index on every event row cost a quarter of the
-- insert's time (docs/benchmarks.md), so it goes.
DROP INDEX traffic_events_subscription_idx;
