package io.sqreenrelay.it;

import io.sqreenrelay.ingress.WebhookSignature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged relay, {@code java -jar target/sqreen-relay.jar}, in a JVM of its own, configured only by environment
 * variables, as ops run it. Its console goes to a file.
 */
public final class RelayProcess implements AutoCloseable {

    static final Path JAR = Path.of("target", "sqreen-relay.jar");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int port;
    private final int managementPort;
    private final Path console;
    private final long startedAt;

    private RelayProcess(Process process, int port, int managementPort, Path console, long startedAt) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.console = console;
        this.startedAt = startedAt;
    }

    /**
     * Starts the jar from the project directory (where routes/ is) with these environment variables added, the webhook
     * on {@code port} and health and metrics on a free port (unless {@code env} sets {@code MANAGEMENT_PORT}), one
     * message per event (unless {@code env} sets {@code GROUP_BY}).
     */
    public static RelayProcess start(int port, Map<String, String> env, Path console) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: the integration tests run after mvn package");
        }
        return start(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()), port, env, console);
    }

    /**
     * As {@link #start}, through the documented launcher {@code target/sqreen-relay} (mvn package writes it): the
     * JVM defaults of the image (heap, collector). The launcher execs Java, so {@link #pid()} is the relay's JVM.
     */
    public static RelayProcess startLauncher(int port, Map<String, String> env, Path console) throws IOException {
        Path launcher = JAR.resolveSibling("sqreen-relay");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException(launcher + " is missing: mvn package writes it");
        }
        ProcessBuilder builder = new ProcessBuilder(launcher.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return start(builder, port, env, console);
    }

    private static RelayProcess start(ProcessBuilder builder, int port, Map<String, String> env, Path console)
            throws IOException {
        Map<String, String> environment = new HashMap<>(env);
        environment.put("HTTP_PORT", String.valueOf(port));
        environment.putIfAbsent("MANAGEMENT_PORT", String.valueOf(RelayUnderTest.freePort()));
        // one message per event, as the tests of other areas count them; the digests' tests set GROUP_BY themselves
        environment.putIfAbsent("GROUP_BY", "none");
        builder.environment().putAll(environment);
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()));
        long startedAt = System.nanoTime();
        Process process = builder.start();
        // a test JVM that ends before close() (failsafe's time-out, a SIGTERM to the build) takes the relay with it:
        // else it keeps its ports, its broker connections and a core for the next build on the machine
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "stop relay " + process.pid()));
        return new RelayProcess(process, port, Integer.parseInt(environment.get("MANAGEMENT_PORT")), console,
                startedAt);
    }

    /** Waits until readiness answers 200; returns the milliseconds since the process was started. */
    public long awaitReady(Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the relay exited with " + process.exitValue() + ":\n" + console());
            }
            try {
                if (observe("/observe/health/ready").statusCode() == 200) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(25);
        }
        throw new IllegalStateException("not ready after " + atMost + ":\n" + console());
    }

    /** GET on the webhook's port. */
    public HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GET on the management port: {@code /observe/health/ready}, {@code /observe/metrics}, ... */
    public HttpResponse<String> observe(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs {@code body} to the webhook, signed with {@code key}, as Sqreen does. */
    public HttpResponse<String> postSigned(String key, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri("/v1/webhook"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-Sqreen-Integrity", WebhookSignature.sign(key, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** SIGTERM, as an orchestrator stops a container. */
    public void terminate() {
        process.destroy();
    }

    /** SIGKILL: the process ends at once, with no shutdown of any kind (a crash, the OOM killer). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the relay survived a SIGKILL");
        }
    }

    /** Waits for the process to exit; returns its exit code. */
    public int awaitExit(Duration atMost) throws InterruptedException {
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the relay did not exit within " + atMost);
        }
        return process.exitValue();
    }

    /** The operating system's process id. */
    public long pid() {
        return process.pid();
    }

    public String console() throws IOException {
        return Files.readString(console, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
