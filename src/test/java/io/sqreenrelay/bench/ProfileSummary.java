package io.sqreenrelay.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the relay's CPU went, from a JFR recording's execution samples: the share of samples whose stack holds a
 * frame of each part of the stack (inclusive, so the shares add up to more than 100%), and the methods most often
 * on top of the stack (self time).
 */
final class ProfileSummary {

    private static final Map<String, String> PARTS = new LinkedHashMap<>();

    static {
        PARTS.put("io.sqreenrelay.", "relay code");
        PARTS.put("com.fasterxml.jackson.", "JSON (Jackson)");
        PARTS.put("org.apache.logging.log4j.", "logging (Log4j)");
        PARTS.put("com.rabbitmq.", "AMQP client");
        PARTS.put("org.springframework.amqp.", "Spring AMQP");
        PARTS.put("org.apache.qpid.", "embedded broker (Qpid)");
        PARTS.put("io.vertx.", "HTTP server (Vert.x)");
        PARTS.put("io.netty.", "network (Netty)");
        PARTS.put("org.apache.camel.", "Camel");
        PARTS.put("io.micrometer.", "metrics (Micrometer)");
        PARTS.put("com.sun.crypto.provider.", "HMAC (JCE)");
        PARTS.put("org.apache.hc.", "HTTP client (targets)");
        PARTS.put("sun.nio.ch.", "socket I/O (JDK)");
    }

    private ProfileSummary() {
    }

    /** {@code java -cp ... io.sqreenrelay.bench.ProfileSummary RECORDING.jfr [TOP]}: the summary of a recording made by hand. */
    public static void main(String[] args) throws IOException {
        System.out.println(summarize(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 25));
    }

    static String summarize(Path recording, int top) throws IOException {
        Map<String, Integer> byPart = new TreeMap<>();
        Map<String, Integer> selfTime = new TreeMap<>();
        int samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = stack.getFrames();
            RecordedFrame topFrame = frames.get(0);
            selfTime.merge(topFrame.getMethod().getType().getName() + "." + topFrame.getMethod().getName(), 1, Integer::sum);
            java.util.Set<String> parts = new java.util.HashSet<>();
            for (RecordedFrame frame : frames) {
                String type = frame.getMethod().getType().getName();
                PARTS.forEach((prefix, part) -> {
                    if (type.startsWith(prefix)) {
                        parts.add(part);
                    }
                });
            }
            parts.forEach(part -> byPart.merge(part, 1, Integer::sum));
        }
        int total = Math.max(samples, 1);
        StringBuilder out = new StringBuilder();
        out.append("| part of the stack | share of CPU samples (inclusive) |\n|---|---|\n");
        byPart.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> out.append("| ").append(e.getKey()).append(" | ")
                        .append(String.format("%.1f%%", 100.0 * e.getValue() / total)).append(" |\n"));
        out.append("\n").append(samples).append(" samples. Methods most often on top of the stack (self time):\n\n");
        out.append("| method | share |\n|---|---|\n");
        out.append(selfTime.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(top)
                .map(e -> "| `" + e.getKey() + "` | " + String.format("%.1f%%", 100.0 * e.getValue() / total) + " |")
                .collect(Collectors.joining("\n")));
        return out.append('\n').toString();
    }
}
