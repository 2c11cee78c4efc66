package org.maskpro4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;

import org.maskpro4j.maskpro.MaskProDivergedException;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code maskpro} command line: prune, eval, verify, sweep, bench, demo. */
@Command(name = "maskpro", mixinStandardHelpOptions = true, version = "maskpro4j 0.1.0",
        description = "Learn strict N:M sparsity masks (MaskPro, MaskLLM) for DL4J, Keras and llama2.c models.",
        subcommands = {PruneCommand.class, EvalCommand.class, VerifyCommand.class, DemoCommand.class, BenchCommand.class})
public final class Maskpro implements Runnable {
    /** Exit code of a user mistake (bad input); 1 is reserved for "verify found violations". */
    public static final int USER_ERROR = 2;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "Missing command: prune, eval, verify, sweep, bench or demo");
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
            cmd.getErr().println("maskpro: " + message);
            return USER_ERROR;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("maskpro: " + e.getMessage());
            return USER_ERROR;
        });
        return cli.execute(args);
    }

    /** The one line a user sees for a mistake they can fix, or null for a bug (which keeps its stack trace). */
    static String userMessage(Throwable e) {
        if (e instanceof UserError || e instanceof IllegalArgumentException || e instanceof MaskProDivergedException) {
            return e.getMessage();
        }
        if (e instanceof NoSuchFileException nsf) {
            return "no such file: " + nsf.getFile();
        }
        if (e instanceof UncheckedIOException u) {
            return userMessage(u.getCause()) != null ? userMessage(u.getCause()) : u.getMessage();
        }
        if (e instanceof IOException io) {
            return io.getMessage();
        }
        return null;
    }
}
