package io.sqreenrelay;

import io.sqreenrelay.broker.QueueArgumentsDiffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.main.Main;
import org.apache.logging.log4j.LogManager;

/** Starts sqreen-relay: {@code mvn camel:run}, or {@code java} with this class. */
public final class RelayMain {

    /** The working directory's application.properties wins over the one packaged in the build. */
    static final String PROPERTIES =
            "classpath:application.properties;optional=true,file:application.properties;optional=true";

    private RelayMain() {
    }

    public static void main(String[] args) throws Exception {
        int exitCode;
        try {
            exitCode = newMain().run(args);
        } catch (Exception e) {
            // a fatal start-up error is one clear line naming its cause, not a stack trace; no ready line came
            InvalidSetting wrong = invalidSetting(e);
            StartupFailure failure = find(e, StartupFailure.class);
            String cause = wrong != null ? wrong.getMessage()
                    : failure != null ? failure.getMessage() : routeOf(e) + StartupCheck.summary(e);
            System.err.println("sqreen-relay cannot start: " + cause);
            exitCode = wrong != null ? 2 : 1;
        } finally {
            // logging stops last (its own shutdown hook is off): nothing the relay does while draining goes unwritten
            LogManager.shutdown();
        }
        System.exit(exitCode);
    }

    /** "route x: " when the failure is that of a route that could not be created or started, else "". */
    private static String routeOf(Throwable e) {
        FailedToCreateRouteException create = find(e, FailedToCreateRouteException.class);
        if (create != null) {
            return "route " + create.getRouteId() + ": ";
        }
        FailedToStartRouteException start = find(e, FailedToStartRouteException.class);
        return start != null ? "route " + start.getRouteId() + ": " : "";
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

    private static InvalidSetting invalidSetting(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidSetting wrong) {
                return wrong;
            }
            if (cause instanceof QueueArgumentsDiffer differ) {
                return new InvalidSetting(differ.getMessage());   // the broker layer's own wrong setting
            }
            if (cause instanceof NoSuchFileException missing) {
                // Camel looks for the routes before anything else: the routes directory is not where it should be
                return new InvalidSetting("ROUTES_DIR: " + Path.of(missing.getFile()).toAbsolutePath()
                        + " does not exist (run the relay from the directory that holds routes/, or set ROUTES_DIR)");
            }
        }
        return null;
    }

    /** A configured, not yet started relay: the same for {@code main} and for the tests. */
    public static Main newMain() {
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation(PROPERTIES);
        main.configure().addConfiguration(new RelayConfiguration());
        return main;
    }
}
