package io.sqreenrelay.broker;

/**
 * A relay queue exists on the broker with other arguments than the relay declares (the broker answered
 * {@code PRECONDITION_FAILED}, AMQP 0-9-1 reply code 406). The message is one line naming the queue and the way out;
 * the relay's start ends with it as a wrong setting (RelayMain, exit code 2).
 */
public final class QueueArgumentsDiffer extends RuntimeException {

    public QueueArgumentsDiffer(String message) {
        super(message, null, false, false);
    }
}
