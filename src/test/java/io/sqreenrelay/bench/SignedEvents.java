package io.sqreenrelay.bench;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed webhook bodies of Sqreen v2 events, every event with a key never used before (an id made of the run and a
 * counter), so that the relay stores every one of them: no de-duplication shortcut. One per thread (a Mac is not
 * thread-safe); the counter is shared.
 */
final class SignedEvents {

    private static final AtomicLong COUNTER = new AtomicLong();
    private final String run;
    private final Mac mac;

    SignedEvents(String run, String secret) {
        this.run = run;
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The event id of the n-th event of the run; the relay's key for it ends with {@code id-<that>}. */
    String id(long n) {
        return run + "-" + n;
    }

    /** A JSON array of {@code events} new events. {@code firstId} receives the number of the first. */
    byte[] body(int events, long[] firstId) {
        long first = COUNTER.getAndAdd(events);
        firstId[0] = first;
        StringBuilder json = new StringBuilder(events * 420).append('[');
        for (int i = 0; i < events; i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append("{\"message_id\":null,\"api_version\":\"2\",\"date_created\":\"2026-11-24T10:00:00+00:00\",")
                    .append("\"message_type\":\"security_event\",\"retry_count\":0,\"message\":{\"event_id\":\"")
                    .append(id(first + i))
                    .append("\",\"application_id\":\"bench-app\",\"application_name\":\"bench\",\"environment\":\"production\",")
                    .append("\"event_category\":\"http_error\",\"event_kind\":\"waf\",\"risk\":50,")
                    .append("\"humanized_description\":\"Attack tentative from 10.0.0.1\",\"ips\":[{\"address\":\"10.0.0.1\"}],")
                    .append("\"url\":\"https://my.sqreen.com/application/bench/events/").append(first + i).append("\"}}");
        }
        return json.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    String sign(byte[] body) {
        byte[] digest = mac.doFinal(body);
        StringBuilder hex = new StringBuilder(64);
        for (byte b : digest) {
            hex.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return hex.toString();
    }
}
