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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of routes/delivery-outcomes.yaml, what the delivery template does when sending an event failed:
 * {@link #decide} ({@link DeliveryOutcomes} classifies the failure), then the route's choice parks the event in the
 * broker accordingly: {@link #retryLater}, in a wait queue until its next attempt is due, or {@link #deadLetter}, in
 * the target's dead-letter queue. Once parked, the failure is handled and the target's other events go on. If the
 * broker cannot take it, parking throws, and the message stays in the target's queue to be tried again: an event is
 * never dropped.
 */
public final class DeliveryFailures {

    /** Exchange property set by {@link #decide}: true when the failed event is to be retried later. */
    public static final String RETRY = "relayRetry";
    /** Exchange property set by {@link #decide}: true when the target is gone or suspended (the event is kept). */
    public static final String SUSPEND = "relaySuspend";
    /** Exchange property set by {@link #decide}: the {@link Outcome}. */
    public static final String OUTCOME = "relayOutcome";
    private static final String NOT_EVENTS = "not a batch of relay events";

    private static final Logger LOG = LoggerFactory.getLogger("relay.delivery");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DeliveryOutcomes outcomes;
    private final WaitQueues waitQueues;
    private final DeadLetters deadLetters;
    private final TargetActivity activity;
    private final TargetHolds holds;
    private final TargetSuspensions suspensions;

    /**
     * What {@link #decide} found: the decision, and the delivery state to park the event with.
     *
     * @param failures       failed attempts so far, this one included (unless {@code held})
     * @param firstFailureAt when the first attempt failed (epoch ms)
     * @param held           the event was not attempted, its target being on hold
     * @param at             when the decision was made (epoch ms)
     */
    public record Outcome(DeliveryOutcomes.Decision decision, int failures, long firstFailureAt, boolean held,
                          long at) {
    }

    public DeliveryFailures(DeliveryOutcomes outcomes, WaitQueues waitQueues, DeadLetters deadLetters,
                            TargetActivity activity, TargetHolds holds, TargetSuspensions suspensions) {
        this.outcomes = outcomes;
        this.waitQueues = waitQueues;
        this.deadLetters = deadLetters;
        this.activity = activity;
        this.holds = holds;
        this.suspensions = suspensions;
    }

    /**
     * The classification step of routes/delivery-outcomes.yaml: decides what the failure caught on {@code exchange}
     * means ({@link DeliveryOutcomes}), and sets the exchange properties {@value #RETRY} (true: retry later, false:
     * dead-letter) and {@value #OUTCOME} (the decision and the delivery state the parking steps write).
     */
    public void decide(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        long now = System.currentTimeMillis();
        Outcome outcome;
        if (exchange.getProperty(DeliveryProperties.EVENT, AcceptedEvent.class) == null) {
            // the message could not even be read as events: nothing to retry, keep it as it came for ops to see
            outcome = new Outcome(new DeliveryOutcomes.Decision(false, 0, NOT_EVENTS, 0), 1, now, false, now);
        } else {
            // an event held back (its target asked to wait) was not attempted: its attempt count stays as it was
            boolean held = DeliveryOutcomes.find(failure, TargetHolds.TargetOnHold.class) != null;
            int failures = (int) number(exchange.getProperty(DeliveryProperties.FAILURES)) + (held ? 0 : 1);
            long firstFailureAt = number(exchange.getProperty(DeliveryProperties.FIRST_FAILURE_AT));
            if (firstFailureAt == 0) {
                firstFailureAt = now;
            }
            outcome = new Outcome(outcomes.decide(failure, failures, firstFailureAt, now), failures, firstFailureAt,
                    held, now);
        }
        exchange.setProperty(OUTCOME, outcome);
        exchange.setProperty(RETRY, outcome.decision().retry());
        exchange.setProperty(SUSPEND, outcome.decision().suspend());
    }

    /**
     * The suspension branch: the target answered 410 Gone (it is suspended now, {@link TargetSuspensions}) or is
     * suspended already; the event goes back to the target's queue, due at once (through the shortest wait queue),
     * neither delivered nor dead-lettered, and waits there for the resume. Throws when the broker cannot take it: the
     * message then stays in its queue.
     */
    public void keepForResume(Exchange exchange) throws JsonProcessingException {
        Outcome outcome = exchange.getProperty(OUTCOME, Outcome.class);
        String target = exchange.getProperty(DeliveryProperties.TARGET, String.class);
        AcceptedEvent event = exchange.getProperty(DeliveryProperties.EVENT, AcceptedEvent.class);
        if (!outcome.held()) {
            suspensions.suspend(target, outcome.decision().reason());
        }
        Map<String, Object> headers = headers(exchange, outcome);
        headers.put(DUE_AT, outcome.at());
        waitQueues.park(JSON.writeValueAsBytes(List.of(event)), headers);
        LOG.debug("Delivery to {} suspended: event {} kept for the resume", target, key(exchange, event));
    }

    /**
     * The retry branch: the event waits in a wait queue until its next attempt is due (and its target is held when
     * it asked to wait). Throws when the broker cannot take it: the message then stays in its queue.
     */
    public void retryLater(Exchange exchange) throws JsonProcessingException {
        Outcome outcome = exchange.getProperty(OUTCOME, Outcome.class);
        String target = exchange.getProperty(DeliveryProperties.TARGET, String.class);
        AcceptedEvent event = exchange.getProperty(DeliveryProperties.EVENT, AcceptedEvent.class);
        DeliveryOutcomes.Decision decision = outcome.decision();
        Map<String, Object> headers = headers(exchange, outcome);
        holdIfAsked(target, outcome);
        headers.put(DUE_AT, decision.dueAt());
        waitQueues.park(JSON.writeValueAsBytes(List.of(event)), headers);
        if (outcome.held()) {
            // not an attempt: the hold was announced once, when the target asked for it
            LOG.debug("Delivery to {} on hold: event {} waits {}", target, key(exchange, event),
                    Duration.ofMillis(decision.dueAt() - outcome.at()));
            return;
        }
        activity.retried(target, decision.reason());
        LOG.warn("Delivery to {} failed ({}), attempt {}: retry in {} (event {})", target, decision.reason(),
                outcome.failures(), Duration.ofMillis(decision.dueAt() - outcome.at()), key(exchange, event));
    }

    /**
     * The dead-letter branch: the event goes to its target's dead-letter queue (a message that is not a batch of
     * relay events goes there as it came). Throws when the broker cannot take it: the message then stays in its queue.
     */
    public void deadLetter(Exchange exchange) throws JsonProcessingException {
        Outcome outcome = exchange.getProperty(OUTCOME, Outcome.class);
        String target = exchange.getProperty(DeliveryProperties.TARGET, String.class);
        AcceptedEvent event = exchange.getProperty(DeliveryProperties.EVENT, AcceptedEvent.class);
        if (event == null) {
            byte[] raw = exchange.getMessage().getBody(byte[].class);
            deadLetters.park(target, raw == null ? new byte[0] : raw, Map.of(TARGET, target, FAILURES, 1), NOT_EVENTS);
            activity.deadLettered(target, NOT_EVENTS);
            LOG.error("Delivery to {}: a message that is not a batch of relay events went to the dead letters", target);
            return;
        }
        String reason = outcome.decision().reason();
        holdIfAsked(target, outcome);
        deadLetters.park(target, JSON.writeValueAsBytes(List.of(event)), headers(exchange, outcome), reason);
        activity.deadLettered(target, reason);
        LOG.error("Delivery to {} failed: {}; dead-lettered (event {})", target, reason, key(exchange, event));
    }

    private void holdIfAsked(String target, Outcome outcome) {
        DeliveryOutcomes.Decision decision = outcome.decision();
        if (decision.holdTargetUntil() > 0) {
            holds.hold(target, decision.holdTargetUntil());
            // once per hold: the events held meanwhile are not attempts and log nothing here
            if (decision.capped()) {
                LOG.warn("Delivery to {}: the target asked to wait {} ({}), more than RETRY_AFTER_MAX; nothing is sent"
                        + " to it for {} (capped)", target, Duration.ofMillis(decision.askedWaitMillis()),
                        decision.reason(), Duration.ofMillis(decision.holdTargetUntil() - outcome.at()));
            } else {
                LOG.warn("Delivery to {}: the target asked to wait ({}); nothing is sent to it for {}", target,
                        decision.reason(), Duration.ofMillis(decision.holdTargetUntil() - outcome.at()));
            }
        }
    }

    /** The delivery state the parked event carries in the broker (broker/DeliveryHeaders). */
    private static Map<String, Object> headers(Exchange exchange, Outcome outcome) {
        Map<String, Object> headers = new HashMap<>();
        headers.put(TARGET, exchange.getProperty(DeliveryProperties.TARGET, String.class));
        headers.put(FAILURES, outcome.failures());
        headers.put(FIRST_FAILURE_AT, outcome.firstFailureAt());
        headers.put(LAST_ERROR, outcome.decision().reason());
        String recipient = exchange.getProperty(Recipients.RECIPIENT, String.class);
        if (recipient != null) {
            headers.put(Recipients.RECIPIENT, recipient);   // parked for this recipient alone
        }
        return headers;
    }

    private static String key(Exchange exchange, AcceptedEvent event) {
        String recipient = exchange.getProperty(Recipients.RECIPIENT, String.class);
        return NotificationText.oneLine(event.key()) + (recipient == null ? "" : ", recipient "
                + NotificationText.oneLine(recipient));
    }
}
