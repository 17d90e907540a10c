package io.sqreenrelay.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyWindowTest {

    @TempDir
    Path dir;

    @Test
    void forgetsTheOldestKeyPastTheWindow() {
        KeyWindow keys = new KeyWindow(3);
        List.of("a", "b", "c", "d").forEach(keys::add);
        assertThat(keys.contains("a")).isFalse();
        assertThat(keys.contains("b")).isTrue();
        assertThat(keys.contains("d")).isTrue();
        assertThat(keys.size()).isEqualTo(3);
    }

    @Test
    void aPersistentWindowKnowsAfterAReopenWhatItKnewBefore() {
        Path file = dir.resolve("state").resolve("delivered-log.keys");
        try (KeyWindow keys = KeyWindow.persistent(3, file)) {
            keys.addAll(List.of("a", "b"));
            keys.add("c");
            keys.add("d");
        }
        try (KeyWindow reopened = KeyWindow.persistent(3, file)) {
            assertThat(reopened.contains("a")).as("beyond the window").isFalse();
            assertThat(List.of("b", "c", "d")).allMatch(reopened::contains);
            assertThat(reopened.size()).isEqualTo(3);
        }
    }

    @Test
    void keysSurviveWithoutAClose() {
        // a killed process never closes: every add must already be in the file
        Path file = dir.resolve("received.keys");
        KeyWindow keys = KeyWindow.persistent(10, file);
        keys.add("x");
        keys.addAll(List.of("y", "z"));
        assertThat(KeyWindow.persistent(10, file).contains("z")).isTrue();
    }

    @Test
    void theFileStaysBoundedByTwiceTheWindow() throws IOException {
        Path file = dir.resolve("received.keys");
        try (KeyWindow keys = KeyWindow.persistent(100, file)) {
            IntStream.range(0, 10_000).forEach(i -> keys.add("key-" + i));
        }
        assertThat(Files.readAllLines(file)).hasSizeLessThanOrEqualTo(200).contains("key-9999");
        try (KeyWindow reopened = KeyWindow.persistent(100, file)) {
            assertThat(reopened.contains("key-9900")).isTrue();
            assertThat(reopened.contains("key-9899")).isFalse();
        }
    }

    @Test
    void aLineCutShortByACrashIsIgnored() throws IOException {
        Path file = dir.resolve("received.keys");
        Files.writeString(file, "complete\nhalf-writ", StandardCharsets.UTF_8);
        try (KeyWindow keys = KeyWindow.persistent(10, file)) {
            assertThat(keys.contains("complete")).isTrue();
            assertThat(keys.contains("half-writ")).isFalse();
            keys.add("next");
        }
        assertThat(Files.readAllLines(file)).containsExactly("complete", "next");
    }

    @Test
    void keysWithLineBreaksAndBackslashesComeBackUnchanged() {
        Path file = dir.resolve("delivered-email.keys");
        String part = "app:type:id-1\nadmin@example.com";
        String backslashes = "a\\nb\\";
        try (KeyWindow keys = KeyWindow.persistent(10, file)) {
            keys.addAll(List.of(part, backslashes));
        }
        try (KeyWindow reopened = KeyWindow.persistent(10, file)) {
            assertThat(reopened.contains(part)).isTrue();
            assertThat(reopened.contains(backslashes)).isTrue();
            assertThat(reopened.size()).isEqualTo(2);
        }
    }

    @Test
    void aJournalThatCannotBeWrittenLeavesTheWindowWorkingInMemory() throws IOException {
        Path file = dir.resolve("received.keys");
        KeyWindow keys = KeyWindow.persistent(1, file);
        // the file becomes a directory that is not empty: the rewrite past two keys cannot replace it
        Files.delete(file);
        Files.createDirectory(file);
        Files.writeString(file.resolve("x"), "x", StandardOpenOption.CREATE);
        keys.add("a");
        keys.add("b");
        keys.add("c");   // the rewrite fails here
        keys.add("d");
        assertThat(keys.contains("d")).isTrue();
        assertThat(keys.contains("c")).as("window of one").isFalse();
        keys.close();
    }
}
