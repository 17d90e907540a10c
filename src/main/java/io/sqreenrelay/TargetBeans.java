package io.sqreenrelay;

import io.sqreenrelay.delivery.DeliveredKeys;
import io.sqreenrelay.delivery.EmailMessage;
import io.sqreenrelay.delivery.HttpTargetRequest;
import io.sqreenrelay.delivery.Recipients;
import io.sqreenrelay.delivery.SlackMessage;
import io.sqreenrelay.delivery.TargetUrl;
import io.sqreenrelay.delivery.TwilioSms;
import jakarta.mail.PasswordAuthentication;
import java.net.URI;
import java.util.List;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.component.mail.MailAuthenticator;
import org.apache.camel.spi.Registry;

/**
 * Binds what the target routes ({@code routes/target-*.yaml}) refer to, and turns each target on or off through
 * the {@code relay.targets.<target>.enabled} property that its delivery route's autoStartup reads. A target that
 * is off still gets its beans (with inert values), so its route can be built, but its route never starts: it
 * declares no queue and receives nothing.
 */
final class TargetBeans {

    private static final URI OFF = URI.create("http://target-is-off.invalid/");

    private TargetBeans() {
    }

    static void bind(CamelContext context, RelaySettings settings, TargetSettings targets, DeliveredKeys delivered) {
        Registry registry = context.getRegistry();
        enable(context, "email", targets.emailOn());
        enable(context, "admin-email", targets.adminEmailOn());
        enable(context, "http", targets.http() != null);
        enable(context, "slack", targets.slackWebhook() != null);
        enable(context, "sms", targets.smsOn());
        enable(context, "admin-sms", targets.adminSmsOn());

        long timeoutMillis = targets.targetTimeout().toMillis();

        TargetSettings.Mail mail = targets.mail();
        registry.bind("emailMessage", new EmailMessage(settings.appName(), mail == null ? "off@localhost" : mail.from()));
        registry.bind("emailRecipients", new Recipients(mail == null ? List.of() : mail.to(), delivered));
        registry.bind("adminEmailRecipients", new Recipients(mail == null ? List.of() : mail.admins(), delivered));
        registry.bind("smtpProperties", smtpProperties(mail, timeoutMillis));
        registry.bind("smtpAuthenticator", new MailAuthenticator() {
            @Override
            public PasswordAuthentication getPasswordAuthentication() {
                // camel-mail asks at start, and wants an answer: no user and no password means no login
                return mail == null || mail.username() == null ? new PasswordAuthentication(null, null)
                        : new PasswordAuthentication(mail.username(), mail.password());
            }
        });
        context.getPropertiesComponent().addOverrideProperty("relay.smtp.endpoint",
                mail == null ? "localhost:25" : hostForUri(mail.host()) + ":" + mail.port());

        TargetSettings.HttpTarget http = targets.http();
        registry.bind("httpTargetRequest", http == null
                ? new HttpTargetRequest(TargetUrl.of(OFF), null) : new HttpTargetRequest(http.url(), http.secret()));
        registry.bind("slackMessage", new SlackMessage(
                targets.slackWebhook() == null ? TargetUrl.of(OFF) : targets.slackWebhook(), settings.appName()));

        TargetSettings.Sms sms = targets.sms();
        registry.bind("twilioSms", sms == null ? new TwilioSms(OFF, "off", "off", "off")
                : new TwilioSms(sms.messagesUrl(), sms.accountSid(), sms.authToken(), sms.from()));
        registry.bind("smsRecipients", new Recipients(sms == null ? List.of() : sms.to(), delivered));
        registry.bind("adminSmsRecipients", new Recipients(sms == null ? List.of() : sms.admins(), delivered));
    }

    private static void enable(CamelContext context, String target, boolean on) {
        context.getPropertiesComponent().addOverrideProperty("relay.targets." + target + ".enabled", Boolean.toString(on));
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

    private static String hostForUri(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

}
