package io.sqreenrelay.delivery;

import java.nio.file.Path;
import org.apache.camel.component.leveldb.LevelDBFile;

/**
 * The one LevelDB store (a directory) that holds every grouped target's aggregation repository (the Aggregator EIP's
 * open groups, routes/delivery-template.yaml), written through to disk (sync) before an event's message is
 * acknowledged. Each repository starts and stops its store with its route; a LevelDB directory can only be opened once
 * per process, so here the store is opened by the first start and closed by the last stop (the relay's own, as a
 * Camel service, is the first and the last).
 */
public final class DigestStore extends LevelDBFile {

    static {
        // org.iq80's LevelDB maps its log and table files into memory by default (its static USE_MMAP, read once):
        // under a storm the mapped pages counted in the relay's resident memory, past 512 MB with five targets
        // (docs/benchmarks.md). Plain file writes instead; an operator's -Dleveldb.mmap=true still wins.
        if (System.getProperty("leveldb.mmap") == null) {
            System.setProperty("leveldb.mmap", "false");
        }
    }

    private int users;

    /** The store in {@code directory} (created when missing). */
    public DigestStore(Path directory) {
        setFileName(directory.toString());
        setSync(true);
    }

    /** True when the repository of {@code target} holds events of the group {@code group} (an open group). */
    public synchronized boolean holds(String target, String group) {
        return getDb() != null && getDb().get(
                org.apache.camel.component.leveldb.LevelDBAggregationRepository.keyBuilder(target, group)) != null;
    }

    @Override
    public synchronized void start() {
        if (users++ == 0) {
            super.start();
        }
    }

    @Override
    public synchronized void stop() {
        if (users > 0 && --users == 0) {
            super.stop();
        }
    }
}
