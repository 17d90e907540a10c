package io.sqreenrelay.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sqreenrelay.Vectors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SqreenEventsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode first(String vector) throws Exception {
        return MAPPER.readTree(Vectors.named(vector).body()).get(0);
    }

    private static SqreenEvent view(String vector) throws Exception {
        return SqreenEvents.normalize(first(vector));
    }

    @Test
    void v2SecurityEvent() throws Exception {
        SqreenEvent e = view("v2_security_event");
        assertThat(e.format()).isEqualTo("v2");
        assertThat(e.type()).isEqualTo("security_event");
        assertThat(e.title()).isEqualTo("Potential Vulnerability discovery from 103.6.198.100");
        assertThat(e.applicationId()).isEqualTo("601366f227a5d5001fe83586");
        assertThat(e.applicationName()).isEqualTo("montres-berger");
        assertThat(e.environment()).isEqualTo("production");
        assertThat(e.date()).isEqualTo("2021-01-30T10:03:54.905000+00:00");
        assertThat(e.link()).isEqualTo("https://my.sqreen.com/application/601366f227a5d5001fe83586/events/60152f0bbdc966000fc88b58");
        assertThat(e.ips()).containsExactly("103.6.198.100");
        assertThat(e.key()).isEqualTo("601366f227a5d5001fe83586:security_event:id-60152f0bbdc966000fc88b58");
    }

    @Test
    void v2TestHasNoApplicationIdAndThatIsFine() throws Exception {
        SqreenEvent e = view("v2_test");
        assertThat(e.type()).isEqualTo("test");
        assertThat(e.applicationId()).isNull();
        assertThat(e.applicationName()).isEqualTo("montres-berger");
        assertThat(e.title()).isEqualTo("Test"); // humanized_description is empty: the type stands in
        assertThat(e.link()).isEqualTo("http://test");
        assertThat(e.ips()).containsExactly("42.42.42.42");
        assertThat(e.key()).isEqualTo("none:test:id-9adffc2374c70b1ee84711225e7fc618");
    }

    @Test
    void v2IncidentTakesItsTypeAsTitleAndIsKeyedByContent() throws Exception {
        SqreenEvent e = view("v2_incident_http_scan");
        assertThat(e.type()).isEqualTo("http_scan");
        assertThat(e.title()).isEqualTo("Http scan");
        assertThat(e.applicationId()).isEqualTo("601366f227a5d5001fe83586");
        assertThat(e.date()).isEqualTo("2021-01-29T01:39:04.897000+00:00");
        assertThat(e.ips()).containsExactly("213.245.178.46");
        assertThat(e.key()).startsWith("601366f227a5d5001fe83586:http_scan:sha-");
    }

    @Test
    void v2SecurityResponseReadsTheApplicationObjectAndThePlaybook() throws Exception {
        SqreenEvent e = view("v2_security_response");
        assertThat(e.type()).isEqualTo("security_response");
        assertThat(e.title()).isEqualTo("Test Playbook");
        assertThat(e.applicationId()).isEqualTo("601366f227a5d5001fe83586");
        assertThat(e.applicationName()).isEqualTo("montres-berger");
        assertThat(e.environment()).isEqualTo("production");
        assertThat(e.ips()).containsExactly("127.0.0.1");
        assertThat(e.key()).startsWith("601366f227a5d5001fe83586:security_response:sha-");
    }

    @Test
    void v1SecurityEvent() throws Exception {
        SqreenEvent e = view("v1_security_event_sqreenhook");
        assertThat(e.format()).isEqualTo("v1");
        assertThat(e.type()).isEqualTo("security_event");
        assertThat(e.title()).isEqualTo("Potential Automated Vulnerability discovery from 127.0.0.1");
        assertThat(e.applicationId()).isEqualTo("5b2229397f4c18001bd6c62c");
        assertThat(e.applicationName()).isEqualTo("sqreened_application");
        assertThat(e.environment()).isEqualTo("development");
        assertThat(e.link()).startsWith("https://my.sqreen.io/application/");
        assertThat(e.key()).isEqualTo("5b2229397f4c18001bd6c62c:security_event:id-5b26b2b6d1d76b0007c10858");
    }

    @Test
    void v1PulseUsesItsHumanizedTitle() throws Exception {
        SqreenEvent e = view("seed_v1_pulse");
        assertThat(e.type()).isEqualTo("pulse");
        assertThat(e.title()).isEqualTo("Massive account takeover attempts on user@example.com");
        assertThat(e.date()).isEqualTo("2019-11-20T21:47:00.090825+00:00");
        assertThat(e.key()).isEqualTo("5dd058775c3feb0021c0bb43:pulse:id-5dd5b454e56c7e0024169b4b");
    }

    @Test
    void v1SecurityResponseWithANullIdIsKeyedByContent() throws Exception {
        SqreenEvent e = view("seed_v1_security_response");
        assertThat(e.type()).isEqualTo("security_response");
        assertThat(e.title()).isEqualTo("Test Playbook");
        assertThat(e.applicationId()).isEqualTo("5dd058775c3feb0021c0bb43");
        assertThat(e.environment()).isEqualTo("production");
        assertThat(e.key()).startsWith("5dd058775c3feb0021c0bb43:security_response:sha-");
    }

    @Test
    void aMinimalV1EventHasOnlyItsTypeAndDate() throws Exception {
        SqreenEvent e = view("v1_minimal_jordanp");
        assertThat(e.type()).isEqualTo("security_event");
        assertThat(e.title()).isEqualTo("Security event");
        assertThat(e.applicationId()).isNull();
        assertThat(e.link()).isNull();
        assertThat(e.ips()).isEmpty();
        assertThat(e.date()).isEqualTo("2018-10-10T08:32:25.169232+00:00");
    }

    @Test
    void anObjectWithNothingKnownStillNormalizes() throws Exception {
        SqreenEvent e = SqreenEvents.normalize(MAPPER.readTree("{\"weird\": [1, {\"x\": null}]}"));
        assertThat(e.type()).isEqualTo("unknown");
        assertThat(e.title()).isEqualTo("Unknown");
        assertThat(e.key()).startsWith("none:unknown:sha-");
    }

    @Test
    void fieldsOfTheWrongJsonTypeAreIgnoredNotFatal() throws Exception {
        SqreenEvent e = SqreenEvents.normalize(MAPPER.readTree(
                "{\"sqreen_payload_type\": [\"x\"], \"application_id\": {\"a\": 1}, \"ips\": \"1.2.3.4\","
                        + " \"url\": 42, \"humanized_description\": null, \"application\": \"str\"}"));
        assertThat(e.type()).isEqualTo("unknown");
        assertThat(e.applicationId()).isNull();
        assertThat(e.ips()).isEmpty();
        assertThat(e.link()).isEqualTo("42");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"sqreen_payload_type\": \"security_event\", \"application_id\": \"OWN\"}",
            "{\"sqreen_payload_type\": \"security_response\", \"application\": {\"id\": \"OWN\"}}",
            "{\"message_type\": \"security_event\", \"message\": {\"application_id\": \"OWN\"}}",
            "{\"message_type\": \"security_response\", \"message\": {\"application\": {\"id\": \"OWN\"}}}"})
    void theInternalAlertRuleReadsAllFourIdLocations(String json) throws Exception {
        SqreenEvent e = SqreenEvents.normalize(MAPPER.readTree(json));
        assertThat(e.applicationId()).isEqualTo("OWN");
        assertThat(e.concerns("OWN")).isTrue();
        assertThat(e.concerns("OTHER")).isFalse();
        assertThat(e.concerns(null)).isFalse();
        assertThat(e.concerns("")).isFalse();
    }

    @Test
    void anEventWithoutAnApplicationIdIsNeverInternal() throws Exception {
        assertThat(view("v2_test").concerns("601366f227a5d5001fe83586")).isFalse();
    }

    @Test
    void theKeyIgnoresWhatChangesOnSqreenRetries() throws Exception {
        for (String vector : List.of("v2_security_event", "v2_incident_http_scan", "v2_security_response")) {
            ObjectNode original = (ObjectNode) first(vector);
            ObjectNode retried = original.deepCopy();
            retried.put("retry_count", 3);
            retried.put("date_created", "2031-01-01T00:00:00+00:00");
            assertThat(SqreenEvents.normalize(retried).key()).as(vector)
                    .isEqualTo(SqreenEvents.normalize(original).key());
        }
    }

    @Test
    void theContentKeyIgnoresFieldOrderButNotContent() throws Exception {
        JsonNode a = MAPPER.readTree("{\"message_type\":\"http_scan\",\"message\":{\"x\":1,\"y\":[1,2]}}");
        JsonNode reordered = MAPPER.readTree("{\"message\":{\"y\":[1,2],\"x\":1},\"message_type\":\"http_scan\"}");
        JsonNode other = MAPPER.readTree("{\"message_type\":\"http_scan\",\"message\":{\"x\":1,\"y\":[2,1]}}");
        assertThat(SqreenEvents.normalize(a).key()).isEqualTo(SqreenEvents.normalize(reordered).key());
        assertThat(SqreenEvents.normalize(a).key()).isNotEqualTo(SqreenEvents.normalize(other).key());
    }

    @Test
    void keysAreScopedByApplicationAndType() throws Exception {
        String base = "{\"sqreen_payload_type\": \"%s\", \"application_id\": \"%s\", \"id\": \"same\"}";
        Set<String> keys = new HashSet<>();
        for (String type : List.of("security_event", "pulse")) {
            for (String app : List.of("app1", "app2")) {
                keys.add(SqreenEvents.normalize(MAPPER.readTree(base.formatted(type, app))).key());
            }
        }
        assertThat(keys).hasSize(4);
    }

    @Test
    void everyEventOfTheVectorsHasItsOwnKey() throws Exception {
        List<String> keys = new ArrayList<>();
        Set<String> distinctBodies = new HashSet<>();
        for (Vectors.Vector v : Vectors.all()) {
            if (!v.acceptable()) {
                continue;
            }
            JsonNode node = MAPPER.readTree(v.body());
            if (node.isArray() && distinctBodies.add(v.body())) {
                node.forEach(e -> keys.add(SqreenEvents.normalize(e).key()));
            }
        }
        // seed_v1_security_event and v2_two_events_fousti_file describe the same Sqreen event in two formats,
        // and the anna/mcornejo vectors are copies of one capture: keys are per application, type and id
        assertThat(keys).doesNotHaveDuplicates().hasSizeGreaterThan(10);
    }

    @Test
    void hostileIdsBecomeHashedKeyParts() throws Exception {
        SqreenEvent e = SqreenEvents.normalize(MAPPER.readTree(
                "{\"sqreen_payload_type\": \"test\\r\\nX: y\", \"application_id\": \"a b\", \"id\": \"" + "x".repeat(500) + "\"}"));
        assertThat(e.key()).matches("[A-Za-z0-9._:-]{1,120}");
    }
}
