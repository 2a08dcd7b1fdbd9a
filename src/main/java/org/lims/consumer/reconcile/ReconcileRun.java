package org.lims.consumer.reconcile;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** One reconciliation run over all plants: what the {@code reconcile} route returns to whoever triggered it. */
public final class ReconcileRun {

    private final long startedNanos = System.nanoTime();
    private final List<PlantComparison> plants = new ArrayList<>();
    private final Map<String, Long> bytesAtStart = new java.util.HashMap<>();
    private final Map<String, Long> bytesRead = new java.util.LinkedHashMap<>();
    private volatile String failure;
    private volatile double seconds = -1;

    void add(PlantComparison plant, long bytesSoFar) {
        plants.add(plant);
        bytesAtStart.put(plant.getPlant(), bytesSoFar);
    }

    void plantDone(PlantComparison plant, long bytesSoFar) {
        bytesRead.put(plant.getPlant(), bytesSoFar - bytesAtStart.getOrDefault(plant.getPlant(), bytesSoFar));
    }

    void ended(String failure) {
        this.failure = failure;
        this.seconds = elapsedSeconds();
    }

    double elapsedSeconds() {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    public boolean succeeded() {
        return failure == null && seconds >= 0;
    }

    /** The reason the run failed, or null. */
    public String failure() {
        return failure;
    }

    public double seconds() {
        return seconds;
    }

    public List<PlantComparison> plants() {
        return plants;
    }

    /** Bytes the producer database sent for each finished plant. */
    public Map<String, Long> bytesRead() {
        return bytesRead;
    }

    public long totalBytesRead() {
        return bytesRead.values().stream().mapToLong(Long::longValue).sum();
    }

    public long producerRecords() {
        return plants.stream().mapToLong(PlantComparison::producerRecords).sum();
    }

    public long repaired() {
        return plants.stream().mapToLong(PlantComparison::repaired).sum();
    }

    public long removed() {
        return plants.stream().mapToLong(PlantComparison::removed).sum();
    }

    public long differences() {
        return plants.stream().mapToLong(PlantComparison::differences).sum();
    }

    public Map<DifferenceKind, Long> found() {
        Map<DifferenceKind, Long> total = new EnumMap<>(DifferenceKind.class);
        for (PlantComparison p : plants) {
            p.found().forEach((k, v) -> total.merge(k, v, Long::sum));
        }
        return total;
    }

    /** The run's INFO line. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        s.append(plants.size()).append(" plants, ").append(producerRecords()).append(" producer records; ");
        if (differences() == 0) {
            s.append("no differences");
        } else {
            s.append("differences");
            for (PlantComparison p : plants) {
                if (p.differences() > 0) {
                    s.append(' ').append(p.getPlant()).append(' ');
                    boolean first = true;
                    for (var e : p.found().entrySet()) {
                        if (e.getValue() > 0) {
                            s.append(first ? "(" : ", ").append(e.getKey().label()).append(' ').append(e.getValue());
                            first = false;
                        }
                    }
                    s.append(')');
                }
            }
            s.append("; ").append(repaired()).append(" repaired, ").append(removed()).append(" removed");
        }
        long inFlight = plants.stream().mapToLong(PlantComparison::inFlight).sum();
        if (inFlight > 0) {
            s.append(", ").append(inFlight).append(" delivered by the stream meanwhile");
        }
        s.append(String.format(java.util.Locale.ROOT, "; %.1f KB read from the producer; %.2f s", totalBytesRead() / 1024.0,
                seconds >= 0 ? seconds : elapsedSeconds()));
        return s.toString();
    }
}
