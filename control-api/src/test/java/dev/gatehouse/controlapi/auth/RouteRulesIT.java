package dev.gatehouse.controlapi.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.access.AuthenticatedRoute;
import dev.gatehouse.controlapi.access.PublicRoute;
import dev.gatehouse.controlapi.access.RequiresPermission;
import dev.gatehouse.controlapi.support.ControlApiTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.util.AntPathMatcher;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/** Every route of control-api states who may call it, and the security chain agrees. */
class RouteRulesIT extends ControlApiTest {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Test
    void everyRouteHasExactlyOnePermissionRule() {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<RequestMappingInfo, HandlerMethod> e : mappings.getHandlerMethods().entrySet()) {
            HandlerMethod method = e.getValue();
            if (!method.getBeanType().getPackageName().startsWith("dev.gatehouse")) {
                continue;
            }
            checked++;
            int rules = (method.hasMethodAnnotation(RequiresPermission.class) ? 1 : 0)
                    + (method.hasMethodAnnotation(PublicRoute.class) ? 1 : 0)
                    + (method.hasMethodAnnotation(AuthenticatedRoute.class) ? 1 : 0);
            if (rules != 1) {
                missing.add(e.getKey() + " has " + rules + " rules");
            }
        }
        assertThat(checked).isGreaterThan(20);
        assertThat(missing).isEmpty();
    }

    @Test
    void publicRoutesAndTheSecurityChainAgree() {
        AntPathMatcher matcher = new AntPathMatcher();
        List<String> disagreements = new ArrayList<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> e : mappings.getHandlerMethods().entrySet()) {
            HandlerMethod method = e.getValue();
            if (!method.getBeanType().getPackageName().startsWith("dev.gatehouse")) {
                continue;
            }
            boolean declaredPublic = method.hasMethodAnnotation(PublicRoute.class);
            for (String path : e.getKey().getPatternValues()) {
                boolean chainPublic = java.util.Arrays.stream(SecurityConfiguration.PUBLIC)
                        .anyMatch(p -> matcher.match(p, path));
                if (declaredPublic != chainPublic) {
                    disagreements.add(path + ": route says public=" + declaredPublic + ", chain says " + chainPublic);
                }
            }
        }
        assertThat(disagreements).isEmpty();
    }

    @Test
    void aRouteWithoutAPermissionAnswers401WithoutAToken() {
        for (String path : List.of("/users", "/tenants", "/roles", "/memberships", "/audit", "/api-tokens",
                "/auth/me")) {
            assertThat(anonymous.get(path).status()).as(path).isEqualTo(401);
        }
    }
}
