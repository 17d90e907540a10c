package io.sqreenrelay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DedupSettingsTest {

    private static DedupSettings read(Map<String, String> values) {
        return DedupSettings.read(values::get);
    }

    @Test
    void withoutRedisTheKeysStayInJournalsForThreeDays() {
        DedupSettings settings = read(Map.of());
        assertThat(settings.shared()).isFalse();
        assertThat(settings.ttl()).isEqualTo(Duration.ofHours(72));
        assertThat(settings.timeout()).isEqualTo(Duration.ofMillis(200));
        assertThat(settings.description()).isEqualTo("journals (one relay)");
    }

    @Test
    void aRedisUriIsDescribedWithoutItsCredentials() {
        Map<String, String> values = new HashMap<>();
        values.put("relay.redis.uri", "rediss://relay:s3cret@redis.example:6380/2");
        values.put("relay.dedup.ttl", "24h");
        DedupSettings settings = read(values);
        assertThat(settings.shared()).isTrue();
        assertThat(settings.ttl()).isEqualTo(Duration.ofHours(24));
        assertThat(settings.description()).isEqualTo("rediss://redis.example:6380/2").doesNotContain("s3cret");
        assertThat(read(Map.of("relay.redis.uri", "redis://localhost")).description())
                .isEqualTo("redis://localhost:6379/0");
    }

    @Test
    void aWrongSettingStopsTheStartNamingItsVariableNeverQuotingThePassword() {
        assertThatThrownBy(() -> read(Map.of("relay.redis.uri", "http://user:s3cret@host:6379")))
                .isInstanceOf(InvalidSetting.class)
                .hasMessageStartingWith("REDIS_URI")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> read(Map.of("relay.redis.uri", "redis://:s3cret@host:99999/0")))
                .hasMessageStartingWith("REDIS_URI").hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> read(Map.of("relay.redis.uri", "redis://host:6379/zero")))
                .hasMessageContaining("database");
        assertThatThrownBy(() -> read(Map.of("relay.dedup.ttl", "forever")))
                .hasMessageStartingWith("DEDUP_TTL");
        assertThatThrownBy(() -> read(Map.of("relay.redis.timeout", "0ms")))
                .hasMessageStartingWith("REDIS_TIMEOUT");
    }
}
