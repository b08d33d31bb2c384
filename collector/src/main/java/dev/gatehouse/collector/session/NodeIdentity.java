package dev.gatehouse.collector.session;

import dev.gatehouse.domain.identity.NodeCa;
import dev.gatehouse.domain.model.NodeStatus;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.TransactionException;

/**
 * Who is calling: the node named by the verified client certificate's one URI, and nothing else (no
 * header, no message field). TLS has already checked the chain to a trusted CA; here the certificate
 * must also be one the CA issued to that node, unrevoked and unexpired, from a CA not retired, and the
 * node not disabled. Anything else ends the call with UNAUTHENTICATED and a reason.
 */
public class NodeIdentity implements ServerInterceptor {

    private static final Logger log = LoggerFactory.getLogger(NodeIdentity.class);

    /** The calling node, for the session. */
    public static final Context.Key<UUID> NODE = Context.key("gatehouse-node");
    /** When the calling node's certificate expires. */
    public static final Context.Key<java.time.Instant> CERTIFICATE_EXPIRY = Context.key("gatehouse-node-cert-expiry");
    /** The CA that issued the calling node's certificate. */
    public static final Context.Key<UUID> CERTIFICATE_CA = Context.key("gatehouse-node-cert-ca");

    private final JdbcClient jdbc;
    private final Clock clock;

    public NodeIdentity(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        Optional<String> refusal = Optional.empty();
        UUID node = null;
        UUID issuer = null;
        SSLSession tls = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        X509Certificate certificate = null;
        try {
            Certificate[] chain = tls == null ? null : tls.getPeerCertificates();
            certificate = chain == null || chain.length == 0 ? null : (X509Certificate) chain[0];
        } catch (SSLPeerUnverifiedException e) {
            certificate = null;
        }
        if (certificate == null) {
            refusal = Optional.of("no client certificate");
        } else {
            Optional<UUID> named = NodeCa.nodeOf(certificate);
            if (named.isEmpty()) {
                refusal = Optional.of("the certificate does not name exactly one node");
            } else {
                node = named.get();
                Optional<Row> row;
                try {
                    row = row(node, certificate.getSerialNumber().toString(16));
                } catch (DataAccessException | TransactionException e) {
                    // Not a refusal of the node: the agent keeps its samples and tries again later.
                    log.warn("node {}: its session cannot be checked, the database is unavailable: {}", node,
                            e.getMessage());
                    call.close(Status.UNAVAILABLE.withDescription("the database is unavailable; reconnect later"),
                            new Metadata());
                    return new ServerCall.Listener<>() {
                    };
                }
                refusal = refusal(row);
                issuer = row.map(Row::caId).orElse(null);
            }
        }
        if (refusal.isPresent()) {
            log.info("node session refused: {} (node {})", refusal.get(), node);
            call.close(Status.UNAUTHENTICATED.withDescription(refusal.get()), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return Contexts.interceptCall(Context.current().withValue(NODE, node)
                .withValue(CERTIFICATE_EXPIRY, certificate.getNotAfter().toInstant())
                .withValue(CERTIFICATE_CA, issuer), call, headers, next);
    }

    private record Row(String status, Timestamp revokedAt, Timestamp notAfter, UUID caId, Timestamp caRetiredAt) {
    }

    private Optional<Row> row(UUID node, String serial) {
        return jdbc.sql("""
                        SELECT n.status, c.revoked_at, c.not_after, c.ca_id, a.retired_at
                        FROM node_certificates c JOIN nodes n ON n.id = c.node_id
                             LEFT JOIN node_cas a ON a.id = c.ca_id
                        WHERE c.serial = ? AND c.node_id = ?""")
                .params(serial, node)
                .query((rs, n) -> new Row(rs.getString(1), rs.getTimestamp(2), rs.getTimestamp(3),
                        rs.getObject(4, UUID.class), rs.getTimestamp(5)))
                .optional();
    }

    private Optional<String> refusal(Optional<Row> row) {
        if (row.isEmpty()) {
            return Optional.of("the certificate was not issued to this node (or the node was deleted)");
        }
        if (row.get().revokedAt() != null) {
            return Optional.of("the certificate was revoked");
        }
        if (!row.get().notAfter().toInstant().isAfter(clock.instant())) {
            return Optional.of("the certificate has expired");
        }
        // A collector refuses such a certificate at the handshake once it has reloaded its trusted CAs;
        // until then, here.
        if (row.get().caRetiredAt() != null) {
            return Optional.of("the CA that issued the certificate was retired");
        }
        if (NodeStatus.fromDb(row.get().status()) == NodeStatus.DISABLED) {
            return Optional.of("the node is disabled");
        }
        return Optional.empty();
    }
}
