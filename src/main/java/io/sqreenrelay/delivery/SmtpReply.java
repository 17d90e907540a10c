package io.sqreenrelay.delivery;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

/**
 * The reply code an SMTP server refused a mail with, found in a failure's chain of causes: from Angus Mail's typed
 * exceptions (MAIL, RCPT, DATA), else from the server's reply that Angus quotes in the message of a plain
 * {@link MessagingException}: it gives no code for a refused greeting ("Got bad greeting from SMTP host: h, port: p,
 * response: 421 4.3.2 ...", angus-mail 2.0 {@code SMTPTransport#openServer}) nor for some refused commands. Reply codes:
 * RFC 5321 section 4.2 (4yz: transient, try again; 5yz: permanent).
 */
final class SmtpReply {

    /** Answered for a login refused: a setting to fix, not a wait. */
    static final int AUTHENTICATION_FAILED = 535;
    private static final Pattern QUOTED_REPLY = Pattern.compile("(?:^|response: |\\n)([45][0-5][0-9])(?:[ -]|$)");

    private SmtpReply() {
    }

    /** The server's reply code (4xx: try later, 5xx: refused), or null when no SMTP server answered. */
    static Integer code(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SMTPSendFailedException e) {
                return e.getReturnCode();
            }
            if (t instanceof SMTPAddressFailedException e) {
                return e.getReturnCode();
            }
            if (t instanceof SMTPSenderFailedException e) {
                return e.getReturnCode();
            }
            if (t instanceof AuthenticationFailedException e) {
                // a temporary refusal (454 4.7.0) is a wait; any other a setting to fix
                Integer quoted = quotedReply(e.getMessage());
                return quoted != null && quoted >= 400 && quoted < 500 ? quoted : AUTHENTICATION_FAILED;
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MessagingException) {
                Integer quoted = quotedReply(t.getMessage());
                if (quoted != null) {
                    return quoted;
                }
            }
        }
        return null;
    }

    /** A 4xx or 5xx reply quoted in a message ("... response: 421 ...", or the reply line itself), or null. */
    static Integer quotedReply(String message) {
        if (message == null) {
            return null;
        }
        Matcher m = QUOTED_REPLY.matcher(message);
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }
}
