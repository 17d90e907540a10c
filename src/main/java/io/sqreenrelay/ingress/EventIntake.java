package io.sqreenrelay.ingress;

import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.event.ReceivedEvent;
import io.sqreenrelay.event.SqreenEvent;
import io.sqreenrelay.event.SqreenEvents;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * Turns a verified body into the events to store: parses it (422 when it is not an array of event objects),
 * derives each event's key and internal-alert flag, and keeps only those not received before.
 *
 * <p>Body after: the {@code List<AcceptedEvent>} of new events. Exchange properties after:
 * {@value #ACCEPTED} and {@value #DUPLICATES}, the counts the response reports, and
 * {@value #EVENTS}, the new events (to remember once the broker has confirmed them).
 *
 * <p>An event that another request on this relay is storing at this moment is waited for ({@link KeysInFlight}):
 * a duplicate once that request stored it. Throws {@link java.util.concurrent.TimeoutException} (503, retried) when
 * that request takes longer than the wait.
 */
public final class EventIntake implements Processor {

    public static final String ACCEPTED = "relayAccepted";
    public static final String DUPLICATES = "relayDuplicates";
    public static final String EVENTS = "relayEvents";

    private final String ownApplicationId;
    private final RecentEventKeys recentKeys;
    private final KeysInFlight inFlight;

    /**
     * @param ownApplicationId the relay's own Sqreen application id (its events are internal alerts), or null
     * @param recentKeys       the keys of the events stored before
     * @param inFlight         the keys that requests are storing now
     */
    public EventIntake(String ownApplicationId, RecentEventKeys recentKeys, KeysInFlight inFlight) {
        this.ownApplicationId = ownApplicationId;
        this.recentKeys = recentKeys;
        this.inFlight = inFlight;
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        List<ReceivedEvent> received = WebhookBody.parse(exchange.getMessage().getBody(byte[].class));
        long now = System.currentTimeMillis();
        List<SqreenEvent> views = new ArrayList<>(received.size());
        for (ReceivedEvent event : received) {
            views.add(SqreenEvents.normalize(event.json(), event.source()));
        }
        List<String> keys = views.stream().map(SqreenEvent::key).toList();
        KeysInFlight.Claim claim = inFlight.claim(keys);
        // released once answered: stored when the request ended without an error (a 503 is a handled error)
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                claim.release(done.getException() == null
                        && done.getProperty(Exchange.EXCEPTION_CAUGHT) == null);
            }
        });
        Set<String> storedBefore = new HashSet<>(recentKeys.known(keys));
        storedBefore.addAll(claim.storedByOthers());
        List<AcceptedEvent> fresh = new ArrayList<>(received.size());
        Set<String> keysInRequest = new HashSet<>();
        for (int i = 0; i < received.size(); i++) {
            SqreenEvent view = views.get(i);
            if (keysInRequest.add(view.key()) && !storedBefore.contains(view.key())) {
                fresh.add(AcceptedEvent.of(view, view.concerns(ownApplicationId), now, received.get(i).source()));
            }
        }
        exchange.getMessage().setBody(fresh);
        exchange.setProperty(EVENTS, fresh);
        exchange.setProperty(ACCEPTED, fresh.size());
        exchange.setProperty(DUPLICATES, received.size() - fresh.size());
    }
}
