package dev.gatehouse.controlapi.web;

import dev.gatehouse.controlapi.request.RequestContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/** Gives every request an id (echoed in X-Request-Id and in logs) and resolves the client address. */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestIdFilter extends OncePerRequestFilter {

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
        MDC.put("request_id", requestId);
        response.setHeader(HEADER, requestId);
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove("request_id");
            RequestContext.clear();
        }
    }
}
