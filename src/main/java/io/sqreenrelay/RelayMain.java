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
        Main main = newMain();
        int exitCode = main.run(args);
        System.exit(exitCode);
    }

    /** A configured, not yet started relay: the same for {@code main} and for the tests. */
    public static Main newMain() {
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation(PROPERTIES);
        main.configure().addConfiguration(new RelayConfiguration());
        return main;
    }
}
