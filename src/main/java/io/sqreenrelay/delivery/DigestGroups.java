package io.sqreenrelay.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sqreenrelay.broker.DeliveryHeaders;
import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.event.Digest;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Groups and digests (SPEC, "Digests"; Alertmanager's {@code group_by} / {@code group_interval}), the Java half of
 * the delivery template's grouping steps (routes/delivery-template.yaml):
 * <ul>
 *   <li>{@link #classify}: the first event of a group (no event of it seen for a whole {@code groupInterval}) is sent
 *       at once; a later event of an open group gets the exchange property {@value #GROUP}, its group key, and the
 *       template hands it to the Aggregator EIP, whose persistent repository (LevelDB under DATA_DIR) holds it until
 *       the digest. The decision is atomic per group, so two consumers never both send a "first" event;</li>
 *   <li>{@link #aggregate}: the Aggregator's strategy, gathering a group's events (one of its latest events gathered
 *       again, its message redelivered after a crash, is not counted twice) as JSON text of a bounded size, which
 *       the repository stores;</li>
 *   <li>{@link #publish}: a completed group becomes one digest, an {@link AcceptedEvent} carrying a {@link Digest},
 *       stored in the target's own queue, from where it is delivered (retried, held, dead-lettered) as any event.
 *       Its key is a hash of the events it covers (their count and the sum of their key hashes): a digest published
 *       twice (a crash between the publish and the repository's confirm) is sent once (the Idempotent Consumer).</li>
 * </ul>
 * A group is open in this relay's memory, or when the repository still holds events of it (after a restart).
 */
public final class DigestGroups implements AggregationStrategy {

    /** Exchange property: the group key of an event that joins its group's next digest (absent: send it now). */
    public static final String GROUP = "relayGroup";
    /** Exchange property: the template parameter {@code groupBy} (comma-separated fields of the event's view). */
    public static final String GROUP_BY = "relayGroupBy";
    /** Exchange property: the template parameter {@code groupInterval} (a duration such as 60s). */
    public static final String GROUP_INTERVAL = "relayGroupInterval";

    /** How many of a group's latest events are known by their key (a redelivered one is not counted twice). */
    static final int RECENT = 200;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)?");
    private static final Map<String, RecordComponent> FIELDS = new LinkedHashMap<>();

    static {
        for (RecordComponent component : AcceptedEvent.class.getRecordComponents()) {
            FIELDS.put(component.getName(), component);
        }
    }

    /**
     * The events of a group gathered so far, as the aggregation repository stores them (JSON text). Its size is
     * bounded, whatever the group's: the repository rewrites it at every event (read, add, write, synced), so a
     * storm of thousands of events in one group costs the same per event as a group of ten.
     *
     * @param target  the target whose group it is (the repository keeps the body, never the exchange's properties)
     * @param group   the group's key ({@link #groupKey})
     * @param sample  the group's first gathered event, its source dropped: the digest's view
     * @param keys    only in a group gathered by an earlier version: its events' keys (read once, then null)
     * @param recent  the {@link #keyHash hashes} of the latest {@value #RECENT} events counted, oldest first: an event
     *                among them (its message redelivered after a crash, which brings back the latest ones) is not
     *                counted twice
     * @param count   how many events it gathered, each once
     * @param sum     the sum (mod 2^64, hex) of the hashes of all of them: with {@code count} and {@code round}, the
     *                digest's identity ({@link #digestKey(int, String, int)}), whatever the order they came in
     * @param titles  the titles of the first {@value Digest#MAX_TITLES}
     * @param firstAt earliest acceptance (epoch ms)
     * @param lastAt  latest acceptance (epoch ms)
     * @param link    the latest event's link (may be null)
     * @param round   0, or one more than the latest digest that joined (came too soon, {@link #classify}): the same
     *                events gathered again make a digest with a key of its own, never taken for the one that joined
     */
    public record Gathered(String target, String group, AcceptedEvent sample, List<String> keys, List<String> recent,
                           int count, String sum, List<String> titles, long firstAt, long lastAt, String link,
                           int round) {

        /** A group with nothing gathered yet. */
        static Gathered empty(String target, String group, AcceptedEvent sample) {
            return new Gathered(target, group, sample, null, List.of(), 0, hex(0), List.of(), Long.MAX_VALUE,
                    Long.MIN_VALUE, null, 0);
        }

        /** A group stored by an earlier version (all its keys): the same group in this form. */
        Gathered upgraded() {
            if (keys == null) {
                return this;
            }
            Gathered none = new Gathered(target, group, sample, null, List.of(), 0, hex(0), titles, firstAt, lastAt,
                    link, round);
            return none.plus(keys.stream().map(DigestGroups::keyHash).toList(), List.of(), firstAt, lastAt, link);
        }

        /**
         * These with events added, by their key hashes: those not among the recent ones are counted (a title each
         * while there is room), and the times and link are updated.
         */
        Gathered plus(List<String> moreHashes, List<String> moreTitles, long first, long last, String latestLink) {
            LinkedHashSet<String> latest = new LinkedHashSet<>(recent);
            List<String> allTitles = new ArrayList<>(titles);
            int counted = count;
            long total = Long.parseUnsignedLong(sum, 16);
            for (int i = 0; i < moreHashes.size(); i++) {
                String hash = moreHashes.get(i);
                if (latest.add(hash)) {
                    counted++;
                    total += Long.parseUnsignedLong(hash, 16);
                    if (allTitles.size() < Digest.MAX_TITLES && i < moreTitles.size()) {
                        allTitles.add(moreTitles.get(i));
                    }
                }
            }
            if (counted == count) {
                return this;
            }
            return new Gathered(target, group, sample, null, newest(latest), counted, hex(total), allTitles,
                    Math.min(firstAt, first), Math.max(lastAt, last), latestLink != null ? latestLink : link, round);
        }

        /**
         * These with a whole digest added that lists only its latest events ({@code digestCount} of them,
         * {@code digestSum}): counted at once, unless its identity is among the recent ones (the same digest again).
         */
        Gathered plusDigest(String identity, int digestCount, String digestSum, List<String> digestRecent,
                            List<String> digestTitles, long first, long last, String latestLink) {
            if (recent.contains(identity)) {
                return this;
            }
            LinkedHashSet<String> latest = new LinkedHashSet<>(recent);
            latest.addAll(digestRecent);
            latest.add(identity);
            List<String> allTitles = new ArrayList<>(titles);
            for (String title : digestTitles) {
                if (allTitles.size() < Digest.MAX_TITLES) {
                    allTitles.add(title);
                }
            }
            return new Gathered(target, group, sample, null, newest(latest), count + digestCount,
                    hex(Long.parseUnsignedLong(sum, 16) + Long.parseUnsignedLong(digestSum, 16)), allTitles,
                    Math.min(firstAt, first), Math.max(lastAt, last), latestLink != null ? latestLink : link, round);
        }

        /** These after the digest of round {@code joined} joined them. */
        Gathered joined(int joined) {
            return new Gathered(target, group, sample, keys, recent, count, sum, titles, firstAt, lastAt, link,
                    Math.max(round, joined + 1));
        }

        private static List<String> newest(LinkedHashSet<String> hashes) {
            List<String> all = new ArrayList<>(hashes);
            return List.copyOf(all.subList(Math.max(0, all.size() - RECENT), all.size()));
        }
    }

    /** Stores a digest in the queue of its target: (target, body, headers); throws when the broker cannot take it. */
    public interface Publisher {
        void publish(String target, byte[] body, Map<String, Object> headers);
    }

    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
    /** When the last digest of each target's group was let through (target, newline, group key). */
    private final Map<String, Long> lastDigest = new ConcurrentHashMap<>();
    private final AtomicInteger sinceSweep = new AtomicInteger();
    private final BiPredicate<String, String> held;
    private final Publisher publisher;
    private final LongSupplier clock;

    /**
     * @param held      whether the aggregation repository of a target (first) holds events of a group (second)
     * @param publisher where completed digests go
     */
    public DigestGroups(BiPredicate<String, String> held, Publisher publisher) {
        this(held, publisher, System::currentTimeMillis);
    }

    /** The same, reading the time (epoch milliseconds) from {@code clock}. */
    public DigestGroups(BiPredicate<String, String> held, Publisher publisher, LongSupplier clock) {
        this.held = held;
        this.publisher = publisher;
        this.clock = clock;
    }

    /**
     * The grouping decision for the event in {@code relayEvent}: sets {@value #GROUP} when it joins an open group's
     * digest; leaves it unset when the event is to be sent now: the target is not grouped ({@code groupBy} empty or
     * {@code none}), the event is the first of its group (which opens for {@code groupInterval}), or it is a retry (a
     * message back from a wait queue, or for one recipient alone: sent as it is, never gathered again). A digest is
     * sent unless the group's last digest went less than {@code groupInterval} ago (it waited in a backlogged queue):
     * then it joins the next one, so a person gets at most one digest of a group per interval.
     *
     * @throws IllegalArgumentException when {@code groupBy} names a field the event's view does not have, or
     *                                  {@code groupInterval} is not a duration
     */
    public void classify(Exchange exchange) {
        exchange.removeProperty(GROUP);
        String groupBy = exchange.getProperty(GROUP_BY, String.class);
        AcceptedEvent event = exchange.getProperty(DeliveryProperties.EVENT, AcceptedEvent.class);
        if (!grouped(groupBy) || event == null
                || exchange.getProperty(Recipients.RECIPIENT) != null
                || DeliveryHeaders.number(exchange.getProperty(DeliveryProperties.FAILURES)) > 0) {
            return;
        }
        String target = exchange.getProperty(DeliveryProperties.TARGET, String.class);
        long interval = millis(exchange.getProperty(GROUP_INTERVAL, String.class));
        long now = clock.getAsLong();
        boolean[] joins = new boolean[1];
        if (event.digest() != null) {
            // a digest that waited in the queue behind a backlog, and comes within an interval of the group's last
            // one, joins the next: at most one digest of a group per interval
            String group = coveredGroup(event);
            if (group != null) {
                lastDigest.compute(target + '\n' + group, (id, sent) -> {
                    joins[0] = sent != null && now - sent < interval;
                    return joins[0] ? sent : now;
                });
                if (joins[0]) {
                    lastSeen.put(target + '\n' + group, now);
                    exchange.setProperty(GROUP, group);
                }
            }
            return;
        }
        String group = groupKey(event, groupBy);
        lastSeen.compute(target + '\n' + group, (id, seen) -> {
            joins[0] = seen != null ? now - seen < interval : held.test(target, group);
            return now;
        });
        if (joins[0]) {
            exchange.setProperty(GROUP, group);
        }
        if (sinceSweep.incrementAndGet() % 1000 == 0) {
            lastSeen.values().removeIf(seen -> now - seen > Duration.ofDays(1).toMillis());
            lastDigest.values().removeIf(sent -> now - sent > Duration.ofDays(1).toMillis());
        }
    }

    /** True when {@code groupBy} groups: neither empty nor {@code none}. */
    public static boolean grouped(String groupBy) {
        return groupBy != null && !groupBy.isBlank() && !groupBy.trim().equals("none");
    }

    /**
     * Checks that every field {@code groupBy} names is one of the event's view (GROUP_BY at start).
     *
     * @throws IllegalArgumentException naming the first that is not
     */
    public static void checkFields(String groupBy) {
        if (grouped(groupBy)) {
            groupKey(new AcceptedEvent("check", false, 0, "{}", "t", null, null, null, null, null, null, null, null,
                    null), groupBy);
        }
    }

    /**
     * The key of the event's group: internal alerts and other events never share one, then the values of the
     * {@code groupBy} fields (names of {@link AcceptedEvent}'s view: {@code applicationId}, {@code type},
     * {@code environment}...), e.g. {@code external|applicationId=app-1|type=security_event}.
     *
     * @throws IllegalArgumentException when a field is not one of the view's
     */
    public static String groupKey(AcceptedEvent event, String groupBy) {
        StringBuilder key = new StringBuilder(event.internal() ? "internal" : "external");
        for (String name : groupBy.split(",")) {
            String field = name.trim();
            if (field.isEmpty()) {
                continue;
            }
            RecordComponent component = FIELDS.get(field);
            if (component == null || field.equals("digest") || field.equals("source")) {
                throw new IllegalArgumentException("groupBy names '" + field + "', not a field of the event; one of "
                        + String.join(", ", FIELDS.keySet().stream()
                                .filter(f -> !f.equals("digest") && !f.equals("source")).toList()));
            }
            Object value;
            try {
                value = component.getAccessor().invoke(event);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            key.append('|').append(field).append('=').append(value == null ? "" : value);
        }
        return key.toString();
    }

    /**
     * The Aggregator's strategy: adds the event of {@code newExchange} to the group gathered in {@code oldExchange}.
     * The event may be a digest that came too soon after the group's last one ({@link #classify}): the events it
     * covers join, each counted once.
     */
    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        AcceptedEvent event = newExchange.getProperty(DeliveryProperties.EVENT, AcceptedEvent.class);
        Exchange into = oldExchange == null ? newExchange : oldExchange;
        Gathered gathered = oldExchange == null ? null : read(oldExchange.getMessage().getBody(String.class));
        if (gathered == null) {
            AcceptedEvent sample = new AcceptedEvent(event.key(), event.internal(), event.receivedAt(), "",
                    event.type(), event.title(), event.applicationId(), event.applicationName(), event.environment(),
                    event.date(), event.link(), List.of(), null, null);
            gathered = Gathered.empty(newExchange.getProperty(DeliveryProperties.TARGET, String.class),
                    newExchange.getProperty(GROUP, String.class), sample);
        }
        if (event.digest() == null) {
            gathered = gathered.plus(List.of(keyHash(event.key())), List.of(title(event)), event.receivedAt(),
                    event.receivedAt(), event.link());
        } else {
            JsonNode covered = covered(event);
            List<String> hashes = coveredHashes(covered);
            int count = covered.path("count").asInt(hashes.size());
            gathered = (count <= hashes.size()
                    ? gathered.plus(hashes, event.digest().titles(), event.digest().firstAt(), event.digest().lastAt(),
                            event.link())
                    : gathered.plusDigest(keyHash(event.key()), count, covered.path("sum").asText("0"), hashes,
                            event.digest().titles(), event.digest().firstAt(), event.digest().lastAt(), event.link()))
                    .joined(covered.path("round").asInt(0));
        }
        // only the gathered events are stored (the body): nothing of the broker message, no event object
        into.removeProperties("relay*");
        into.getMessage().removeHeaders("*");
        into.getMessage().setBody(write(gathered));
        return into;
    }

    /**
     * The Aggregator's completion step: the group gathered in the body becomes one digest, stored in the queue of its
     * target. Throws when the broker cannot take it: the completed group stays in the repository, whose recovery
     * tries again.
     */
    public void publish(Exchange exchange) throws JsonProcessingException {
        Gathered gathered = read(exchange.getMessage().getBody(String.class));
        String target = gathered.target();
        AcceptedEvent digest = digestOf(gathered);
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(DeliveryHeaders.TARGET, target);
        publisher.publish(target, JSON.writeValueAsBytes(List.of(digest)), headers);
    }

    /** The digest of a gathered group: an event whose key hashes the covered keys, carrying a {@link Digest}. */
    public static AcceptedEvent digestOf(Gathered gathered) {
        AcceptedEvent sample = gathered.sample();
        int count = gathered.count();
        Digest digest = new Digest(count, gathered.firstAt(), gathered.lastAt(), gathered.titles(),
                count - gathered.titles().size());
        String source;
        try {
            Map<String, Object> text = new LinkedHashMap<>();
            text.put("digest", count);
            text.put("group", gathered.group());
            text.put("round", gathered.round());
            text.put("type", sample.type());
            text.put("applicationId", sample.applicationId());
            text.put("count", count);
            text.put("sum", gathered.sum());
            // the latest events' key hashes, so that a digest joining another group counts them once
            text.put("recent", gathered.recent());
            source = JSON.writeValueAsString(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return new AcceptedEvent(digestKey(count, gathered.sum(), gathered.round()), sample.internal(),
                gathered.lastAt(), source, sample.type(), sample.title(), sample.applicationId(),
                sample.applicationName(), sample.environment(), null, gathered.link(), List.of(), null, digest);
    }

    /**
     * {@code digest:} and the SHA-256 (hex, first 128 bits) of the count, the sum of the key hashes and the round
     * ({@link Gathered}): the same group completed twice (a crash between the publish and the repository's confirm)
     * has the same key, and is sent once; any other set of events, or the same one in another round, has another.
     */
    public static String digestKey(int count, String sum, int round) {
        String identity = count + "\n" + sum + (round == 0 ? "" : "\n#" + round);
        return "digest:" + HexFormat.of().formatHex(sha256(identity), 0, 16);
    }

    /** The key of the digest of these events (their keys, each once, in any order) in {@code round}. */
    public static String digestKey(List<String> keys, int round) {
        Set<String> distinct = new LinkedHashSet<>(keys);
        long sum = 0;
        for (String key : distinct) {
            sum += Long.parseUnsignedLong(keyHash(key), 16);
        }
        return digestKey(distinct.size(), hex(sum), round);
    }

    /** An event key's hash as the gathered groups keep it: the first 64 bits of its SHA-256, 16 hex digits. */
    static String keyHash(String key) {
        return HexFormat.of().formatHex(sha256(key), 0, 8);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(long value) {
        return String.format("%016x", value);
    }

    /**
     * A duration as the settings write it ({@code 250ms}, {@code 5s}, {@code 10m}, {@code 24h}, {@code 1d}; a bare
     * number is seconds), in milliseconds.
     *
     * @throws IllegalArgumentException when the text is not such a duration
     */
    public static long millis(String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration such as 250ms, 5s, 10m: '" + text + "'");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> amount;
            case "m" -> Duration.ofMinutes(amount).toMillis();
            case "h" -> Duration.ofHours(amount).toMillis();
            case "d" -> Duration.ofDays(amount).toMillis();
            default -> Duration.ofSeconds(amount).toMillis();
        };
    }

    /**
     * The key hashes a digest lists (its source, {@link #digestOf}): its latest events', or, for a digest of an
     * earlier version, the hashes of all the keys it lists.
     */
    private static List<String> coveredHashes(JsonNode covered) {
        List<String> hashes = new ArrayList<>();
        covered.path("recent").forEach(hash -> hashes.add(hash.asText()));
        covered.path("keys").forEach(key -> hashes.add(keyHash(key.asText())));
        return hashes;
    }

    private static JsonNode covered(AcceptedEvent digest) {
        try {
            return JSON.readTree(digest.source());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a digest's source is not readable", e);
        }
    }

    /** The group a digest covers (its source), or null when it does not say. */
    private static String coveredGroup(AcceptedEvent digest) {
        try {
            JsonNode group = JSON.readTree(digest.source()).path("group");
            return group.isTextual() ? group.asText() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String title(AcceptedEvent event) {
        return event.title() == null ? "" : event.title();
    }

    private static Gathered read(String text) {
        try {
            return text == null ? null : JSON.readValue(text, Gathered.class).upgraded();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a gathered group is not readable", e);
        }
    }

    private static String write(Gathered gathered) {
        try {
            return JSON.writeValueAsString(gathered);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
