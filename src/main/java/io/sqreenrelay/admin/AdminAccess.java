package io.sqreenrelay.admin;

import io.sqreenrelay.ingress.HttpRequestParts;
import io.sqreenrelay.ingress.RequestRejected;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Guards the admin API: {@code Authorization: Bearer <ADMIN_TOKEN>}, compared in constant time; 401 without it.
 * With no {@code ADMIN_TOKEN} set the API is off, and answers 404 as if it did not exist.
 */
public final class AdminAccess implements Processor {

    private final byte[] token;

    public AdminAccess(String token) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void process(Exchange exchange) {
        if (token == null) {
            throw new RequestRejected(404, "not found");
        }
        // from the request's headers only: ?Authorization=Bearer... is no token
        String authorization = HttpRequestParts.header(exchange, "Authorization");
        String prefix = "Bearer ";
        boolean valid = authorization != null
                && authorization.regionMatches(true, 0, prefix, 0, prefix.length())
                && MessageDigest.isEqual(token,
                        authorization.substring(prefix.length()).trim().getBytes(StandardCharsets.UTF_8));
        if (!valid) {
            throw new RequestRejected(401, "a valid admin bearer token is required");
        }
    }
}
