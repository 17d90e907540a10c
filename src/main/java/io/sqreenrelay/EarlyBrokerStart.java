package io.sqreenrelay;

import io.sqreenrelay.broker.BrokerBeans;
import io.sqreenrelay.broker.EmbeddedBroker;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Begins the embedded broker at the very start of Camel Main, before its auto-configuration, the relay's beans and
 * the routes are made, so that Qpid's start (the longest part of the relay's) runs beside them. {@link BrokerBeans}
 * takes it from the registry ({@link BrokerBeans#EMBEDDED_BROKER}); the first service to start waits for it.
 *
 * <p>Only when the settings are right: any setting that {@link RelayConfiguration} would refuse (a placeholder in a
 * value, a bad {@code DATA_DIR}, ...) leaves the start to it, so the error is reported there, once, in its words. With
 * {@code RABBITMQ_URI} set, nothing happens here.
 */
final class EarlyBrokerStart extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(EarlyBrokerStart.class);

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        CamelContext context = main.getCamelContext();
        try {
            RelaySettings settings = RelaySettings.read(RelayConfiguration.checkedProperties(context));
            if (!settings.embeddedBroker()) {
                return;
            }
            DataDirLock.hold(settings.dataDir());
            context.getRegistry().bind(BrokerBeans.EMBEDDED_BROKER,
                    EmbeddedBroker.starting(settings.dataDir().resolve("broker")));
        } catch (Exception notNow) {
            // RelayConfiguration meets the same fault and says it in one line; nothing is started early
            LOG.debug("Embedded broker not started early: {}", notNow.toString());
        }
    }
}
