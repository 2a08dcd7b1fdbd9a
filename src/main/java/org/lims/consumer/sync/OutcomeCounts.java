package org.lims.consumer.sync;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Outcomes counted per plant where they are decided (the fold, the stale guard, the dead-letter
 * step), as plain ints: the metrics read them once per batch, not once per record. A collection
 * nearly always holds one plant, so the last plant's counts are kept at hand.
 */
public final class OutcomeCounts {

    private final Map<String, int[]> byPlant = new LinkedHashMap<>(4);
    private String lastPlant;
    private int[] last;

    void add(String plant, Outcome outcome) {
        add(plant, outcome, 1);
    }

    void add(String plant, Outcome outcome, int n) {
        int[] counts;
        if (plant != null && plant.equals(lastPlant)) {
            counts = last;
        } else {
            counts = byPlant.computeIfAbsent(plant, p -> new int[Outcome.values().length]);
            lastPlant = plant;
            last = counts;
        }
        counts[outcome.ordinal()] += n;
    }

    /** Moves one record from one outcome to another, e.g. applied to dead-lettered when MongoDB rejects its write. */
    void move(String plant, Outcome from, Outcome to) {
        add(plant, from, -1);
        add(plant, to, 1);
    }

    public int total(Outcome outcome) {
        int sum = 0;
        for (int[] counts : byPlant.values()) {
            sum += counts[outcome.ordinal()];
        }
        return sum;
    }

    /** Calls {@code action} with each plant (null when unknown) and its non-zero outcome counts. */
    public void forEach(PlantOutcomeConsumer action) {
        for (Map.Entry<String, int[]> e : byPlant.entrySet()) {
            int[] counts = e.getValue();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] != 0) {
                    action.accept(e.getKey(), Outcome.of(i), counts[i]);
                }
            }
        }
    }

    /** Per plant: outcome counts. */
    @FunctionalInterface
    public interface PlantOutcomeConsumer {
        void accept(String plant, Outcome outcome, int count);
    }
}
