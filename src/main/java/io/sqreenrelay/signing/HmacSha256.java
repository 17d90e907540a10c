package io.sqreenrelay.signing;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 (RFC 2104 with SHA-256, FIPS 180-4), the one MAC the relay signs and verifies with: Sqreen's
 * {@code X-Sqreen-Integrity} on the way in, {@code X-Relay-Signature} and Standard Webhooks' {@code webhook-signature}
 * on the way out. Keys are raw bytes; a text secret is keyed by its UTF-8 bytes, never hex-decoded.
 */
public final class HmacSha256 {

    private static final String ALGORITHM = "HmacSHA256";

    private HmacSha256() {
    }

    /** A key for {@link #mac}: the given bytes (not empty). */
    public static SecretKeySpec key(byte[] bytes) {
        return new SecretKeySpec(bytes, ALGORITHM);
    }

    /** A key for {@link #mac}: the secret's UTF-8 bytes (not empty). */
    public static SecretKeySpec key(String secret) {
        return key(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** The 32-byte HMAC-SHA256 of {@code data}. */
    public static byte[] mac(SecretKeySpec key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(data);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
        }
    }

    /** The lower-case hex HMAC-SHA256 (64 digits) of {@code data} keyed with {@code secret}'s UTF-8 bytes. */
    public static String hex(String secret, byte[] data) {
        return HexFormat.of().formatHex(mac(key(secret), data));
    }
}
