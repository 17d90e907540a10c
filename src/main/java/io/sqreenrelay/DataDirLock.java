package io.sqreenrelay;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * One relay per {@code DATA_DIR}: the relay holds an exclusive lock on {@code DATA_DIR/relay.lock} for as long as it
 * runs (released by the operating system when the process ends, even on SIGKILL). A second relay pointed at the same
 * directory (two replicas sharing a volume by mistake) stops at start with one line saying so, instead of failing
 * later on whichever store it opens first (the embedded broker's, the digests', the journals'), each of which
 * assumes a single writer.
 *
 * <p>Uses {@link FileChannel#tryLock()}: an advisory lock between processes (fcntl on Linux); on a network file system
 * it is as good as that file system's locking.
 */
final class DataDirLock {

    static final String FILE = "relay.lock";
    /** The locks this process holds, by lock file; kept reachable so that none is released before the process ends. */
    private static final Map<Path, FileLock> HELD = new HashMap<>();

    private DataDirLock() {
    }

    /**
     * Takes the lock of {@code dataDir} (made when missing) for the life of the process; a directory this process
     * has locked already (a relay started again in the same JVM) is not locked twice.
     *
     * @throws StartupFailure when another process holds it, or the lock file cannot be opened
     */
    static synchronized void hold(Path dataDir) {
        Path file = dataDir.toAbsolutePath().normalize().resolve(FILE);
        if (HELD.containsKey(file)) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException ownedHere) {
                lock = null;   // held in this JVM under another spelling of the path
            }
            if (lock == null) {
                channel.close();
                throw new StartupFailure("DATA_DIR=" + dataDir + ": another sqreen-relay uses this directory now (it"
                        + " holds " + file + "); each relay needs a DATA_DIR of its own");
            }
            HELD.put(file, lock);
        } catch (IOException e) {
            throw new StartupFailure("DATA_DIR=" + dataDir + ": cannot lock " + file + " (" + StartupCheck.summary(e)
                    + ")");
        }
    }
}
