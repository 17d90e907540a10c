package io.sqreenrelay;

import io.sqreenrelay.delivery.DigestGroups;
import io.sqreenrelay.delivery.RetryPolicy;
import io.sqreenrelay.delivery.TargetUrl;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The targets' settings, read from the {@code relay.*} properties that {@code application.properties} maps from
 * the SPEC's environment variables. A target is on when its enabling variable is set ({@code SMTP_HOST},
 * {@code HTTP_TARGET_URL}, {@code SLACK_WEBHOOK_URL}, {@code TWILIO_ACCOUNT_SID}); its other settings are then
 * checked, and a wrong one stops the start with one line naming the variable. Secrets (passwords, tokens, the
 * Slack webhook URL) are never quoted back.
 *
 * @param retry         when failed deliveries are tried again, and for how long
 * @param targetTimeout the connect and answer time-out of every target
 * @param mail          the email targets (null: off)
 * @param http          the HTTP target (null: off)
 * @param slackWebhook  the Slack incoming webhook (null: off)
 * @param sms           the SMS targets (null: off)
 * @param adminToken    the admin API's bearer token (null: the admin API is off)
 */
public record TargetSettings(
        RetryPolicy retry,
        Duration targetTimeout,
        Mail mail,
        HttpTarget http,
        TargetUrl slackWebhook,
        Sms sms,
        String adminToken) {

    /** SMTP: one mail per event to {@code to}, and per internal alert to {@code admins}. */
    public record Mail(String host, int port, String username, String password, boolean startTls,
                       String from, List<String> to, List<String> admins) {
    }

    /** A POST of each event to {@code url}, signed with {@code secret} when there is one. */
    public record HttpTarget(TargetUrl url, String secret) {
    }

    /** Twilio's Messages API: one SMS per event to each of {@code to}, and per internal alert to each of {@code admins}. */
    public record Sms(URI apiUrl, String accountSid, String authToken, String from, List<String> to, List<String> admins) {

        /** {@code POST} here creates a message. */
        public URI messagesUrl() {
            String base = apiUrl.toString().replaceAll("/+$", "");
            return URI.create(base + "/2010-04-01/Accounts/" + accountSid + "/Messages.json");
        }
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)?");
    private static final Pattern PHONE = Pattern.compile("[+0-9A-Za-z:.()\\- ]{3,40}");
    private static final Pattern ACCOUNT_SID = Pattern.compile("[A-Za-z0-9]{2,64}");
    private static final Pattern ROUTING_KEY = Pattern.compile("[A-Za-z0-9]{1,128}");

    public static TargetSettings read(Function<String, String> property) {
        Duration first = duration(property.apply("relay.retry.first-delay"), "RETRY_FIRST_DELAY", "5s");
        Duration max = duration(property.apply("relay.retry.max-delay"), "RETRY_MAX_DELAY", "5m");
        if (max.compareTo(first) < 0) {
            throw new InvalidSetting("RETRY_MAX_DELAY must not be shorter than RETRY_FIRST_DELAY");
        }
        pagerDutyAndTeams(property);
        pacing(property);
        grouping(property);
        return new TargetSettings(
                new RetryPolicy(first, max, duration(property.apply("relay.retry.max-age"), "RETRY_MAX_AGE", "24h"),
                        duration(property.apply("relay.retry.after-max"), "RETRY_AFTER_MAX", "15m")),
                Duration.ofMillis(RelaySettings.positiveInt(
                        orDefault(property.apply("relay.target-timeout-ms"), "10000"), "TARGET_TIMEOUT_MS")),
                mail(property),
                http(property),
                targetUrl(property.apply("relay.slack.webhook-url"), "SLACK_WEBHOOK_URL", true),
                sms(property),
                blankToNull(property.apply("relay.admin.token")));
    }

    public boolean emailOn() {
        return mail != null && !mail.to().isEmpty();
    }

    public boolean adminEmailOn() {
        return mail != null && !mail.admins().isEmpty();
    }

    public boolean smsOn() {
        return sms != null && !sms.to().isEmpty();
    }

    public boolean adminSmsOn() {
        return sms != null && !sms.admins().isEmpty();
    }

    private static Mail mail(Function<String, String> property) {
        String host = blankToNull(property.apply("relay.smtp.host"));
        if (host == null) {
            return null;
        }
        if (!host.matches("[A-Za-z0-9.\\-:\\[\\]]+")) {
            throw new InvalidSetting("SMTP_HOST must be a host name or address");
        }
        List<String> to = addresses(property.apply("relay.mail.to"), "MAIL_TO");
        List<String> admins = addresses(property.apply("relay.admin.emails"), "ADMIN_EMAILS");
        if (to.isEmpty() && admins.isEmpty()) {
            throw new InvalidSetting("SMTP_HOST is set but MAIL_TO and ADMIN_EMAILS are empty: set at least one");
        }
        String username = blankToNull(property.apply("relay.smtp.username"));
        String password = blankToNull(property.apply("relay.smtp.password"));
        if ((username == null) != (password == null)) {
            throw new InvalidSetting("SMTP_USERNAME and SMTP_PASSWORD go together: set both or neither");
        }
        List<String> from = addresses(orDefault(property.apply("relay.mail.from"), "sqreen-relay@localhost"), "MAIL_FROM");
        if (from.size() != 1) {
            throw new InvalidSetting("MAIL_FROM must be one email address");
        }
        return new Mail(host, RelaySettings.port(orDefault(property.apply("relay.smtp.port"), "25"), "SMTP_PORT"),
                username, password, bool(property.apply("relay.smtp.starttls"), "SMTP_STARTTLS"),
                from.get(0), to, admins);
    }

    private static HttpTarget http(Function<String, String> property) {
        TargetUrl url = targetUrl(property.apply("relay.http-target.url"), "HTTP_TARGET_URL", false);
        String secret = blankToNull(property.apply("relay.http-target.secret"));
        if (secret != null && secret.startsWith("whsec_")) {
            try {
                java.util.Base64.getDecoder().decode(secret.substring("whsec_".length()));
            } catch (IllegalArgumentException e) {
                throw new InvalidSetting("HTTP_TARGET_SECRET starts with whsec_ but the rest is not base64 "
                        + "(Standard Webhooks secrets are whsec_<base64>)");
            }
        }
        return url == null ? null : new HttpTarget(url, secret);
    }

    /**
     * The targets that live in YAML alone (routes/target-pagerduty.yaml, routes/target-teams.yaml) read their settings
     * there; they are checked here all the same, so that a wrong one stops the start. A routing key is letters and
     * digits (it is written into the target's jq payload), never quoted back.
     */
    /** Highest pace a setting may ask for: the Throttle EIP keeps one permit object per message of a period. */
    static final int MAX_PACE = 1000;

    /** SLACK_MAX_PER_SECOND and SMS_MAX_PER_MINUTE, read by the targets' files (Throttle EIP): whole numbers 1..1000. */
    private static void pacing(Function<String, String> property) {
        pace(orDefault(property.apply("relay.slack.max-per-second"), "1"), "SLACK_MAX_PER_SECOND");
        pace(orDefault(property.apply("relay.sms.max-per-minute"), "6"), "SMS_MAX_PER_MINUTE");
    }

    /**
     * GROUP_BY (fields of the event's view, or none), GROUP_INTERVAL (a duration over 0) and GROUP_WAIT (0s: a
     * group's first event is sent at once, the only value supported so far), read by the grouped targets' files.
     */
    private static void grouping(Function<String, String> property) {
        String groupBy = orDefault(property.apply("relay.group.by"), "applicationId,type");
        try {
            DigestGroups.checkFields(groupBy);
        } catch (IllegalArgumentException e) {
            throw new InvalidSetting("GROUP_BY " + e.getMessage().substring("groupBy ".length()));
        }
        duration(property.apply("relay.group.interval"), "GROUP_INTERVAL", "60s");
        String wait = orDefault(property.apply("relay.group.wait"), "0s").trim();
        if (!wait.matches("0+\\s*(ms|s|m|h|d)?")) {
            throw new InvalidSetting("GROUP_WAIT: only 0s (a group's first event is sent at once) is supported, got '"
                    + printable(wait) + "'");
        }
    }

    private static void pace(String value, String variable) {
        if (!value.matches("\\d{1,4}") || Integer.parseInt(value) < 1 || Integer.parseInt(value) > MAX_PACE) {
            throw new InvalidSetting(variable + " must be a whole number from 1 to " + MAX_PACE + ", got '"
                    + printable(value) + "'");
        }
    }

    private static void pagerDutyAndTeams(Function<String, String> property) {
        String routingKey = blankToNull(property.apply("relay.pagerduty.routing-key"));
        if (routingKey != null && !ROUTING_KEY.matcher(routingKey).matches()) {
            throw new InvalidSetting("PAGERDUTY_ROUTING_KEY must be letters and digits (PagerDuty's integration key)");
        }
        URI pagerDuty = webUrl(orDefault(property.apply("relay.pagerduty.api-url"), "https://events.pagerduty.com"),
                "PAGERDUTY_API_URL", false);
        // the route appends /v2/enqueue to it as written: a query, a fragment or a trailing slash would send elsewhere
        if (pagerDuty.getRawQuery() != null || pagerDuty.getRawFragment() != null
                || (pagerDuty.getRawPath() != null && pagerDuty.getRawPath().endsWith("/"))) {
            throw new InvalidSetting("PAGERDUTY_API_URL must be the API's base URL, without a query, a fragment or a "
                    + "trailing slash (the relay appends /v2/enqueue), e.g. https://events.pagerduty.com");
        }
        webUrl(property.apply("relay.teams.webhook-url"), "TEAMS_WEBHOOK_URL", true);
    }

    private static Sms sms(Function<String, String> property) {
        String sid = blankToNull(property.apply("relay.twilio.account-sid"));
        if (sid == null) {
            return null;
        }
        if (!ACCOUNT_SID.matcher(sid).matches()) {
            throw new InvalidSetting("TWILIO_ACCOUNT_SID must be letters and digits (AC...)");
        }
        String token = blankToNull(property.apply("relay.twilio.auth-token"));
        if (token == null) {
            throw new InvalidSetting("TWILIO_AUTH_TOKEN is required when TWILIO_ACCOUNT_SID is set");
        }
        List<String> from = phones(property.apply("relay.sms.from"), "SMS_FROM");
        if (from.size() != 1) {
            throw new InvalidSetting("SMS_FROM must be one phone number (or Twilio sender) when TWILIO_ACCOUNT_SID is set");
        }
        List<String> to = phones(property.apply("relay.sms.to"), "SMS_TO");
        List<String> admins = phones(property.apply("relay.admin.phones"), "ADMIN_PHONES");
        if (to.isEmpty() && admins.isEmpty()) {
            throw new InvalidSetting("TWILIO_ACCOUNT_SID is set but SMS_TO and ADMIN_PHONES are empty: set at least one");
        }
        URI api = webUrl(orDefault(property.apply("relay.twilio.api-url"), "https://api.twilio.com"), "TWILIO_API_URL", false);
        if (api.getRawUserInfo() != null) {
            // Twilio's requests carry the account's own Basic authentication: a second pair of credentials has no place
            throw new InvalidSetting("TWILIO_API_URL must not hold user:password@ (Twilio is authenticated with "
                    + "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)");
        }
        return new Sms(api, sid, token, from.get(0), to, admins);
    }

    /**
     * A target's http(s) URL, or null when unset: its {@code user:password@}, if any, becomes Basic authentication
     * ({@link TargetUrl}). Neither a secret URL nor credentials are ever quoted back.
     */
    static TargetUrl targetUrl(String value, String variable, boolean secret) {
        URI url = webUrl(value, variable, secret);
        return url == null ? null : TargetUrl.of(url);
    }

    /** An http(s) URL with a host, or null when unset. A secret URL, or one with credentials, is never quoted back. */
    static URI webUrl(String value, String variable, boolean secret) {
        String text = blankToNull(value);
        if (text == null) {
            return null;
        }
        String expected = variable + " must be an http:// or https:// URL with a host";
        try {
            URI uri = new URI(TargetUrl.escapeForbidden(text));
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null && !uri.getHost().isEmpty()) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // the reason and where, never the text (it may hold a secret)
            expected = variable + " is not a valid URL: " + e.getReason().toLowerCase(java.util.Locale.ROOT)
                    + " at character " + (e.getIndex() + 1);
        }
        throw new InvalidSetting(secret || text.contains("@") ? expected : expected + ", got '" + printable(text) + "'");
    }

    static Duration duration(String value, String variable, String fallback) {
        String text = orDefault(value, fallback);
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new InvalidSetting(variable + " must be a duration such as 250ms, 5s, 10m, 24h, got '" + printable(text) + "'");
        }
        long amount = Long.parseLong(m.group(1));
        Duration duration = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> Duration.ofSeconds(amount);
        };
        if (duration.isZero()) {
            throw new InvalidSetting(variable + " must be longer than 0");
        }
        return duration;
    }

    static List<String> addresses(String value, String variable) {
        List<String> list = SettingsList.items(value);
        for (String address : list) {
            try {
                if (address.chars().anyMatch(Character::isISOControl)) {
                    throw new AddressException("control character");
                }
                new InternetAddress(address, true).validate();
            } catch (AddressException e) {
                throw new InvalidSetting(variable + " must be a comma-separated list of email addresses, got '"
                        + printable(address) + "'");
            }
        }
        return list;
    }

    static List<String> phones(String value, String variable) {
        List<String> list = SettingsList.items(value);
        for (String phone : list) {
            if (!PHONE.matcher(phone).matches()) {
                throw new InvalidSetting(variable + " must be a comma-separated list of phone numbers such as +15551234567, got '"
                        + printable(phone) + "'");
            }
        }
        return list;
    }

    private static boolean bool(String value, String variable) {
        String text = orDefault(value, "false").toLowerCase();
        return switch (text) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new InvalidSetting(variable + " must be true or false, got '" + printable(text) + "'");
        };
    }

    private static String orDefault(String value, String fallback) {
        String text = blankToNull(value);
        return text == null ? fallback : text;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static String printable(String value) {
        return RelaySettings.printable(value);
    }
}
