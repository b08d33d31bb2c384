package dev.gatehouse.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** JSON over HTTP to a running control-api, as an administrator (tests and benchmarks of whole processes). */
public final class AdminApi {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private String token;
    private long tokenAt;

    public AdminApi(String base) {
        this.base = base;
    }

    public String base() {
        return base;
    }

    /** Signs in once; later calls sign in again only when the access token is 10 minutes old. */
    public void login(String username, String password) throws Exception {
        if (token != null && System.nanoTime() - tokenAt < Duration.ofMinutes(10).toNanos()) {
            return;
        }
        token = null;
        token = post("/auth/login", Map.of("username", username, "password", password)).path("access_token")
                .asString();
        tokenAt = System.nanoTime();
    }

    public JsonNode post(String path, Object body) throws Exception {
        return send("POST", path, body);
    }

    public JsonNode patch(String path, Object body) throws Exception {
        return send("PATCH", path, body);
    }

    public JsonNode get(String path) throws Exception {
        return send("GET", path, null);
    }

    private JsonNode send(String method, String path, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }
}
