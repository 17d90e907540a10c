package io.sqreenrelay.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.List;

/**
 * An event as the relay stores it in the broker once accepted, and as every target and routing rule reads it (the
 * exchange property {@code relayEvent}; SPEC, "Routing, grouping and the delivery template"): the decisions taken at
 * acceptance and the normalized view, built once at ingress, travel with the event's exact source text, so no target
 * parses the event again and every target sees the same key and the same internal-alert flag.
 *
 * <p>A message stored by a relay of an earlier version holds only {@code key}, {@code internal}, {@code receivedAt}
 * and {@code source}: the view is then derived from {@code source} when the message is read.
 *
 * @param key             the de-duplication key ({@link SqreenEvent#key()})
 * @param internal        true when the event concerns the relay's own application: an internal security alert
 * @param receivedAt      when the relay accepted it (epoch milliseconds)
 * @param source          the event object exactly as Sqreen sent it (for v2, the whole envelope)
 * @param type            {@link SqreenEvent#type()}
 * @param title           {@link SqreenEvent#title()}
 * @param applicationId   {@link SqreenEvent#applicationId()}, or null
 * @param applicationName {@link SqreenEvent#applicationName()}, or null
 * @param environment     {@link SqreenEvent#environment()}, or null
 * @param date            {@link SqreenEvent#date()}, or null
 * @param link            {@link SqreenEvent#link()}, or null
 * @param ips             {@link SqreenEvent#ips()} (empty when none)
 * @param risk            {@link SqreenEvent#risk()}, or null
 * @param digest          for a digest of a group's events (SPEC, "Digests"), what it covers; null for an event.
 *                        A digest's key is its own ({@code digest:} and a hash of the keys it covers), its view that
 *                        of the group (type, application, environment, internal flag) and its latest link
 */
public record AcceptedEvent(String key, boolean internal, long receivedAt, String source,
                            String type, String title, String applicationId, String applicationName,
                            String environment, String date, String link, List<String> ips, BigDecimal risk,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Digest digest) {

    private static final ObjectMapper JSON = SqreenEvents.exactNumbers(new ObjectMapper());

    @JsonCreator
    public AcceptedEvent {
        if (type == null && source != null) {
            // stored before the view travelled with the event: derive it once, here
            SqreenEvent view = SqreenEvents.normalize(parse(source), source);
            type = view.type();
            title = view.title();
            applicationId = view.applicationId();
            applicationName = view.applicationName();
            environment = view.environment();
            date = view.date();
            link = view.link();
            ips = view.ips();
            risk = view.risk();
        }
        ips = ips == null ? List.of() : List.copyOf(ips);
    }

    /** The accepted event of {@code view}, whose exact text is {@code source}. */
    public static AcceptedEvent of(SqreenEvent view, boolean internal, long receivedAt, String source) {
        return new AcceptedEvent(view.key(), internal, receivedAt, source, view.type(), view.title(),
                view.applicationId(), view.applicationName(), view.environment(), view.date(), view.link(), view.ips(),
                view.risk(), null);
    }

    /** The accepted event of {@code source}, its view derived from it. */
    public AcceptedEvent(String key, boolean internal, long receivedAt, String source) {
        this(key, internal, receivedAt, source, null, null, null, null, null, null, null, null, null, null);
    }

    private static com.fasterxml.jackson.databind.JsonNode parse(String source) {
        try {
            return JSON.readTree(source);
        } catch (IOException e) {
            throw new UncheckedIOException("a stored event is not JSON", e);
        }
    }
}
