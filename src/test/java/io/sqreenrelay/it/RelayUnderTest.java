package io.sqreenrelay.it;

import io.sqreenrelay.RelayMain;
import io.sqreenrelay.ingress.WebhookSignature;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/** The relay started in this JVM, exactly as {@code RelayMain} starts it, on free ports (webhook and management). */
public final class RelayUnderTest implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Main main;
    private final int port;
    private final int managementPort;

    private RelayUnderTest(Main main, int port, int managementPort) {
        this.main = main;
        this.port = port;
        this.managementPort = managementPort;
    }

    /**
     * @param broker   the broker to use
     * @param dataDir  DATA_DIR (the embedded broker's store lives there)
     * @param settings further relay.* properties (ungrouped, relay.group.by none, unless they set it)
     */
    public static RelayUnderTest start(TestBroker broker, Path dataDir, Map<String, String> settings) throws Exception {
        int port = freePort();
        Map<String, String> properties = new HashMap<>();
        properties.put("relay.http-port", String.valueOf(port));
        properties.put("relay.management-port", String.valueOf(freePort()));
        properties.put("relay.data-dir", dataDir.toString());
        properties.put("relay.rabbitmq-uri", broker.uri() == null ? "" : broker.uri());
        // one message per event, as the tests of other areas count them; the digests' tests set GROUP_BY themselves
        properties.put("relay.group.by", "none");
        properties.putAll(settings);
        Main main = RelayMain.newMain();
        properties.forEach(main::addOverrideProperty);
        main.start();
        return new RelayUnderTest(main, port, Integer.parseInt(properties.get("relay.management-port")));
    }

    public CamelContext camel() {
        return main.getCamelContext();
    }

    public int port() {
        return port;
    }

    public URI webhook() {
        return URI.create("http://127.0.0.1:" + port + "/v1/webhook");
    }

    /** POSTs {@code body} signed with {@code secret}, as application/json. */
    public HttpResponse<String> postSigned(String secret, byte[] body) throws Exception {
        return send(HttpRequest.newBuilder(webhook())
                .header("Content-Type", "application/json")
                .header("X-Sqreen-Integrity", WebhookSignature.sign(secret, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    public int managementPort() {
        return managementPort;
    }

    /** GET on the webhook's port ({@code HTTP_PORT}). */
    public HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET());
    }

    /** GET on the management port: {@code /observe/health/ready}, {@code /observe/metrics}, ... */
    public HttpResponse<String> observe(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).GET());
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Stops the target's consumer: what is accepted meanwhile waits in the target's queue. */
    public void stopDelivery(String target) throws Exception {
        camel().getRouteController().stopRoute("deliver-" + target);
    }

    @Override
    public void close() throws Exception {
        main.stop();
    }

    /** A loopback port nothing listens on (yet). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
