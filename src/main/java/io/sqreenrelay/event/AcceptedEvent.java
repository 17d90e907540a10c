package io.sqreenrelay.event;

/**
 * An event as the relay stores it in the broker once accepted: the decisions taken at acceptance travel with
 * the event's exact source text, so every target sees the same key and the same internal-alert flag.
 *
 * @param key        the de-duplication key ({@link SqreenEvent#key()})
 * @param internal   true when the event concerns the relay's own application: an internal security alert
 * @param receivedAt when the relay accepted it (epoch milliseconds)
 * @param source     the event object exactly as Sqreen sent it (for v2, the whole envelope)
 */
public record AcceptedEvent(String key, boolean internal, long receivedAt, String source) {
}
