package io.sqreenrelay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's resident memory (VmRSS of /proc/PID/status), sampled every 250 ms; keeps the peak. */
final class ResidentMemory implements AutoCloseable {

    private final long pid;
    private final Thread sampler;
    private volatile long peakKb;
    private volatile boolean running = true;

    ResidentMemory(long pid) {
        this.pid = pid;
        this.sampler = new Thread(() -> {
            while (running) {
                peakKb = Math.max(peakKb, nowKb(pid));
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-" + pid);
        sampler.setDaemon(true);
        sampler.start();
    }

    static long nowKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // the process has exited
        }
        return 0;
    }

    long nowMb() {
        return nowKb(pid) / 1024;
    }

    long peakMb() {
        return peakKb / 1024;
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
