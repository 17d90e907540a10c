package io.sqreenrelay.observe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The trim reaches the JVM's own command (this project's JDK 17.0.15 has it) and never throws. */
class NativeHeapTrimTest {

    @Test
    void theJvmsTrimCommandIsCalledWithoutAnError() {
        NativeHeapTrim.trim();
        NativeHeapTrim.trim();
        assertThat(NativeHeapTrim.available()).as("System.trim_native_heap answered").isTrue();
    }
}
