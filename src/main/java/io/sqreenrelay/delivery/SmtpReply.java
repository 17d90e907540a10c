package io.sqreenrelay.delivery;

import jakarta.mail.AuthenticationFailedException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;

/** The reply code an SMTP server refused a mail with, found in a failure's chain of causes. */
final class SmtpReply {

    /** Answered for a login refused: a setting to fix, not a wait. */
    static final int AUTHENTICATION_FAILED = 535;

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
            if (t instanceof AuthenticationFailedException) {
                return AUTHENTICATION_FAILED;
            }
        }
        return null;
    }
}
