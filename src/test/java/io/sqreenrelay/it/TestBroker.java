package io.sqreenrelay.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The broker an integration test runs against: a fresh vhost on the real RabbitMQ at 127.0.0.1:5672, or the
 * relay's embedded broker (no RABBITMQ_URI).
 */
public interface TestBroker extends AutoCloseable {

    /** The RABBITMQ_URI to give the relay; null for the embedded broker. */
    String uri();

    @Override
    void close();

    static TestBroker embedded() {
        return new TestBroker() {
            @Override
            public String uri() {
                return null;
            }

            @Override
            public void close() {
            }

            @Override
            public String toString() {
                return "embedded broker";
            }
        };
    }

    /** A vhost of its own on the local RabbitMQ, deleted on close. */
    /** The two kinds the relay runs on, for parameterized tests: {@code @MethodSource("io.sqreenrelay.it.TestBroker#kinds")}. */
    static java.util.stream.Stream<String> kinds() {
        return java.util.stream.Stream.of("rabbitmq", "embedded");
    }

    /** A fresh broker of that kind: a RabbitMQ vhost, or the relay's embedded broker. */
    static TestBroker of(String kind) {
        return kind.equals("rabbitmq") ? rabbitMq() : embedded();
    }

    static RabbitVhost rabbitMq() {
        return new RabbitVhost("relay-it-" + UUID.randomUUID().toString().substring(0, 8));
    }

    final class RabbitVhost implements TestBroker {
        private final String name;

        RabbitVhost(String name) {
            this.name = name;
            rabbitmqctl("add_vhost", name);
            rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*");
        }

        public String name() {
            return name;
        }

        @Override
        public String uri() {
            return "amqp://guest:guest@127.0.0.1:5672/" + name;
        }

        /** Takes the broker away from the relay: its user loses the vhost, and its connections are closed. */
        public void cut() {
            rabbitmqctl("clear_permissions", "-p", name, "guest");
            closeConnections();
        }

        /** Gives the vhost back to the relay's user. */
        public void restore() {
            rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*");
        }

        /** Closes the relay's connections (a network cut); it may connect again at once. */
        public void closeConnections() {
            rabbitmqctl("close_all_connections", "-p", name, "test: connection cut");
        }

        /** Takes the broker away from the relay: the vhost and its connections are gone. */
        public void delete() {
            rabbitmqctl("delete_vhost", name);
        }

        /** {@code rabbitmqctl list_queues} for this vhost: one line per queue with the asked columns. */
        public List<String> queues(String... columns) {
            String[] command = new String[4 + columns.length];
            command[0] = "list_queues";
            command[1] = "-p";
            command[2] = name;
            command[3] = "--quiet";
            System.arraycopy(columns, 0, command, 4, columns.length);
            return rabbitmqctl(command).lines().filter(l -> !l.isBlank() && !l.startsWith("name")).toList();
        }

        @Override
        public void close() {
            try {
                rabbitmqctl("delete_vhost", name);
            } catch (IllegalStateException alreadyGone) {
                // deleted by the test itself
            }
        }

        @Override
        public String toString() {
            return "RabbitMQ vhost " + name;
        }
    }

    static String rabbitmqctl(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "rabbitmqctl";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("rabbitmqctl " + String.join(" ", args) + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("rabbitmqctl is not available", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
