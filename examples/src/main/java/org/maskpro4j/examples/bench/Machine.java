package org.maskpro4j.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where and when a bench ran: what the numbers must be read against. */
public record Machine(String date, int cpus, String cpuModel, String os, String java, String ompThreads,
        double loadAverage) {

    public static Machine now() {
        return new Machine(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                Runtime.getRuntime().availableProcessors(), readCpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
                String.valueOf(System.getenv("OMP_NUM_THREADS")),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static String readCpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: the model name is a nicety
        }
        return "unknown";
    }

    /** One line for a report. */
    public String describe() {
        return String.format("%d CPUs (%s), %s, Java %s, OMP_NUM_THREADS=%s, load average %.2f at start", cpus, cpuModel,
                os, java, ompThreads, loadAverage);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", cpus);
        m.put("cpu_model", cpuModel);
        m.put("os", os);
        m.put("java", java);
        m.put("omp_num_threads", ompThreads);
        m.put("load_average", loadAverage);
        return m;
    }
}
