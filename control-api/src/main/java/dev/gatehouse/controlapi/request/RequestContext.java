package dev.gatehouse.controlapi.request;

import java.net.InetAddress;

/** What the current request is known by across layers: its id and the client's real address. */
public final class RequestContext {

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
    }

    public static void clear() {
        CURRENT.remove();
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
