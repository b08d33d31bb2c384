package dev.gatehouse.controlapi.web;

import dev.gatehouse.controlapi.problem.ErrorCode;
import dev.gatehouse.controlapi.problem.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/** Query parameters holding a NUL character (?q=%00) are refused naming the parameter, before any query runs. */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 4)
class TextParameterFilter extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        for (Map.Entry<String, String[]> parameter : request.getParameterMap().entrySet()) {
            boolean nul = parameter.getKey().indexOf('\0') >= 0;
            for (String value : parameter.getValue()) {
                nul |= value.indexOf('\0') >= 0;
            }
            if (nul) {
                Problems.write(request, response, ErrorCode.VALIDATION_FAILED,
                        parameter.getKey().replace('\0', '?') + ": must not contain NUL characters");
                return;
            }
        }
        chain.doFilter(request, response);
    }
}
