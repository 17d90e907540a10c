package io.sqreenrelay.broker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.qpid.server.SystemLauncher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AMQP 0-9-1 broker inside the relay's own JVM (Apache Qpid Broker-J), so that the relay runs with nothing
 * else installed. It starts on a thread of its own while the relay loads its routes ({@link #starting}). Messages
 * are kept in a Derby store under the work directory: a restart loses nothing.
 *
 * <p>It listens on 127.0.0.1 only, on a free port chosen at start (never 5672, where a real RabbitMQ may be),
 * and its one user gets a fresh random password at every start.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    public static final String USER = "relay";

    private final SystemLauncher launcher;
    private final int port;
    private final String password;
    private final Path workDir;

    /** Done when the broker listens; failed with the reason it did not start. */
    private final CompletableFuture<Void> started = new CompletableFuture<>();

    private EmbeddedBroker(SystemLauncher launcher, int port, String password, Path workDir) {
        this.launcher = launcher;
        this.port = port;
        this.password = password;
        this.workDir = workDir;
    }

    /**
     * Starts the broker on a thread of its own and returns at once, so that the relay loads its routes meanwhile
     * (Qpid's start is about half of the relay's). The port and the password are fixed before, so connections can be
     * configured now; nothing may connect before {@link #awaitStarted()} returned.
     *
     * @param workDir the broker's directory (its Derby store under {@code default/}), created when missing
     * @throws IOException when the directory cannot be made or no loopback port is free
     */
    public static EmbeddedBroker starting(Path workDir) throws IOException {
        Path dir = workDir.toAbsolutePath();
        Files.createDirectories(dir);
        // Derby writes derby.log into the working directory unless told otherwise
        System.setProperty("derby.stream.error.file", dir.resolve("derby.log").toString());
        EmbeddedBroker broker = new EmbeddedBroker(new SystemLauncher(), freeLoopbackPort(), randomPassword(), dir);
        Thread starter = new Thread(broker::start, "embedded-broker-start");
        starter.setDaemon(true);
        starter.start();
        return broker;
    }

    /**
     * Waits until the broker listens.
     *
     * @throws IllegalStateException when it did not start (its cause, if any, is the broker's error; Qpid has logged
     *                               it too), or did not listen within 30 s
     * @throws InterruptedException  when interrupted while waiting
     */
    public void awaitStarted() throws InterruptedException {
        try {
            started.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IllegalStateException stated ? stated
                    : new IllegalStateException("the embedded AMQP broker did not start: " + e.getCause(), e.getCause());
        }
    }

    /** True once the broker listens (never when its start failed). */
    public boolean isStarted() {
        return started.isDone() && !started.isCompletedExceptionally();
    }

    private void start() {
        try {
            Map<String, Object> context = new HashMap<>();
            context.put("qpid.work_dir", workDir.toString());
            context.put("qpid.amqp_port", port);
            context.put("qpid.relay_password", password);
            // Qpid is not RabbitMQ: RabbitMQ-only queue arguments (x-queue-type: quorum) are ignored here
            context.put("queue.behaviourOnUnknownDeclareArgument", "IGNORE");

            // The broker's own configuration is rebuilt from the initial configuration at every start (fresh
            // port and password); the messages live in the Derby store of the virtual host node, which is kept.
            Path config = workDir.resolve("broker-config.json");
            Files.deleteIfExists(config);
            Map<String, Object> attributes = new HashMap<>();
            attributes.put("type", "JSON");
            attributes.put("storePath", config.toString());
            attributes.put("initialConfigurationLocation", resource("qpid-embedded.json"));
            attributes.put("initialSystemPropertiesLocation", resource("qpid-embedded.properties"));
            attributes.put("startupLoggedToSystemOut", false);
            attributes.put("context", context);

            long began = System.nanoTime();
            launcher.startup(attributes);
            // SystemLauncher logs a failed start without always throwing: check that the port answers
            awaitListening(port, launcher);
            LOG.info("Embedded AMQP broker started on 127.0.0.1:{} in {} ms, store {}",
                    port, (System.nanoTime() - began) / 1_000_000, workDir);
            started.complete(null);
        } catch (Throwable e) {
            started.completeExceptionally(e);
        }
    }

    public int port() {
        return port;
    }

    public String password() {
        return password;
    }

    public Path workDir() {
        return workDir;
    }

    /** Stops the broker (once its start, if still running, has ended). */
    @Override
    public void close() {
        try {
            started.join();
        } catch (RuntimeException didNotStart) {
            return;   // awaitListening shut it down, or it never came up
        }
        launcher.shutdown();
        LOG.info("Embedded AMQP broker stopped");
    }

    private static void awaitListening(int port, SystemLauncher launcher) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        launcher.shutdown();
        throw new IllegalStateException("the embedded AMQP broker did not start (see the log above)");
    }

    private static String resource(String name) {
        URL url = EmbeddedBroker.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IllegalStateException("missing classpath resource " + name);
        }
        return url.toExternalForm();
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
