package io.sqreenrelay;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A setting the relay reads that holds {@code {{} or {@code }}} is refused by name, never quoted or expanded. */
class VerbatimSettingsTest {

    private static Properties shipped() throws Exception {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("application.properties"))) {
            properties.load(in);
        }
        return properties;
    }

    @ParameterizedTest
    @ValueSource(strings = {"TEAMS_WEBHOOK_URL", "HTTP_TARGET_URL", "PAGERDUTY_ROUTING_KEY", "SMTP_PASSWORD", "SIGNATURE_KEY"})
    void aValueWithBracesIsRefusedByNameAndNeverQuoted(String variable) throws Exception {
        for (String value : new String[] {"http://u:s3cret@h.test/x}}", "a{{env:HOME}}b", "ab{{cds3cret"}) {
            assertThatThrownBy(() -> VerbatimSettings.check(shipped(), Map.of(variable, value)))
                    .isInstanceOf(InvalidSetting.class)
                    .hasMessageStartingWith(variable + " must not contain {{ or }}")
                    .hasMessageNotContaining("s3cret").hasMessageNotContaining("HOME");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://h.test/a%7B%7Bb%7D%7D", "{single} brace", "plain"})
    void valuesWithoutDoubleBracesAndVariablesTheRelayDoesNotReadPass(String value) throws Exception {
        assertThatCode(() -> VerbatimSettings.check(shipped(), Map.of("HTTP_TARGET_URL", value, "UNRELATED", "{{x}}")))
                .doesNotThrowAnyException();
    }
}
