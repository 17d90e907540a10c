package io.sqreenrelay;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
            InvalidSetting wrong = invalidSetting(e);
            if (wrong == null) {
                throw e;
            }
            // a wrong setting is one clear line, not a stack trace
            System.err.println("sqreen-relay cannot start: " + wrong.getMessage());
            exitCode = 2;
        } finally {
            // logging stops last (its own shutdown hook is off): nothing the relay does while draining goes unwritten
            LogManager.shutdown();
        }
        System.exit(exitCode);
    }

    private static InvalidSetting invalidSetting(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidSetting wrong) {
                return wrong;
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
