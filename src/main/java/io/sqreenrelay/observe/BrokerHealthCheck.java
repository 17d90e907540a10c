package io.sqreenrelay.observe;

import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;

/**
 * Readiness: the relay's broker connection is open. Each call uses the shared connection, or tries to open it again
 * (a few seconds at most), so readiness comes back by itself when the broker does. Never says more about the
 * broker than its description without credentials.
 */
public final class BrokerHealthCheck extends AbstractHealthCheck {

    private final ConnectionFactory connections;
    private final String broker;
    private final BooleanSupplier started;

    /**
     * @param connections the relay's connection factory
     * @param broker      the broker's description, without credentials
     * @param started     false while the embedded broker is still starting: down, without trying to connect
     */
    public BrokerHealthCheck(ConnectionFactory connections, String broker, BooleanSupplier started) {
        super("sqreen-relay", "broker");
        this.connections = connections;
        this.broker = broker;
        this.started = started;
    }

    @Override
    public boolean isLiveness() {
        return false; // a missing broker is not cured by restarting the relay
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("broker", broker);
        if (!started.getAsBoolean()) {
            builder.message("the embedded broker is starting");
            builder.down();
            return;
        }
        try {
            Connection connection = connections.createConnection();
            if (connection.isOpen()) {
                builder.up();
                return;
            }
            builder.message("the broker connection is closed");
        } catch (RuntimeException e) {
            builder.message("cannot connect to the broker: " + reason(e));
        }
        builder.down();
    }

    /** The innermost cause's type and message: "ConnectException: Connection refused", never a URI. */
    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage().lines().findFirst().orElse("");
        return root.getClass().getSimpleName() + message;
    }
}
