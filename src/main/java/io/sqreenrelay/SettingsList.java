package io.sqreenrelay;

import java.util.Arrays;
import java.util.List;

/**
 * The one parser of list-valued settings (SIGNATURE_KEY, MAIL_TO, ADMIN_EMAILS, SMS_TO, ...): comma-separated,
 * each item trimmed, empty items dropped. The settings classes check each item's shape themselves.
 */
final class SettingsList {

    private SettingsList() {
    }

    /** The items of {@code commaSeparated}, in order; an empty list for null or blank. Never null. */
    static List<String> items(String commaSeparated) {
        if (commaSeparated == null || commaSeparated.isBlank()) {
            return List.of();
        }
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
