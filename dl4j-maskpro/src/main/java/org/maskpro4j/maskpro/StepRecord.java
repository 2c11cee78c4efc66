package org.maskpro4j.maskpro;

/**
 * What one MaskPro step saw: the sampled masks' mean loss, the prior mask's loss on the same batch, the mean
 * residual r, the tracker δ after the update, the share of groups whose sample differs from the prior, and the
 * advantages' spread s after the update (the normalized update's unit).
 */
public record StepRecord(long step, double loss, double priorLoss, double residual, double delta, double changedShare,
        double spread) {
    static final String CSV_HEADER = "step,loss,prior_loss,residual,delta,changed_share,spread";

    String toCsv() {
        return step + "," + loss + "," + priorLoss + "," + residual + "," + delta + "," + changedShare + "," + spread;
    }

    /** Reads this CSV form, and the six-column one of checkpoints written before the spread was recorded. */
    static StepRecord fromCsv(String line) {
        String[] f = line.split(",");
        return new StepRecord(Long.parseLong(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                f.length > 6 ? Double.parseDouble(f[6]) : Double.NaN);
    }
}
