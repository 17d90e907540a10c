package io.sqreenrelay.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sqreenrelay.Vectors;
import io.sqreenrelay.Vectors.Vector;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookSignatureTest {

    static List<Vector> vectors() {
        return Vectors.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void everyVectorVerifiesWithItsSecret(Vector v) {
        WebhookSignature signature = new WebhookSignature(List.of(v.secret()));
        assertThat(signature.verify(v.bytes(), v.signature())).isTrue();
        assertThat(signature.sign(v.bytes())).isEqualTo(v.signature());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void upperCaseHexIsAccepted(Vector v) {
        assertThat(new WebhookSignature(List.of(v.secret()))
                .verify(v.bytes(), v.signature().toUpperCase(Locale.ROOT))).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void aChangedByteFails(Vector v) {
        byte[] body = v.bytes();
        for (int i : new int[] {0, body.length / 2, body.length - 1}) {
            byte[] changed = body.clone();
            changed[i] ^= 0x01;
            assertThat(new WebhookSignature(List.of(v.secret())).verify(changed, v.signature()))
                    .as("byte %d flipped", i).isFalse();
        }
        byte[] longer = (v.body() + " ").getBytes(StandardCharsets.UTF_8);
        assertThat(new WebhookSignature(List.of(v.secret())).verify(longer, v.signature())).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void anotherSecretFails(Vector v) {
        assertThat(new WebhookSignature(List.of(v.secret() + "x")).verify(v.bytes(), v.signature())).isFalse();
    }

    @Test
    void theSecretIsUsedAsUtf8BytesNotHexDecoded() {
        Vector v = Vectors.named("v2_security_event"); // its secret looks like hex
        byte[] hexDecodedSecret = java.util.HexFormat.of().parseHex(v.secret());
        String asLatin1 = new String(hexDecodedSecret, StandardCharsets.ISO_8859_1);
        assertThat(new WebhookSignature(List.of(asLatin1)).verify(v.bytes(), v.signature())).isFalse();
        assertThat(new WebhookSignature(List.of(v.secret())).verify(v.bytes(), v.signature())).isTrue();
    }

    @Test
    void anyOfSeveralSecretsIsValidDuringRotation() {
        Vector v = Vectors.named("v2_test_anna");
        WebhookSignature rotating = new WebhookSignature(
                List.of("new-secret", v.secret()));
        assertThat(rotating.verify(v.bytes(), v.signature())).isTrue();
        assertThat(rotating.verify(v.bytes(), WebhookSignature.sign("new-secret", v.bytes()))).isTrue();
        assertThat(rotating.verify(v.bytes(), WebhookSignature.sign("old-forgotten", v.bytes()))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "abc", "zz", "sha256=ed1ff1cd76fcf50b3cf98742d9a7ec3a06e4445d886292a72bee045d4fee70ca",
            "ed1ff1cd76fcf50b3cf98742d9a7ec3a06e4445d886292a72bee045d4fee70c",
            "ed1ff1cd76fcf50b3cf98742d9a7ec3a06e4445d886292a72bee045d4fee70ca00",
            "ed1ff1cd76fcf50b3cf98742d9a7ec3a06e4445d886292a72bee045d4fee70cg",
            // Arabic-Indic digits are digits to Character.digit, not hex to us
            "ed1ff1cd76fcf50b3cf98742d9a7ec3a06e4445d886292a72bee045d4fee70c\u0660"})
    void malformedHeadersFail(String header) {
        Vector v = Vectors.named("v2_test_anna");
        assertThat(new WebhookSignature(List.of(v.secret())).verify(v.bytes(), header)).isFalse();
    }

    @Test
    void missingHeaderFails() {
        Vector v = Vectors.named("v2_test_anna");
        assertThat(new WebhookSignature(List.of(v.secret())).verify(v.bytes(), null)).isFalse();
    }

    @Test
    void anEmptySecretIsRefused() {
        assertThatThrownBy(() -> new WebhookSignature(List.of(""))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WebhookSignature(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
