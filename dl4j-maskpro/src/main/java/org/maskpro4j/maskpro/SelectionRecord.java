package org.maskpro4j.maskpro;

/**
 * One held-out evaluation during a run: the step, the mean loss of the top-N mask of that step on the selection
 * data (step 0: the prior mask), and the share of groups where that mask differs from the prior.
 */
public record SelectionRecord(long step, double loss, double changedShare) {
    static final String CSV_HEADER = "step,selection_loss,changed_share";

    String toCsv() {
        return step + "," + loss + "," + changedShare;
    }

    static SelectionRecord fromCsv(String line) {
        String[] f = line.split(",");
        return new SelectionRecord(Long.parseLong(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
    }
}
