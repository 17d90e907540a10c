package io.sqreenrelay.delivery;

import java.nio.file.Files;
import org.apache.camel.CamelContext;

/** For route tests: binds {@code digestStore} (a LevelDB store in a fresh temporary directory) and {@code digestGroups}. */
public final class DigestStores {

    private DigestStores() {
    }

    /** Binds both beans as DeliveryBeans does, digests going to {@code publisher}; returns the grouping bean. */
    public static DigestGroups bind(CamelContext context, DigestGroups.Publisher publisher) throws Exception {
        DigestStore store = new DigestStore(Files.createTempDirectory("digests").resolve("store"));
        context.addService(store);
        context.getRegistry().bind("digestStore", store);
        DigestGroups groups = new DigestGroups(store::holds, publisher);
        context.getRegistry().bind("digestGroups", groups);
        return groups;
    }
}
