package dev.gatehouse.controlapi.web;

import dev.gatehouse.controlapi.database.DatabaseOutage;
import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.problem.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers 503 problem+json when PostgreSQL is away and the failure surfaced before any controller
 * (signing a caller in reads the database inside the security filters); the controllers' failures
 * are mapped the same way by the problem handler.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 3)
class DatabaseOutageFilter extends OncePerRequestFilter {

    private final DatabaseOutage outage;

    DatabaseOutageFilter(DatabaseOutage outage) {
        this.outage = outage;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (ServletException | IOException | RuntimeException e) {
            if (response.isCommitted() || !outage.explains(e)) {
                throw e;
            }
            String requestId = response.getHeader(RequestIdFilter.HEADER);
            response.reset();
            if (requestId != null) {
                response.setHeader(RequestIdFilter.HEADER, requestId);
            }
            ApiException unavailable = Problems.databaseUnavailable();
            response.setHeader("Retry-After", String.valueOf(unavailable.properties().get("retry_after_seconds")));
            Problems.write(request, response, unavailable.code(), unavailable.getMessage(), unavailable.properties());
        }
    }
}
