package io.sqreenrelay.delivery;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.utils.DateUtils;

/**
 * How long a target asked us to wait: the {@code Retry-After} header, in seconds or as an HTTP date, or the
 * {@code retry_after} field (seconds) that Slack puts in a rate-limited answer's JSON body.
 *
 * <p>An HTTP date may come in any of the three forms RFC 9110 section 5.6.7 says a recipient must accept: IMF-fixdate
 * ({@code Sun, 06 Nov 1994 08:49:37 GMT}), the obsolete RFC 850 form ({@code Sunday, 06-Nov-94 08:49:37 GMT}) and
 * asctime ({@code Sun Nov  6 08:49:37 1994}). Apache HttpClient 5's {@link DateUtils} formatters read them; its
 * asctime formatter has no zone (asctime dates are GMT, RFC 9110) and no room for asctime's padded day, so the value's
 * spaces are collapsed first and that formatter is given UTC. HttpClient reads a two-digit year as 20yy.
 */
final class RetryAfter {

    private static final DateTimeFormatter[] HTTP_DATES = {
        DateUtils.FORMATTER_RFC1123, DateUtils.FORMATTER_RFC1036, DateUtils.FORMATTER_ASCTIME.withZone(ZoneOffset.UTC)};
    private static final Pattern SLACK_FIELD = Pattern.compile("\"retry_after\"\\s*:\\s*\"?(\\d{1,9})");

    private RetryAfter() {
    }

    /**
     * The wait asked for, in milliseconds from {@code now}; 0 when none was asked for or it cannot be read. Not capped:
     * {@link DeliveryOutcomes} cuts it to RETRY_AFTER_MAX.
     */
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
        return Math.max(0, wait);
    }

    /** One {@code Retry-After} value: delay-seconds, or an HTTP date; the wait from {@code now} in ms, 0 if unreadable. */
    static long parse(String value, long now) {
        if (value.matches("\\d{1,9}")) {
            return Long.parseLong(value) * 1000;
        }
        Instant date = DateUtils.parseDate(value.replaceAll("\\s+", " "), HTTP_DATES);
        return date == null ? 0 : date.toEpochMilli() - now;
    }
}
