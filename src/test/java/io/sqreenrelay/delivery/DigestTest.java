package io.sqreenrelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sqreenrelay.event.AcceptedEvent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** Group keys, the grouping decision, gathering, and what each channel says for a digest. */
class DigestTest {

    private static final long T0 = 1_764_540_000_000L;    // 2025-11-30T22:00:00Z
    private static final DefaultCamelContext CAMEL = new DefaultCamelContext();

    private static AcceptedEvent event(int n, String app, String type, boolean internal, String title) {
        return new AcceptedEvent("k" + n, internal, T0 + n * 1000L, "{}", type, title, app, "shop", "production", null,
                "https://my.sqreen.com/e/" + n, List.of(), null, null);
    }

    /** The digest of {@code count} events of one group, gathered as the Aggregator gathers them. */
    private static AcceptedEvent digestOf(int count, boolean internal) {
        DigestGroups groups = new DigestGroups((t, g) -> false, (t, b, h) -> { });
        Exchange gathered = null;
        for (int n = 1; n <= count; n++) {
            Exchange next = exchange("mail", event(n, "app", "security_event", internal, "Attack <" + n + ">"));
            next.setProperty(DigestGroups.GROUP, DigestGroups.groupKey(next.getProperty(DeliveryProperties.EVENT,
                    AcceptedEvent.class), "applicationId,type"));
            gathered = groups.aggregate(gathered, next);
        }
        return DigestGroups.digestOf(read(gathered));
    }

    private static Exchange exchange(String target, AcceptedEvent event) {
        Exchange exchange = new DefaultExchange(CAMEL);
        exchange.setProperty(DeliveryProperties.TARGET, target);
        exchange.setProperty(DeliveryProperties.EVENT, event);
        return exchange;
    }

    private static DigestGroups.Gathered read(Exchange exchange) {
        try {
            return new ObjectMapper().readValue(exchange.getMessage().getBody(String.class), DigestGroups.Gathered.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aGroupIsItsFieldsValuesAndInternalAlertsNeverShareOneWithOtherEvents() {
        String groupBy = "applicationId,type";
        assertThat(DigestGroups.groupKey(event(1, "a", "security_event", false, "x"), groupBy))
                .isEqualTo("external|applicationId=a|type=security_event")
                .isEqualTo(DigestGroups.groupKey(event(2, "a", "security_event", false, "y"), groupBy));
        assertThat(DigestGroups.groupKey(event(1, "a", "security_event", true, "x"), groupBy))
                .isEqualTo("internal|applicationId=a|type=security_event");
        assertThat(DigestGroups.groupKey(event(1, "b", "security_event", false, "x"), groupBy))
                .isNotEqualTo(DigestGroups.groupKey(event(1, "a", "security_event", false, "x"), groupBy));
        assertThat(DigestGroups.groupKey(event(1, "a", "http_scan", false, "x"), " environment "))
                .isEqualTo("external|environment=production");
        assertThatThrownBy(() -> DigestGroups.checkFields("applicationId,tpye"))
                .hasMessageContaining("'tpye'").hasMessageContaining("applicationId");
        assertThat(DigestGroups.grouped("none")).isFalse();
        assertThat(DigestGroups.grouped("")).isFalse();
    }

    @Test
    void theFirstEventOfAGroupGoesAtOnceItsLaterOnesJoinUntilTheGroupHasBeenQuietForAnInterval() {
        List<String> held = new CopyOnWriteArrayList<>();
        AtomicLong now = new AtomicLong(T0);
        DigestGroups groups = new DigestGroups((target, group) -> held.contains(target + "/" + group), (t, b, h) -> { },
                now::get);
        Exchange first = grouped(exchange("slack", event(1, "a", "security_event", false, "x")), "200ms");
        groups.classify(first);
        assertThat(first.getProperty(DigestGroups.GROUP)).as("first: sent now").isNull();
        Exchange second = grouped(exchange("slack", event(2, "a", "security_event", false, "x")), "200ms");
        groups.classify(second);
        assertThat(second.getProperty(DigestGroups.GROUP)).isEqualTo("external|applicationId=a|type=security_event");
        Exchange otherTarget = grouped(exchange("mail", event(2, "a", "security_event", false, "x")), "200ms");
        groups.classify(otherTarget);
        assertThat(otherTarget.getProperty(DigestGroups.GROUP)).as("each target has its groups").isNull();
        Exchange retry = grouped(exchange("slack", event(3, "a", "security_event", false, "x")), "200ms");
        retry.setProperty(DeliveryProperties.FAILURES, 1);
        groups.classify(retry);
        assertThat(retry.getProperty(DigestGroups.GROUP)).as("a retry is sent as it is").isNull();
        now.addAndGet(199);
        Exchange withinInterval = grouped(exchange("slack", event(4, "a", "security_event", false, "x")), "200ms");
        groups.classify(withinInterval);
        assertThat(withinInterval.getProperty(DigestGroups.GROUP)).as("199 ms after the last: open").isNotNull();
        now.addAndGet(200);
        Exchange afterQuiet = grouped(exchange("slack", event(4, "a", "security_event", false, "x")), "200ms");
        groups.classify(afterQuiet);
        assertThat(afterQuiet.getProperty(DigestGroups.GROUP)).as("the group closed: first again").isNull();
        // after a restart: open if the repository still holds events of it
        held.add("teams/external|applicationId=a|type=security_event");
        Exchange restarted = grouped(exchange("teams", event(5, "a", "security_event", false, "x")), "60s");
        groups.classify(restarted);
        assertThat(restarted.getProperty(DigestGroups.GROUP)).isNotNull();
        Exchange ungrouped = grouped(exchange("log", event(6, "a", "security_event", false, "x")), "60s");
        ungrouped.setProperty(DigestGroups.GROUP_BY, "");
        groups.classify(ungrouped);
        assertThat(ungrouped.getProperty(DigestGroups.GROUP)).isNull();
    }

    private static Exchange grouped(Exchange exchange, String interval) {
        exchange.setProperty(DigestGroups.GROUP_BY, "applicationId,type");
        exchange.setProperty(DigestGroups.GROUP_INTERVAL, interval);
        return exchange;
    }

    @Test
    void gatheringCountsEachEventOnceAndKeepsTenTitlesTheTimeSpanAndTheLatestLink() {
        DigestGroups groups = new DigestGroups((t, g) -> false, (t, b, h) -> { });
        Exchange gathered = null;
        for (int n : new int[] {1, 2, 2, 3}) {
            gathered = groups.aggregate(gathered, exchange("sms", event(n, "app", "security_event", false, "t" + n)));
        }
        AcceptedEvent digest = DigestGroups.digestOf(read(gathered));
        assertThat(digest.digest().count()).isEqualTo(3);
        assertThat(digest.digest().titles()).containsExactly("t1", "t2", "t3");
        assertThat(digest.digest().firstAt()).isEqualTo(T0 + 1000);
        assertThat(digest.digest().lastAt()).isEqualTo(T0 + 3000);
        assertThat(digest.link()).isEqualTo("https://my.sqreen.com/e/3");
        assertThat(digest.key()).isEqualTo(DigestGroups.digestKey(List.of("k1", "k2", "k3"), 0))
                .isNotEqualTo(DigestGroups.digestKey(List.of("k1", "k2"), 0));
        assertThat(gathered.getProperties()).doesNotContainKey(DeliveryProperties.EVENT);
    }

    @Test
    void aStormInOneGroupIsGatheredInABoundedStateAndItsLatestEventsAreCountedOnce() {
        // the repository rewrites the gathered state at every event: it must not grow with the group
        DigestGroups groups = new DigestGroups((t, g) -> false, (t, b, h) -> { });
        Exchange gathered = null;
        int bodyAt1000 = 0;
        for (int n = 1; n <= 5000; n++) {
            gathered = groups.aggregate(gathered, exchange("sms", event(n, "app", "security_event", false, "t" + n)));
            if (n == 1000) {
                bodyAt1000 = gathered.getMessage().getBody(String.class).length();
            }
        }
        int bodyAt5000 = gathered.getMessage().getBody(String.class).length();
        assertThat(bodyAt5000).as("no bigger at 5,000 events than at 1,000").isEqualTo(bodyAt1000)
                .isLessThan(20 * DigestGroups.RECENT + 2000);
        // the latest events come back (their messages redelivered after a crash): counted once
        for (int n = 5000 - DigestGroups.RECENT + 1; n <= 5000; n++) {
            gathered = groups.aggregate(gathered, exchange("sms", event(n, "app", "security_event", false, "t" + n)));
        }
        AcceptedEvent digest = DigestGroups.digestOf(read(gathered));
        assertThat(digest.digest().count()).isEqualTo(5000);
        assertThat(digest.digest().more()).isEqualTo(4990);
        List<String> keys = new java.util.ArrayList<>();
        for (int n = 5000; n >= 1; n--) {
            keys.add("k" + n);   // the digest's identity does not depend on the order the events came in
        }
        assertThat(digest.key()).isEqualTo(DigestGroups.digestKey(keys, 0))
                .isNotEqualTo(DigestGroups.digestKey(keys.subList(1, keys.size()), 0));
    }

    @Test
    void aBigDigestThatJoinsIsCountedWholeAndOnce() {
        AcceptedEvent big = digestOf(DigestGroups.RECENT + 100, false);
        DigestGroups groups = new DigestGroups((t, g) -> false, (t, b, h) -> { });
        Exchange first = exchange("mail", big);
        first.setProperty(DigestGroups.GROUP, "external|applicationId=app|type=security_event");
        Exchange gathered = groups.aggregate(null, first);
        Exchange again = exchange("mail", big);
        again.setProperty(DigestGroups.GROUP, "external|applicationId=app|type=security_event");
        gathered = groups.aggregate(gathered, again);
        gathered = groups.aggregate(gathered, exchange("mail", event(9999, "app", "security_event", false, "new")));
        AcceptedEvent merged = DigestGroups.digestOf(read(gathered));
        assertThat(merged.digest().count()).isEqualTo(DigestGroups.RECENT + 101);
        assertThat(merged.key()).isNotEqualTo(big.key());
    }

    @Test
    void aGroupStoredByTheEarlierVersionWithAllItsKeysIsReadAndGoesOn() throws Exception {
        String stored = "{\"target\":\"mail\",\"group\":\"external|applicationId=app|type=security_event\","
                + "\"sample\":" + new ObjectMapper().writeValueAsString(event(1, "app", "security_event", false, "t1"))
                + ",\"keys\":[\"k1\",\"k2\"],\"titles\":[\"t1\",\"t2\"],\"firstAt\":" + (T0 + 1000)
                + ",\"lastAt\":" + (T0 + 2000) + ",\"link\":null,\"round\":0}";
        Exchange old = new DefaultExchange(CAMEL);
        old.getMessage().setBody(stored);
        DigestGroups groups = new DigestGroups((t, g) -> false, (t, b, h) -> { });
        Exchange gathered = groups.aggregate(old, exchange("mail", event(2, "app", "security_event", false, "t2")));
        gathered = groups.aggregate(gathered, exchange("mail", event(3, "app", "security_event", false, "t3")));
        AcceptedEvent digest = DigestGroups.digestOf(read(gathered));
        assertThat(digest.digest().count()).isEqualTo(3);
        assertThat(digest.digest().titles()).containsExactly("t1", "t2", "t3");
        assertThat(digest.key()).isEqualTo(DigestGroups.digestKey(List.of("k1", "k2", "k3"), 0));
    }

    @Test
    void aDigestThatComesWithinAnIntervalOfTheGroupsLastOneJoinsTheNext() {
        AtomicLong now = new AtomicLong(T0);
        DigestGroups groups = new DigestGroups((t, g) -> false, (t, b, h) -> { }, now::get);
        AcceptedEvent first = digestOf(3, false);
        Exchange sent = grouped(exchange("mail", first), "60s");
        groups.classify(sent);
        assertThat(sent.getProperty(DigestGroups.GROUP)).as("the group's first digest goes").isNull();
        now.addAndGet(1000);
        DigestGroups other = new DigestGroups((t, g) -> false, (t, b, h) -> { });
        Exchange gathered = null;
        for (int n = 4; n <= 15; n++) {
            Exchange next = exchange("mail", event(n, "app", "security_event", false, "Attack " + n));
            next.setProperty(DigestGroups.GROUP, "external|applicationId=app|type=security_event");
            gathered = other.aggregate(gathered, next);
        }
        AcceptedEvent tooSoon = DigestGroups.digestOf(read(gathered));
        Exchange late = grouped(exchange("mail", tooSoon), "60s");
        groups.classify(late);
        assertThat(late.getProperty(DigestGroups.GROUP)).as("a second digest within the interval joins the next")
                .isEqualTo("external|applicationId=app|type=security_event");
        // it joins: its 12 events with one more, each once, titles still at most 10
        Exchange next = groups.aggregate(null, late);
        Exchange event16 = exchange("mail", event(16, "app", "security_event", false, "Attack 16"));
        event16.setProperty(DigestGroups.GROUP, "external|applicationId=app|type=security_event");
        next = groups.aggregate(next, event16);
        Exchange again = exchange("mail", tooSoon);   // the same digest a second time (the aggregator copies each)
        again.setProperty(DigestGroups.GROUP, "external|applicationId=app|type=security_event");
        next = groups.aggregate(next, again);
        AcceptedEvent merged = DigestGroups.digestOf(read(next));
        assertThat(merged.digest().count()).isEqualTo(13);
        assertThat(merged.digest().titles()).hasSize(10).startsWith("Attack 4");
        assertThat(merged.digest().more()).isEqualTo(3);
        assertThat(merged.digest().firstAt()).isEqualTo(T0 + 4000);
        assertThat(merged.digest().lastAt()).isEqualTo(T0 + 16000);
        // the joined digest's events gathered again, with nothing new, still make a digest of a key of its own
        Exchange alone = exchange("mail", tooSoon);
        alone.setProperty(DigestGroups.GROUP, "external|applicationId=app|type=security_event");
        AcceptedEvent regathered = DigestGroups.digestOf(read(groups.aggregate(null, alone)));
        assertThat(regathered.digest().count()).isEqualTo(12);
        assertThat(regathered.key()).isNotEqualTo(tooSoon.key());
        now.addAndGet(60_000);
        Exchange afterInterval = grouped(exchange("mail", merged), "60s");
        groups.classify(afterInterval);
        assertThat(afterInterval.getProperty(DigestGroups.GROUP)).as("an interval later: sent").isNull();
    }

    @Test
    void aDigestOf1000SaysSoInDigitsListsTenTitlesAndCountsTheRest() throws Exception {
        AcceptedEvent digest = digestOf(1000, false);
        assertThat(digest.digest().more()).isEqualTo(990);

        assertThat(EmailMessage.subject(digest)).isEqualTo("Sqreen digest: 1000 security_event events (shop, production)");
        String body = new EmailMessage("relay").body(digest);
        assertThat(body).contains("Events:         1000").contains("First:          2025-11-30T22:00:01Z")
                .contains("Last:           2025-11-30T22:16:40Z").contains("- Attack <10>\n- and 990 more")
                .contains("Link:           https://my.sqreen.com/e/1000").doesNotContain("Attack <11>");
        assertThat(body.lines().filter(line -> line.startsWith("- Attack"))).hasSize(10);

        String slack = SlackMessage.text(digest, "relay");
        assertThat(slack).startsWith("*Sqreen digest: 1000 security_event events (shop, production)*\n"
                        + "2025-11-30T22:00:01Z to 2025-11-30T22:16:40Z\n• Attack &lt;1&gt;")
                .contains("• and 990 more").contains("<https://my.sqreen.com/e/1000|Open in Sqreen>");

        String sms = TwilioSms.text(digest);
        assertThat(sms).isEqualTo("Sqreen digest: 1000 security_event events (shop, production) | 2025-11-30T22:00:01Z"
                + " to 2025-11-30T22:16:40Z | e.g. Attack <1> | https://my.sqreen.com/e/1000");
        String form = new TwilioSms(java.net.URI.create("https://api.test/"), "AC1", "t", "+1555").form(digest, "+1666");
        assertThat(URLDecoder.decode(form, StandardCharsets.UTF_8)).contains("Body=Sqreen digest: 1000 ");
    }

    @Test
    void anInternalDigestIsTaggedAndADigestSurvivesTheBrokerAsJson() throws Exception {
        AcceptedEvent digest = digestOf(3, true);
        assertThat(EmailMessage.subject(digest)).startsWith("[INTERNAL SECURITY ALERT] Sqreen digest: 3 security_event");
        assertThat(TwilioSms.text(digest)).startsWith("[INTERNAL SECURITY ALERT] Sqreen digest: 3 ");
        ObjectMapper json = new ObjectMapper();
        AcceptedEvent back = json.readValue(json.writeValueAsBytes(digest), AcceptedEvent.class);
        assertThat(back).isEqualTo(digest);
        // an event has no digest field on the wire (messages as before)
        assertThat(json.writeValueAsString(event(1, "a", "t", false, "x"))).doesNotContain("digest");
        List<Integer> counts = new ArrayList<>();
        DigestGroups groups = new DigestGroups((t, g) -> false, (target, body, headers) -> {
            assertThat(target).isEqualTo("mail");
            assertThat(headers).containsEntry("relayTarget", "mail");
            try {
                counts.add(json.readValue(body, AcceptedEvent[].class)[0].digest().count());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Exchange gathered = groups.aggregate(null, exchange("mail", event(1, "a", "t", false, "x")));
        groups.publish(gathered);
        assertThat(counts).containsExactly(1);
    }
}
