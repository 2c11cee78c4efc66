package org.maskpro4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outputs of one command, committed together or not at all: each is first written to a hidden temporary
 * sibling {@code .NAME.PID.tmp} (a file, or a directory for a report), and only when every one of them was written
 * are they renamed into place. Temporaries are deleted when writing fails, when the JVM ends (SIGTERM, Ctrl-C),
 * and, for those a killed run left behind, by the next run that writes the same target.
 */
final class AtomicOutputs implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AtomicOutputs.class);
    /** Temporaries of every open instance, for the shutdown hook. */
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(AtomicOutputs::deleteLiveTemporaries, "maskpro-temporaries"));
    }

    /** Writes one file or fills one directory. */
    interface Writer {
        void write(Path path) throws IOException;
    }

    private record Staged(Path target, Path temporary, boolean directory) {
    }

    private final List<Staged> staged = new ArrayList<>();

    /** Removes the temporaries that killed runs left beside {@code targets} (null targets are skipped). */
    AtomicOutputs(Path... targets) throws IOException {
        for (Path t : targets) {
            if (t != null) {
                removeStale(t.toAbsolutePath());
            }
        }
    }

    /** Writes {@code target}'s content to its temporary; nothing is visible at {@code target} until {@link #commit}. */
    AtomicOutputs file(Path target, Writer writer) throws IOException {
        Path tmp = stage(target, false);
        writer.write(tmp);
        return this;
    }

    /** Fills a temporary directory whose files {@link #commit} moves into {@code target} (created when missing). */
    AtomicOutputs directory(Path target, Writer writer) throws IOException {
        Path tmp = stage(target, true);
        Files.createDirectory(tmp);
        writer.write(tmp);
        return this;
    }

    private Path stage(Path target, boolean directory) throws IOException {
        Path abs = target.toAbsolutePath();
        Path tmp = temporaryFor(abs);
        LIVE.add(tmp);
        staged.add(new Staged(abs, tmp, directory));
        deleteRecursively(tmp);
        return tmp;
    }

    /** Moves every staged output into place; called once all were written. */
    void commit() throws IOException {
        // a rename can still fail on a directory in the way: find that before anything is moved, so none is
        for (Staged s : staged) {
            if (s.directory()) {
                try (Stream<Path> files = Files.list(s.temporary())) {
                    for (Path f : files.toList()) {
                        requireReplaceable(s.target().resolve(f.getFileName()));
                    }
                }
            } else {
                requireReplaceable(s.target());
            }
        }
        for (Staged s : staged) {
            if (s.directory()) {
                Files.createDirectories(s.target());
                try (Stream<Path> files = Files.list(s.temporary())) {
                    for (Path f : files.toList()) {
                        Files.move(f, s.target().resolve(f.getFileName()), StandardCopyOption.ATOMIC_MOVE,
                                StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            } else {
                Files.move(s.temporary(), s.target(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void requireReplaceable(Path target) {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new UserError("Cannot write " + target + ": a directory is in the way; nothing was written (remove it,"
                    + " or choose another output path)");
        }
    }

    /** Deletes whatever temporaries remain (all of them when {@link #commit} was not reached). */
    @Override
    public void close() throws IOException {
        for (Staged s : staged) {
            deleteRecursively(s.temporary());
            LIVE.remove(s.temporary());
        }
    }

    static Path temporaryFor(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    }

    /** Temporaries of {@code target} whose process is gone (or is this one, which has not staged it yet). */
    static void removeStale(Path target) throws IOException {
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        Pattern mine = Pattern.compile(Pattern.quote("." + target.getFileName() + ".") + "(\\d{1,19})\\.tmp");
        List<Path> stale = new ArrayList<>();
        try (Stream<Path> siblings = Files.list(dir)) {
            siblings.forEach(p -> {
                Matcher m = mine.matcher(p.getFileName().toString());
                if (m.matches() && !runningElsewhere(m.group(1))) {
                    stale.add(p);
                }
            });
        }
        for (Path p : stale) {
            log.info("Removing {} left by an interrupted run", p);
            deleteRecursively(p);
        }
    }

    private static boolean runningElsewhere(String pid) {
        long id;
        try {
            id = Long.parseLong(pid);
        } catch (NumberFormatException e) {
            return false;
        }
        Optional<ProcessHandle> p = ProcessHandle.of(id);
        return id != ProcessHandle.current().pid() && p.isPresent() && p.get().isAlive();
    }

    /** The shutdown hook's work: SIGTERM and Ctrl-C end the JVM through it. */
    private static void deleteLiveTemporaries() {
        for (Path tmp : List.copyOf(LIVE)) {
            try {
                deleteRecursively(tmp);
            } catch (IOException | UncheckedIOException e) {
                // the JVM is ending: nothing better to do than leave it for the next run's removeStale
            }
            LIVE.remove(tmp);
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> walk = Files.walk(p)) {
                for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        } else {
            Files.deleteIfExists(p);
        }
    }
}
