package org.maskpro4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.maskpro4j.export.MaskFile;
import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.provenance.Provenance;
import org.maskpro4j.verify.NmVerifier;
import org.maskpro4j.weights.MaskableModel;
import org.maskpro4j.weights.WeightSelection;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code maskpro verify}: is every maskable weight strictly N:M? Exit code 1 when any group is not. */
@Command(name = "verify", mixinStandardHelpOptions = true, description = "Check that a model is strictly N:M sparse.")
public final class VerifyCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--pattern", required = true, description = "N:M pattern, e.g. 2:4")
    String pattern;

    @Option(names = "--masks", description = "Mask file whose provenance to show (default: the model's .nmmask"
            + " beside it, when there is one)")
    Path masks;

    @Option(names = "--json", description = "Print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() throws IOException {
        NmPattern nm = NmPattern.parse(pattern);
        new CommandFiles().model(modelOptions).input("--masks", masks, CommandFiles.Kind.FILE, "Mask file").check();
        Path maskFile = masks != null ? masks : besideModel();
        // only its manifest, before the model, so an unreadable mask file costs nothing and no mask is decoded
        Provenance provenance = maskFile == null ? null : MaskFile.readProvenance(maskFile);
        MaskableModel<?> model = modelOptions.loadWeightsOnly().maskable(nm, WeightSelection.all());
        NmVerifier.Report report = NmVerifier.verify(model.weights(), model.skipped(), nm);
        if (json) {
            Map<String, Object> out = toJson(report);
            out.put("masks", maskFile == null ? null : maskFile.toString());
            out.put("provenance", provenance == null ? null : provenance.toMap());
            Json.print(out);
        } else {
            if (maskFile != null) {
                Json.println("masks: " + maskFile + (provenance == null ? " (written before provenance was recorded)"
                        : ", provenance " + provenance.toMap()));
            }
            for (NmVerifier.LayerReport l : report.layers()) {
                Json.println(String.format("%-40s %10d groups %8d violations%s", l.name(), l.groups(), l.violations(),
                        l.strict() ? "" : "  (first: group " + l.firstViolation() + ")"));
            }
            report.skipped().forEach(s -> Json.println("dense: " + s));
            Json.println(report.strict() ? "strict " + nm : "NOT strict " + nm + ": " + report.violations() + " violating groups");
        }
        return report.strict() ? 0 : 1;
    }

    /** The mask file prune wrote beside the model, if the model is a file and it has one. */
    private Path besideModel() {
        if (modelOptions.model.startsWith("zoo:")) {
            return null;
        }
        Path file = MaskFile.pathFor(Path.of(modelOptions.model));
        return Files.isRegularFile(file) ? file : null;
    }

    static Map<String, Object> toJson(NmVerifier.Report report) {
        List<Map<String, Object>> layers = new ArrayList<>();
        for (NmVerifier.LayerReport l : report.layers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.name());
            m.put("groups", l.groups());
            m.put("violations", l.violations());
            layers.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("strict", report.strict());
        out.put("pattern", report.pattern().toString());
        out.put("layers", layers);
        out.put("skipped", report.skipped());
        return out;
    }
}
