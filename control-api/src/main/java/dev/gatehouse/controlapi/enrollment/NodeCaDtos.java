package dev.gatehouse.controlapi.enrollment;

import dev.gatehouse.domain.identity.NodeCa;
import java.time.Instant;
import java.util.UUID;

/** Bodies of /nodes/ca: the node CAs and their rotation. */
final class NodeCaDtos {

    private NodeCaDtos() {
    }

    /**
     * @param fingerprint SHA-256 of the CA certificate (DER), lower-case hex: what an agent pins
     * @param state       staged (trusted, in every bundle, not issuing yet), issuing, trusted (issued
     *                    before, still trusted) or retired (in no bundle, its certificates refused)
     * @param promotedAt  when it last began to issue; null while staged
     * @param certificate the CA certificate, PEM
     */
    record NodeCaResponse(UUID id, String fingerprint, NodeCa.State state, boolean issuing, Instant notBefore,
                      Instant notAfter, Instant createdAt, Instant promotedAt, Instant retiredAt,
                      String certificate) {

        static NodeCaResponse of(NodeCa.Authority ca) {
            return new NodeCaResponse(ca.id(), ca.fingerprint(), ca.state(), ca.issuing(), ca.notBefore(), ca.notAfter(),
                    ca.createdAt(), ca.promotedAt(), ca.retiredAt(), ca.certificatePem());
        }
    }
}
