package io.sqreenrelay.delivery;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Where an HTTP target's requests go: the URL, without credentials, and the HTTP Basic {@code Authorization} that the
 * {@code user:password@} of a configured URL stands for (null when it had none). HttpClient 5 refuses to send a
 * request URI with userinfo at all; the credentials go as Basic authentication instead (RFC 7617; RFC 3986 section
 * 3.2.1 deprecates them in URIs). The URL travels in the request's {@code CamelHttpUri} header exactly as configured
 * (percent-encoding kept), never in an endpoint URI. {@link #toString()} never shows the credentials.
 *
 * @param url           the URL to send to, without userinfo
 * @param authorization {@code Basic base64(user:password)}, or null
 */
public record TargetUrl(URI url, String authorization) {

    /** The URL of {@code configured} without its userinfo, and the Basic authorization of that userinfo, if any. */
    public static TargetUrl of(URI configured) {
        String userInfo = configured.getUserInfo();   // percent-decoded: p%40ss is p@ss
        if (userInfo == null) {
            return new TargetUrl(configured, null);
        }
        String raw = configured.toString();
        String authority = configured.getRawAuthority();
        String withoutUserInfo = authority.substring(authority.lastIndexOf('@') + 1);
        int at = raw.indexOf(authority);
        URI url = URI.create(raw.substring(0, at) + withoutUserInfo + raw.substring(at + authority.length()));
        String basic = "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        return new TargetUrl(url, basic);
    }

    /**
     * The URL with the ASCII characters that RFC 3986 allows nowhere in a URI (space, {@code " < > \\ ^ ` { | }})
     * percent-encoded, as a browser does with a pasted URL: a setting with a space reaches its target as {@code %20}
     * (SPEC: values are used verbatim). Everything else, percent escapes included, is kept as written.
     */
    public static String escapeForbidden(String url) {
        StringBuilder out = new StringBuilder(url.length());
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == ' ' || "\"<>\\^`{|}".indexOf(c) >= 0) {
                out.append('%').append(String.format("%02X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Sets the request's URL and, when there are credentials, its {@code Authorization} header. */
    public void applyTo(Message request) {
        request.setHeader(Exchange.HTTP_URI, url.toString());
        if (authorization != null) {
            request.setHeader("Authorization", authorization);
        }
    }

    @Override
    public String toString() {
        return url + (authorization == null ? "" : " (with Basic authentication)");
    }
}
