package dev.gatehouse.collector.session;

import dev.gatehouse.domain.identity.NodeCa;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages gRPC refuses before the session sees them (over the size limit): the transport ends the
 * stream with RESOURCE_EXHAUSTED on its own, so this tracer is where such a refusal becomes a log
 * line naming the node and a count in {@code gatehouse_collector_messages_refused{reason="too_large"}}.
 */
public class RefusedMessages extends ServerStreamTracer.Factory {

    private static final Logger log = LoggerFactory.getLogger(RefusedMessages.class);

    private final Counter tooLarge;

    public RefusedMessages(MeterRegistry meters) {
        this.tooLarge = Counter.builder("gatehouse_collector_messages_refused").tag("reason", "too_large")
                .description("agent messages refused by the transport before the session read them")
                .register(meters);
    }

    @Override
    public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
        return new ServerStreamTracer() {
            private volatile String peer = "unknown";

            @Override
            public void serverCallStarted(ServerCallInfo<?, ?> call) {
                SSLSession tls = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                Object address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
                peer = nodeOf(tls) + " at " + address;
            }

            @Override
            public void streamClosed(Status status) {
                if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                    tooLarge.increment();
                    log.warn("refused a message from node {}: {}", peer, status.getDescription());
                }
            }
        };
    }

    private static String nodeOf(SSLSession tls) {
        try {
            if (tls != null && tls.getPeerCertificates().length > 0
                    && tls.getPeerCertificates()[0] instanceof X509Certificate certificate) {
                return NodeCa.nodeOf(certificate).map(Object::toString).orElse("unnamed");
            }
        } catch (SSLPeerUnverifiedException e) {
            return "unverified";
        }
        return "unknown";
    }
}
