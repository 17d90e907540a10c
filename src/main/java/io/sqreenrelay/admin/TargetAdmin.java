package io.sqreenrelay.admin;

import io.sqreenrelay.delivery.TargetActivity;
import io.sqreenrelay.delivery.TargetSuspensions;
import io.sqreenrelay.ingress.HttpRequestParts;
import io.sqreenrelay.ingress.RequestRejected;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.camel.Exchange;

/**
 * The admin API's target operations (routes/admin-api.yaml): every running target's state, and the resume of a
 * suspended one. Only the targets that run can be named; any other name is a 404.
 */
public final class TargetAdmin {

    private static final String PATH = "/admin/targets/";

    private final TargetSuspensions suspensions;
    private final TargetActivity activity;
    private final Supplier<List<String>> targets;

    public TargetAdmin(TargetSuspensions suspensions, TargetActivity activity, Supplier<List<String>> targets) {
        this.suspensions = suspensions;
        this.activity = activity;
        this.targets = targets;
    }

    /**
     * Every running target: {@code state} ({@code suspended}, {@code failing} or {@code ok}), and for a suspended one
     * {@code reason} and {@code since} (ISO-8601), for a failing one {@code lastError} and {@code failuresInARow}.
     */
    public Map<String, Map<String, Object>> all() {
        Map<String, TargetActivity.State> states = activity.states();
        Map<String, Map<String, Object>> all = new LinkedHashMap<>();
        for (String target : targets.get()) {
            Map<String, Object> one = new LinkedHashMap<>();
            TargetSuspensions.Suspension suspension = suspensions.suspension(target);
            TargetActivity.State state = states.get(target);
            if (suspension != null) {
                one.put("state", "suspended");
                one.put("reason", suspension.reason());
                one.put("since", suspension.since().toString());
            } else if (state != null && state.failuresInARow() > 0) {
                one.put("state", "failing");
                one.put("lastError", state.lastError());
                one.put("failuresInARow", state.failuresInARow());
            } else {
                one.put("state", "ok");
            }
            all.put(target, one);
        }
        return all;
    }

    /**
     * Resumes the target named in the path ({@code /admin/targets/{target}/resume}): what waited in its queue is
     * sent. {@code resumed} is false when it was not suspended (nothing changes).
     */
    public Map<String, Object> resume(Exchange exchange) {
        String target = HttpRequestParts.segmentAfter(exchange, PATH);
        if (target == null || !targets.get().contains(target)) {
            throw new RequestRejected(404, "no such target");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("target", target);
        answer.put("resumed", suspensions.resume(target));
        return answer;
    }
}
