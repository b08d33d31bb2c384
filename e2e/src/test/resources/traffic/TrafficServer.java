import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/**
 * The far end of test traffic, run as a single-file program where the test's JVM cannot be (inside
 * a node's network namespace): GET /down?bytes=N answers N bytes, POST /up reads the body. Prints
 * "ready" once it listens.
 */
public class TrafficServer {

    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", Integer.parseInt(args[0])), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        byte[] chunk = new byte[64 * 1024];
        new java.util.Random(1).nextBytes(chunk);
        server.createContext("/down", exchange -> {
            String query = exchange.getRequestURI().getQuery();
            long bytes = Long.parseLong(query.substring(query.indexOf('=') + 1));
            exchange.sendResponseHeaders(200, bytes);
            try (OutputStream out = exchange.getResponseBody()) {
                for (long sent = 0; sent < bytes; sent += chunk.length) {
                    out.write(chunk, 0, (int) Math.min(chunk.length, bytes - sent));
                }
            }
        });
        server.createContext("/up", exchange -> {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        System.out.println("ready");
    }
}
