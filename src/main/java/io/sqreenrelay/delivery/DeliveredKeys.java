package io.sqreenrelay.delivery;

import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.event.KeyWindow;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.ExchangeProperty;

/**
 * Per target, the keys of the events recently delivered to it, so that an event is not delivered twice when its
 * message comes back (a batch redelivered after a failure half-way, a crash before the acknowledgement). Bounded:
 * each target remembers its last {@code window} keys. With a state directory, each target's keys are kept in a journal
 * there ({@code delivered-<target>.keys}), so that after a crash only the events delivered in the last moment before
 * it are delivered again.
 */
public final class DeliveredKeys implements AutoCloseable {

    private final int window;
    private final Path stateDir;
    private final Map<String, KeyWindow> byTarget = new ConcurrentHashMap<>();

    /** In memory only. */
    public DeliveredKeys(int window) {
        this(window, null);
    }

    public DeliveredKeys(int window, Path stateDir) {
        this.window = window;
        this.stateDir = stateDir;
    }

    /** True unless the event was already delivered to the target. */
    public boolean isNew(@ExchangeProperty(DeliveryProperties.TARGET) String target,
                         @ExchangeProperty(DeliveryProperties.EVENT) AcceptedEvent event) {
        return !keys(target).contains(event.key());
    }

    /**
     * As {@link #isNew(String, AcceptedEvent)} for a message that may be for one recipient alone (a retry or a replay
     * of that recipient, {@link Recipients#RECIPIENT}): that one is always new here, its recipient's own key decides
     * ({@link Recipients#pending}).
     */
    public boolean isNewFor(@ExchangeProperty(DeliveryProperties.TARGET) String target,
                            @ExchangeProperty(DeliveryProperties.EVENT) AcceptedEvent event,
                            @ExchangeProperty(Recipients.RECIPIENT) String recipient) {
        return recipient != null || isNew(target, event);
    }

    /** Remembers that the event reached the target. */
    public void delivered(@ExchangeProperty(DeliveryProperties.TARGET) String target,
                          @ExchangeProperty(DeliveryProperties.EVENT) AcceptedEvent event) {
        keys(target).add(event.key());
    }

    /** Same, for a part of a delivery (one recipient of several): {@code part} names it. */
    public boolean isNew(String target, String key, String part) {
        return !keys(target).contains(key + "\n" + part);
    }

    public void delivered(String target, String key, String part) {
        keys(target).add(key + "\n" + part);
    }

    @Override
    public void close() {
        byTarget.values().forEach(KeyWindow::close);
    }

    private KeyWindow keys(String target) {
        return byTarget.computeIfAbsent(target, t -> stateDir == null
                ? new KeyWindow(window)
                : KeyWindow.persistent(window, stateDir.resolve("delivered-" + fileSafe(t) + ".keys")));
    }

    private static String fileSafe(String target) {
        return target.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
