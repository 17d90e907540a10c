package io.sqreenrelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sqreenrelay.event.AcceptedEvent;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.EndpointInject;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * The delivery template of routes/delivery-template.yaml, at route level (camel-test-main, no broker: each target's
 * queue consumer is replaced by a direct endpoint, its send by a mock): the routing rule {@code when} (true, false,
 * absent), the filtered events counted, and a target whose {@code enabled} precondition is false left without a route.
 */
@CamelMainTest(
        propertyPlaceholderLocations = "classpath:delivery-template/test.properties",
        configurationClasses = DeliveryTemplateTest.Beans.class,
        replaceRouteFromWith = {"deliver-ruled=direct:ruled", "deliver-all=direct:all", "deliver-on=direct:on",
                "deliver-misspelt=direct:misspelt", "deliver-by-ip=direct:by-ip"})
class DeliveryTemplateTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the template's steps and the delivery outcomes refer to, real but for the failure handler. */
    public static class Beans implements CamelConfiguration {
        static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();
        static final TargetActivity ACTIVITY = new TargetActivity(METERS);

        @BindToRegistry("targetActivity")
        public TargetActivity activity() {
            return ACTIVITY;
        }

        @BindToRegistry("deliveredKeys")
        public DeliveredKeys deliveredKeys() {
            return new DeliveredKeys(100);
        }

        @BindToRegistry("targetHolds")
        public TargetHolds targetHolds() {
            return new TargetHolds();
        }

        /** The outcome table's classifier; with no broker behind it, a failure could not be parked and would fail the
         * exchange (none is expected), so it cannot pass unseen. */
        @BindToRegistry("deliveryFailures")
        public DeliveryFailures deliveryFailures() {
            return new DeliveryFailures(new DeliveryOutcomes(
                    new RetryPolicy(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofHours(24)), () -> 0.5),
                    null, null, ACTIVITY, new TargetHolds(), null);
        }

        @Override
        public void configure(CamelContext camelContext) throws Exception {
            DigestStores.bind(camelContext, (target, body, headers) -> {
                throw new IllegalStateException("no target here is grouped");
            });
        }
    }

    @EndpointInject("mock:ruled")
    MockEndpoint ruled;

    @EndpointInject("mock:all")
    MockEndpoint all;

    @EndpointInject("mock:on")
    MockEndpoint on;

    @EndpointInject("mock:misspelt")
    MockEndpoint misspelt;

    @EndpointInject("mock:by-ip")
    MockEndpoint byIp;

    @org.apache.camel.Produce
    ProducerTemplate producer;

    @org.apache.camel.BeanInject
    CamelContext context;

    @Test
    void onlyTheEventsARuleMatchesAreSentAndTheOthersAreCountedAsFiltered() throws Exception {
        AcceptedEvent production = event("production", false);
        AcceptedEvent staging = event("staging", false);
        AcceptedEvent noEnvironment = event(null, true);
        byte[] message = JSON.writeValueAsBytes(List.of(production, staging, noEnvironment));
        ruled.expectedMessageCount(1);
        all.expectedMessageCount(3);

        producer.sendBody("direct:ruled", message);
        producer.sendBody("direct:all", message);

        MockEndpoint.assertIsSatisfied(context);
        assertThat(ruled.getExchanges().get(0).getProperty(DeliveryProperties.EVENT, AcceptedEvent.class))
                .isEqualTo(production);
        assertThat(all.getExchanges()).extracting(e -> e.getProperty(DeliveryProperties.EVENT, AcceptedEvent.class))
                .containsExactly(production, staging, noEnvironment);
        // rule true: delivered; false (or a field absent): filtered, acknowledged, never a failure; no rule: all sent
        assertThat(Beans.ACTIVITY.states().get("ruled").delivered()).isEqualTo(1);
        assertThat(counter("ruled", "filtered")).isEqualTo(2);
        assertThat(counter("all", "filtered")).isZero();
        assertThat(Beans.ACTIVITY.states().get("all").delivered()).isEqualTo(3);
        assertThat(counter("ruled", "retried") + counter("ruled", "dead_lettered")).isZero();
    }

    @Test
    void aRuleThatCannotBeEvaluatedForAnEventFiltersItAndNeverFailsTheDelivery() throws Exception {
        AcceptedEvent noAddress = event("production", false);
        AcceptedEvent withAddress = new AcceptedEvent("app:security_event:id-ip", false, System.currentTimeMillis(),
                "{\"sqreen_payload_type\":\"security_event\",\"id\":\"ip\",\"application_id\":\"app\","
                        + "\"ips\":[{\"address\":\"10.0.0.1\"}]}");
        byte[] message = JSON.writeValueAsBytes(List.of(noAddress, withAddress));
        byIp.expectedMessageCount(1);
        misspelt.expectedMessageCount(0);

        // a failure would reach the outcome table, which has no broker here to park it in: the send would throw
        producer.sendBody("direct:by-ip", message);
        producer.sendBody("direct:misspelt", message);

        MockEndpoint.assertIsSatisfied(context);
        assertThat(byIp.getExchanges().get(0).getProperty(DeliveryProperties.EVENT, AcceptedEvent.class))
                .isEqualTo(withAddress);
        assertThat(counter("by-ip", "filtered")).as("ips[0] of an event without addresses").isEqualTo(1);
        assertThat(counter("misspelt", "filtered")).isEqualTo(2);
        assertThat(counter("misspelt", "dead_lettered") + counter("misspelt", "retried")
                + counter("by-ip", "dead_lettered") + counter("by-ip", "retried")).isZero();
    }

    @Test
    void aTargetWhosePreconditionIsFalseHasNoRouteAndOneWhoseIsTrueHasOne() throws Exception {
        assertThat(context.getRoute("deliver-off")).as("enabled: test.off-url is empty").isNull();
        assertThat(context.getRoute("deliver-on")).as("enabled: test.on-url is set").isNotNull();
        on.expectedMessageCount(1);
        producer.sendBody("direct:on", JSON.writeValueAsBytes(List.of(event("production", false))));
        on.assertIsSatisfied();
    }

    private static double counter(String target, String outcome) {
        return Beans.METERS.find("sqreen.relay.deliveries").tag("target", target).tag("outcome", outcome).counter().count();
    }

    private static AcceptedEvent event(String environment, boolean internal) {
        String id = UUID.randomUUID().toString();
        String source = "{\"sqreen_payload_type\":\"security_event\",\"id\":\"" + id + "\",\"application_id\":\"app\""
                + (environment == null ? "" : ",\"environment\":\"" + environment + "\"") + "}";
        return new AcceptedEvent("app:security_event:id-" + id, internal, System.currentTimeMillis(), source);
    }
}
