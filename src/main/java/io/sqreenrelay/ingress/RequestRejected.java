package io.sqreenrelay.ingress;

/**
 * A webhook request refused whole, with the HTTP status that says why. The message is the short,
 * client-facing reason that goes into the {@code {"error": ...}} body: it never holds request data or a secret.
 */
public final class RequestRejected extends RuntimeException {

    private final int status;

    public RequestRejected(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    public int getStatus() {
        return status;
    }

    public static RequestRejected unauthorized(String reason) {
        return new RequestRejected(401, reason);
    }

    public static RequestRejected unsupportedMediaType(String reason) {
        return new RequestRejected(415, reason);
    }

    public static RequestRejected unprocessable(String reason) {
        return new RequestRejected(422, reason);
    }
}
