package io.sqreenrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Several relays on one RabbitMQ vhost, as a cluster runs them: two packaged relays (each in its own JVM, its own data
 * and log directories) share the vhost and a real Redis. The vhost carries the policy that emulates RabbitMQ 4's
 * default delivery limit on quorum queues (20 returns, then the message is dropped), so that any path that returns a
 * message to its queue again and again would lose it here.
 */
class ClusterIT {

    private static final String KEY = "cluster-key-" + UUID.randomUUID();
    private static final String ADMIN_TOKEN = "cluster-admin-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** TARGET_CONSUMERS: how many events of one target a relay may have sent but not yet recorded when it dies. */
    private static final int CONSUMERS_PER_TARGET = 4;

    @Test
    void aResendReachingTheOtherRelayIsADuplicateAndEachTargetGetsEveryEventOnce() throws Exception {
        try (Cluster cluster = new Cluster("resend", sharedRedis(), Map.of())) {
            RelayProcess a = cluster.start(0);
            RelayProcess b = cluster.start(1);
            cluster.awaitReady();
            int n = 30;
            List<UUID> ids = new ArrayList<>();
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < n; i++) {
                UUID id = UUID.randomUUID();
                ids.add(id);
                String event = "[" + envelope(id, 0, "2026-11-24T10:00:00+00:00") + "]";
                HttpResponse<String> first = post(a, event);
                assertThat(first.statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(first.body()).get("accepted").asInt()).isEqualTo(1);
                expected.addAll(IngressContractTestBase.keysIn(event));
                // traffic in between, on both relays, so that both relays' consumers take messages
                byte[] filler = IngressContractTestBase.freshEvents(3);
                assertThat(post(i % 2 == 0 ? a : b, new String(filler, StandardCharsets.UTF_8)).statusCode()).isEqualTo(200);
                expected.addAll(IngressContractTestBase.keysIn(new String(filler, StandardCharsets.UTF_8)));
            }
            int answeredAsDuplicate = 0;
            for (UUID id : ids) {
                // Sqreen's resend: same event, retry_count 1, a new date_created; to the other relay
                HttpResponse<String> resend = post(b, "[" + envelope(id, 1, "2026-11-24T10:05:00+00:00") + "]");
                assertThat(resend.statusCode()).isEqualTo(200);
                JsonNode answer = JSON.readTree(resend.body());
                if (answer.get("accepted").asInt() == 0 && answer.get("duplicates").asInt() == 1) {
                    answeredAsDuplicate++;
                }
            }
            List<String> resentKeys = new ArrayList<>();
            for (UUID id : ids) {
                resentKeys.addAll(IngressContractTestBase.keysIn("[" + envelope(id, 0, "x") + "]"));
            }
            List<Tally> tallies = cluster.awaitNoneLost(expected);
            Thread.sleep(3000);   // time for a second delivery, were there one, to arrive
            Map<String, Long> http = counts(Tally.postedKeys(cluster.sink));
            Map<String, Long> log = counts(cluster.loggedKeys());
            long httpDeliveries = resentKeys.stream().mapToLong(k -> http.getOrDefault(k, 0L)).sum();
            long logDeliveries = resentKeys.stream().mapToLong(k -> log.getOrDefault(k, 0L)).sum();
            System.out.println("CLUSTER resend to the other relay: answered as duplicates " + answeredAsDuplicate + " of "
                    + n + "; deliveries of the " + n + " resent events: http " + httpDeliveries + ", log " + logDeliveries
                    + "; all events: " + tallies);
            assertThat(answeredAsDuplicate).isEqualTo(n);
            assertThat(httpDeliveries).isEqualTo(n);
            assertThat(logDeliveries).isEqualTo(n);
            assertThat(http.values()).as("every event reached the HTTP target once").allMatch(c -> c == 1);
            assertThat(log.values()).as("every event reached the log target once").allMatch(c -> c == 1);
        }
    }

    @Test
    void sigkillOfOneRelayMidBurstLosesNothing() throws Exception {
        try (Cluster cluster = new Cluster("sigkill", sharedRedis(), Map.of())) {
            RelayProcess a = cluster.start(0);
            RelayProcess b = cluster.start(1);
            cluster.awaitReady();
            try (Burst toA = Burst.start(a.uri("/v1/webhook"), KEY, 3, 10);
                 Burst toB = Burst.start(b.uri("/v1/webhook"), KEY, 3, 10)) {
                await().atMost(Duration.ofSeconds(90)).until(() -> toA.acceptedCount() + toB.acceptedCount() >= 600
                        && cluster.sink.requests().size() >= 300);
                a.kill();
                int acceptedAtKill = toA.acceptedCount() + toB.acceptedCount();
                await().atMost(Duration.ofSeconds(90)).until(() -> toB.acceptedCount() + toA.acceptedCount()
                        >= acceptedAtKill + 300);
                List<Tally> tallies = cluster.awaitNoneLost(toA, toB);
                System.out.println("CLUSTER SIGKILL of one relay mid-burst: answers A " + toA.answers() + ", B "
                        + toB.answers() + "; " + tallies);
                for (Tally tally : tallies) {
                    assertThat(tally.lost()).isZero();
                    // what the killed relay had sent but not yet recorded: at most one event per consumer
                    assertThat(tally.duplicates()).isLessThanOrEqualTo(CONSUMERS_PER_TARGET);
                }
                assertThat(toB.answers()).containsOnlyKeys("200");
            }
        }
    }

    @Test
    void aRedisOutageMidBurstLosesNothingAndDeDuplicationComesBack() throws Exception {
        Path work = Files.createTempDirectory("relay-cluster-redis");
        try (RedisServer redis = RedisServer.start(work.resolve("redis.log"));
             Cluster cluster = new Cluster("redis-outage", redis.uri(), Map.of())) {
            RelayProcess a = cluster.start(0);
            RelayProcess b = cluster.start(1);
            cluster.awaitReady();
            List<Integer> readiness = new ArrayList<>();
            try (Burst toA = Burst.start(a.uri("/v1/webhook"), KEY, 3, 10);
                 Burst toB = Burst.start(b.uri("/v1/webhook"), KEY, 3, 10)) {
                Function<Void, Integer> accepted = x -> toA.acceptedCount() + toB.acceptedCount();
                await().atMost(Duration.ofSeconds(60)).until(() -> accepted.apply(null) >= 300);
                redis.stop();
                int atStop = accepted.apply(null);
                long outageEnds = System.nanoTime() + Duration.ofSeconds(6).toNanos();
                while (System.nanoTime() < outageEnds || accepted.apply(null) < atStop + 300) {
                    readiness.add(a.observe("/observe/health/ready").statusCode());
                    readiness.add(b.observe("/observe/health/ready").statusCode());
                    Thread.sleep(250);
                }
                String healthDuringOutage = a.observe("/observe/health?data=true").body();
                redis.startAgain();
                int atStart = accepted.apply(null);
                await().atMost(Duration.ofSeconds(60)).until(() -> accepted.apply(null) >= atStart + 300);
                List<Tally> tallies = cluster.awaitNoneLost(toA, toB);
                double errorsA = metric(a, "sqreen_relay_dedup_store_errors_total");
                double errorsB = metric(b, "sqreen_relay_dedup_store_errors_total");

                // after the outage: a resend to the other relay is a duplicate again
                UUID id = UUID.randomUUID();
                // both relays back on Redis (A alone was awaited: B, still degraded, took the resend as new)
                await().atMost(Duration.ofSeconds(30)).until(() -> dedupStatus(a).equals("ok") && dedupStatus(b).equals("ok"));
                assertThat(post(a, "[" + envelope(id, 0, "2026-11-24T10:00:00+00:00") + "]").body())
                        .contains("\"accepted\": 1");
                String resend = post(b, "[" + envelope(id, 1, "2026-11-24T10:05:00+00:00") + "]").body();
                System.out.println("CLUSTER Redis stopped mid-burst and started again: answers A " + toA.answers()
                        + ", B " + toB.answers() + "; " + tallies + "; readiness answers during the outage "
                        + counts(readiness.stream().map(String::valueOf).toList()) + "; dedup store errors A "
                        + errorsA + ", B " + errorsB + "; resend after the outage: " + resend);
                for (Tally tally : tallies) {
                    assertThat(tally.lost()).isZero();
                }
                assertThat(toA.answers()).containsOnlyKeys("200");
                assertThat(toB.answers()).containsOnlyKeys("200");
                assertThat(readiness).isNotEmpty().containsOnly(200);
                assertThat(healthDuringOutage).contains("\"dedup\"").contains("degraded");
                assertThat(errorsA + errorsB).isPositive();
                assertThat(resend).contains("\"duplicates\": 1");
            }
        }
    }

    @Test
    void aDeadLetterListedAHundredTimesUnderADeliveryLimitOf20IsListedEveryTimeAndReplayable() throws Exception {
        try (Cluster cluster = new Cluster("dead-letters", sharedRedis(), Map.of())) {
            RelayProcess a = cluster.start(0);
            RelayProcess b = cluster.start(1);
            cluster.awaitReady();
            UUID id = UUID.randomUUID();
            cluster.sink.script(id.toString(), StubHttpServer.Answer.status(400));
            String event = "[" + envelope(id, 0, "2026-11-24T10:00:00+00:00") + "]";
            String key = IngressContractTestBase.keysIn(event).get(0);
            assertThat(post(a, event).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).until(() -> admin(a, "GET", "/admin/dead-letters/http")
                    .get("count").asInt() == 1);
            int listedWithIt = 0;
            for (int i = 0; i < 100; i++) {
                JsonNode listing = admin(i % 2 == 0 ? a : b, "GET", "/admin/dead-letters/http");
                if (listing.get("count").asInt() == 1 && listing.get("events").size() == 1
                        && key.equals(listing.get("events").get(0).get("key").asText())) {
                    listedWithIt++;
                }
            }
            // the broker's own count (its queue statistics lag a little behind)
            await().atMost(Duration.ofSeconds(30)).until(() -> deadHttp(cluster).get(0).split("\\s+")[1].equals("1"));
            List<String> deadQueue = deadHttp(cluster);
            System.out.println("CLUSTER dead letter listed 100 times under delivery-limit 20: listed " + listedWithIt
                    + " times; relay.dead.http (name, messages, policy): " + deadQueue);
            assertThat(listedWithIt).isEqualTo(100);
            assertThat(deadQueue).singleElement().satisfies(line -> assertThat(line.split("\\s+"))
                    .containsExactly("relay.dead.http", "1", "rmq4"));

            JsonNode replay = admin(b, "POST", "/admin/dead-letters/http/replay");
            assertThat(replay.get("replayed").asInt()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.sink.requestsWith(id.toString()).stream()
                    .anyMatch(StubHttpServer.Request::succeeded));
            assertThat(admin(a, "GET", "/admin/dead-letters/http").get("count").asInt()).isZero();
        }
    }

    @Test
    void aPendingRetrySurvives25RestartsUnderADeliveryLimitOf20() throws Exception {
        // the retry is due in 10 minutes: it waits in a wait queue, held by the relay's consumer, through every restart
        try (Cluster cluster = new Cluster("restarts", sharedRedis(), Map.of(
                "RETRY_FIRST_DELAY", "10m", "RETRY_MAX_DELAY", "10m", "RETRY_MAX_AGE", "24h"))) {
            RelayProcess relay = cluster.start(0);
            cluster.awaitReady();
            UUID id = UUID.randomUUID();
            cluster.sink.script(id.toString(), StubHttpServer.Answer.status(503));
            assertThat(post(relay, "[" + envelope(id, 0, "2026-11-24T10:00:00+00:00") + "]").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).until(() -> waiting(cluster).held() == 1);
            for (int restart = 1; restart <= 25; restart++) {
                relay.kill();
                relay = cluster.start(0);
                relay.awaitReady(Duration.ofSeconds(90));
                // taken again by the new relay's wait consumer (one more return on the broker's count without the fix)
                await().atMost(Duration.ofSeconds(30)).until(() -> waiting(cluster).held() == 1);
            }
            Waiting after = waiting(cluster);
            System.out.println("CLUSTER pending retry after 25 restarts under delivery-limit 20: in wait queues "
                    + after.total() + " (held " + after.held() + "), requests to the target "
                    + cluster.sink.requestsWith(id.toString()).size() + "; queues " + cluster.vhost.queues(
                            "name", "messages", "policy"));
            assertThat(after.total()).isEqualTo(1);
            assertThat(cluster.sink.requestsWith(id.toString())).as("not retried early, not lost").hasSize(1);
            assertThat(cluster.vhost.queues("name", "policy")).allMatch(line -> line.endsWith("rmq4"));
        }
    }

    @Test
    void aQueueLeftByTheVersionBeforeIsNamedWithTheWayOut() throws Exception {
        try (Cluster cluster = new Cluster("precondition", sharedRedis(), Map.of())) {
            // the log target's queue as the relay declared it before: quorum, no explicit delivery limit
            ConnectionFactory factory = new ConnectionFactory();
            factory.setUri(cluster.vhost.uri());
            try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
                channel.queueDeclare("relay.target.log", true, false, false, Map.of("x-queue-type", "quorum"));
            }
            RelayProcess relay = cluster.start(0);
            await().atMost(Duration.ofSeconds(90)).until(() -> relay.console()
                    .contains("Queue relay.target.log exists with other arguments than the relay declares"));
            assertThat(relay.awaitExit(Duration.ofSeconds(60))).as("the start fails: it never mends itself").isNotZero();
            assertThat(relay.console().lines().filter(line -> line.contains("exists with other arguments")))
                    .singleElement().satisfies(line -> assertThat(line).startsWith("sqreen-relay cannot start: Queue")
                            .contains("PRECONDITION_FAILED", "x-delivery-limit", "Migrating existing queues"));
        }
    }

    // ---- helpers

    private static List<String> deadHttp(Cluster cluster) {
        return cluster.vhost.queues("name", "messages", "policy").stream()
                .filter(line -> line.startsWith("relay.dead.http")).toList();
    }

    /** The {@code dedup} health check's status detail: ok, or degraded. */
    static String dedupStatus(RelayProcess relay) throws Exception {
        for (JsonNode check : JSON.readTree(relay.observe("/observe/health?data=true").body()).get("checks")) {
            if (check.get("name").asText().equals("dedup")) {
                return check.path("data").path("status").asText();
            }
        }
        return "absent";
    }

    /** The machine's Redis, shared by other tests: each cluster writes under its own key prefix. */
    private static String sharedRedis() {
        return "redis://127.0.0.1:6379/0";
    }

    /** A Sqreen v2 envelope; a resend has the same event with another retry_count and date_created. */
    static String envelope(UUID id, int retryCount, String dateCreated) {
        return IngressContractTestBase.event(id)
                .replace("\"retry_count\":0", "\"retry_count\":" + retryCount)
                .replace("\"date_created\":\"2026-11-24T10:00:00+00:00\"", "\"date_created\":\"" + dateCreated + "\"");
    }

    static HttpResponse<String> post(RelayProcess relay, String body) throws Exception {
        return relay.postSigned(KEY, body.getBytes(StandardCharsets.UTF_8));
    }

    static JsonNode admin(RelayProcess relay, String method, String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(relay.uri(path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** A counter's value in the relay's Prometheus metrics (0 when absent). */
    static double metric(RelayProcess relay, String name) throws Exception {
        return relay.observe("/observe/metrics").body().lines()
                .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    static Map<String, Long> counts(List<String> values) {
        return values.stream().collect(Collectors.groupingBy(v -> v, Collectors.counting()));
    }

    record Waiting(long total, long held) {
    }

    /** The messages in the wait queues: all of them, and those a consumer holds (unacknowledged). */
    static Waiting waiting(Cluster cluster) {
        long total = 0;
        long held = 0;
        for (String line : cluster.vhost.queues("name", "messages", "messages_unacknowledged")) {
            String[] columns = line.trim().split("\\s+");
            if (columns[0].startsWith("relay.wait.")) {
                total += Long.parseLong(columns[1]);
                held += Long.parseLong(columns[2]);
            }
        }
        return new Waiting(total, held);
    }

    /** A vhost with RabbitMQ 4's delivery limit emulated, an HTTP sink, and relays started on demand. */
    static final class Cluster implements AutoCloseable {

        final TestBroker.RabbitVhost vhost = TestBroker.rabbitMq();
        final StubHttpServer sink;
        final Path work;
        final Map<String, String> env = new HashMap<>();
        final int[] ports = new int[2];
        final RelayProcess[] relays = new RelayProcess[2];
        private int starts;

        Cluster(String name, String redisUri, Map<String, String> extra) throws Exception {
            TestBroker.rabbitmqctl("set_policy", "-p", vhost.name(), "rmq4", "^relay\\.", "{\"delivery-limit\": 20}",
                    "--apply-to", "queues");
            sink = new StubHttpServer(200);
            work = Files.createTempDirectory("relay-cluster-" + name);
            env.put("SIGNATURE_KEY", KEY);
            env.put("ADMIN_TOKEN", ADMIN_TOKEN);
            env.put("RABBITMQ_URI", vhost.uri());
            env.put("REDIS_URI", redisUri);
            env.put("REDIS_KEY_PREFIX", "relay-it-" + vhost.name() + ":");
            env.put("HTTP_TARGET_URL", sink.url("/events").toString());
            env.put("RETRY_FIRST_DELAY", "500ms");
            env.put("RETRY_MAX_DELAY", "2s");
            env.put("TARGET_TIMEOUT_MS", "2000");
            env.putAll(extra);
            ports[0] = RelayUnderTest.freePort();
            ports[1] = RelayUnderTest.freePort();
        }

        /** Starts relay {@code i} (0 or 1) with its own data and log directories (kept across its restarts). */
        RelayProcess start(int i) throws Exception {
            Map<String, String> own = new HashMap<>(env);
            own.put("DATA_DIR", work.resolve("data-" + i).toString());
            own.put("LOG_DIR", logs(i).toString());
            relays[i] = RelayProcess.start(ports[i], own, work.resolve("console-" + i + "-" + (++starts) + ".txt"));
            return relays[i];
        }

        void awaitReady() throws Exception {
            for (RelayProcess relay : relays) {
                if (relay != null) {
                    relay.awaitReady(Duration.ofSeconds(90));
                }
            }
        }

        Path logs(int i) {
            return work.resolve("logs-" + i);
        }

        /** Stops the bursts, then waits until every event they got a 200 for reached the log and HTTP targets. */
        List<Tally> awaitNoneLost(Burst... bursts) throws InterruptedException {
            Set<String> accepted = new HashSet<>();
            for (Burst burst : bursts) {
                burst.stop();
                accepted.addAll(burst.accepted());
            }
            return awaitNoneLost(accepted);
        }

        List<Tally> awaitNoneLost(Set<String> accepted) throws InterruptedException {
            return Tally.awaitNoneLost(Duration.ofSeconds(120), () -> List.of(
                    Tally.of("log", accepted, loggedKeys()),
                    Tally.of("http", accepted, Tally.postedKeys(sink))));
        }

        /** Every event key the log targets of both relays wrote, once per line. */
        List<String> loggedKeys() {
            List<String> keys = new ArrayList<>(Tally.loggedKeys(logs(0).resolve("notifications.log")));
            keys.addAll(Tally.loggedKeys(logs(1).resolve("notifications.log")));
            return keys;
        }

        @Override
        public void close() throws Exception {
            for (RelayProcess relay : relays) {
                if (relay != null) {
                    relay.close();
                }
            }
            sink.close();
            vhost.close();
        }
    }
}
