-- Every traffic batch updates the usage counters of the subscriptions it carries. None of those
-- columns is indexed, so the update can stay on its page (a HOT update, no index writes) when the
-- page has room: leave a fifth of each page free for it.
ALTER TABLE subscriptions SET (fillfactor = 80);
