package io.sqreenrelay.it;

import io.sqreenrelay.RelayMain;
import io.sqreenrelay.ingress.WebhookSignature;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/** The relay started in this JVM, exactly as {@code RelayMain} starts it, on free ports (webhook and management). */
public final class RelayUnderTest implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The ports {@link #freePort} handed out, never handed out again. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

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
        try {
            main.start();
        } catch (Exception | Error failed) {
            // what started before the failure (the embedded broker, its port, threads) would stay in this JVM, shared
            // by every later test class, until the end of the suite
            try {
                main.stop();
            } catch (Exception alsoFailed) {
                failed.addSuppressed(alsoFailed);
            }
            throw failed;
        }
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

    /**
     * A port nothing listens on (yet), on any address (the relay listens on 0.0.0.0), that this JVM never handed out
     * before, and below the kernel's ephemeral range.
     *
     * <p>It used to be the kernel's pick for a socket bound to port 0 and closed at once. Then the next such pick
     * could be the same port (13 times in 200,000 consecutive picks measured here, about 1 in 15,000): the webhook and
     * management ports of one relay, or two relays of a cluster, got the same port; and the ephemeral range is where
     * every other bind to port 0 lands before the relay binds its port: the embedded broker's AMQP port (the relay
     * picks it that way), GreenMail, the test's own outgoing connections. Ports below that range are never handed out
     * by the kernel, and this set makes each one this JVM's once.
     */
    public static int freePort() throws IOException {
        int below = ephemeralRangeStart();
        int from = Math.max(1024, below - 12_000);
        if (below - from < 1000) {   // an odd range starting near 1024: any unprivileged port, checked below
            from = 1024;
            below = 65_536;
        }
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(from, below);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(port));
                return port;
            } catch (IOException inUse) {
                // another process listens there: another port
            }
        }
        throw new IOException("no free port found in [" + from + ", " + below + ")");
    }

    /** The first port of Linux's ephemeral range ({@code net.ipv4.ip_local_port_range}), 32768 elsewhere. */
    private static int ephemeralRangeStart() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException unknown) {
            return 32_768;
        }
    }
}
