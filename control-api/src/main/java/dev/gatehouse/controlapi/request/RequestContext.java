package dev.gatehouse.controlapi.request;

import java.net.InetAddress;
import java.util.UUID;
import org.slf4j.MDC;

/**
 * What the current request is known by across layers: its id and the client's real address; and
 * the fields its log lines carry (MDC) as they become known: request_id, user_id, tenant_id.
 */
public final class RequestContext {

    public static final String REQUEST_ID = "request_id";
    public static final String USER_ID = "user_id";
    public static final String TENANT_ID = "tenant_id";

    private static final ThreadLocal<RequestContext> CURRENT = new ThreadLocal<>();

    private final String requestId;
    private final InetAddress clientAddress;
    private final String userAgent;

    public RequestContext(String requestId, InetAddress clientAddress, String userAgent) {
        this.requestId = requestId;
        this.clientAddress = clientAddress;
        this.userAgent = userAgent;
    }

    public static void set(RequestContext context) {
        CURRENT.set(context);
        MDC.put(REQUEST_ID, context.requestId);
    }

    public static void clear() {
        CURRENT.remove();
        MDC.remove(REQUEST_ID);
        MDC.remove(USER_ID);
        MDC.remove(TENANT_ID);
    }

    /** From here on the request's log lines name the user acting (null: unknown, nothing changes). */
    public static void logUser(UUID userId) {
        if (userId != null) {
            MDC.put(USER_ID, userId.toString());
        }
    }

    /** From here on the request's log lines name the tenant it acts in (null: unknown, nothing changes). */
    public static void logTenant(UUID tenantId) {
        if (tenantId != null) {
            MDC.put(TENANT_ID, tenantId.toString());
        }
    }

    public static RequestContext current() {
        return CURRENT.get();
    }

    public static String currentRequestId() {
        RequestContext c = CURRENT.get();
        return c == null ? null : c.requestId;
    }

    public String requestId() {
        return requestId;
    }

    public InetAddress clientAddress() {
        return clientAddress;
    }

    public String clientIp() {
        return clientAddress == null ? null : clientAddress.getHostAddress();
    }

    public String userAgent() {
        return userAgent;
    }
}
