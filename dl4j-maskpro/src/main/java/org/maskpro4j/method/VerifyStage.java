package org.maskpro4j.method;

import java.util.LinkedHashMap;
import java.util.Map;

import org.maskpro4j.nm.NmPattern;
import org.maskpro4j.verify.NmVerifier;

/** The verify stage: every maskable weight the model computes with must be strictly N:M, or nothing is exported. */
final class VerifyStage implements Stage {

    @Override
    public String name() {
        return "verify";
    }

    @Override
    public <B> StageOutcome run(StageContext<B> context) {
        NmPattern pattern = context.pattern();
        NmVerifier.Report report = NmVerifier.verify(context.model().weights(), context.model().skipped(), pattern);
        if (!report.strict()) {
            throw new IllegalStateException("Internal error: the pruned model violates " + pattern + " in "
                    + report.violations() + " groups; nothing was written");
        }
        context.verified(report);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("strict", true);
        details.put("groups", report.groups());
        return StageOutcome.unchanged(details);
    }
}
