package io.sqreenrelay.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server process of the test's own, on a free loopback port, without persistence: a test that takes Redis
 * away stops this one, never the machine's. Started again on the same port, as after an outage.
 */
public final class RedisServer implements AutoCloseable {

    private final int port;
    private final Path log;
    private Process process;

    private RedisServer(int port, Path log) {
        this.port = port;
        this.log = log;
    }

    /** Starts {@code redis-server} on a free port and waits until it answers PING. */
    public static RedisServer start(Path log) throws Exception {
        RedisServer server = new RedisServer(RelayUnderTest.freePort(), log);
        server.startAgain();
        return server;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    /** Stops the server at once (SIGKILL): clients see their connections cut and new ones refused. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts the server again on the same port (empty: nothing was persisted) and waits until it answers. */
    public void startAgain() throws Exception {
        process = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        Process started = process;   // stopped with the test JVM if close() never comes (as RelayProcess)
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "stop redis-server " + started.pid()));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!answersPing()) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new IllegalStateException("redis-server did not start on port " + port);
            }
            Thread.sleep(50);
        }
    }

    private boolean answersPing() {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = new byte[7];
            int read = in.readNBytes(answer, 0, answer.length);
            return new String(answer, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException notYet) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
