package io.sqreenrelay;

import com.rabbitmq.client.AuthenticationFailureException;
import io.sqreenrelay.broker.QueueArgumentsDiffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.ExpressionIllegalSyntaxException;
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
        Main main = newMain();
        try {
            exitCode = main.run(args);
        } catch (Exception e) {
            // a fatal start-up error is one clear line naming its cause, not a stack trace; no ready line came
            InvalidSetting wrong = invalidSetting(e);
            StartupFailure failure = find(e, StartupFailure.class);
            String cause = wrong != null ? wrong.getMessage()
                    : failure != null ? failure.getMessage() : cannotStart(e, routesDir(main));
            System.err.println("sqreen-relay cannot start: " + cause);
            exitCode = wrong != null ? 2 : 1;
        } finally {
            // logging stops last (its own shutdown hook is off): nothing the relay does while draining goes unwritten
            LogManager.shutdown();
        }
        System.exit(exitCode);
    }

    /**
     * The cause of a failed start, on one line: the route that could not be created or started and the file in
     * {@code routesDir} that defines it, when it is one ({@code route deliver-x (routes/target-x.yaml): }), then the
     * innermost error; for an expression with a syntax error (a routing rule, {@code when}), the expression too.
     */
    public static String cannotStart(Throwable e, Path routesDir) {
        String route = null;
        FailedToCreateRouteException create = find(e, FailedToCreateRouteException.class);
        FailedToStartRouteException start = find(e, FailedToStartRouteException.class);
        if (create != null) {
            route = create.getRouteId();
        } else if (start != null) {
            route = start.getRouteId();
        }
        StringBuilder line = new StringBuilder();
        if (route != null) {
            line.append("route ").append(route);
            Path file = RouteFiles.defining(routesDir, route);
            if (file != null) {
                line.append(" (").append(file).append(')');
            }
            line.append(": ");
        }
        line.append(StartupCheck.summary(e));
        ExpressionIllegalSyntaxException syntax = find(e, ExpressionIllegalSyntaxException.class);
        if (syntax != null && syntax.getExpression() != null) {
            line.append(" in ").append(syntax.getExpression().lines().findFirst().orElse(""));
        }
        return line.toString();
    }

    private static Path routesDir(Main main) {
        CamelContext context = main.getCamelContext();
        String dir = context == null ? null : context.getPropertiesComponent().resolveProperty("relay.routes-dir").orElse(null);
        return Path.of(dir == null ? "routes" : dir);
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
            if (cause instanceof AuthenticationFailureException refused) {
                // whichever route met it first, the cause is the setting (the broker's text names no secret)
                return new InvalidSetting("RABBITMQ_URI: the broker refused the user or password (" + refused.getMessage()
                        + ")");
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
        main.addMainListener(new EarlyBrokerStart());   // the embedded broker starts while Camel and the routes load
        return main;
    }
}
