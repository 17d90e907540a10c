package io.sqreenrelay.observe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The trim reaches the JVM's own command (this project's JDK 17.0.15 has it) and never throws. */
class NativeHeapTrimTest {

    @Test
    void theJvmsTrimCommandIsCalledWithoutAnError() {
        assertThat(NativeHeapTrim.trim()).as("System.trim_native_heap ran").isTrue();
        assertThat(NativeHeapTrim.trim()).as("and again").isTrue();
    }
}
