package io.sqreenrelay;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * The relay's settings, read from the {@code relay.*} properties that {@code application.properties} maps from
 * the environment variables of the SPEC. A setting that is present but wrong stops the start with one line
 * naming its variable; a secret's value is never part of that line.
 *
 * @param signatureKeys  the valid webhook secrets (empty: none configured, one is generated at start)
 * @param applicationId  the relay's own Sqreen application id (null: no internal alerts)
 * @param appName        the relay's own application name, shown in messages
 * @param httpPort       the webhook's listening port
 * @param managementPort the port of health and metrics (Camel's management server), never the webhook's
 * @param maxBodySize    the largest webhook body accepted, in bytes
 * @param rabbitmqUri    the RabbitMQ to use (null: the embedded broker)
 * @param dataDir        where the embedded broker and the relay's state live
 * @param dedupWindow    how many recent event keys are remembered to recognise Sqreen's resends
 */
public record RelaySettings(
        List<String> signatureKeys,
        String applicationId,
        String appName,
        int httpPort,
        int managementPort,
        long maxBodySize,
        URI rabbitmqUri,
        Path dataDir,
        int dedupWindow) {

    /** Reads and checks every setting; {@code property} returns a property's value, or null when unset. */
    public static RelaySettings read(Function<String, String> property) {
        logFormat(property.apply("relay.log-format"));
        int httpPort = port(property.apply("relay.http-port"), "HTTP_PORT");
        int managementPort = port(orDefault(property.apply("relay.management-port"), "9876"), "MANAGEMENT_PORT");
        if (managementPort == httpPort) {
            throw new InvalidSetting("MANAGEMENT_PORT must differ from HTTP_PORT (" + httpPort
                    + "): health and metrics are never served on the webhook's port");
        }
        return new RelaySettings(
                SettingsList.items(property.apply("relay.signature-key")),
                blankToNull(property.apply("relay.application-id")),
                orDefault(property.apply("relay.app-name"), "sqreen-relay"),
                httpPort,
                managementPort,
                positiveInt(property.apply("relay.max-body-size"), "MAX_BODY_SIZE"),
                rabbitmqUri(property.apply("relay.rabbitmq-uri")),
                Path.of(orDefault(property.apply("relay.data-dir"), "data")),
                positiveInt(property.apply("relay.dedup-window"), "DEDUP_WINDOW"));
    }

    public boolean embeddedBroker() {
        return rabbitmqUri == null;
    }

    /** The broker as it may be shown: scheme, host, port and vhost, never the credentials. */
    public String brokerDescription() {
        if (embeddedBroker()) {
            return "embedded (Qpid Broker-J, store " + dataDir.resolve("broker") + ")";
        }
        String vhost = rabbitmqUri.getPath() == null || rabbitmqUri.getPath().length() <= 1
                ? "/" : rabbitmqUri.getPath().substring(1);
        return rabbitmqUri.getScheme() + "://" + rabbitmqUri.getHost() + ":" + amqpPort(rabbitmqUri) + " vhost " + vhost;
    }

    /** LOG_FORMAT is read by the logging configuration (log4j2.properties); checked here so a typo is not silent. */
    static String logFormat(String value) {
        String format = orDefault(value, "text").trim();
        if (!format.equals("text") && !format.equals("json")) {
            throw new InvalidSetting("LOG_FORMAT must be text or json, got '" + printable(format) + "'");
        }
        return format;
    }

    static int amqpPort(URI uri) {
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        return "amqps".equals(uri.getScheme()) ? 5671 : 5672;
    }

    static int port(String value, String variable) {
        String text = blankToNull(value);
        if (text == null) {
            throw new InvalidSetting(variable + " is required");
        }
        try {
            int port = Integer.parseInt(text.trim());
            if (port >= 1 && port <= 65535) {   // 0 would be a random port, not the one Sqreen is told
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidSetting(variable + " must be a port number from 1 to 65535, got '" + printable(text) + "'");
    }

    static int positiveInt(String value, String variable) {
        try {
            int number = Integer.parseInt(String.valueOf(value).trim());
            if (number > 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidSetting(variable + " must be a positive whole number, got '" + printable(value) + "'");
    }

    /** Checks an {@code amqp://user:pass@host:port/vhost} URI. Its text is never quoted back: it holds a password. */
    static URI rabbitmqUri(String value) {
        String text = blankToNull(value);
        if (text == null) {
            return null;
        }
        return serverUri(text, "RABBITMQ_URI must look like amqp://user:pass@host:port/vhost", "amqp", "amqps");
    }

    /**
     * Checks the URI of a server: valid, one of two schemes, a host, a port in range. Throws {@link InvalidSetting}
     * starting with {@code expected}; the URI's text is never quoted back (it may hold a password).
     */
    static URI serverUri(String text, String expected, String scheme, String tlsScheme) {
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new InvalidSetting(expected + " (it is not a valid URI)");
        }
        if (!scheme.equals(uri.getScheme()) && !tlsScheme.equals(uri.getScheme())) {
            throw new InvalidSetting(expected + " (the scheme must be " + scheme + " or " + tlsScheme + ")");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InvalidSetting(expected + " (the host or the port is malformed)");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw new InvalidSetting(expected + " (the port is not a number from 1 to 65535)");
        }
        return uri;
    }

    private static String orDefault(String value, String fallback) {
        String text = blankToNull(value);
        return text == null ? fallback : text.trim();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** A non-secret setting's value, safe to quote in one log line. */
    static String printable(String value) {
        String text = String.valueOf(value).replaceAll("\\p{Cntrl}", "?");
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }
}
