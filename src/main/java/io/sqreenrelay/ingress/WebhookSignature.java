package io.sqreenrelay.ingress;

import io.sqreenrelay.signing.HmacSha256;
import java.security.MessageDigest;
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

    /** 64 hex digits (either case, ASCII only, surrounding blanks ignored) as 32 bytes; null when malformed. */
    static byte[] decodeHex(String value) {
        if (value == null) {
            return null;
        }
        String hex = value.strip();
        if (hex.length() != DIGEST_LENGTH * 2) {
            return null;
        }
        try {
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException notHex) {
            return null;
        }
    }
}
