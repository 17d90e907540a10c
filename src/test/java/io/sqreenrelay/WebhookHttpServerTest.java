package io.sqreenrelay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sqreenrelay.ingress.IngressGate;
import io.sqreenrelay.observe.WebhookRequests;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/**
 * The webhook's server on a real Vert.x: a port another process took after the start-up check fails the start with
 * one line naming HTTP_PORT (Camel's server only logged it, and the relay waited, never ready).
 */
class WebhookHttpServerTest {

    @Test
    void aPortTakenByAnotherProcessFailsTheStartNamingHttpPort() throws Exception {
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress(0));
            int port = other.getLocalPort();
            DefaultCamelContext context = new DefaultCamelContext();
            HttpHardening hardening = new HttpHardening(1 << 20, 5, new IngressGate(),
                    new WebhookRequests(new SimpleMeterRegistry()), 10_000);
            context.addService(new WebhookHttpServer(port, 1 << 20, hardening), true, true);
            try {
                assertThatThrownBy(context::start).isInstanceOf(StartupFailure.class)
                        .hasMessageStartingWith("HTTP_PORT=" + port + ": cannot listen on port " + port)
                        .hasMessageContaining("in use");
            } finally {
                context.stop();
            }
        }
    }

    @Test
    void aFreePortIsListenedOn() throws Exception {
        DefaultCamelContext context = new DefaultCamelContext();
        HttpHardening hardening = new HttpHardening(1 << 20, 5, new IngressGate(),
                new WebhookRequests(new SimpleMeterRegistry()), 10_000);
        WebhookHttpServer server = new WebhookHttpServer(0, 1 << 20, hardening);
        context.addService(server, true, true);
        try {
            context.start();
            assertThat(server.getServer().actualPort()).isPositive();
        } finally {
            context.stop();
        }
    }
}
