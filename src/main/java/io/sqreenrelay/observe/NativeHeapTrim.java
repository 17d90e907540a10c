package io.sqreenrelay.observe;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the C heap's free memory back to the operating system, every few seconds: the JVM's own diagnostic command
 * {@code System.trim_native_heap} (glibc's {@code malloc_trim}; JDK 17.0.9 and later, the same as
 * {@code -XX:TrimNativeHeapInterval}), called through the platform's {@code DiagnosticCommand} MBean so that it needs
 * no JVM option. Under a storm the JIT compilers and the libraries' native buffers leave freed memory in glibc's
 * per-thread arenas, which counted for about 300 MB of the relay's resident memory (docs/benchmarks.md). On a JVM or a
 * C library without it, {@link #trim()} does nothing (said once, at debug level).
 */
public final class NativeHeapTrim {

    private static final Logger LOG = LoggerFactory.getLogger(NativeHeapTrim.class);
    private static volatile boolean unavailable;

    private NativeHeapTrim() {
    }

    /**
     * Trims once; never throws.
     *
     * @return true when the JVM ran the command, false when it has none (nothing is tried again)
     */
    public static boolean trim() {
        if (unavailable) {
            return false;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "systemTrimNativeHeap",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            return true;
        } catch (JMException | RuntimeException e) {
            unavailable = true;
            LOG.debug("No native heap trimming on this JVM: {}", e.toString());
            return false;
        }
    }
}
