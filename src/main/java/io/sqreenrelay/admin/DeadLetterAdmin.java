package io.sqreenrelay.admin;

import io.sqreenrelay.broker.DeadLetters;
import io.sqreenrelay.ingress.RequestRejected;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import io.sqreenrelay.ingress.HttpRequestParts;
import org.apache.camel.Exchange;

/**
 * The admin API's dead-letter operations (routes/admin-api.yaml): list per target, replay all or one. Only the
 * targets that run can be named; any other name is a 404, so a request never reaches a queue of its choosing.
 */
public final class DeadLetterAdmin {

    private static final String PATH = "/admin/dead-letters/";

    private final DeadLetters deadLetters;
    private final Supplier<List<String>> targets;

    public DeadLetterAdmin(DeadLetters deadLetters, Supplier<List<String>> targets) {
        this.deadLetters = deadLetters;
        this.targets = targets;
    }

    /** Every running target's dead letters. */
    public Map<String, DeadLetters.Listing> all() {
        Map<String, DeadLetters.Listing> all = new LinkedHashMap<>();
        for (String target : targets.get()) {
            all.put(target, deadLetters.list(target));
        }
        return all;
    }

    /** The dead letters of the target named in the path ({@code /admin/dead-letters/{target}}). */
    public DeadLetters.Listing of(Exchange exchange) {
        return deadLetters.list(known(HttpRequestParts.segmentAfter(exchange, PATH)));
    }

    /**
     * Replays the dead letters of the target named in the path: all of them, or the one whose event key is the
     * query parameter {@code key}. Each is read from its own part of the request, never from a header.
     */
    public Map<String, Object> replay(Exchange exchange) {
        String name = known(HttpRequestParts.segmentAfter(exchange, PATH));
        String key = HttpRequestParts.queryParameter(exchange, "key");
        String only = key == null || key.isBlank() ? null : key;
        int replayed;
        try {
            replayed = deadLetters.replay(name, only);
        } catch (IllegalStateException e) {
            throw new RequestRejected(409, "the queue of target " + name + " does not exist: is the target on?");
        }
        if (only != null && replayed == 0) {
            throw new RequestRejected(404, "no dead letter with that key for target " + name);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("target", name);
        answer.put("replayed", replayed);
        return answer;
    }

    private String known(String target) {
        if (target == null || !targets.get().contains(target)) {
            throw new RequestRejected(404, "no such target");
        }
        return target;
    }
}
