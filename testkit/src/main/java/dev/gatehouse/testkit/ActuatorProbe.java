package dev.gatehouse.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Reads a running app's actuator endpoints over real HTTP and checks what every app must serve. */
public final class ActuatorProbe {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ActuatorProbe() {
    }

    /** Fails unless /actuator/health answers 200 UP and lists each named component. */
    public static void assertHealthUp(int port, String... components) throws IOException, InterruptedException {
        HttpResponse<String> response = get(port, "/actuator/health");
        check(response.statusCode() == 200, "health answered " + response.statusCode() + ": " + response.body());
        check(response.body().contains("\"status\":\"UP\""), "health is not UP: " + response.body());
        for (String component : components) {
            check(response.body().contains("\"" + component + "\":{\"status\":\"UP\""),
                    "health component " + component + " is not UP: " + response.body());
        }
    }

    /** Fails unless /actuator/prometheus serves the text exposition format with JVM metrics. */
    public static void assertPrometheusText(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = get(port, "/actuator/prometheus");
        check(response.statusCode() == 200, "prometheus answered " + response.statusCode());
        String type = response.headers().firstValue("Content-Type").orElse("");
        check(type.startsWith("text/plain"), "prometheus content type is " + type);
        check(response.body().contains("# TYPE jvm_memory_used_bytes gauge"), "no JVM metrics in " + response.body());
    }

    public static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
