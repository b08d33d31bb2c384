package dev.gatehouse.controlapi.subscription;

import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.problem.ErrorCode;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Server-made credentials, one active set per subscription: an Xray UUID (v4) and a WireGuard
 * X25519 key pair with a preshared key and an address from the tenant's pool. Addresses are taken
 * under a per-tenant lock, and a unique index backs that up.
 */
@Component
class EngineCredentials {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcClient jdbc;
    private final String pool;

    EngineCredentials(JdbcClient jdbc, @Value("${gatehouse.control-api.wireguard.address-pool:10.66.0.0/16}") String pool) {
        this.jdbc = jdbc;
        this.pool = pool;
    }

    /** Makes a fresh credential for every engine; returns their ids. */
    List<UUID> create(UUID tenantId, UUID subscriptionId) {
        UUID xray = jdbc.sql("""
                        INSERT INTO engine_credentials (tenant_id, subscription_id, engine, xray_uuid, xray_flow)
                        VALUES (?, ?, 'xray', ?, '') RETURNING id""")
                .params(tenantId, subscriptionId, UUID.randomUUID()).query(UUID.class).single();
        String[] keys = x25519();
        jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('gatehouse:wg-pool:' || ?))").param(tenantId.toString())
                .query().singleRow();
        String address = jdbc.sql("""
                        SELECT host(CAST(? AS cidr) + g) FROM generate_series(2, (2 ^ (
                                   (CASE WHEN family(CAST(? AS cidr)) = 4 THEN 32 ELSE 128 END)
                                   - masklen(CAST(? AS cidr))))::bigint - 2) g
                        WHERE NOT EXISTS (SELECT 1 FROM engine_credentials c
                                          WHERE c.tenant_id = ? AND c.status = 'active'
                                            AND c.wg_address = CAST(host(CAST(? AS cidr) + g) AS inet))
                        LIMIT 1""")
                .params(pool, pool, pool, tenantId, pool).query(String.class).optional()
                .orElseThrow(() -> new ApiException(ErrorCode.CONFLICT,
                        "the WireGuard address pool " + pool + " of this tenant is full"));
        UUID wireguard = jdbc.sql("""
                        INSERT INTO engine_credentials (tenant_id, subscription_id, engine, wg_private_key,
                                                        wg_public_key, wg_preshared_key, wg_address)
                        VALUES (?, ?, 'wireguard', ?, ?, ?, CAST(? AS inet)) RETURNING id""")
                .params(tenantId, subscriptionId, keys[0], keys[1], randomKey(), address).query(UUID.class).single();
        return List.of(xray, wireguard);
    }

    /** Revokes the subscription's active credentials (they leave every node at the next sync). */
    void revokeAll(UUID subscriptionId) {
        jdbc.sql("UPDATE engine_credentials SET status = 'revoked', revoked_at = now()"
                + " WHERE subscription_id = ? AND status = 'active'").param(subscriptionId).update();
    }

    /** A WireGuard key pair as wg(8) writes it: base64 of the raw 32-byte little-endian values. */
    static String[] x25519() {
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
