package dev.gatehouse.domain.subscription;

import dev.gatehouse.domain.model.Engine;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
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

    public Credentials(JdbcClient jdbc, String wireguardPool) {
        this.jdbc = jdbc;
        this.addresses = new WireGuardPool(jdbc, wireguardPool);
    }

    /** The WireGuard address pool every tenant's clients get addresses from. */
    public String wireguardPool() {
        return addresses.pool();
    }

    /**
     * Makes the credentials a subscription lacks for the engines in effect for it; returns the ids
     * made. Credentials of engines no longer in effect stay (not served), so that giving an engine
     * back restores the same keys.
     */
    public List<UUID> ensure(UUID subscriptionId) {
        record Need(UUID tenantId, Set<Engine> engines) {
        }
        Need need = jdbc.sql("""
                        SELECT s.tenant_id, COALESCE(ue.engines, s.engines),
                               ARRAY(SELECT engine FROM engine_credentials c
                                     WHERE c.subscription_id = s.id AND c.status = 'active')
                        FROM subscriptions s LEFT JOIN user_engines ue ON ue.user_id = s.user_id
                        WHERE s.id = ?""")
                .param(subscriptionId)
                .query((rs, n) -> {
                    Set<Engine> missing = EnumSet.noneOf(Engine.class);
                    missing.addAll(Engine.fromDbArray((String[]) rs.getArray(2).getArray()));
                    missing.removeAll(Engine.fromDbArray((String[]) rs.getArray(3).getArray()));
                    return new Need(rs.getObject(1, UUID.class), missing);
                })
                .optional().orElse(null);
        if (need == null) {
            return List.of();
        }
        List<UUID> made = new ArrayList<>();
        for (Engine engine : need.engines()) {
            made.add(switch (engine) {
                case XRAY -> jdbc.sql("""
                                INSERT INTO engine_credentials (tenant_id, subscription_id, engine, xray_uuid, xray_flow)
                                VALUES (?, ?, 'xray', ?, '') RETURNING id""")
                        .params(need.tenantId(), subscriptionId, UUID.randomUUID()).query(UUID.class).single();
                case WIREGUARD -> {
                    String[] keys = x25519();
                    String address = addresses.allocate(need.tenantId());
                    yield jdbc.sql("""
                                    INSERT INTO engine_credentials (tenant_id, subscription_id, engine, wg_private_key,
                                                                    wg_public_key, wg_preshared_key, wg_address)
                                    VALUES (?, ?, 'wireguard', ?, ?, ?, CAST(? AS inet)) RETURNING id""")
                            .params(need.tenantId(), subscriptionId, keys[0], keys[1], randomKey(), address)
                            .query(UUID.class).single();
                }
            });
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
        jdbc.sql("UPDATE engine_credentials SET status = 'revoked', revoked_at = now()"
                + " WHERE subscription_id = ? AND status = 'active'").param(subscriptionId).update();
    }

    /** A WireGuard key pair as wg(8) writes it: base64 of the raw 32-byte little-endian values. */
    public static String[] x25519() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("X25519");
            KeyPair pair = generator.generateKeyPair();
            byte[] scalar = ((XECPrivateKey) pair.getPrivate()).getScalar().orElseThrow();
            byte[] u = littleEndian(((XECPublicKey) pair.getPublic()).getU());
            return new String[] {Base64.getEncoder().encodeToString(scalar), Base64.getEncoder().encodeToString(u)};
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is part of every JDK 11+", e);
        }
    }

    private static byte[] littleEndian(BigInteger value) {
        byte[] big = value.toByteArray();
        byte[] out = new byte[32];
        for (int i = 0; i < 32 && i < big.length; i++) {
            out[i] = big[big.length - 1 - i];
        }
        return out;
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
