package io.sqreenrelay;

import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Settings are used verbatim (SPEC, "Configuration"), but Camel reads {@code {{...}}} in any property value as a
 * placeholder, also in a value that came from the environment: {@code TEAMS_WEBHOOK_URL=...?sig={{env:HOME}}} was sent
 * with the home directory in it, and a value with a lone {@code }}} stopped the start with a message quoting the whole
 * value, credentials included. A variable the relay reads whose value holds {@code {{} or {@code }}} is therefore a
 * wrong setting: the start stops with one line naming it, never quoting it.
 */
final class VerbatimSettings {

    private static final Pattern ENV_REFERENCE = Pattern.compile("\\{\\{env:([A-Za-z0-9_]+)");

    private VerbatimSettings() {
    }

    /**
     * @param properties  the relay's properties as loaded, before placeholders are resolved ({@code application.properties})
     * @param environment the process environment
     * @throws InvalidSetting naming the first variable (by name) read through {@code {{env:NAME}}} whose value holds
     *                        {@code {{} or {@code }}}
     */
    static void check(Properties properties, Map<String, String> environment) {
        TreeSet<String> read = new TreeSet<>();
        for (String name : properties.stringPropertyNames()) {
            Matcher reference = ENV_REFERENCE.matcher(properties.getProperty(name));
            while (reference.find()) {
                read.add(reference.group(1));
            }
        }
        for (String variable : read) {
            String value = environment.get(variable);
            if (value != null && (value.contains("{{") || value.contains("}}"))) {
                throw new InvalidSetting(variable + " must not contain {{ or }}: Camel would read them as a property "
                        + "placeholder and not use the value as written (percent-encode braces in a URL: %7B %7D)");
            }
        }
    }
}
