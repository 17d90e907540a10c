package io.sqreenrelay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Which YAML file of the routes folder defines a route, so that a line about a route can name its file. */
final class RouteFiles {

    private RouteFiles() {
    }

    /**
     * The first {@code *.yaml} file of {@code routesDir} (in name order) that gives a route this id ({@code id: x} or
     * {@code routeId: x}, block or flow style); null when none does or the folder cannot be read.
     */
    static Path defining(Path routesDir, String routeId) {
        Pattern declares = Pattern.compile("(^|[\\s{,-])(routeId|id):\\s*[\"']?" + Pattern.quote(routeId)
                + "[\"']?\\s*([,}#].*)?$");
        try (Stream<Path> files = Files.list(routesDir)) {
            List<Path> yaml = files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList();
            for (Path file : yaml) {
                if (Files.readAllLines(file, StandardCharsets.UTF_8).stream().anyMatch(l -> declares.matcher(l).find())) {
                    return file;
                }
            }
            return null;
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }
}
