package io.sqreenrelay.event;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;

/**
 * The file that lets a {@link KeyWindow} outlive the process: one key per line, appended as keys are added, read
 * back at start. Each append is a single write to the operating system, so a killed process (SIGKILL, out of
 * memory) loses no key it had added; only a crash of the machine itself can lose the last ones, which costs a few
 * duplicate deliveries, never an event. A line cut short by such a crash is ignored. Past {@code 2 x window} lines the
 * file is rewritten with the window's keys, so it stays bounded.
 *
 * <p>Not thread-safe: {@link KeyWindow} serialises the calls.
 */
final class KeyJournal implements AutoCloseable {

    private final Path file;
    private final int window;
    private FileChannel channel;
    private int lines;

    private KeyJournal(Path file, int window, int lines) throws IOException {
        this.file = file;
        this.window = window;
        this.lines = lines;
        this.channel = openForAppend(file);
    }

    /** Opens (or creates) the journal; {@code recovered} receives its last {@code window} keys, oldest first. */
    static KeyJournal open(Path file, int window, Collection<String> recovered) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Contents contents = read(file, window);
        recovered.addAll(contents.keys());
        KeyJournal journal = new KeyJournal(file, window, contents.keys().size());
        if (contents.trimmed()) {
            journal.rewrite(contents.keys());   // drops the lines past the window, and a line cut short
        }
        return journal;
    }

    /** What a journal file holds: its last {@code window} keys; trimmed when it held more, or a line cut short. */
    private record Contents(List<String> keys, boolean trimmed) {
    }

    /** Appends these keys; when the file has grown past twice the window, rewrites it with {@code window}. */
    void append(Collection<String> keys, Collection<String> windowKeys) throws IOException {
        if (keys.isEmpty()) {
            return;
        }
        write(channel, keys);
        lines += keys.size();
        if (lines > 2 * window) {
            rewrite(windowKeys);
        }
    }

    private void rewrite(Collection<String> keys) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        try (FileChannel out = FileChannel.open(next, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            write(out, keys);
            out.force(false);
        }
        channel.close();
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        channel = openForAppend(file);
        lines = keys.size();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static Contents read(Path file, int window) throws IOException {
        if (!Files.exists(file)) {
            return new Contents(List.of(), false);
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Deque<String> last = new ArrayDeque<>();
        boolean dropped = false;
        int start = 0;
        for (int end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
            last.addLast(unescape(text.substring(start, end)));
            if (last.size() > window) {
                last.removeFirst();
                dropped = true;
            }
            start = end + 1;
        }
        return new Contents(List.copyOf(last), dropped || start < text.length());
    }

    private static FileChannel openForAppend(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** Writes the keys, one line each, in a single write to the operating system. */
    private static void write(FileChannel channel, Collection<String> keys) throws IOException {
        StringBuilder text = new StringBuilder(keys.size() * 48);
        for (String key : keys) {
            text.append(escape(key)).append('\n');
        }
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(text.toString());
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Keys are one line each: a backslash and a line break are escaped. */
    static String escape(String key) {
        if (key.indexOf('\\') < 0 && key.indexOf('\n') < 0) {
            return key;
        }
        return key.replace("\\", "\\\\").replace("\n", "\\n");
    }

    static String unescape(String line) {
        if (line.indexOf('\\') < 0) {
            return line;
        }
        StringBuilder key = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                char next = line.charAt(++i);
                key.append(next == 'n' ? '\n' : next);
            } else {
                key.append(c);
            }
        }
        return key.toString();
    }
}
