package io.sqreenrelay.delivery;

import io.sqreenrelay.dedup.RedisKeyStore;
import io.sqreenrelay.event.AcceptedEvent;
import io.sqreenrelay.event.KeyWindow;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Per target, the keys of the events delivered to it, so that an event is not delivered twice: when its message comes
 * back (a batch redelivered after a failure half-way, a crash before the acknowledgement, another relay taking over
 * the message) or when Sqreen sends it again. The delivery template's Idempotent Consumer uses it as its Camel
 * {@link IdempotentRepository}, non-eager: a key is written only once the target accepted the event, never before.
 *
 * <p>An id is {@code <target>/<event key>}; a part of a delivery (one recipient of several) adds {@code \n<part>}.
 * Two implementations behind one bean:
 * <ul>
 *   <li>journals (one relay): per target, its last {@code window} keys, kept in {@code delivered-<target>.keys} under
 *       the state directory, so that after a crash only the events delivered in the last moment are sent again;</li>
 *   <li>Redis (a cluster, {@code REDIS_URI}): every relay's keys in one place, for {@code DEDUP_TTL}; when Redis does
 *       not answer, an event counts as not delivered (sent, maybe twice; never skipped).</li>
 * </ul>
 */
public final class DeliveredKeys extends ServiceSupport implements IdempotentRepository {

    private static final String SHARED_PREFIX = "d:";
    /** Between an event's key and the name of a part of its delivery (a recipient). */
    private static final char PART = '\n';

    private final int window;
    private final Path stateDir;
    private final RedisKeyStore shared;
    private final Map<String, KeyWindow> byTarget = new ConcurrentHashMap<>();

    /** In memory only. */
    public DeliveredKeys(int window) {
        this(window, null, null);
    }

    /** In {@code shared} (Redis) when it is not null, else journals under {@code stateDir}. */
    public DeliveredKeys(int window, Path stateDir, RedisKeyStore shared) {
        this.window = window;
        this.stateDir = stateDir;
        this.shared = shared;
    }

    /** The repository id of an event's delivery to a target. */
    public static String id(String target, String key) {
        return target + "/" + key;
    }

    /**
     * The repository id of the delivery a message makes: {@code target/key} for an event, or, for a message that is
     * for one recipient alone (a retry or a replay of that recipient, {@link Recipients#RECIPIENT}), that recipient's
     * own key ({@link #delivered(String, String, String)}), so that it is sent unless that recipient got it since.
     */
    public String deliveryId(@ExchangeProperty(DeliveryProperties.TARGET) String target,
                             @ExchangeProperty(DeliveryProperties.EVENT) AcceptedEvent event,
                             @ExchangeProperty(Recipients.RECIPIENT) String recipient) {
        return recipient == null ? id(target, event.key()) : id(target, event.key() + PART + recipient);
    }

    /** True when the delivery {@code id} ({@link #id}) was made. */
    @Override
    public boolean contains(String id) {
        if (shared != null) {
            return shared.contains(SHARED_PREFIX + id);
        }
        int slash = id.indexOf('/');
        return keys(id.substring(0, slash)).contains(id.substring(slash + 1));
    }

    /**
     * The Idempotent Consumer's completion: remembers that the delivery {@code id} was made; true when it was not known
     * yet. The id of a part (a message for one recipient alone) is only read here, never written: that recipient's
     * send steps park its failure and complete normally, so completion does not mean it was reached. A part is
     * remembered by {@link #delivered(String, String, String)}, called once its recipient accepted the event.
     */
    @Override
    public boolean add(String id) {
        return id.indexOf(PART) >= 0 ? !contains(id) : record(id);
    }

    private boolean record(String id) {
        if (shared != null) {
            return shared.add(SHARED_PREFIX + id);
        }
        int slash = id.indexOf('/');
        KeyWindow keys = keys(id.substring(0, slash));
        String key = id.substring(slash + 1);
        boolean fresh = !keys.contains(key);
        keys.add(key);
        return fresh;
    }

    /** Forgets a delivery (Redis only: a journal keeps what it wrote until it rolls over); true when forgotten. */
    @Override
    public boolean remove(String id) {
        if (shared != null) {
            shared.remove(SHARED_PREFIX + id);
            return true;
        }
        return false;
    }

    /** Nothing to confirm: a key is only added once its delivery succeeded. */
    @Override
    public boolean confirm(String id) {
        return true;
    }

    /** Not supported: keys are forgotten by age (Redis) or by the window rolling over (journals). */
    @Override
    public void clear() {
        // nothing: see above
    }

    /** Same as {@link #contains}, negated, for a part of a delivery (one recipient of several): {@code part} names it. */
    public boolean isNew(String target, String key, String part) {
        return !contains(id(target, key + PART + part));
    }

    /** Remembers that a part of a delivery reached its recipient. */
    public void delivered(String target, String key, String part) {
        record(id(target, key + PART + part));
    }

    @Override
    protected void doStop() {
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
