package io.sqreenrelay;

import org.apache.camel.main.Main;

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
        }
        System.exit(exitCode);
    }

    private static InvalidSetting invalidSetting(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidSetting wrong) {
                return wrong;
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
