package io.sqreenrelay;

import io.sqreenrelay.delivery.DeliveredKeys;
import io.sqreenrelay.delivery.EmailMessage;
import io.sqreenrelay.delivery.HttpTargetSignatures;
import io.sqreenrelay.delivery.Recipients;
import io.sqreenrelay.delivery.SlackMessage;
import io.sqreenrelay.delivery.TwilioSms;
import io.sqreenrelay.delivery.UrlCredentials;
import jakarta.mail.PasswordAuthentication;
import java.net.URI;
import java.util.List;
import java.util.Properties;
import org.apache.camel.component.mail.MailAuthenticator;
import org.apache.camel.spi.Registry;

/**
 * Binds the renderers and recipient lists the target routes ({@code routes/target-*.yaml}) call, made from the checked
 * {@link TargetSettings}. Whether a target is on is said in its YAML file (the route precondition of its
 * {@code enabled} parameter), never here; a target that is off has no delivery route, and its beans, made with inert
 * values, are never called.
 */
final class TargetBeans {

    private TargetBeans() {
    }

    static void bind(Registry registry, RelaySettings settings, TargetSettings targets, DeliveredKeys delivered) {
        TargetSettings.Mail mail = targets.mail();
        registry.bind("emailMessage", new EmailMessage(settings.appName()));
        registry.bind("emailRecipients", new Recipients(mail == null ? List.of() : mail.to(), delivered));
        registry.bind("adminEmailRecipients", new Recipients(mail == null ? List.of() : mail.admins(), delivered));
        registry.bind("smtpProperties", smtpProperties(mail, targets.targetTimeout().toMillis()));
        registry.bind("smtpAuthenticator", new MailAuthenticator() {
            @Override
            public PasswordAuthentication getPasswordAuthentication() {
                // camel-mail asks at start, and wants an answer: no user and no password means no login
                return mail == null || mail.username() == null ? new PasswordAuthentication(null, null)
                        : new PasswordAuthentication(mail.username(), mail.password());
            }
        });

        registry.bind("urlCredentials", new UrlCredentials());
        registry.bind("httpTargetSignatures", new HttpTargetSignatures(targets.http() == null ? null : targets.http().secret()));
        registry.bind("slackMessage", new SlackMessage(settings.appName()));

        TargetSettings.Sms sms = targets.sms();
        registry.bind("twilioSms", sms == null ? new TwilioSms(URI.create("http://target-is-off.invalid/"), "off", "off", "off")
                : new TwilioSms(sms.messagesUrl(), sms.accountSid(), sms.authToken(), sms.from()));
        registry.bind("smsRecipients", new Recipients(sms == null ? List.of() : sms.to(), delivered));
        registry.bind("adminSmsRecipients", new Recipients(sms == null ? List.of() : sms.admins(), delivered));
    }

    private static Properties smtpProperties(TargetSettings.Mail mail, long timeoutMillis) {
        Properties properties = new Properties();
        properties.setProperty("mail.smtp.connectiontimeout", Long.toString(timeoutMillis));
        properties.setProperty("mail.smtp.timeout", Long.toString(timeoutMillis));
        properties.setProperty("mail.smtp.writetimeout", Long.toString(timeoutMillis));
        if (mail != null && mail.startTls()) {
            properties.setProperty("mail.smtp.starttls.enable", "true");
            properties.setProperty("mail.smtp.starttls.required", "true");
        }
        if (mail != null && mail.username() != null) {
            properties.setProperty("mail.smtp.auth", "true");
        }
        return properties;
    }
}
