package dev.gatehouse.domain.subscription;

import dev.gatehouse.domain.support.DomainException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * WireGuard client addresses from a tenant's pool at constant cost: an address freed by a revoked
 * or deleted credential is taken again first, otherwise a per-(tenant, pool) cursor hands out the
 * next fresh one. The first host (.1) is the nodes' interface address. A unique index on active
 * credentials backs this up.
 */
class WireGuardPool {

    private final JdbcClient jdbc;
    private final String pool;
    private final long lastOffset;

    WireGuardPool(JdbcClient jdbc, String pool) {
        this.jdbc = jdbc;
        this.pool = pool;
        this.lastOffset = lastOffset(pool);
    }

    /** The pool, as configured. */
    String pool() {
        return pool;
    }

    /** {@code count} free addresses of the tenant's pool: freed ones first, then fresh ones from the cursor. */
    List<String> allocate(UUID tenantId, int count) {
        List<String> addresses = new ArrayList<>(jdbc.sql("""
                        DELETE FROM wg_released_addresses r
                        WHERE r.tenant_id = ? AND r.address IN (
                            SELECT address FROM wg_released_addresses
                            WHERE tenant_id = ? AND address << CAST(? AS cidr)
                            LIMIT ? FOR UPDATE SKIP LOCKED)
                        RETURNING host(r.address)""")
                .params(tenantId, tenantId, pool, count).query(String.class).list());
        int fresh = count - addresses.size();
        if (fresh == 0) {
            return addresses;
        }
        Optional<List<String>> next = advance(tenantId, fresh);
        if (next.isEmpty()) {
            // The tenant's first address from this pool: its cursor starts above whatever it already
            // holds there (addresses handed out before cursors existed). Read once, not per address.
            jdbc.sql("""
                            INSERT INTO wg_address_pools (tenant_id, pool, next_offset)
                            SELECT ?, CAST(? AS cidr),
                                   GREATEST(2, COALESCE(max(c.wg_address - CAST(? AS inet)) + 1, 2))
                            FROM engine_credentials c
                            WHERE c.tenant_id = ? AND c.status = 'active' AND c.wg_address << CAST(? AS cidr)
                            ON CONFLICT DO NOTHING""")
                    .params(tenantId, pool, pool, tenantId, pool).update();
            next = advance(tenantId, fresh);
        }
        addresses.addAll(next.orElseThrow(() -> new DomainException(DomainException.Kind.CONFLICT,
                "the WireGuard address pool " + pool + " of this tenant is full")));
        return addresses;
    }

    /** Takes {@code count} addresses at the tenant's cursor and moves it on; empty without a cursor or room. */
    private Optional<List<String>> advance(UUID tenantId, int count) {
        return jdbc.sql("""
                        UPDATE wg_address_pools SET next_offset = next_offset + ?
                        WHERE tenant_id = ? AND pool = CAST(? AS cidr) AND next_offset + ? - 1 <= ?
                        RETURNING ARRAY(SELECT host(pool + g) FROM generate_series(next_offset - ?, next_offset - 1) g)""")
                .params(count, tenantId, pool, count, lastOffset, count)
                .query((rs, n) -> List.of((String[]) rs.getArray(1).getArray())).optional();
    }

    /** The highest usable offset in the pool: below the IPv4 broadcast address, capped for IPv6. */
    static long lastOffset(String cidr) {
        String[] parts = cidr.split("/");
        int bits = parts[0].contains(":") ? 128 : 32;
        int prefix = Integer.parseInt(parts[1]);
        BigInteger size = BigInteger.ONE.shiftLeft(bits - prefix);
        BigInteger last = size.subtract(BigInteger.valueOf(bits == 32 ? 2 : 1));
        return last.min(BigInteger.valueOf(Long.MAX_VALUE / 2)).longValueExact();
    }
}
