package dev.gatehouse.domain.subscription;

import dev.gatehouse.domain.model.Engine;
import java.security.SecureRandom;
import org.bouncycastle.math.ec.rfc7748.X25519;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Server-made credentials, one active per (subscription, engine), only for the engines a
 * subscription may use (its own or its person's override): an Xray UUID (v4), and a WireGuard
 * X25519 key pair with a preshared key and an address from the tenant's pool.
 */
public class Credentials {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcClient jdbc;
    private final WireGuardPool addresses;
    private final java.time.Clock clock;

    public Credentials(JdbcClient jdbc, String wireguardPool, java.time.Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.addresses = new WireGuardPool(jdbc, wireguardPool);
    }

    /** The WireGuard address pool every tenant's clients get addresses from. */
    public String wireguardPool() {
        return addresses.pool();
    }

    /**
     * Makes the credentials a subscription lacks for the engines in effect for it (its own, or its
     * person's override); returns the ids made. Credentials of engines no longer in effect stay (not
     * served), so that giving an engine back restores the same keys.
     */
    public List<UUID> ensure(UUID subscriptionId) {
        return ensureAll(List.of(subscriptionId));
    }

    /** {@link #ensure} for many subscriptions, with one insert per engine for all of them. */
    public List<UUID> ensureAll(List<UUID> subscriptionIds) {
        record Need(UUID subscriptionId, UUID tenantId, Set<Engine> engines) {
        }
        List<Need> needs = jdbc.sql("""
                        SELECT s.id, s.tenant_id, COALESCE(ue.engines, s.engines),
                               ARRAY(SELECT engine FROM engine_credentials c
                                     WHERE c.subscription_id = s.id AND c.status = 'active')
                        FROM subscriptions s LEFT JOIN user_engines ue ON ue.user_id = s.user_id
                        WHERE s.id = ANY(?) ORDER BY s.id""")
                .param(subscriptionIds.toArray(UUID[]::new))
                .query((rs, n) -> {
                    Set<Engine> missing = EnumSet.noneOf(Engine.class);
                    missing.addAll(Engine.fromDbArray((String[]) rs.getArray(3).getArray()));
                    missing.removeAll(Engine.fromDbArray((String[]) rs.getArray(4).getArray()));
                    return new Need(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), missing);
                })
                .list();
        List<UUID> made = new ArrayList<>();
        List<Need> xray = needs.stream().filter(n -> n.engines().contains(Engine.XRAY)).toList();
        if (!xray.isEmpty()) {
            made.addAll(jdbc.sql("""
                            INSERT INTO engine_credentials (tenant_id, subscription_id, engine, xray_uuid, xray_flow)
                            SELECT * FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::uuid[], ?::text[])
                            RETURNING id""")
                    .params(xray.stream().map(Need::tenantId).toArray(UUID[]::new),
                            xray.stream().map(Need::subscriptionId).toArray(UUID[]::new),
                            xray.stream().map(n -> Engine.XRAY.db()).toArray(String[]::new),
                            xray.stream().map(n -> UUID.randomUUID()).toArray(UUID[]::new),
                            xray.stream().map(n -> "").toArray(String[]::new))
                    .query(UUID.class).list());
        }
        Map<UUID, List<Need>> wireguard = new TreeMap<>();
        needs.stream().filter(n -> n.engines().contains(Engine.WIREGUARD))
                .forEach(n -> wireguard.computeIfAbsent(n.tenantId(), t -> new ArrayList<>()).add(n));
        for (Map.Entry<UUID, List<Need>> tenant : wireguard.entrySet()) {
            List<Need> group = tenant.getValue();
            List<String> addresses = this.addresses.allocate(tenant.getKey(), group.size());
            String[] privateKeys = new String[group.size()];
            String[] publicKeys = new String[group.size()];
            String[] presharedKeys = new String[group.size()];
            for (int i = 0; i < group.size(); i++) {
                String[] pair = x25519();
                privateKeys[i] = pair[0];
                publicKeys[i] = pair[1];
                presharedKeys[i] = randomKey();
            }
            made.addAll(jdbc.sql("""
                            INSERT INTO engine_credentials (tenant_id, subscription_id, engine, wg_private_key,
                                                            wg_public_key, wg_preshared_key, wg_address)
                            SELECT ?, w.subscription_id, 'wireguard', w.private_key, w.public_key, w.preshared_key,
                                   CAST(w.address AS inet)
                            FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[])
                                 AS w(subscription_id, private_key, public_key, preshared_key, address)
                            RETURNING id""")
                    .params(tenant.getKey(), group.stream().map(Need::subscriptionId).toArray(UUID[]::new),
                            privateKeys, publicKeys, presharedKeys, addresses.toArray(String[]::new))
                    .query(UUID.class).list());
        }
        return made;
    }

    /** {@link #ensure} for every subscription of the people (their engine override changed). */
    public void ensureForUsers(Collection<UUID> userIds) {
        jdbc.sql("SELECT id FROM subscriptions WHERE user_id = ANY(?) ORDER BY id")
                .param(userIds.toArray(UUID[]::new)).query(UUID.class).list().forEach(this::ensure);
    }

    /** Revokes the subscription's active credentials (they leave every node at the next sync). */
    public void revokeAll(UUID subscriptionId) {
        jdbc.sql("UPDATE engine_credentials SET status = 'revoked', revoked_at = ?"
                + " WHERE subscription_id = ? AND status = 'active'")
                .params(java.sql.Timestamp.from(clock.instant()), subscriptionId).update();
    }

    /**
     * A WireGuard key pair as wg(8) writes it: base64 of the clamped 32-byte private scalar and of the
     * public point. BouncyCastle's RFC 7748 code, since the JDK's X25519 costs about ten times more
     * per key, which shows when a bulk request makes thousands.
     */
    public static String[] x25519() {
        byte[] privateKey = new byte[X25519.SCALAR_SIZE];
        byte[] publicKey = new byte[X25519.POINT_SIZE];
        X25519.generatePrivateKey(RANDOM, privateKey);
        X25519.generatePublicKey(privateKey, 0, publicKey, 0);
        return new String[] {Base64.getEncoder().encodeToString(privateKey),
                Base64.getEncoder().encodeToString(publicKey)};
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
