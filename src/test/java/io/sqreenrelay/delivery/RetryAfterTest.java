package io.sqreenrelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RetryAfter reads the three HTTP-date forms RFC 9110 section 5.6.7 asks a recipient to accept, and delay-seconds. */
class RetryAfterTest {

    /** Sun, 06 Nov 2033 08:49:37 GMT: RFC 9110's example date moved to a year HttpClient reads two digits of. */
    private static final long DATE = Instant.parse("2033-11-06T08:49:37Z").toEpochMilli();
    private static final long NOW = DATE - 90_000;

    @Test
    void imfFixdate() {
        assertThat(RetryAfter.parse("Sun, 06 Nov 2033 08:49:37 GMT", NOW)).isEqualTo(90_000);
    }

    @Test
    void obsoleteRfc850Date() {
        assertThat(RetryAfter.parse("Sunday, 06-Nov-33 08:49:37 GMT", NOW)).isEqualTo(90_000);
    }

    @Test
    void asctimeDate() {
        assertThat(RetryAfter.parse("Sun Nov  6 08:49:37 2033", NOW)).isEqualTo(90_000);
    }

    @Test
    void delaySecondsAsAsked() {
        assertThat(RetryAfter.parse("120", NOW)).isEqualTo(120_000);
        // read as asked: RETRY_AFTER_MAX is applied by DeliveryOutcomes
        assertThat(RetryAfter.millis(Map.of("retry-after", "999999"), "", NOW)).isEqualTo(999_999_000L);
    }

    @Test
    void aDateInThePastOrUnreadableIsNoWait() {
        assertThat(RetryAfter.millis(Map.of("Retry-After", "Sun, 06 Nov 2033 08:49:37 GMT"), "", DATE + 1000))
                .isZero();
        assertThat(RetryAfter.millis(Map.of("Retry-After", "next tuesday"), "", NOW)).isZero();
    }
}
