package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.maskpro4j.examples.data.TextFiles;
import org.maskpro4j.export.MaskFile;
import org.maskpro4j.maskpro.MaskProCheckpoint;
import org.maskpro4j.method.MaskMethods;

/**
 * What {@code prune} checks before it loads anything: its files ({@link CommandFiles}), the format its output
 * can have, and settings that only fail late otherwise (zero steps, a checkpoint a one-shot method would ignore,
 * a checkpoint that is damaged or already beyond {@code --steps}).
 */
final class PruneGuard {
    /** The file MaskPro checkpoints to inside {@code --checkpoint DIR}. */
    static final String CHECKPOINT_FILE = "maskpro.ckpt";

    private PruneGuard() {
    }

    /** Before {@code --config} is applied: every path, and that the settings file is readable text. */
    static void checkFiles(PruneCommand c) throws IOException {
        new CommandFiles().model(c.modelOptions).data(c.dataOptions)
                .input("--config", c.config, CommandFiles.Kind.FILE, "Settings file")
                .outputFile("--out", c.out)
                .outputFile("--out's mask file", MaskFile.pathFor(c.out))
                .outputDirectory("--report", c.report)
                .outputDirectory("--checkpoint", c.checkpoint)
                .check();
        String name = c.out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".h5") || name.endsWith(".hdf5") || name.endsWith(".keras")) {
            throw new UserError("--out " + c.out + ": maskpro writes pruned Keras and DL4J models as DL4J zips"
                    + " (ModelSerializer), not HDF5; pass --out NAME.zip");
        }
        if (c.config != null) {
            TextFiles.readUtf8(c.config, "Settings file (--config)");
        }
    }

    /** After {@code --config} is applied, before any model or data is loaded. */
    static void checkSettings(PruneCommand c) {
        String method = MaskMethods.requireMethod(c.method);
        boolean learns = MaskMethods.usesPrior(method);
        if (learns && c.steps < 1) {
            throw new UserError("--steps " + c.steps + ": " + method + " learns for at least 1 step; pass --steps 1 or more"
                    + " (or a one-shot --method such as wanda)");
        }
        if (c.checkpoint == null) {
            return;
        }
        if (!method.equals(MaskMethods.MASKPRO)) {
            if (c.recovery.finetuneSteps > 0) {
                return;                                   // the directory holds fine-tuning's checkpoint only
            }
            throw new UserError("--checkpoint resumes MaskPro runs and fine-tuning, and --method " + method
                    + " without --finetune has nothing to resume: drop --checkpoint");
        }
        Path file = c.checkpoint.resolve(CHECKPOINT_FILE);
        if (!Files.exists(file)) {
            return;
        }
        MaskProCheckpoint.Snapshot snapshot;
        try {
            snapshot = MaskProCheckpoint.load(file);
        } catch (IOException | RuntimeException e) {
            throw new UserError("Checkpoint " + file + " is damaged or not a MaskPro checkpoint (" + LabelledData.firstLine(
                    e.getMessage()) + "): delete it to start over, or pass another --checkpoint directory", e);
        }
        if (snapshot.step() > c.steps) {
            throw new UserError("Checkpoint " + file + " is at step " + snapshot.step() + ", beyond --steps " + c.steps
                    + ": pass --steps " + snapshot.step() + " or more to continue it, or another --checkpoint to start over");
        }
    }
}
