package dev.gatehouse.controlapi.openapi;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The contract's header: what the API is, how callers authenticate, how nodes are identified. */
@Configuration
class OpenApiConfiguration {

    /** Schemas name their properties as the API writes them: snake_case. */
    @Bean
    ModelResolver snakeCaseModelResolver() {
        return new ModelResolver(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }

    /**
     * Operation ids a generated client can call by name: {@code listTenants}, {@code createTenant},
     * {@code getUser}; an operation with its own verb keeps it ({@code login}, {@code rotateToken}).
     * Without this, every controller's {@code list} and {@code get} would be numbered ({@code list1}).
     */
    @Bean
    org.springdoc.core.customizers.OperationCustomizer operationIds() {
        java.util.Set<String> generic = java.util.Set.of("list", "get", "create", "update", "delete");
        return (operation, handler) -> {
            String method = handler.getMethod().getName();
            if (generic.contains(method)) {
                String noun = handler.getBeanType().getSimpleName().replace("Controller", "");
                operation.setOperationId(method + noun + ("list".equals(method) ? "s" : ""));
            }
            return operation;
        };
    }

    @Bean
    OpenAPI gatehouseOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("Gatehouse control API")
                        .version("v1")
                        .license(new License().name("Apache License 2.0").identifier("Apache-2.0"))
                        .description("""
                                Multi-tenant, multi-engine VPN panel. Authenticate with an access token \
                                (POST /auth/login) or an API token, as 'Authorization: Bearer ...'. Errors are \
                                RFC 9457 application/problem+json with a stable 'type'. Lists page with limit \
                                (1-200) and offset. An object of a tenant you cannot see answers 404.

                                Node agents do not use this API with bearer tokens: they connect to the \
                                collector over gRPC with mutual TLS, using a client certificate issued by \
                                Gatehouse's internal CA whose subject alternative name (SAN) equals the node id; \
                                the node id is never taken from a header or a message field."""))
                .servers(List.of(new Server().url("/")))
                .components(new Components().addSecuritySchemes("bearer", new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer")
                        .description("An access token (JWT, 15 minutes) or an API token (gha_...)")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }
}
