package dev.gatehouse.controlapi.web;

import dev.gatehouse.controlapi.request.RequestContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import jakarta.servlet.DispatcherType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;

/** Gives every request an id (echoed in X-Request-Id and in logs) and resolves the client address. */
@Component
// Inside the HTTP observation (HIGHEST_PRECEDENCE + 1), so that with tracing on its lines carry the trace id.
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class RequestIdFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(RequestIdFilter.class);

    static final String HEADER = "X-Request-Id";

    private final ClientAddressResolver addresses;

    RequestIdFilter(ClientAddressResolver addresses) {
        this.addresses = addresses;
    }

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        // An error dispatch (a request refused by the firewall, a servlet error) keeps the request's id.
        String earlier = response.getHeader(HEADER);
        String requestId = earlier != null ? earlier : UUID.randomUUID().toString();
        String userAgent = request.getHeader("User-Agent");
        if (userAgent != null && userAgent.length() > 512) {
            userAgent = userAgent.substring(0, 512);
        }
        RequestContext.set(new RequestContext(requestId, addresses.resolve(request), userAgent));
        response.setHeader(HEADER, requestId);
        long started = System.nanoTime();
        boolean answered = false;
        try {
            chain.doFilter(request, response);
            answered = true;
        } finally {
            logCompleted(request, response, started, answered);
            RequestContext.clear();
        }
    }

    /**
     * One line per request, with the fields known by then (request, user, tenant). The route's
     * pattern stands for the path, so a token in a path (/sub/{token}) never reaches the log.
     */
    private static void logCompleted(HttpServletRequest request, HttpServletResponse response, long started,
                                     boolean answered) {
        if (request.getDispatcherType() != DispatcherType.REQUEST || request.getRequestURI().startsWith("/actuator")) {
            return;
        }
        Object route = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        long millis = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        if (answered) {
            log.info("{} {} answered {} in {} ms", request.getMethod(), route == null ? "(no route)" : route,
                    response.getStatus(), millis);
        } else {
            // The container's error page answers it; the failure itself is logged where it was caught.
            log.info("{} {} failed after {} ms", request.getMethod(), route == null ? "(no route)" : route, millis);
        }
    }
}
