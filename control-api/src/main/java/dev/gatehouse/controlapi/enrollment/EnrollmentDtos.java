package dev.gatehouse.controlapi.enrollment;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.UUID;

/** Bodies of POST /nodes/enroll. */
final class EnrollmentDtos {

    private EnrollmentDtos() {
    }

    /**
     * @param token the node's one-time enrollment token (ghe_...)
     * @param csr   a PEM PKCS#10 request for the key pair the agent made (EC P-256 or larger, Ed25519,
     *              or RSA of 2048 bits or more); asking for a CA certificate or for names is refused
     */
    record EnrollRequest(@NotBlank @Size(max = 128) String token, @NotBlank @Size(max = 16384) String csr) {
    }

    /**
     * @param certificate      the node's client certificate, PEM; its only subject alternative name is
     *                         spiffe://gatehouse/node/{node_id}
     * @param caBundle         every CA certificate the collector's server certificate may chain to, PEM
     * @param collectorAddress host:port of the collector's gRPC mTLS endpoint
     */
    record Enrolled(UUID nodeId, String certificate, String caBundle, String collectorAddress, String serial,
                    Instant expiresAt) {
    }
}
