package io.sqreenrelay.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.NotEmpty;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * The signature check, for any body, secret and header: only the exact HMAC passes, a single changed digit anywhere
 * fails (the comparison reads every byte: {@code MessageDigest.isEqual}, whose time depends only on the length), and
 * no header, however malformed, makes it throw.
 */
class SignaturePropertiesTest {

    @Property(tries = 1000)
    void onlyTheExactSignaturePasses(@ForAll @Size(max = 2048) byte[] body, @ForAll @NotEmpty @StringLength(max = 64) String secret,
                                     @ForAll @IntRange(max = 63) int digit) {
        WebhookSignature signature = new WebhookSignature(List.of(secret));
        String good = signature.sign(body);
        assertThat(signature.verify(body, good)).isTrue();
        assertThat(signature.verify(body, good.toUpperCase())).isTrue();

        char c = good.charAt(digit);
        String changed = good.substring(0, digit) + (c == '0' ? '1' : '0') + good.substring(digit + 1);
        assertThat(signature.verify(body, changed)).as("digit %d changed", digit).isFalse();
    }

    @Property(tries = 1000)
    void noHeaderMakesItThrow(@ForAll @Size(max = 256) byte[] body, @ForAll @StringLength(max = 300) String header) {
        WebhookSignature signature = new WebhookSignature(List.of("k1", "k2"));
        assertThat(signature.verify(body, header)).isEqualTo(header.strip().equalsIgnoreCase(signature.sign(body))
                || header.strip().equalsIgnoreCase(WebhookSignature.sign("k2", body)));
    }
}
