package io.sqreenrelay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RelaySettingsTest {

    private static RelaySettings read(Map<String, String> overrides) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "relay.http-port", "8080", "relay.max-body-size", "5242880", "relay.dedup-window", "1000"));
        properties.putAll(overrides);
        return RelaySettings.read(properties::get);
    }

    @Test
    void defaultsNeedNothing() {
        RelaySettings settings = read(Map.of());
        assertThat(settings.embeddedBroker()).isTrue();
        assertThat(settings.signatureKeys()).isEmpty();
        assertThat(settings.applicationId()).isNull();
        assertThat(settings.appName()).isEqualTo("sqreen-relay");
        assertThat(settings.httpPort()).isEqualTo(8080);
        assertThat(settings.managementPort()).as("health and metrics off the webhook's port").isEqualTo(9876);
    }

    @Test
    void theManagementPortIsNeverTheWebhooksPort() {
        assertThatThrownBy(() -> read(Map.of("relay.http-port", "18111", "relay.management-port", "18111")))
                .isInstanceOf(InvalidSetting.class)
                .hasMessageStartingWith("MANAGEMENT_PORT must differ from HTTP_PORT");
        assertThatThrownBy(() -> read(Map.of("relay.management-port", "port")))
                .hasMessageStartingWith("MANAGEMENT_PORT must be a port number");
        assertThat(read(Map.of("relay.http-port", "18111", "relay.management-port", "18112")).managementPort())
                .isEqualTo(18112);
    }

    @Test
    void severalSignatureKeys() {
        assertThat(read(Map.of("relay.signature-key", "a, b,,c ")).signatureKeys()).containsExactly("a", "b", "c");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "0", "65536", "80 80", "8080x"})
    void aWrongPortNamesItsVariable(String port) {
        assertThatThrownBy(() -> read(Map.of("relay.http-port", port)))
                .isInstanceOf(InvalidSetting.class)
                .hasMessageStartingWith("HTTP_PORT must be a port number");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://guest:s3cr3t@host:5672/", "amqp://guest:s3cr3t@:5672/", "amqp://guest:s3cr3t@host:99999/v",
            "amqp://guest:s3cr3t@host:port/v", "not a uri s3cr3t", "amqp:s3cr3t"})
    void aWrongRabbitmqUriNamesItsVariableAndNeverItsPassword(String uri) {
        assertThatThrownBy(() -> read(Map.of("relay.rabbitmq-uri", uri)))
                .isInstanceOf(InvalidSetting.class)
                .hasMessageStartingWith("RABBITMQ_URI must look like amqp://user:pass@host:port/vhost")
                .hasMessageNotContaining("s3cr3t");
    }

    @Test
    void aRabbitmqUriIsDescribedWithoutCredentials() {
        RelaySettings settings = read(Map.of("relay.rabbitmq-uri", "amqp://guest:s3cr3t@rabbit.local/prod"));
        assertThat(settings.embeddedBroker()).isFalse();
        assertThat(settings.brokerDescription()).isEqualTo("amqp://rabbit.local:5672 vhost prod").doesNotContain("s3cr3t");
    }

    @Test
    void aWrongWindowNamesItsVariable() {
        assertThatThrownBy(() -> read(Map.of("relay.dedup-window", "0")))
                .isInstanceOf(InvalidSetting.class).hasMessageStartingWith("DEDUP_WINDOW");
    }
}
