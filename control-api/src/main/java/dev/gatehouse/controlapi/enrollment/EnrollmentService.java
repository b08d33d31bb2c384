package dev.gatehouse.controlapi.enrollment;

import dev.gatehouse.controlapi.audit.AuditLog;
import dev.gatehouse.controlapi.config.ControlApiProperties;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.problem.ErrorCode;
import dev.gatehouse.controlapi.token.OpaqueToken;
import dev.gatehouse.domain.identity.NodeCa;
import dev.gatehouse.domain.model.NodeStatus;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Node enrolment: an agent trades its one-time token and a certificate request for its client
 * certificate. The token is taken by one statement, so of two racing enrolments exactly one wins;
 * the request is checked before the token is spent, and a refused issue spends nothing.
 */
@Service
class EnrollmentService {

    private final JdbcClient jdbc;
    private final NodeCa ca;
    private final AuditLog audit;
    private final Clock clock;
    private final String collectorAddress;

    EnrollmentService(JdbcClient jdbc, NodeCa ca, AuditLog audit, Clock clock, ControlApiProperties properties) {
        this.jdbc = jdbc;
        this.ca = ca;
        this.audit = audit;
        this.clock = clock;
        this.collectorAddress = properties.enrollment().collectorAddress();
    }

    private record Taken(UUID nodeId, UUID tenantId) {
    }

    @Transactional
    EnrollmentDtos.Enrolled enroll(EnrollmentDtos.EnrollRequest request) {
        NodeCa.CertificateRequest csr = NodeCa.parseRequest(request.csr());
        Timestamp now = Timestamp.from(clock.instant());
        Taken taken = jdbc.sql("""
                        UPDATE enrollment_tokens t SET used_at = ?
                        FROM nodes n
                        WHERE t.token_hash = ? AND t.used_at IS NULL AND t.expires_at > ?
                          AND n.id = t.node_id AND n.status <> ?
                        RETURNING t.node_id, n.tenant_id""")
                .params(now, OpaqueToken.hash(request.token().trim()), now, NodeStatus.DISABLED.db())
                .query((rs, n) -> new Taken(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)))
                .optional()
                .orElseThrow(() -> new ApiException(ErrorCode.INVALID_TOKEN,
                        "unknown, used or expired enrollment token; issue a new one with"
                                + " POST /nodes/{id}/enrollment-token"));
        NodeCa.Issued issued = ca.issue(taken.nodeId(), csr);
        audit.recordAsNode(taken.nodeId(), taken.tenantId(), "node.enroll",
                Map.of("serial", issued.serial(), "fingerprint", issued.fingerprint(),
                        "expires_at", issued.notAfter().toString()));
        return new EnrollmentDtos.Enrolled(taken.nodeId(), issued.certificatePem(), issued.caBundlePem(),
                collectorAddress, issued.serial(), issued.notAfter());
    }
}
