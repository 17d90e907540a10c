package io.sqreenrelay.bench;

import io.sqreenrelay.broker.QueueArguments;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * The baseline: the same events stored with the same durability as the relay stores them, by a minimal Spring AMQP
 * client with no HTTP and no Camel in between. Persistent messages on the same fanout exchange and the same durable
 * quorum queue, a publisher confirm awaited for each message, {@code concurrency} publishing threads.
 * {@code eventsPerMessage} 1 is the per-event baseline (the headline ratio); 10 stores a request's events as one
 * message, as the relay does.
 */
final class AmqpBaseline {

    private AmqpBaseline() {
    }

    /** Declares the relay's topology in the vhost: exchange relay.events (fanout) and queue relay.target.log. */
    static void declareTopology(URI vhost) {
        declareTopology(vhost, List.of("log"));
    }

    /**
     * Declares the relay's topology for these targets: exchange relay.events (fanout) and, bound to it, one queue
     * relay.target.&lt;target&gt; per target with the relay's own arguments (durable quorum queue, explicit delivery
     * limit: {@link QueueArguments#quorum()}). A message published to the exchange is stored once per target, as the
     * relay's are.
     */
    static void declareTopology(URI vhost, List<String> targets) {
        CachingConnectionFactory connections = connections(vhost);
        try {
            RabbitAdmin admin = new RabbitAdmin(connections);
            FanoutExchange exchange = new FanoutExchange("relay.events", true, false);
            admin.declareExchange(exchange);
            for (String target : targets) {
                Queue queue = QueueBuilder.durable("relay.target." + target).withArguments(QueueArguments.quorum()).build();
                admin.declareQueue(queue);
                Binding binding = BindingBuilder.bind(queue).to(exchange);
                admin.declareBinding(binding);
            }
        } finally {
            connections.destroy();
        }
    }

    static LoadGenerator.Result run(URI vhost, String run, int concurrency, int eventsPerMessage, Duration duration)
            throws InterruptedException {
        CachingConnectionFactory connections = connections(vhost);
        RabbitTemplate template = new RabbitTemplate(connections);
        long deadline = System.nanoTime() + duration.toNanos();
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        Map<String, Long> answers = new ConcurrentHashMap<>();
        List<Latencies> perThread = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < concurrency; t++) {
            Latencies latencies = new Latencies();
            perThread.add(latencies);
            Thread thread = new Thread(() -> {
                SignedEvents events = new SignedEvents(run, "unused");
                long[] firstId = new long[1];
                MessageProperties properties = new MessageProperties();
                properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
                properties.setContentType("application/json");
                while (System.nanoTime() < deadline) {
                    Message message = new Message(events.body(eventsPerMessage, firstId), properties);
                    long sent = System.nanoTime();
                    try {
                        template.invoke(ops -> {
                            ops.send("relay.events", "", message);
                            ops.waitForConfirmsOrDie(5000);
                            return null;
                        });
                        latencies.add((System.nanoTime() - sent) / 1000);
                        ok.incrementAndGet();
                        answers.merge("confirmed", 1L, Long::sum);
                    } catch (RuntimeException e) {
                        errors.incrementAndGet();
                        answers.merge(e.getClass().getSimpleName(), 1L, Long::sum);
                    }
                }
            }, "baseline-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        connections.destroy();
        Latencies all = new Latencies();
        perThread.forEach(all::addAll);
        return new LoadGenerator.Result("Spring AMQP baseline, " + eventsPerMessage + " event(s) per message", concurrency,
                eventsPerMessage, ok.get(), errors.get(), seconds, all.sort(), new TreeMap<>(answers));
    }

    private static CachingConnectionFactory connections(URI vhost) {
        CachingConnectionFactory connections = new CachingConnectionFactory(vhost);
        connections.setPublisherConfirmType(CachingConnectionFactory.ConfirmType.SIMPLE);
        connections.setChannelCacheSize(64);
        return connections;
    }
}
