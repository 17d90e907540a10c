package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The ingress contract against the real RabbitMQ at 127.0.0.1:5672, in a vhost of its own. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IngressOnRabbitMqIT extends IngressContractTestBase {

    @Override
    TestBroker newBroker() {
        return TestBroker.rabbitMq();
    }

    @Test
    @Order(1)
    void theTopologyIsDurableQuorumQueuesBoundToTheEventsExchange() {
        TestBroker.RabbitVhost vhost = (TestBroker.RabbitVhost) broker;
        assertThat(vhost.queues("name", "durable", "type"))
                .anySatisfy(line -> assertThat(line.split("\\s+")).containsExactly("relay.target.log", "true", "quorum"));
        // the wait queues of the retries, durable and quorum too, and no stray queue collecting events
        assertThat(vhost.queues("name", "durable", "type"))
                .filteredOn(line -> line.startsWith("relay.wait."))
                .hasSize(13)
                .allSatisfy(line -> assertThat(line.split("\\s+")).endsWith("true", "quorum"));
        assertThat(vhost.queues("name")).allSatisfy(line -> assertThat(line).matches("relay\\.(target|wait|dead)\\..+"));
    }

    @Test
    @Order(2)
    void theQueuesCarryAnExplicitLargeDeliveryLimit() {
        // RabbitMQ 4 would give quorum queues a limit of 20 returns; the relay declares its own, explicit and large
        assertThat(TestBroker.rabbitmqctl("list_queues", "-p", ((TestBroker.RabbitVhost) broker).name(), "--quiet",
                "name", "arguments").lines().filter(line -> line.startsWith("relay.")))
                .isNotEmpty()
                .allSatisfy(line -> assertThat(line).contains("x-delivery-limit", "1000000"));
    }

    @Test
    @Order(Integer.MAX_VALUE - 1)
    void aPublishThatReachesNoQueueIsA503Never200() throws Exception {
        // every target queue unbound from the events exchange: the broker confirms the publish, and stores it nowhere
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(broker.uri());
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.queueUnbind("relay.target.log", "relay.events", "");
            HttpResponse<String> response = relay.postSigned(KEY, freshEvents(2));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            assertJsonError(response);
            channel.queueBind("relay.target.log", "relay.events", "");
            assertThat(relay.postSigned(KEY, freshEvents(2)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void whenTheBrokerGoesAwayTheAnswerIs503WithRetryAfterNever200() throws Exception {
        ((TestBroker.RabbitVhost) broker).delete();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = relay.postSigned(KEY, freshEvents(2));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());
            assertJsonError(response);
        }
    }
}
