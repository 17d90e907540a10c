package io.sqreenrelay.signing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signatures as the Standard Webhooks specification defines them (https://www.standardwebhooks.com, "Signature
 * scheme"; github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md): {@code webhook-signature} is
 * {@code v1,} followed by the base64 (RFC 4648, padded) HMAC-SHA256 of {@code <webhook-id>.<webhook-timestamp>.<body>},
 * the timestamp in Unix seconds. The key of a {@code whsec_...} secret is the base64-decoded part after the prefix, as
 * the specification's verifiers expect; any other secret is keyed by its UTF-8 bytes.
 */
public final class StandardWebhooks {

    private static final String SECRET_PREFIX = "whsec_";
    private final SecretKeySpec key;

    /**
     * @param secret the shared secret, {@code whsec_<base64>} or plain text (not empty)
     * @throws IllegalArgumentException when a {@code whsec_} secret is not base64
     */
    public StandardWebhooks(String secret) {
        this.key = secret.startsWith(SECRET_PREFIX)
                ? HmacSha256.key(Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length())))
                : HmacSha256.key(secret);
    }

    /** {@code v1,<base64 HMAC-SHA256 of id.timestamp.body>}. */
    public String signature(String id, long timestampSeconds, byte[] body) {
        byte[] prefix = (id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
        byte[] signed = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, signed, 0, prefix.length);
        System.arraycopy(body, 0, signed, prefix.length, body.length);
        return "v1," + Base64.getEncoder().encodeToString(HmacSha256.mac(key, signed));
    }
}
