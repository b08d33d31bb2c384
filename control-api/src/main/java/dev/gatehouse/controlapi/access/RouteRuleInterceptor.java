package dev.gatehouse.controlapi.access;

import dev.gatehouse.controlapi.problem.ApiException;
import dev.gatehouse.controlapi.problem.ErrorCode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Enforces each route's rule before its controller runs. A controller method of Gatehouse with no
 * rule is refused outright, so forgetting one fails closed (and the route test fails the build).
 */
@Component
public class RouteRuleInterceptor implements HandlerInterceptor {

    private final AccessPolicy policy;

    RouteRuleInterceptor(AccessPolicy policy) {
        this.policy = policy;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!(handler instanceof HandlerMethod method)
                || !method.getBeanType().getPackageName().startsWith("dev.gatehouse")) {
            return true;
        }
        if (method.hasMethodAnnotation(PublicRoute.class)) {
            return true;
        }
        if (method.hasMethodAnnotation(AuthenticatedRoute.class)) {
            policy.caller();
            return true;
        }
        RequiresPermission rule = method.getMethodAnnotation(RequiresPermission.class);
        if (rule == null) {
            throw new ApiException(ErrorCode.INTERNAL, "this route has no permission rule");
        }
        policy.requireAnywhere(rule.module(), rule.operation());
        return true;
    }
}
