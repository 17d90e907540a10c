package io.sqreenrelay.delivery;

import static io.sqreenrelay.broker.DeliveryHeaders.DUE_AT;
import static io.sqreenrelay.broker.DeliveryHeaders.FAILURES;
import static io.sqreenrelay.broker.DeliveryHeaders.FIRST_FAILURE_AT;
import static io.sqreenrelay.broker.DeliveryHeaders.LAST_ERROR;
import static io.sqreenrelay.broker.DeliveryHeaders.TARGET;
import static io.sqreenrelay.broker.DeliveryHeaders.number;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sqreenrelay.broker.DeadLetters;
import io.sqreenrelay.broker.WaitQueues;
import io.sqreenrelay.event.AcceptedEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the delivery template does when sending an event failed (the {@code delivery-outcomes} route
 * configuration): {@link DeliveryOutcomes} decides, and the event is parked in the broker accordingly, in a wait
 * queue until its next attempt is due, or in the target's dead-letter queue. Once parked, the failure is handled
 * and the target's other events go on. If the broker cannot take it, this throws, and the message stays in the
 * target's queue to be tried again: an event is never dropped.
 */
public final class DeliveryFailures implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger("relay.delivery");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DeliveryOutcomes outcomes;
    private final WaitQueues waitQueues;
    private final DeadLetters deadLetters;
    private final TargetActivity activity;
    private final TargetHolds holds;

    public DeliveryFailures(DeliveryOutcomes outcomes, WaitQueues waitQueues, DeadLetters deadLetters,
                            TargetActivity activity, TargetHolds holds) {
        this.outcomes = outcomes;
        this.waitQueues = waitQueues;
        this.deadLetters = deadLetters;
        this.activity = activity;
        this.holds = holds;
    }

    @Override
    public void process(Exchange exchange) throws JsonProcessingException {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String target = exchange.getProperty(DeliveryProperties.TARGET, String.class);
        AcceptedEvent event = exchange.getProperty(DeliveryProperties.EVENT, AcceptedEvent.class);
        if (event == null) {
            // the message could not even be read as events: nothing to retry, keep it as it came for ops to see
            byte[] raw = exchange.getMessage().getBody(byte[].class);
            deadLetters.park(target, raw == null ? new byte[0] : raw, Map.of(TARGET, target, FAILURES, 1),
                    "not a batch of relay events");
            activity.deadLettered(target, "not a batch of relay events");
            LOG.error("Delivery to {}: a message that is not a batch of relay events went to the dead letters", target);
            return;
        }
        long now = System.currentTimeMillis();
        // an event held back (its target asked to wait) was not attempted: its attempt count stays as it was
        boolean held = DeliveryOutcomes.find(failure, TargetHolds.TargetOnHold.class) != null;
        int failures = (int) number(exchange.getProperty(DeliveryProperties.FAILURES)) + (held ? 0 : 1);
        long firstFailureAt = number(exchange.getProperty(DeliveryProperties.FIRST_FAILURE_AT));
        if (firstFailureAt == 0) {
            firstFailureAt = now;
        }
        DeliveryOutcomes.Decision decision = outcomes.decide(failure, failures, firstFailureAt, now);

        Map<String, Object> headers = new HashMap<>();
        headers.put(TARGET, target);
        headers.put(FAILURES, failures);
        headers.put(FIRST_FAILURE_AT, firstFailureAt);
        headers.put(LAST_ERROR, decision.reason());
        String recipient = exchange.getProperty(Recipients.RECIPIENT, String.class);
        if (recipient != null) {
            headers.put(Recipients.RECIPIENT, recipient);   // parked for this recipient alone
        }
        byte[] body = JSON.writeValueAsBytes(List.of(event));
        String key = NotificationText.oneLine(event.key()) + (recipient == null ? "" : ", recipient "
                + NotificationText.oneLine(recipient));
        if (decision.holdTargetUntil() > 0) {
            holds.hold(target, decision.holdTargetUntil());
            LOG.warn("Delivery to {}: the target asked to wait ({}); nothing is sent to it for {}", target,
                    decision.reason(), Duration.ofMillis(decision.holdTargetUntil() - now));
        }
        if (decision.retry()) {
            headers.put(DUE_AT, decision.dueAt());
            waitQueues.park(body, headers);
            if (held) {
                // not an attempt: the hold was announced once, above, when the target asked for it
                LOG.debug("Delivery to {} on hold: event {} waits {}", target, key,
                        Duration.ofMillis(decision.dueAt() - now));
                return;
            }
            activity.retried(target, decision.reason());
            LOG.warn("Delivery to {} failed ({}), attempt {}: retry in {} (event {})", target, decision.reason(), failures,
                    Duration.ofMillis(decision.dueAt() - now), key);
        } else {
            deadLetters.park(target, body, headers, decision.reason());
            activity.deadLettered(target, decision.reason());
            LOG.error("Delivery to {} failed: {}; dead-lettered (event {})", target, decision.reason(), key);
        }
    }
}
