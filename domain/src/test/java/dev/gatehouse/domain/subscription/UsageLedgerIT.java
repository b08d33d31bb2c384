package dev.gatehouse.domain.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.domain.DomainIT;
import dev.gatehouse.testkit.Fixtures;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.IllegalTransactionStateException;

/** The usage ledger bills at each node's coefficient, in the caller's transaction. */
class UsageLedgerIT extends DomainIT {

    @Autowired
    UsageLedger ledger;

    @Test
    void usageIsBilledAtTheNodesCoefficientIntoPeriodAndLifetime() {
        Fixtures f = fixtures();
        UUID tenant = f.tenant();
        UUID cheap = f.node(tenant, Fixtures.NODE_ENGINES, 0.5);
        UUID plain = f.node(tenant);
        UUID plan = f.plan(tenant, null);
        UUID a = f.subscription(tenant, f.person(tenant), plan, List.of(cheap, plain));
        UUID b = f.subscription(tenant, f.person(tenant), plan, List.of(plain));

        List<UUID> moved = tx.execute(s -> ledger.add(List.of(
                new UsageLedger.Usage(a, cheap, 1001, 3000),
                new UsageLedger.Usage(a, plain, 10, 20),
                new UsageLedger.Usage(b, plain, 0, 0))));
        assertThat(moved).containsExactly(a);
        assertThat(usage(a)).containsExactly(501L + 10, 1500L + 20, 511L, 1520L);
        assertThat(usage(b)).containsExactly(0L, 0L, 0L, 0L);

        jdbc.sql("UPDATE subscriptions SET used_bytes_up = 0, used_bytes_down = 0 WHERE id = ?").param(a).update();
        tx.executeWithoutResult(s -> ledger.add(List.of(new UsageLedger.Usage(a, plain, 5, 6))));
        assertThat(usage(a)).as("a reset period keeps lifetime usage").containsExactly(5L, 6L, 516L, 1526L);
    }

    @Test
    void theLedgerOnlyWritesInsideTheCallersTransaction() {
        assertThatThrownBy(() -> ledger.add(List.of(new UsageLedger.Usage(UUID.randomUUID(), UUID.randomUUID(), 1, 1))))
                .isInstanceOf(IllegalTransactionStateException.class);
    }

    private List<Long> usage(UUID sub) {
        return jdbc.sql("""
                        SELECT used_bytes_up, used_bytes_down, lifetime_bytes_up, lifetime_bytes_down
                        FROM subscriptions WHERE id = ?""")
                .param(sub).query((rs, n) -> List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
                .single();
    }
}
