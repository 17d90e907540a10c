package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The relay is killed hard (SIGKILL, its own JVM) while it accepts and delivers a burst, and started again on the same
 * broker and data directory, once in the build and ten times in a soak. Every event answered 200 must reach the log
 * target and the HTTP target at least once; duplicates must stay rare (the de-duplication journals survive the crash).
 */
class CrashIT {

    private static final String KEY = "crash-key-" + UUID.randomUUID();
    private static final long CONSUMERS_PER_TARGET = 4;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.sqreenrelay.it.TestBroker#kinds")
    void everyEventAnswered200SurvivesSigkillsMidFlight(String kind) throws Exception {
        int kills = Soak.pick(1, 10);
        Path work = Files.createTempDirectory("relay-crash");
        Path notifications = work.resolve("logs").resolve("notifications.log");
        try (TestBroker broker = TestBroker.of(kind);
             StubHttpServer sink = new StubHttpServer(200)) {
            Map<String, String> env = new HashMap<>(Map.of(
                    "SIGNATURE_KEY", KEY,
                    "DATA_DIR", work.resolve("data").toString(),
                    "LOG_DIR", work.resolve("logs").toString(),
                    "LOG_MAX_SIZE", "1GB",
                    "HTTP_TARGET_URL", sink.url("/events").toString()));
            if (broker.uri() != null) {
                env.put("RABBITMQ_URI", broker.uri());
            }
            int port = RelayUnderTest.freePort();
            Burst burst = null;
            try {
                for (int kill = 1; kill <= kills; kill++) {
                    try (RelayProcess relay = RelayProcess.start(port, env, work.resolve("console-" + kill + ".txt"))) {
                        relay.awaitReady(Duration.ofSeconds(90));
                        if (burst == null) {
                            burst = Burst.start(relay.uri("/v1/webhook"), KEY, 8, 10);
                        }
                        // kill it while it both accepts and delivers: more accepted, and more delivered, than at start
                        int acceptedBefore = burst.acceptedCount();
                        int deliveredBefore = sink.requests().size();
                        Burst running = burst;
                        await().atMost(Duration.ofSeconds(60)).until(() -> running.acceptedCount() >= acceptedBefore + 400
                                && sink.requests().size() >= deliveredBefore + 200);
                        relay.kill();
                    }
                }
                try (RelayProcess relay = RelayProcess.start(port, env, work.resolve("console-last.txt"))) {
                    relay.awaitReady(Duration.ofSeconds(90));
                    int acceptedBefore = burst.acceptedCount();
                    Burst running = burst;
                    await().atMost(Duration.ofSeconds(60)).until(() -> running.acceptedCount() >= acceptedBefore + 100);
                    burst.stop();
                    Set<String> accepted = burst.accepted();
                    List<Tally> tallies = Tally.awaitNoneLost(Duration.ofSeconds(120), () -> List.of(
                            Tally.of("log", accepted, Tally.loggedKeys(notifications)),
                            Tally.of("http", accepted, Tally.postedKeys(sink))));
                    Tally log = tallies.get(0);
                    Tally http = tallies.get(1);
                    System.out.println("SIGKILL x" + kills + " on " + kind + ": answers " + burst.answers()
                            + "; " + log + "; " + http);
                    assertThat(burst.answers()).as("only 200, 503 with Retry-After, or no connection")
                            .containsOnlyKeys("200", "503", "no connection");
                    assertThat(log.lost()).isZero();
                    assertThat(http.lost()).isZero();
                    // at most the events in flight at each kill come twice: one per consumer of each target
                    // (TARGET_CONSUMERS, 4), sent but not yet in the journal when the process died
                    assertThat(log.duplicates()).isLessThanOrEqualTo(CONSUMERS_PER_TARGET * kills);
                    assertThat(http.duplicates()).isLessThanOrEqualTo(CONSUMERS_PER_TARGET * kills);
                }
            } finally {
                if (burst != null) {
                    burst.close();
                }
            }
        }
    }
}
