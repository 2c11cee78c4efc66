package org.maskpro4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

import org.maskpro4j.maskpro.MaskProDivergedException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code maskpro} command line: its subcommands are listed in the {@code @Command} annotation. */
@Command(name = "maskpro", mixinStandardHelpOptions = true, version = "maskpro4j 0.1.0",
        description = "Learn strict N:M sparsity masks (MaskPro, MaskLLM) for DL4J, Keras and llama2.c models.",
        subcommands = {PruneCommand.class, EvalCommand.class, VerifyCommand.class, DemoCommand.class, SweepCommand.class, BenchCommand.class,
                LlamaResultsCommand.class,
                CompressCommand.class, GenerateCommand.class})
public final class Maskpro implements Runnable {
    /** Exit code of a user mistake (bad input); 1 is reserved for "verify found violations". */
    public static final int USER_ERROR = 2;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: choose one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    public static void main(String[] args) {
        PrintStream realOut = System.out;
        System.setOut(System.err);
        Json.bindStdout(realOut);
        System.exit(run(args));
    }

    /** Runs one command line and returns its exit code; never throws for a user mistake. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Maskpro());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            String message = userMessage(e);
            if (message == null) {
                throw e;
            }
            cmd.getErr().println("maskpro: " + message.replaceAll("\\s*\\R\\s*", " "));
            return USER_ERROR;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("maskpro: " + e.getMessage());
            return USER_ERROR;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            System.err.println("maskpro: " + outOfMemory(e, args.length > 0 ? args[0] : "maskpro"));
            return USER_ERROR;
        }
    }

    /** What ran out, and the two ways out: use less (the options that size what is held), or give Java more. */
    static String outOfMemory(OutOfMemoryError e, String command) {
        long maxMiB = Runtime.getRuntime().maxMemory() >> 20;
        return "out of memory (" + (e.getMessage() == null ? "Java heap" : e.getMessage()) + ") in " + command
                + ": the model or data is too big for this JVM; lower --examples, --eval-examples or --batch, or give"
                + " Java more memory with -Xmx (now " + maxMiB + " MiB)";
    }

    /** The one line a user sees for a mistake they can fix, or null for a bug (which keeps its stack trace). */
    static String userMessage(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError oom) {
                // libraries wrap it (ND4J's allocators, DL4J's loaders): what the user needs is the same line
                return outOfMemory(oom, "this command");
            }
        }
        if (e instanceof UserError || e instanceof MaskProDivergedException || isOwnValidation(e)) {
            return String.valueOf(e.getMessage());
        }
        if (e instanceof NoSuchFileException nsf) {
            return "no such file: " + nsf.getFile();
        }
        if (e instanceof AccessDeniedException denied) {
            return "permission denied: " + denied.getFile();
        }
        if (e instanceof UncheckedIOException u) {
            String cause = userMessage(u.getCause());
            return cause != null ? cause : String.valueOf(u.getMessage());
        }
        if (e instanceof IOException io) {
            return io.getMessage() != null ? io.getMessage() : io.toString();
        }
        return null;
    }

    /**
     * maskpro4j's own argument checks name the layer and the fix; an IllegalArgumentException from inside ND4J or
     * DL4J is a bug of this tool (inputs are checked before they get there) and keeps its stack trace.
     */
    private static boolean isOwnValidation(Throwable e) {
        StackTraceElement[] trace = e.getStackTrace();
        return e instanceof IllegalArgumentException && trace.length > 0 && trace[0].getClassName().startsWith("org.maskpro4j.");
    }
}
