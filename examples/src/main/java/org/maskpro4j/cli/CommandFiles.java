package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every file a command reads and writes, checked before any work: inputs exist and are of the kind expected,
 * outputs can be created where they are meant to go, and no output resolves (after symlinks and {@code ./}) to an
 * input or to another output. This is what keeps {@code prune --model m.bin --out m.bin} from replacing its input.
 */
final class CommandFiles {
    /** What an input must be. */
    enum Kind {
        FILE("a file"), DIRECTORY("a directory"), FILE_OR_DIRECTORY("a file or a directory");

        private final String says;

        Kind(String says) {
            this.says = says;
        }
    }

    private record Input(String option, Path path, Kind kind, String label) {
    }

    private record Output(String option, Path path, boolean directory) {
    }

    private final List<Input> inputs = new ArrayList<>();
    private final List<Output> outputs = new ArrayList<>();

    /**
     * An input given with {@code option}; null paths (option not given) are skipped.
     *
     * @param label what the file is, capitalised for the message, such as "Model file"
     */
    CommandFiles input(String option, Path path, Kind kind, String label) {
        if (path != null) {
            inputs.add(new Input(option, path, kind, label));
        }
        return this;
    }

    /** The model, tokenizer and weights files a command's model options name, after their own checks. */
    CommandFiles model(ModelOptions options) {
        options.addTo(this);
        return this;
    }

    /** The data files a command's data options name, after their range checks. */
    CommandFiles data(DataOptions options) {
        options.validated().addTo(this);
        return this;
    }

    /** A file the command writes. */
    CommandFiles outputFile(String option, Path path) {
        if (path != null) {
            outputs.add(new Output(option, path, false));
        }
        return this;
    }

    /** A directory the command writes into (created when missing). */
    CommandFiles outputDirectory(String option, Path path) {
        if (path != null) {
            outputs.add(new Output(option, path, true));
        }
        return this;
    }

    /** Throws a {@link UserError} naming the first problem; touches nothing on disk. */
    void check() {
        Map<Path, String> read = new LinkedHashMap<>();
        for (Input in : inputs) {
            requireInput(in);
            read.putIfAbsent(resolved(in.path()), in.option() + " " + in.path());
        }
        Map<Path, String> written = new LinkedHashMap<>();
        for (Output out : outputs) {
            Path real = resolved(out.path());
            String input = read.get(real);
            if (input != null) {
                throw new UserError(out.option() + " " + out.path() + " is the input " + input + " (" + real
                        + "): maskpro never overwrites its inputs; write to another path");
            }
            String other = written.putIfAbsent(real, out.option() + " " + out.path());
            if (other != null) {
                throw new UserError(out.option() + " " + out.path() + " and " + other + " are the same path (" + real
                        + "): give each output its own path");
            }
            requireWritable(out);
        }
    }

    private static void requireInput(Input in) {
        Path p = in.path();
        if (!Files.exists(p)) {
            throw new UserError(in.label() + " not found: " + p + " (" + in.option() + " takes " + in.kind().says + ")");
        }
        boolean directory = Files.isDirectory(p);
        if (in.kind() == Kind.FILE && directory || in.kind() == Kind.DIRECTORY && !directory) {
            throw new UserError(in.label() + " " + p + " (" + in.option() + ") is " + (directory ? "a directory" : "a file")
                    + "; " + in.option() + " takes " + in.kind().says);
        }
        if (!Files.isReadable(p)) {
            throw new UserError(in.label() + " " + p + " (" + in.option() + ") is not readable: permission denied");
        }
    }

    private static void requireWritable(Output out) {
        Path p = out.path().toAbsolutePath();
        if (Files.isDirectory(p) != out.directory() && Files.exists(p)) {
            throw new UserError(out.option() + " " + out.path() + " is " + (out.directory() ? "a file" : "a directory")
                    + " but must be " + (out.directory() ? "a directory (created when missing)" : "a file path")
                    + ": pass another path");
        }
        Path dir = Files.isDirectory(p) ? p : p.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UserError("Output directory does not exist: " + dir + " (for " + out.option() + " " + out.path()
                    + "): create it first");
        }
        if (!Files.isWritable(dir)) {
            throw new UserError(out.option() + " " + out.path() + ": directory " + dir + " is not writable");
        }
    }

    /**
     * The real path of {@code p}: symlinks of its deepest existing ancestor resolved, the missing rest appended, so
     * two spellings of one location compare equal whether or not it exists yet.
     */
    static Path resolved(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path existing = abs;
        List<Path> rest = new ArrayList<>();
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            rest.add(0, existing.getFileName());
            existing = existing.getParent();
        }
        if (existing == null) {
            return abs;
        }
        Path real;
        try {
            real = existing.toRealPath();
        } catch (IOException e) {
            // a dangling symlink: compare by its spelling
            real = existing;
        }
        for (Path name : rest) {
            real = real.resolve(name);
        }
        return real;
    }
}
