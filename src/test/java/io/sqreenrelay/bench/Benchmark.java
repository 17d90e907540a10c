package io.sqreenrelay.bench;

import io.sqreenrelay.it.RelayProcess;
import io.sqreenrelay.it.RelayUnderTest;
import io.sqreenrelay.it.TestBroker;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The relay's benchmark: {@code scripts/benchmark.sh} (see docs/benchmarks.md). On loopback, against RabbitMQ and the
 * embedded broker, it measures
 * <ul>
 *   <li>ingress: signed requests of 1, 10 and 100 new events at concurrency 1, 8 and 32, and, at half the rate of the
 *       10-event/32-client cell, the latency of paced requests;</li>
 *   <li>the baseline, in the same run: the same events stored by a minimal Spring AMQP client with the same
 *       durability (persistent, confirmed, same exchange and quorum queue);</li>
 *   <li>end to end: from the first request to the last delivery at an HTTP sink, and acceptance-to-delivery latency;</li>
 *   <li>the relay's start time to ready and resident memory;</li>
 *   <li>adnanh/webhook (Debian's {@code webhook}, an HMAC trigger rule), a receiver that stores nothing, when it is
 *       installed;</li>
 * </ul>
 * and prints one Markdown report (also written to target/benchmark/results.md). {@code --profile} records the
 * 10-event/32-client cell with JFR and adds where the relay's CPU went.
 */
public final class Benchmark {

    private static final String KEY = "bench-key";
    private static final int[] EVENTS = {1, 10, 100};
    private static final int[] CONCURRENCY = {1, 8, 32};
    /** The target configurations measured with the documented launch: 1, 2 and 5 targets on. */
    private static final List<List<String>> TARGET_SETS = List.of(List.of("log"), List.of("log", "http"),
            List.of("log", "http", "email", "pagerduty", "teams"));

    private final Duration cell;
    private final Duration warmup;
    private final boolean profile;
    private final List<String> brokers;
    private final String only;
    private final String compare;
    /** The sizes of the target sets to measure (--sets 2: log + HTTP alone); all of them by default. */
    private final java.util.Set<Integer> sets;
    private final Path work;
    private final List<String> ingressRows = new ArrayList<>();
    private final List<String> baselineRows = new ArrayList<>();
    private final List<String> endToEndRows = new ArrayList<>();
    private final List<String> processRows = new ArrayList<>();
    private final List<String> headline = new ArrayList<>();
    private String profileReport = "";
    private String endToEndProfile = "";
    private double baselineEventsPerSecond;
    private double webhookEventsPerSecond;
    private final List<String> targetRows = new ArrayList<>();
    private final List<String> startRows = new ArrayList<>();
    /** Per target set (its label): the relay's ingress events/s and the same-unit baseline's, for the ratio line. */
    private final Map<String, double[]> targetSetRates = new java.util.LinkedHashMap<>();

    private Benchmark(Duration cell, Duration warmup, boolean profile, List<String> brokers, String only,
                      String compare, java.util.Set<Integer> sets) throws IOException {
        this.cell = cell;
        this.sets = sets;
        this.only = only;
        this.compare = compare;
        this.warmup = warmup;
        this.profile = profile;
        this.brokers = brokers;
        this.work = Files.createTempDirectory("relay-bench");
    }

    public static void main(String[] args) throws Exception {
        int seconds = 10;
        boolean profile = false;
        String only = "all";
        String compare = null;
        java.util.Set<Integer> sets = java.util.Set.of(1, 2, 5);
        List<String> brokers = new ArrayList<>(List.of("rabbitmq", "embedded"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--quick" -> seconds = 3;
                case "--profile" -> profile = true;
                case "--rabbitmq-only" -> brokers = List.of("rabbitmq");
                case "--only" -> only = args[++i];
                case "--sets" -> sets = java.util.Arrays.stream(args[++i].split(",")).map(Integer::valueOf)
                        .collect(java.util.stream.Collectors.toSet());
                case "--compare" -> {
                    compare = args[++i];
                    only = "compare";
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (options: --seconds N, --quick, --profile, --rabbitmq-only,"
                        + " --only baseline|targets|start|ingress|e2e|webhook|redis, --sets 1,2,5,"
                        + " --compare JVM-OPTIONS)");
            }
        }
        Benchmark benchmark = new Benchmark(Duration.ofSeconds(seconds), Duration.ofSeconds(Math.max(3, seconds / 2)),
                profile, brokers, only, compare, sets);
        String report = benchmark.run();
        Path out = Path.of("target", "benchmark", "results.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report, StandardCharsets.UTF_8);
        System.out.println(report);
        System.out.println("(written to " + out + ")");
        System.exit(0);
    }

    private String run() throws Exception {
        String started = Instant.now().toString();
        long began = System.nanoTime();
        // the baseline first, while nothing else runs
        if (part("baseline")) {
            try (TestBroker.RabbitVhost vhost = TestBroker.rabbitMq()) {
                baseline(URI.create(vhost.uri()));
            }
        }
        if (part("targets")) {
            for (List<String> targets : TARGET_SETS) {
                if (sets.contains(targets.size())) {
                    targetSet(targets);
                }
            }
        }
        if (part("start")) {
            startToReady();
        }
        for (String broker : brokers) {
            if (part("ingress")) {
                ingress(broker);
                if (broker.equals("rabbitmq")) {
                    capped(broker);
                }
            }
            if (part("e2e")) {
                endToEnd(broker);
            }
        }
        if (part("webhook") || only.equals("targets")) {
            webhook();
        }
        if (part("redis")) {
            withRedis();
        }
        if (compare != null) {
            compare(compare);
        }
        return report(started, Duration.ofNanos(System.nanoTime() - began));
    }

    private boolean part(String name) {
        return only.equals("all") || only.equals(name);
    }

    // ---- ingress

    private void ingress(String broker) throws Exception {
        try (TestBroker vhost = TestBroker.of(broker);
             RelayProcess relay = start(vhost, Map.of(), "ingress-" + broker)) {
            long readyMillis = relay.awaitReady(Duration.ofSeconds(120));
            Thread.sleep(2000);
            long idleMb = ResidentMemory.nowKb(relay.pid()) / 1024;
            int port = relay.uri("/").getPort();
            try (ResidentMemory rss = new ResidentMemory(relay.pid())) {
                progress("%s: ready in %d ms, %d MB resident; warming up %d s", broker, readyMillis, idleMb, warmup.toSeconds());
                LoadGenerator.run("warm-up", port, "/v1/webhook", KEY, "warm-" + UUID.randomUUID(), 8, 10, warmup, null);
                LoadGenerator.Result reference = null;
                for (int events : EVENTS) {
                    for (int concurrency : CONCURRENCY) {
                        LoadGenerator.Result result = LoadGenerator.run("relay", port, "/v1/webhook", KEY,
                                UUID.randomUUID().toString(), concurrency, events, cell, null);
                        ingressRows.add(row(broker, result));
                        progress("%s ingress %3d events x %2d clients: %s", broker, events, concurrency, brief(result));
                        if (events == 10 && concurrency == 32) {
                            reference = result;
                        }
                    }
                }
                double half = reference.requestsPerSecond() / 2;
                LoadGenerator.Result paced = LoadGenerator.run("relay, paced", port, "/v1/webhook", KEY,
                        UUID.randomUUID().toString(), 32, 10, cell, half, null);
                ingressRows.add(row(broker + ", paced at " + Math.round(half) + " req/s (half of the 10x32 cell)", paced));
                progress("%s paced at %.0f req/s: %s", broker, half, brief(paced));
                headline.add(String.format(Locale.ROOT, "%s: relay ingress, 10-event requests, 32 clients: **%,.0f events/s**"
                                + " (%,.0f requests/s), p99 %.1f ms; paced at half that rate: p99 %.1f ms",
                        broker, reference.eventsPerSecond(), reference.requestsPerSecond(),
                        reference.latencies().percentile(99) / 1000.0, paced.latencies().percentile(99) / 1000.0));
                if (broker.equals("rabbitmq") && baselineEventsPerSecond > 0) {
                    headline.add(String.format(Locale.ROOT, "ratio to the Spring AMQP per-event baseline at 32 threads: **%.1fx**"
                            + " (%,.0f / %,.0f events/s)", reference.eventsPerSecond() / baselineEventsPerSecond,
                            reference.eventsPerSecond(), baselineEventsPerSecond));
                }
                if (profile && broker.equals("rabbitmq")) {
                    profileReport = profiled(relay, port);
                }
                processRows.add(String.format(Locale.ROOT, "| %s | %,d ms | %d MB | %d MB |", broker, readyMillis, idleMb,
                        rss.peakMb()));
            }
            relay.terminate();
            relay.awaitExit(Duration.ofSeconds(60));
        }
    }

    /**
     * An A/B of one change: the 10-event/32-client cell on RabbitMQ, three times each, alternating a relay as it is
     * and one started with these JVM options (a Camel property can be set as {@code -Dname=value}), each relay fresh.
     */
    private void compare(String options) throws Exception {
        abTest(options, Map.of("JAVA_TOOL_OPTIONS", options));
    }

    /**
     * Ingress with the de-duplication keys in Redis ({@code REDIS_URI}, the machine's Redis under a prefix of its own)
     * against the same relay with its journals: the A/B of {@link #compare}, and the ratio of the medians.
     */
    private void withRedis() throws Exception {
        Map<String, List<LoadGenerator.Result>> results = abTest("REDIS_URI set", Map.of(
                "REDIS_URI", "redis://127.0.0.1:6379/0", "REDIS_KEY_PREFIX", "relay-bench-" + UUID.randomUUID() + ":"));
        double without = median(results.get("as is"));
        double with = median(results.get("REDIS_URI set"));
        headline.add(String.format(Locale.ROOT, "ingress with REDIS_URI set: **%,.0f events/s**, %+.1f%% against %,.0f"
                + " with the journals (medians of three alternating runs, 10-event requests, 32 clients)", with,
                (with / without - 1) * 100, without));
    }

    private static double median(List<LoadGenerator.Result> runs) {
        double[] rates = runs.stream().mapToDouble(LoadGenerator.Result::eventsPerSecond).sorted().toArray();
        return rates[rates.length / 2];
    }

    /** Three rounds alternating the relay as it is and one started with {@code env} added; their results by variant. */
    private Map<String, List<LoadGenerator.Result>> abTest(String label, Map<String, String> extra) throws Exception {
        Map<String, List<LoadGenerator.Result>> results = new java.util.LinkedHashMap<>();
        for (int round = 0; round < 3; round++) {
            for (String variant : List.of("as is", label)) {
                Map<String, String> env = variant.equals("as is") ? Map.of() : extra;
                try (TestBroker vhost = TestBroker.rabbitMq();
                     RelayProcess relay = start(vhost, env, "compare-" + round + "-" + variant.hashCode())) {
                    relay.awaitReady(Duration.ofSeconds(120));
                    int port = relay.uri("/").getPort();
                    LoadGenerator.run("warm-up", port, "/v1/webhook", KEY, "warm-" + UUID.randomUUID(), 8, 10, warmup, null);
                    LoadGenerator.Result result = LoadGenerator.run("relay, " + variant, port, "/v1/webhook", KEY,
                            UUID.randomUUID().toString(), 32, 10, cell, null);
                    progress("compare, round %d, %s: %s", round + 1, variant, brief(result));
                    results.computeIfAbsent(variant, v -> new ArrayList<>()).add(result);
                    ingressRows.add(row(variant.equals("as is") ? "rabbitmq" : "rabbitmq, " + label, result));
                    relay.terminate();
                    relay.awaitExit(Duration.ofSeconds(60));
                }
            }
        }
        results.forEach((variant, runs) -> headline.add(String.format(Locale.ROOT, "compare, %s: median %,.0f events/s"
                + " of %s", variant, median(runs), java.util.Arrays.toString(runs.stream()
                .mapToLong(r -> Math.round(r.eventsPerSecond())).sorted().toArray()))));
        return results;
    }

    /** The 10-event/32-client cell again, with the heap capped: what the memory figure owes to the JVM's defaults. */
    private void capped(String broker) throws Exception {
        String options = "-Xmx256m";
        try (TestBroker vhost = TestBroker.rabbitMq();
             RelayProcess relay = start(vhost, Map.of("JAVA_TOOL_OPTIONS", options), "capped-" + broker)) {
            long readyMillis = relay.awaitReady(Duration.ofSeconds(120));
            int port = relay.uri("/").getPort();
            try (ResidentMemory rss = new ResidentMemory(relay.pid())) {
                LoadGenerator.run("warm-up", port, "/v1/webhook", KEY, "warm-" + UUID.randomUUID(), 8, 10, warmup, null);
                LoadGenerator.Result result = LoadGenerator.run("relay, " + options, port, "/v1/webhook", KEY,
                        UUID.randomUUID().toString(), 32, 10, cell, null);
                ingressRows.add(row(broker, result));
                progress("%s with %s: %s, peak %d MB resident", broker, options, brief(result), rss.peakMb());
                processRows.add(String.format(Locale.ROOT, "| %s, `JAVA_TOOL_OPTIONS=%s` | %,d ms | - | %d MB |", broker,
                        options, readyMillis, rss.peakMb()));
            }
            relay.terminate();
            relay.awaitExit(Duration.ofSeconds(60));
        }
    }

    private String profiled(RelayProcess relay, int port) throws Exception {
        Path recording = work.resolve("ingress.jfr");
        jcmd(relay.pid(), "JFR.start", "name=bench", "settings=profile", "filename=" + recording);
        LoadGenerator.Result result = LoadGenerator.run("relay, profiled", port, "/v1/webhook", KEY,
                UUID.randomUUID().toString(), 32, 10, cell, null);
        jcmd(relay.pid(), "JFR.stop", "name=bench");
        progress("profiled cell (JFR on): %s", brief(result));
        return "Recorded with JFR (`settings=profile`) during a " + cell.toSeconds() + " s cell of 10-event requests from"
                + " 32 clients on RabbitMQ (" + brief(result) + ").\n\n" + ProfileSummary.summarize(recording, 25);
    }

    // ---- target sets: same-unit baseline, ingress, end to end and memory with the documented launch

    /**
     * One target configuration on RabbitMQ: first the same-unit baseline (a Spring AMQP client publishing one
     * persistent 10-event message per request to the relay's exchange, stored in one quorum queue per target of the
     * set, a confirm awaited per message, 32 threads), then the relay started by its launcher with those targets on
     * (HTTP stand-ins: {@link TimedSink}; email: GreenMail), its 10-event/32-client ingress cell, and, for the same
     * events, the end to end: from the first request to the last delivery at the HTTP sink and until every target's
     * queue is empty, nothing lost. With log + HTTP also the paced cell at half the rate (p99 without coordinated
     * omission). Resident memory is sampled throughout.
     */
    private void targetSet(List<String> targets) throws Exception {
        String label = targets.size() + (targets.size() == 1 ? " target (" : " targets (") + String.join(" + ", targets) + ")";
        LoadGenerator.Result base;
        try (TestBroker.RabbitVhost vhost = TestBroker.rabbitMq()) {
            AmqpBaseline.declareTopology(URI.create(vhost.uri()), targets);
            AmqpBaseline.run(URI.create(vhost.uri()), "warm-" + UUID.randomUUID(), 8, 10, warmup);
            base = AmqpBaseline.run(URI.create(vhost.uri()), UUID.randomUUID().toString(), 32, 10, cell);
        }
        baselineRows.add(row("rabbitmq, same unit: " + targets.size() + " quorum queue(s)", base));
        progress("same-unit baseline, %s: %s", label, brief(base));
        com.icegreen.greenmail.util.GreenMail smtp = null;
        try (TimedSink sink = new TimedSink(); TestBroker.RabbitVhost vhost = TestBroker.rabbitMq()) {
            Map<String, String> env = new HashMap<>();
            env.put("LOG_MAX_SIZE", "1GB");
            // digests as shipped (the test harness turns them off): email and Teams get a first message and digests
            env.put("GROUP_BY", "applicationId,type");
            if (targets.contains("http")) {
                env.put("HTTP_TARGET_URL", sink.url());
            }
            if (targets.contains("pagerduty")) {
                env.put("PAGERDUTY_ROUTING_KEY", "benchroutingkey00000000000000000");
                env.put("PAGERDUTY_API_URL", sink.base() + "/pagerduty");
            }
            if (targets.contains("teams")) {
                env.put("TEAMS_WEBHOOK_URL", sink.base() + "/teams");
            }
            if (targets.contains("email")) {
                int smtpPort = RelayUnderTest.freePort();
                smtp = new com.icegreen.greenmail.util.GreenMail(new com.icegreen.greenmail.util.ServerSetup(smtpPort,
                        "127.0.0.1", com.icegreen.greenmail.util.ServerSetup.PROTOCOL_SMTP));
                smtp.start();
                env.put("SMTP_HOST", "127.0.0.1");
                env.put("SMTP_PORT", String.valueOf(smtpPort));
                env.put("MAIL_TO", "bench@localhost");
            }
            RelayProcess relay = startLauncher(vhost, env, "targets-" + targets.size());
            try (relay; ResidentMemory rss = new ResidentMemory(relay.pid())) {
                long readyMillis = relay.awaitReady(Duration.ofSeconds(120));
                int port = relay.uri("/").getPort();
                // a longer warm-up: the JIT compiles every target's delivery path too
                LoadGenerator.run("warm-up", port, "/v1/webhook", KEY, "warm-" + UUID.randomUUID(), 8, 10,
                        warmup.compareTo(Duration.ofSeconds(10)) > 0 ? warmup : Duration.ofSeconds(10), null);
                awaitDrained(vhost, Duration.ofSeconds(300));
                sink.arrivals().clear();
                long mailsBefore = smtp == null ? 0 : smtp.getReceivedMessages().length;
                long pagerdutyBefore = sink.requests("pagerduty");
                long teamsBefore = sink.requests("teams");
                String run = "sets-" + UUID.randomUUID();
                SignedEvents ids = new SignedEvents(run, KEY);
                Map<String, Long> acceptedAt = new ConcurrentHashMap<>();
                long first = System.currentTimeMillis();
                LoadGenerator.Result ingress = LoadGenerator.run("relay, " + label, port, "/v1/webhook", KEY, run, 32, 10,
                        cell, (firstId, events, at) -> {
                            for (int i = 0; i < events; i++) {
                                acceptedAt.put("bench-app:security_event:id-" + ids.id(firstId + i), at);
                            }
                        });
                ingressRows.add(row("rabbitmq, launcher", ingress));
                progress("%s ingress: %s", label, brief(ingress));
                long sinkDone = 0;
                if (targets.contains("http")) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
                    while (!sink.arrivals().keySet().containsAll(acceptedAt.keySet()) && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    sinkDone = acceptedAt.keySet().stream().map(sink.arrivals()::get).filter(java.util.Objects::nonNull)
                            .mapToLong(Long::longValue).max().orElse(0);
                }
                long drained = awaitDrained(vhost, Duration.ofSeconds(300));
                long deadLetters = vhost.queues("name", "messages").stream().filter(l -> l.startsWith("relay.dead."))
                        .mapToLong(l -> Long.parseLong(l.split("\\s+")[1])).sum();
                long events = acceptedAt.size();
                long missingAtSink = targets.contains("http")
                        ? acceptedAt.keySet().stream().filter(k -> !sink.arrivals().containsKey(k)).count() : 0;
                List<String> others = new ArrayList<>();
                if (smtp != null) {
                    others.add("email " + (smtp.getReceivedMessages().length - mailsBefore) + " mails");
                }
                if (targets.contains("pagerduty")) {
                    others.add("pagerduty " + (sink.requests("pagerduty") - pagerdutyBefore) + " events");
                }
                if (targets.contains("teams")) {
                    others.add("teams " + (sink.requests("teams") - teamsBefore) + " cards");
                }
                String toSink = sinkDone > 0 ? String.format(Locale.ROOT, "%,.0f", events / ((sinkDone - first) / 1000.0)) : "-";
                double toDrained = events / ((drained - first) / 1000.0);
                String paced = "-";
                if (targets.size() == 2) {
                    double half = ingress.requestsPerSecond() / 2;
                    LoadGenerator.Result p = LoadGenerator.run("relay, " + label + ", paced at " + Math.round(half)
                            + " req/s (half)", port, "/v1/webhook", KEY, UUID.randomUUID().toString(), 32, 10, cell, half, null);
                    ingressRows.add(row("rabbitmq, launcher", p));
                    progress("%s paced at %.0f req/s: %s", label, half, brief(p));
                    paced = String.format(Locale.ROOT, "%.1f (p50 %.1f)", p.latencies().percentile(99) / 1000.0,
                            p.latencies().percentile(50) / 1000.0);
                    awaitDrained(vhost, Duration.ofSeconds(300));
                }
                targetRows.add(String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %s | %s | %,.0f | %,.0f | %d | %d%s | %s | %,d ms | %d MB |",
                        label, ingress.eventsPerSecond(), ingress.latencies().percentile(99) / 1000.0, paced, toSink,
                        toDrained, base.eventsPerSecond(), events, missingAtSink + deadLetters,
                        others.isEmpty() ? "" : " (" + String.join(", ", others) + " for " + events + " events)",
                        String.format(Locale.ROOT, "%.2f", ingress.eventsPerSecond() / base.eventsPerSecond()),
                        readyMillis, rss.peakMb()));
                targetSetRates.put(label, new double[] {ingress.eventsPerSecond(), base.eventsPerSecond()});
                progress("%s: to the HTTP sink %s events/s, all targets drained %,.0f events/s, %d events, %d missing or"
                        + " dead-lettered %s, peak RSS %d MB", label, toSink, toDrained, events, missingAtSink + deadLetters,
                        others, rss.peakMb());
                relay.terminate();
                relay.awaitExit(Duration.ofSeconds(60));
            }
        } finally {
            if (smtp != null) {
                smtp.stop();
            }
        }
    }

    /**
     * Waits until every queue of the vhost is empty (ready and unacknowledged); returns when it saw it (epoch ms).
     * Every 10 s it prints the queues still holding messages; a time-out names them.
     */
    private static long awaitDrained(TestBroker.RabbitVhost vhost, Duration atMost) throws InterruptedException {
        long began = System.nanoTime();
        long deadline = began + atMost.toNanos();
        long nextProgress = began + TimeUnit.SECONDS.toNanos(10);
        List<String> left = List.of();
        while (System.nanoTime() < deadline) {
            long now = System.currentTimeMillis();
            left = vhost.queues("name", "messages").stream()
                    .filter(l -> !l.startsWith("relay.dead."))
                    .filter(l -> !(l.trim().endsWith("\t0") || l.trim().endsWith(" 0")))
                    .map(l -> l.trim().replaceAll("\\s+", " "))
                    .toList();
            if (left.isEmpty()) {
                return now;
            }
            if (System.nanoTime() > nextProgress) {
                progress("draining for %d s: %s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began), left);
                nextProgress += TimeUnit.SECONDS.toNanos(10);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the queues of " + vhost + " were not drained in " + atMost + ": " + left);
    }

    // ---- start to ready

    /**
     * Start to ready on the embedded broker, three fresh starts each way: {@code java -jar} with no option and the
     * launcher (the documented launch). Ready: the readiness endpoint answers 200; from the process's start.
     */
    private void startToReady() throws Exception {
        Map<String, List<Long>> times = new java.util.LinkedHashMap<>();
        for (int round = 0; round < 3; round++) {
            for (String how : List.of("java -jar", "launcher")) {
                try (TestBroker broker = TestBroker.of("embedded")) {
                    RelayProcess relay = how.equals("launcher") ? startLauncher(broker, Map.of(), "start-" + round)
                            : start(broker, Map.of(), "start-jar-" + round);
                    try (relay) {
                        times.computeIfAbsent(how, h -> new ArrayList<>()).add(relay.awaitReady(Duration.ofSeconds(120)));
                        relay.terminate();
                        relay.awaitExit(Duration.ofSeconds(60));
                    }
                }
            }
        }
        times.forEach((how, ms) -> {
            long[] sorted = ms.stream().mapToLong(Long::longValue).sorted().toArray();
            startRows.add(String.format(Locale.ROOT, "| embedded | %s | %,d ms | %s |", how, sorted[sorted.length / 2],
                    java.util.Arrays.toString(sorted)));
            progress("start to ready, embedded, %s: %s ms", how, java.util.Arrays.toString(sorted));
        });
    }

    // ---- baseline

    private void baseline(URI vhost) throws Exception {
        AmqpBaseline.declareTopology(vhost);
        AmqpBaseline.run(vhost, "warm-" + UUID.randomUUID(), 8, 1, warmup);
        for (int concurrency : CONCURRENCY) {
            LoadGenerator.Result result = AmqpBaseline.run(vhost, UUID.randomUUID().toString(), concurrency, 1, cell);
            baselineRows.add(row("rabbitmq", result));
            progress("baseline 1 event/message x %2d threads: %s", concurrency, brief(result));
            if (concurrency == 32) {
                baselineEventsPerSecond = result.eventsPerSecond();
            }
        }
        LoadGenerator.Result perRequest = AmqpBaseline.run(vhost, UUID.randomUUID().toString(), 32, 10, cell);
        baselineRows.add(row("rabbitmq", perRequest));
        progress("baseline 10 events/message x 32 threads: %s", brief(perRequest));
    }

    // ---- end to end

    private void endToEnd(String broker) throws Exception {
        try (TimedSink sink = new TimedSink();
             TestBroker vhost = TestBroker.of(broker);
             RelayProcess relay = start(vhost, Map.of("HTTP_TARGET_URL", sink.url()), "e2e-" + broker)) {
            relay.awaitReady(Duration.ofSeconds(120));
            int port = relay.uri("/").getPort();
            // warm up (the JIT compiles the delivery path too): until the warm-up events have all been delivered
            String warm = "warm-" + UUID.randomUUID();
            SignedEvents warmIds = new SignedEvents(warm, KEY);
            Map<String, Long> warmAccepted = new ConcurrentHashMap<>();
            LoadGenerator.run("warm-up", port, "/v1/webhook", KEY, warm, 8, 10, warmup, (firstId, events, at) -> {
                for (int i = 0; i < events; i++) {
                    warmAccepted.put("bench-app:security_event:id-" + warmIds.id(firstId + i), at);
                }
            });
            long warmDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (!sink.arrivals().keySet().containsAll(warmAccepted.keySet()) && System.nanoTime() < warmDeadline) {
                Thread.sleep(200);
            }
            sink.arrivals().clear();
            measureEndToEnd(broker + ", burst: 32 clients unpaced", relay, port, sink, 0);
            measureEndToEnd(broker + ", steady: 500 events/s", relay, port, sink, 50);
            relay.terminate();
            relay.awaitExit(Duration.ofSeconds(60));
        }
    }

    /** One end-to-end measurement: events posted for one cell, then the wait until the sink has every one of them. */
    private void measureEndToEnd(String label, RelayProcess relay, int port, TimedSink sink, double requestsPerSecond)
            throws Exception {
        int clients = requestsPerSecond > 0 ? 8 : 32;
        sink.arrivals().clear();
        String run = "e2e-" + UUID.randomUUID();
        SignedEvents ids = new SignedEvents(run, KEY);
        Map<String, Long> acceptedAt = new ConcurrentHashMap<>();
        Path recording = work.resolve("e2e.jfr");
        boolean profiling = profile && endToEndProfile.isEmpty() && label.startsWith("rabbitmq");
        if (profiling) {
            jcmd(relay.pid(), "JFR.start", "name=e2e", "settings=profile", "filename=" + recording);
        }
        long first = System.currentTimeMillis();
        LoadGenerator.Result result = LoadGenerator.run("relay", port, "/v1/webhook", KEY, run, clients, 10, cell,
                requestsPerSecond, (firstId, events, at) -> {
                    for (int i = 0; i < events; i++) {
                        acceptedAt.put("bench-app:security_event:id-" + ids.id(firstId + i), at);
                    }
                });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (!sink.arrivals().keySet().containsAll(acceptedAt.keySet()) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        if (profiling) {
            jcmd(relay.pid(), "JFR.stop", "name=e2e");
            endToEndProfile = "Recorded with JFR during the end-to-end burst on RabbitMQ (ingress, then delivery to the"
                    + " log and HTTP targets until the last event arrived).\n\n" + ProfileSummary.summarize(recording, 25);
        }
        Latencies latency = new Latencies();
        long last = 0;
        long missing = 0;
        for (Map.Entry<String, Long> accepted : acceptedAt.entrySet()) {
            Long arrived = sink.arrivals().get(accepted.getKey());
            if (arrived == null) {
                missing++;
                continue;
            }
            latency.add(Math.max(0, arrived - accepted.getValue()) * 1000);
            last = Math.max(last, arrived);
        }
        latency.sort();
        double seconds = (last - first) / 1000.0;
        endToEndRows.add(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %,.0f | %,.0f | %,.0f | %d |", label,
                acceptedAt.size(), result.eventsPerSecond(), acceptedAt.size() / seconds,
                latency.percentile(50) / 1000.0, latency.percentile(99) / 1000.0, missing));
        progress("%s end to end: %,d events accepted at %,.0f/s, delivered at %,.0f/s, latency p50 %d ms, p99 %d ms,"
                        + " last delivery %d ms after the first request; %d missing", label, acceptedAt.size(),
                result.eventsPerSecond(), acceptedAt.size() / seconds, latency.percentile(50) / 1000,
                latency.percentile(99) / 1000, last - first, missing);
    }

    // ---- adnanh/webhook

    private void webhook() throws Exception {
        Path binary = Path.of("/usr/bin/webhook");
        if (!Files.isExecutable(binary)) {
            progress("adnanh/webhook not installed (apt-get install webhook): skipped");
            return;
        }
        Path hooks = work.resolve("hooks.json");
        Files.writeString(hooks, """
                [{"id": "sqreen", "execute-command": "/bin/true", "response-message": "ok",
                  "trigger-rule-mismatch-http-response-code": 401,
                  "trigger-rule": {"match": {"type": "payload-hmac-sha256", "secret": "%s",
                                             "parameter": {"source": "header", "name": "X-Sqreen-Integrity"}}}}]
                """.formatted(KEY));
        int port = RelayUnderTest.freePort();
        Process webhook = new ProcessBuilder(binary.toString(), "-hooks", hooks.toString(), "-ip", "127.0.0.1",
                "-port", String.valueOf(port)).redirectErrorStream(true)
                .redirectOutput(work.resolve("webhook.log").toFile()).start();
        try {
            Thread.sleep(1000);
            LoadGenerator.run("warm-up", port, "/hooks/sqreen", KEY, "warm", 8, 10, warmup, null);
            for (int concurrency : new int[] {8, 32}) {
                LoadGenerator.Result result = LoadGenerator.run("adnanh/webhook (stores nothing)", port, "/hooks/sqreen",
                        KEY, UUID.randomUUID().toString(), concurrency, 10, cell, null);
                ingressRows.add(row("none", result));
                progress("webhook 10 events x %2d clients: %s", concurrency, brief(result));
                if (concurrency == 32) {
                    webhookEventsPerSecond = result.eventsPerSecond();
                }
            }
        } finally {
            webhook.destroy();
            webhook.waitFor(10, TimeUnit.SECONDS);
        }
    }

    // ---- plumbing

    private RelayProcess start(TestBroker broker, Map<String, String> extra, String name) throws IOException {
        return RelayProcess.start(RelayUnderTest.freePort(), env(broker, extra, name), work.resolve(name + "-console.txt"));
    }

    private RelayProcess startLauncher(TestBroker broker, Map<String, String> extra, String name) throws IOException {
        return RelayProcess.startLauncher(RelayUnderTest.freePort(), env(broker, extra, name),
                work.resolve(name + "-console.txt"));
    }

    /** A relay's environment: {@code extra}, the key, its own data and log directories, the broker when not embedded. */
    private Map<String, String> env(TestBroker broker, Map<String, String> extra, String name) {
        Map<String, String> env = new HashMap<>(extra);
        env.put("SIGNATURE_KEY", KEY);
        env.put("DATA_DIR", work.resolve(name).resolve("data").toString());
        env.put("LOG_DIR", work.resolve(name).resolve("logs").toString());
        if (broker.uri() != null) {
            env.put("RABBITMQ_URI", broker.uri());
        }
        return env;
    }

    private static void jcmd(long pid, String... command) throws Exception {
        List<String> args = new ArrayList<>();
        args.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        args.add(String.valueOf(pid));
        args.addAll(List.of(command));
        Process jcmd = new ProcessBuilder(args).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (jcmd.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + String.join(" ", command) + ": " + output);
        }
    }

    private static String row(String broker, LoadGenerator.Result r) {
        return String.format(Locale.ROOT, "| %s | %s | %d | %d | %,.0f | %,.0f | %.1f | %.1f | %.1f | %d |", r.label(),
                broker, r.events(), r.concurrency(), r.requestsPerSecond(), r.eventsPerSecond(),
                r.latencies().percentile(50) / 1000.0, r.latencies().percentile(99) / 1000.0,
                r.latencies().max() / 1000.0, r.errors());
    }

    private static String brief(LoadGenerator.Result r) {
        return String.format(Locale.ROOT, "%,.0f req/s, %,.0f events/s, p50 %.1f ms, p99 %.1f ms, errors %d %s",
                r.requestsPerSecond(), r.eventsPerSecond(), r.latencies().percentile(50) / 1000.0,
                r.latencies().percentile(99) / 1000.0, r.errors(), r.errors() > 0 ? r.answers() : "");
    }

    private static void progress(String format, Object... args) {
        System.out.println("bench: " + String.format(Locale.ROOT, format, args));
    }

    private String report(String started, Duration took) throws Exception {
        String header = "| what | broker | events/request | concurrency | requests/s | events/s | p50 ms | p99 ms | max ms | errors |\n"
                + "|---|---|---|---|---|---|---|---|---|---|\n";
        StringBuilder out = new StringBuilder();
        out.append("Run ").append(started).append(", ").append(took.toMinutes()).append(" min; ").append(machine())
                .append("; ").append(cell.toSeconds()).append(" s per cell after a ").append(warmup.toSeconds())
                .append(" s warm-up.\n\n");
        headline.forEach(line -> out.append("- ").append(line).append('\n'));
        if (webhookEventsPerSecond > 0) {
            out.append(String.format(Locale.ROOT, "- adnanh/webhook (stores nothing), same client, 10-event requests, 32"
                    + " clients: %,.0f events/s%n", webhookEventsPerSecond));
        }
        summary(out);
        if (!targetRows.isEmpty()) {
            out.append("\n### Target sets (the documented launch: target/sqreen-relay; RabbitMQ; 10-event requests, 32"
                    + " clients)\n\n| targets on | ingress events/s | p99 ms | paced at half the rate: p99 ms |"
                    + " end to end to the HTTP sink, events/s | until every target's queue is empty, events/s |"
                    + " same-unit baseline events/s | events | lost or dead-lettered (other targets' counts) |"
                    + " relay / same-unit baseline | start to ready | peak RSS |\n"
                    + "|---|---|---|---|---|---|---|---|---|---|---|---|\n").append(String.join("\n", targetRows)).append('\n');
        }
        if (!startRows.isEmpty()) {
            out.append("\n### Start to ready\n\n| broker | launch | median | three starts |\n|---|---|---|---|\n")
                    .append(String.join("\n", startRows)).append('\n');
        }
        out.append("\n### Ingress\n\n").append(header).append(String.join("\n", ingressRows)).append('\n');
        out.append("\n### Baseline: Spring AMQP, no HTTP, no Camel\n\n").append(header)
                .append(String.join("\n", baselineRows)).append('\n');
        out.append("\n### End to end (HTTP target: a sink answering 204)\n\n")
                .append("| run | events | accepted events/s | delivered events/s (first request to last delivery) |"
                        + " acceptance to delivery p50 ms | p99 ms | not delivered |\n|---|---|---|---|---|---|---|\n")
                .append(String.join("\n", endToEndRows)).append('\n');
        out.append("\n### The relay process\n\n| broker | start to ready | resident memory idle | peak under load |\n"
                + "|---|---|---|---|\n").append(String.join("\n", processRows)).append('\n');
        if (!profileReport.isEmpty()) {
            out.append("\n### Profile: ingress\n\n").append(profileReport);
        }
        if (!endToEndProfile.isEmpty()) {
            out.append("\n### Profile: end to end\n\n").append(endToEndProfile);
        }
        return out.toString();
    }

    /** The ratio line: each target set's ingress against adnanh/webhook and against its same-unit baseline. */
    private void summary(StringBuilder out) {
        targetSetRates.forEach((label, rates) -> out.append(String.format(Locale.ROOT,
                "- ratios, %s: relay / webhook **%s**, relay / same-unit baseline **%.2f** (%,.0f / %s / %,.0f events/s)%n",
                label, webhookEventsPerSecond > 0 ? String.format(Locale.ROOT, "%.2f", rates[0] / webhookEventsPerSecond)
                        : "-", rates[0] / rates[1], rates[0],
                webhookEventsPerSecond > 0 ? String.format(Locale.ROOT, "%,.0f", webhookEventsPerSecond) : "-", rates[1])));
    }

    private static String machine() throws Exception {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        long memoryGb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .findFirst().map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024 / 1024).orElse(0L);
        String rabbit = TestBroker.rabbitmqctl("version").trim();
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), " + memoryGb + " GiB, Java "
                + System.getProperty("java.version") + ", RabbitMQ " + rabbit;
    }
}
