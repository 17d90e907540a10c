package io.sqreenrelay.delivery;

import io.sqreenrelay.broker.BrokerBeans;
import io.sqreenrelay.dedup.RedisKeyStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

/**
 * The delivery template's own beans, bound beside the classes they wire (routes/delivery-template.yaml and
 * routes/delivery-outcomes.yaml name them): {@code deliveredKeys} (the Idempotent Consumer's repository, a Camel
 * service), {@code targetHolds}, {@code targetSuspensions} (a Camel service), {@code notificationText}, {@code digestGroups} and {@code digestStore} (the digests' grouping and
 * their aggregation repositories' LevelDB store, {@link DigestGroups}), and {@code deliveryFailures}, the outcome table's
 * processor over {@link DeliveryOutcomes} (the one classifier).
 */
public final class DeliveryBeans {

    private DeliveryBeans() {
    }

    /**
     * @param retry    the retry settings (RETRY_FIRST_DELAY, RETRY_MAX_DELAY, RETRY_MAX_AGE)
     * @param window   how many delivered keys are remembered per relay (DEDUP_WINDOW)
     * @param stateDir where the delivered keys' journal lives
     * @param shared   the Redis key store shared by a cluster, or null
     * @param targetsOn the targets that run (where admins are told of a suspension, and the gauges)
     * @return the repository of delivered keys, for the targets' recipient lists
     * @throws Exception when Camel cannot add the repository as a service
     */
    public static DeliveredKeys bind(CamelContext context, RetryPolicy retry, int window, Path stateDir,
                                     RedisKeyStore shared, BrokerBeans broker, TargetActivity activity,
                                     MeterRegistry meters, Supplier<List<String>> targetsOn)
            throws Exception {
        Registry registry = context.getRegistry();
        DeliveredKeys delivered = new DeliveredKeys(window, stateDir, shared);
        context.addService(delivered);
        registry.bind("deliveredKeys", delivered);
        registry.bind("notificationText", new NotificationText());
        TargetSuspensions suspensions = new TargetSuspensions(shared, stateDir, broker.containers(),
                broker.targetQueuePrefix(), broker.waitQueues(), targetsOn, meters);
        context.addService(suspensions);
        registry.bind("targetSuspensions", suspensions);
        TargetHolds holds = new TargetHolds(shared, suspensions);
        registry.bind("targetHolds", holds);
        // digests: the Aggregator's repositories (one per target, named by it) in one LevelDB store, written through
        // to disk (sync) before the event's message is acknowledged
        DigestStore digestStore = new DigestStore(stateDir.resolve("digests"));
        context.addService(digestStore);
        registry.bind("digestStore", digestStore);
        registry.bind("digestGroups", new DigestGroups(digestStore::holds,
                (target, body, headers) -> broker.queues().publishTo(broker.targetQueuePrefix() + target, body, headers)));
        registry.bind("deliveryFailures", new DeliveryFailures(
                new DeliveryOutcomes(retry, () -> ThreadLocalRandom.current().nextDouble()),
                broker.waitQueues(), broker.deadLetters(), activity, holds, suspensions));
        return delivered;
    }
}
