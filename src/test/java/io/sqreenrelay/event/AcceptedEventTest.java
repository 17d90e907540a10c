package io.sqreenrelay.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The event as it travels in the broker: the view built once at ingress, and messages of an earlier version. */
class AcceptedEventTest {

    private static final ObjectMapper JSON = new ObjectMapper();   // as the routes' Jackson data format reads it
    private static final String SOURCE = "{\"message_id\":null,\"api_version\":\"2\",\"message_type\":\"security_event\","
            + "\"message\":{\"event_id\":\"e1\",\"application_id\":\"a1\",\"application_name\":\"shop\","
            + "\"environment\":\"production\",\"humanized_title\":\"SQL injection\",\"risk_coefficient\":25.10,"
            + "\"url\":\"https://my.sqreen.com/e/1\",\"ips\":[{\"address\":\"10.0.0.1\"}]}}";

    @Test
    void theViewTravelsWithTheEventAndIsReadBackAsItWasBuilt() throws Exception {
        SqreenEvent view = SqreenEvents.normalize(SqreenEvents.exactNumbers(new ObjectMapper()).readTree(SOURCE));
        AcceptedEvent event = AcceptedEvent.of(view, true, 1234L, SOURCE);
        String stored = JSON.writeValueAsString(List.of(event));
        assertThat(JSON.readTree(stored).get(0).fieldNames()).toIterable().containsExactlyInAnyOrder("key", "internal",
                "receivedAt", "source", "type", "title", "applicationId", "applicationName", "environment", "date",
                "link", "ips", "risk");
        AcceptedEvent read = JSON.readValue(stored, new TypeReference<List<AcceptedEvent>>() { }).get(0);
        assertThat(read).isEqualTo(event);
        assertThat(read.risk()).isEqualTo(new BigDecimal("25.10"));
        assertThat(read.source()).isEqualTo(SOURCE);
        assertThat(read.environment()).isEqualTo("production");
        assertThat(read.ips()).containsExactly("10.0.0.1");
    }

    @Test
    void aMessageStoredByAnEarlierVersionIsReadWithItsViewDerivedFromTheSource() throws Exception {
        String old = "[{\"key\":\"a1:security_event:id-e1\",\"internal\":false,\"receivedAt\":1234,\"source\":"
                + JSON.writeValueAsString(SOURCE) + "}]";
        AcceptedEvent read = JSON.readValue(old, new TypeReference<List<AcceptedEvent>>() { }).get(0);
        assertThat(read.key()).isEqualTo("a1:security_event:id-e1");
        assertThat(read.type()).isEqualTo("security_event");
        assertThat(read.title()).isEqualTo("SQL injection");
        assertThat(read.applicationName()).isEqualTo("shop");
        assertThat(read.environment()).isEqualTo("production");
        assertThat(read.link()).isEqualTo("https://my.sqreen.com/e/1");
        assertThat(read.risk()).isEqualTo(new BigDecimal("25.10"));
    }
}
