package dev.gatehouse.controlapi.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlapi.support.Api;
import dev.gatehouse.controlapi.support.ControlApiTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI contract served at /openapi.json is the one checked into docs/openapi.json. After an
 * API change, refresh the file with GATEHOUSE_UPDATE_OPENAPI=1 ./mvnw verify -pl control-api and
 * commit it with the change.
 */
class OpenApiContractIT extends ControlApiTest {

    private static final Path CHECKED_IN = Path.of(System.getenv("GATEHOUSE_MODULE_DIR")).getParent()
            .resolve("docs").resolve("openapi.json");

    @Test
    void theServedContractIsTheCheckedInOne() throws Exception {
        Api.Response served = anonymous.get("/openapi.json");
        assertThat(served.status()).isEqualTo(200);
        JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
                .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
        JsonNode tree = json.readTree(served.body());
        String pretty = json.writeValueAsString(json.treeToValue(tree, java.util.Map.class)) + "\n";

        if ("1".equals(System.getenv("GATEHOUSE_UPDATE_OPENAPI"))) {
            Files.writeString(CHECKED_IN, pretty, StandardCharsets.UTF_8);
        }
        assertThat(Files.exists(CHECKED_IN)).as("docs/openapi.json exists").isTrue();
        assertThat(Files.readString(CHECKED_IN, StandardCharsets.UTF_8))
                .as("docs/openapi.json is out of date: run GATEHOUSE_UPDATE_OPENAPI=1 ./mvnw verify -pl control-api")
                .isEqualTo(pretty);
    }

    @Test
    void swaggerUiIsServed() {
        Api.Response ui = anonymous.get("/swagger-ui/index.html");
        assertThat(ui.status()).isEqualTo(200);
        assertThat(ui.body()).contains("swagger-ui");
    }

    @Test
    void theContractNamesEveryResourceAndTheNodeIdentityRule() {
        JsonNode doc = anonymous.get("/openapi.json").json();
        for (String path : new String[] {"/auth/login", "/auth/refresh", "/tenants", "/users", "/roles",
                "/memberships", "/audit", "/api-tokens", "/plans", "/nodes", "/nodes/{id}/policy", "/nodes/{id}/health",
                "/subscriptions", "/users/{id}/engines", "/users/{id}/configs", "/users/{id}/wireguard/qr",
                "/sub/{token}", "/users/bulk", "/webhooks", "/webhooks/{id}/secret",
                "/webhooks/{id}/deliveries", "/jobs", "/jobs/{name}/runs"}) {
            assertThat(doc.path("paths").has(path)).as(path).isTrue();
        }
        assertThat(doc.path("info").path("description").asString()).contains("SAN").contains("node id");
        assertThat(doc.path("components").path("securitySchemes").has("bearer")).isTrue();
    }
}
