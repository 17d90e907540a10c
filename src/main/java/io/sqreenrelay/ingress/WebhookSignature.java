package io.sqreenrelay.ingress;

import io.sqreenrelay.signing.HmacSha256;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sqreen's webhook signature: the {@code X-Sqreen-Integrity} header is the hex HMAC-SHA256 of the raw
 * request body, keyed with the secret's UTF-8 bytes. Several secrets may be valid at once (rotation).
 *
 * <p>Every configured secret is tried, and each comparison is constant time, so the answer's timing says
 * neither which byte differed nor which secret matched.
 */
public final class WebhookSignature {

    private static final int DIGEST_LENGTH = 32;

    private final List<SecretKeySpec> keys;

    public WebhookSignature(List<String> secrets) {
        Objects.requireNonNull(secrets, "secrets");
        if (secrets.isEmpty() || secrets.stream().anyMatch(s -> s == null || s.isEmpty())) {
            throw new IllegalArgumentException("at least one non-empty signature key is required");
        }
        this.keys = secrets.stream().map(HmacSha256::key).toList();
    }

    /** Parses a comma-separated list of secrets, as {@code SIGNATURE_KEY} holds them. */
    public static List<String> splitSecrets(String commaSeparated) {
        if (commaSeparated == null) {
            return List.of();
        }
        return Arrays.stream(commaSeparated.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** True when {@code headerValue} is the signature of {@code body} under any configured secret. */
    public boolean verify(byte[] body, String headerValue) {
        byte[] claimed = decodeHex(headerValue);
        if (claimed == null) {
            return false;
        }
        boolean valid = false;
        for (SecretKeySpec key : keys) {
            // no early exit: every key is checked, whatever the previous result
            valid |= MessageDigest.isEqual(hmac(key, body), claimed);
        }
        return valid;
    }

    /** The lower-case hex signature of {@code body} under the first (current) secret. */
    public String sign(byte[] body) {
        return HexFormat.of().formatHex(hmac(keys.get(0), body));
    }

    /** The lower-case hex HMAC-SHA256 of {@code body} keyed with {@code secret}'s UTF-8 bytes ({@link HmacSha256}). */
    public static String sign(String secret, byte[] body) {
        return HmacSha256.hex(secret, body);
    }

    private static byte[] hmac(SecretKeySpec key, byte[] body) {
        return HmacSha256.mac(key, body);
    }

    /** 64 hex digits (either case, surrounding blanks ignored) as 32 bytes; null when malformed. */
    static byte[] decodeHex(String value) {
        if (value == null) {
            return null;
        }
        String hex = value.strip();
        if (hex.length() != DIGEST_LENGTH * 2) {
            return null;
        }
        byte[] out = new byte[DIGEST_LENGTH];
        for (int i = 0; i < DIGEST_LENGTH; i++) {
            int hi = hexDigit(hex.charAt(2 * i));
            int lo = hexDigit(hex.charAt(2 * i + 1));
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }

    /** ASCII hex only: {@link Character#digit} would also take other scripts' digits. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
