package io.sqreenrelay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real signed Sqreen requests of {@code ../shared/testdata/sqreen-webhook-vectors.json}. */
public final class Vectors {

    public record Vector(String name, String secret, String signature, String body, String format) {
        public byte[] bytes() {
            return body.getBytes(StandardCharsets.UTF_8);
        }

        /** True when the body is an array of events or one event object: the relay must accept it. */
        public boolean acceptable() {
            try {
                JsonNode node = new ObjectMapper().readTree(body);
                return node.isArray() || node.has("message_type") || node.has("sqreen_payload_type");
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final Path FILE = locate();

    private Vectors() {
    }

    public static List<Vector> all() {
        try {
            JsonNode root = new ObjectMapper().readTree(FILE.toFile());
            List<Vector> vectors = new ArrayList<>();
            for (JsonNode v : root.path("vectors")) {
                vectors.add(new Vector(v.path("name").asText(), v.path("secret").asText(),
                        v.path("signature").asText(), v.path("body").asText(), v.path("format").asText()));
            }
            return vectors;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Vector named(String name) {
        return all().stream().filter(v -> v.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no vector " + name));
    }

    private static Path locate() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/testdata/sqreen-webhook-vectors.json");
            if (Files.exists(candidate)) {
                return candidate;
            }
            Path sibling = dir.resolveSibling("shared/testdata/sqreen-webhook-vectors.json");
            if (Files.exists(sibling)) {
                return sibling;
            }
        }
        throw new IllegalStateException("shared/testdata/sqreen-webhook-vectors.json not found beside the project");
    }
}
