package io.sqreenrelay.delivery;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a target asked us to wait: the {@code Retry-After} header, in seconds or as an HTTP date, or the
 * {@code retry_after} field (seconds) that Slack puts in a rate-limited answer's JSON body.
 */
final class RetryAfter {

    /** A target cannot make the relay wait longer than this in one step (the maximum age still applies). */
    static final long MAX_MILLIS = 24L * 3600 * 1000;
    private static final Pattern SLACK_FIELD = Pattern.compile("\"retry_after\"\\s*:\\s*\"?(\\d{1,9})");

    private RetryAfter() {
    }

    /** The wait asked for, in milliseconds from {@code now}; 0 when none was asked for or it cannot be read. */
    static long millis(Map<String, String> headers, String body, long now) {
        String header = headers == null ? null : headers.entrySet().stream()
                .filter(e -> "Retry-After".equalsIgnoreCase(e.getKey()))
                .map(Map.Entry::getValue)
                .findFirst().orElse(null);
        long wait = header == null ? 0 : parse(header.trim(), now);
        if (wait == 0 && body != null) {
            Matcher field = SLACK_FIELD.matcher(body.length() > 4096 ? body.substring(0, 4096) : body);
            if (field.find()) {
                wait = Long.parseLong(field.group(1)) * 1000;
            }
        }
        return Math.max(0, Math.min(wait, MAX_MILLIS));
    }

    static long parse(String value, long now) {
        if (value.matches("\\d{1,9}")) {
            return Long.parseLong(value) * 1000;
        }
        try {
            return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli() - now;
        } catch (DateTimeParseException e) {
            return 0;
        }
    }
}
