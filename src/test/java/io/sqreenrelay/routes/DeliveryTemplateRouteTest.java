package io.sqreenrelay.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sqreenrelay.broker.ListenerContainers;
import io.sqreenrelay.delivery.DeliveredKeys;
import io.sqreenrelay.delivery.DeliveryFailures;
import io.sqreenrelay.delivery.DeliveryOutcomes;
import io.sqreenrelay.delivery.DeliveryProperties;
import io.sqreenrelay.delivery.DigestGroups;
import io.sqreenrelay.delivery.DigestStores;
import io.sqreenrelay.delivery.Recipients;
import io.sqreenrelay.delivery.RetryPolicy;
import io.sqreenrelay.delivery.TargetActivity;
import io.sqreenrelay.delivery.TargetHolds;
import io.sqreenrelay.event.AcceptedEvent;
import java.net.ConnectException;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.EndpointInject;
import org.apache.camel.Exchange;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * Route-level tests of the delivery template (routes/delivery-template.yaml) and of the outcome table
 * (routes/delivery-outcomes.yaml), loaded as the relay loads them, with the relay's application.properties, in a Camel
 * Main context of their own: no broker, no HTTP server. The template's broker consumer is replaced by
 * {@code direct:deliver} (camel-test-main-junit5 {@code replaceRouteFromWith}), the target's send endpoint is
 * {@code mock:send}, and the outcome table's two parking routes are mocked and skipped, so each test reads which
 * branch a failure took. The beans are the relay's own classes (DeliveredKeys, TargetHolds, DeliveryFailures with the
 * real DeliveryOutcomes classifier); only the broker side of parking is left out.
 */
@CamelMainTest(
        properties = {
            "camel.main.routes-include-pattern=file:routes/delivery-template.yaml,file:routes/delivery-outcomes.yaml,"
                    + "file:routes/send-steps.yaml,file:routes/send-to-recipients.yaml,"
                    + "classpath:route-tests/deliver-test.yaml",
            "camel.server.enabled=false",
            "camel.management.enabled=false",
            "camel.metrics.enabled=false",
            "camel.health.enabled=false",
            "camel.routecontroller.enabled=false",
        },
        configurationClasses = DeliveryTemplateRouteTest.Beans.class,
        replaceRouteFromWith = {"deliver-test=direct:deliver", "deliver-team=direct:deliver-team",
                "deliver-grouped=direct:deliver-grouped"},
        mockEndpointsAndSkip = "direct:(retry-later|dead-letter)")
class DeliveryTemplateRouteTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @EndpointInject("mock:send")
    MockEndpoint send;
    @EndpointInject("mock:direct:retry-later")
    MockEndpoint retryLater;
    @EndpointInject("mock:direct:dead-letter")
    MockEndpoint deadLetter;
    @EndpointInject("mock:send-one")
    MockEndpoint sendOne;
    @Produce("direct:deliver")
    ProducerTemplate deliver;
    @Produce("direct:deliver-team")
    ProducerTemplate deliverTeam;
    @Produce("direct:deliver-grouped")
    ProducerTemplate deliverGrouped;
    @EndpointInject("mock:grouped-send")
    MockEndpoint groupedSend;

    /** The beans the two route files name, as RelayConfiguration binds them, minus the broker. */
    public static class Beans implements CamelConfiguration {
        @Override
        public void configure(CamelContext context) throws Exception {
            Registry registry = context.getRegistry();
            registry.bind("listenerContainers", new ListenerContainers());   // spring-rabbitmq's, never used here
            DeliveredKeys delivered = new DeliveredKeys(100);
            registry.bind("deliveredKeys", delivered);
            registry.bind("teamRecipients", new Recipients(List.of("ann", "bob"), delivered));
            registry.bind("targetHolds", new TargetHolds());
            TargetActivity activity = new TargetActivity(new SimpleMeterRegistry());
            registry.bind("targetActivity", activity);
            registry.bind("deliveryFailures", new DeliveryFailures(new DeliveryOutcomes(
                    new RetryPolicy(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofHours(24)), () -> 0.5),
                    null, null, activity, new TargetHolds(), null));
            DigestStores.bind(context, (target, body, headers) -> PUBLISHED.add(new String(body, StandardCharsets.UTF_8)));
        }
    }

    /** The digests the grouped test target published to its queue (JSON batches of one digest each). */
    static final List<String> PUBLISHED = new CopyOnWriteArrayList<>();

    @Test
    void theEventsOfAMessageAreSentOneByOneWithNoBrokerHeader() throws Exception {
        send.expectedMessageCount(2);
        deliver.sendBodyAndHeaders(batch("k1", "k2"), Map.of("x-delivery-count", 3, "Authorization", "secret"));
        send.assertIsSatisfied();
        assertThat(send.getExchanges()).extracting(this::keyOf).containsExactly("k1", "k2");
        assertThat(send.getExchanges()).allSatisfy(sent -> {
            assertThat(sent.getMessage().getHeaders()).isEmpty();
            assertThat(sent.getProperty(DeliveryProperties.TARGET)).isEqualTo("test");
        });
    }

    @Test
    void anEventDeliveredIsNotSentAgain() throws Exception {
        deliver.sendBody(batch("k1"));
        deliver.sendBody(batch("k1", "k2"));
        send.expectedMessageCount(2);
        send.assertIsSatisfied();
        assertThat(send.getExchanges()).extracting(this::keyOf).containsExactly("k1", "k2");
    }

    @Test
    void aTransientFailureIsRetriedLaterAndTheNextEventStillGoes() throws Exception {
        send.whenExchangeReceived(1, exchange -> {
            throw new HttpOperationFailedException("http://target", 503, "Unavailable", null, Map.of(), "");
        });
        retryLater.expectedMessageCount(1);
        deadLetter.expectedMessageCount(0);
        Exchange result = deliver.send(exchange -> exchange.getMessage().setBody(batch("k1", "k2")));
        retryLater.assertIsSatisfied();
        deadLetter.assertIsSatisfied();
        assertThat(result.getException()).isNull();
        assertThat(send.getExchanges()).extracting(this::keyOf).containsExactly("k1", "k2");
        Exchange parked = retryLater.getExchanges().get(0);
        assertThat(keyOf(parked)).isEqualTo("k1");
        assertThat(parked.getProperty(DeliveryFailures.OUTCOME, DeliveryFailures.Outcome.class).decision().reason())
                .isEqualTo("HTTP 503");
        // not eager: the failed event is unknown to the Idempotent Consumer, so its next attempt is sent
        send.reset();
        send.expectedMessageCount(1);
        deliver.sendBody(batch("k1"));
        send.assertIsSatisfied();
    }

    @Test
    void aConnectionFailureIsRetriedToo() throws Exception {
        send.whenAnyExchangeReceived(exchange -> {
            throw new ConnectException("Connection refused");
        });
        retryLater.expectedMessageCount(1);
        deliver.sendBody(batch("k1"));
        retryLater.assertIsSatisfied();
        assertThat(deadLetter.getReceivedCounter()).isZero();
    }

    @Test
    void aPermanentFailureIsDeadLetteredAtOnce() throws Exception {
        send.whenAnyExchangeReceived(exchange -> {
            throw new HttpOperationFailedException("http://target", 400, "Bad Request", null, Map.of(), "");
        });
        deadLetter.expectedMessageCount(1);
        Exchange result = deliver.send(exchange -> exchange.getMessage().setBody(batch("k1")));
        deadLetter.assertIsSatisfied();
        assertThat(result.getException()).isNull();
        assertThat(retryLater.getReceivedCounter()).isZero();
        assertThat(deadLetter.getExchanges().get(0).getProperty(DeliveryFailures.OUTCOME, DeliveryFailures.Outcome.class)
                .decision().reason()).isEqualTo("HTTP 400 (permanent, after 1 attempt)");
    }

    @Test
    void aMessageThatIsNotABatchOfEventsIsDeadLetteredAsItCame() throws Exception {
        deadLetter.expectedMessageCount(1);
        deliver.sendBody("not json".getBytes());
        deadLetter.assertIsSatisfied();
        assertThat(send.getReceivedCounter()).isZero();
        assertThat(retryLater.getReceivedCounter()).isZero();
    }

    @Test
    void aRecipientThatFailsIsRetriedAloneUntilItGetsTheEventWhateverItsFailuresBefore() throws Exception {
        sendOne.whenAnyExchangeReceived(exchange -> {
            if ("bob".equals(exchange.getProperty(Recipients.RECIPIENT)) && bobFailures++ < 2) {
                throw new ConnectException("Connection refused");
            }
        });
        retryLater.expectedMessageCount(2);
        deliverTeam.sendBody(batch("k1"));
        // bob's retries come back as messages for bob alone, as the wait queues send them (first failed, second failed)
        deliverTeam.sendBodyAndHeaders(batch("k1"), Map.of(Recipients.RECIPIENT, "bob", "relayFailures", 1));
        retryLater.assertIsSatisfied();
        assertThat(retryLater.getExchanges()).extracting(e -> e.getProperty(Recipients.RECIPIENT))
                .containsExactly("bob", "bob");
        deliverTeam.sendBodyAndHeaders(batch("k1"), Map.of(Recipients.RECIPIENT, "bob", "relayFailures", 2));
        // ann once; bob three times, the last one accepted; then a message for bob again is sent nothing
        deliverTeam.sendBodyAndHeaders(batch("k1"), Map.of(Recipients.RECIPIENT, "bob", "relayFailures", 2));
        deliverTeam.sendBody(batch("k1"));
        assertThat(sendOne.getExchanges()).extracting(e -> e.getProperty(Recipients.RECIPIENT))
                .containsExactly("ann", "bob", "bob", "bob");
        assertThat(retryLater.getReceivedCounter()).isEqualTo(2);
    }

    @Test
    void aGroupsFirstEventGoesAtOnceAndItsLaterOnesInOneDigestThatIsSentOnce() throws Exception {
        deliverGrouped.sendBody(batch("g1", "g2", "g3"));
        deliverGrouped.sendBody(batch("g3", "g4", "g5"));   // g3 again: a redelivered message, never counted twice
        assertThat(groupedSend.getExchanges()).extracting(this::keyOf).containsExactly("g1");
        await().atMost(Duration.ofSeconds(10)).until(() -> !PUBLISHED.isEmpty());
        assertThat(PUBLISHED).as("one digest for the group").hasSize(1);
        List<AcceptedEvent> published = JSON.readValue(PUBLISHED.get(0),
                JSON.getTypeFactory().constructCollectionType(List.class, AcceptedEvent.class));
        assertThat(published).hasSize(1);
        AcceptedEvent digest = published.get(0);
        assertThat(digest.digest().count()).isEqualTo(4);
        assertThat(digest.digest().more()).isZero();
        assertThat(digest.key()).isEqualTo(DigestGroups.digestKey(List.of("g2", "g3", "g4", "g5"), 0));
        // the digest comes back from the target's queue: sent once as one message, never gathered again
        deliverGrouped.sendBody(PUBLISHED.get(0).getBytes(StandardCharsets.UTF_8));
        deliverGrouped.sendBody(PUBLISHED.get(0).getBytes(StandardCharsets.UTF_8));
        assertThat(groupedSend.getExchanges()).extracting(this::keyOf).containsExactly("g1", digest.key());
        assertThat(groupedSend.getExchanges().get(1).getProperty(DeliveryProperties.EVENT, AcceptedEvent.class)
                .digest().count()).isEqualTo(4);
        // (whether a later event joins or opens the group again depends on the time since g5: DigestTest, with a clock)
    }

    private int bobFailures;

    private String keyOf(Exchange exchange) {
        return exchange.getProperty(DeliveryProperties.EVENT, AcceptedEvent.class).key();
    }

    private static byte[] batch(String... keys) throws Exception {
        List<AcceptedEvent> events = java.util.Arrays.stream(keys)
                .map(key -> new AcceptedEvent(key, false, 1_700_000_000_000L, "{\"event\":\"" + key + "\"}"))
                .toList();
        return JSON.writeValueAsBytes(events);
    }
}
