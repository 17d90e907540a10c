package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * RabbitMQ goes away in the middle of a burst, twice: first its connections are cut (the relay may connect again at
 * once), then the relay's user loses the vhost for a while (the broker is unreachable until it is given back). While it
 * is away the relay answers 503 with Retry-After, never 200, and readiness is down; when it is back, the relay
 * reconnects by itself, accepts again, its consumers resume, and every event answered 200 is delivered.
 */
class BrokerLossIT {

    private static final String KEY = "broker-loss-key-" + UUID.randomUUID();

    @Test
    void aBrokerLostDuringABurstCostsRetriesNeverEvents() throws Exception {
        int outages = Soak.pick(1, 5);
        Duration outage = Duration.ofSeconds(Soak.pick(8, 60));
        try (TestBroker.RabbitVhost broker = TestBroker.rabbitMq();
             StubHttpServer sink = new StubHttpServer(200);
             RelayUnderTest relay = RelayUnderTest.start(broker, Files.createTempDirectory("relay-broker-loss"), Map.of(
                     "relay.signature-key", KEY,
                     "relay.http-target.url", sink.url("/events").toString()));
             Burst burst = Burst.start(relay.webhook(), KEY, 8, 10)) {
            awaitMoreAccepted(burst, 300);

            broker.closeConnections();
            awaitMoreAccepted(burst, 300);     // back by itself after a cut connection

            int refusedBefore = burst.answered("503");
            for (int i = 0; i < outages; i++) {
                broker.cut();
                await().atMost(Duration.ofSeconds(60)).until(() -> relay.observe("/observe/health/ready").statusCode() == 503);
                // from here no request can be stored; a request sent before may still get its (right) 200 later,
                // which the count of accepted events taken here and after the outage counted as a 200 without broker
                long away = System.nanoTime();
                Thread.sleep(outage.toMillis());   // the burst goes on against a relay without its broker
                assertThat(burst.requestsAcceptedSentSince(away)).as("requests sent while the broker was unreachable "
                        + "and answered 200").isZero();
                broker.restore();
                await().atMost(Duration.ofSeconds(60)).until(() -> relay.observe("/observe/health/ready").statusCode() == 200);
                awaitMoreAccepted(burst, 300);
            }
            burst.stop();
            assertThat(burst.answered("503")).as("requests refused while the broker was away").isGreaterThan(refusedBefore);
            assertThat(burst.answers()).as("only 200, or 503 with Retry-After").containsOnlyKeys("200", "503");

            Set<String> accepted = burst.accepted();
            List<Tally> tallies = Tally.awaitNoneLost(Duration.ofSeconds(120), () -> List.of(
                    Tally.of("log", accepted, Tally.loggedKeys(NotificationLog.file())),
                    Tally.of("http", accepted, Tally.postedKeys(sink))));
            Tally log = tallies.get(0);
            Tally http = tallies.get(1);
            System.out.println("broker lost (1 connection cut, " + outages + " outage(s) of " + outage.toSeconds()
                    + " s): answers " + burst.answers() + "; " + log + "; " + http);
            assertThat(log.lost()).isZero();
            assertThat(http.lost()).isZero();
        }
    }

    private static void awaitMoreAccepted(Burst burst, int events) {
        int before = burst.acceptedCount();
        await().atMost(Duration.ofSeconds(90)).until(() -> burst.acceptedCount() >= before + events);
    }
}
