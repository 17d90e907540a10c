package io.sqreenrelay.event;

import java.math.BigDecimal;
import java.util.List;

/**
 * The one view the relay takes of a Sqreen event, whichever wire format (v1 flat, v2 envelope) it came in.
 * Every field but {@code type}, {@code title}, {@code format} and {@code key} may be null: missing fields are
 * normal (a {@code test} event has no application id).
 *
 * @param format          {@code v1} or {@code v2}
 * @param type            {@code security_event}, {@code pulse}, {@code test}, an incident type, ... ({@code unknown} when absent)
 * @param title           what happened, in words
 * @param applicationId   Sqreen application id
 * @param applicationName Sqreen application name
 * @param environment     {@code production}, {@code development}, ...
 * @param date            when it happened (ISO-8601 text, as Sqreen sent it)
 * @param link            the event's page on Sqreen
 * @param ips             the addresses involved
 * @param risk            the risk Sqreen gave (v1 {@code risk}, v2 {@code risk} or {@code risk_coefficient}), as
 *                        written; null when absent
 * @param key             the stable de-duplication key: application, type, and an id or a content hash
 */
public record SqreenEvent(
        String format,
        String type,
        String title,
        String applicationId,
        String applicationName,
        String environment,
        String date,
        String link,
        List<String> ips,
        BigDecimal risk,
        String key) {

    /** True when this event concerns the application whose id is {@code ownApplicationId}. */
    public boolean concerns(String ownApplicationId) {
        return ownApplicationId != null && !ownApplicationId.isBlank() && ownApplicationId.equals(applicationId);
    }
}
