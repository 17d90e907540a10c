package io.sqreenrelay.bench;

import java.util.Arrays;

/** Latencies in microseconds, recorded without boxing; merged and sorted once to read percentiles. */
final class Latencies {

    private long[] values = new long[1 << 14];
    private int size;

    void add(long micros) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = micros;
    }

    void addAll(Latencies other) {
        for (int i = 0; i < other.size; i++) {
            add(other.values[i]);
        }
    }

    int size() {
        return size;
    }

    /** The p-th percentile (0 to 100), after {@link #sort}. */
    long percentile(double p) {
        if (size == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * size) - 1;
        return values[Math.max(0, Math.min(size - 1, index))];
    }

    long max() {
        return size == 0 ? 0 : values[size - 1];
    }

    Latencies sort() {
        Arrays.sort(values, 0, size);
        return this;
    }
}
