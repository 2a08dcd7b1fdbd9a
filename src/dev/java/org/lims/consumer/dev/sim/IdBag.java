package org.lims.consumer.dev.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A set of record ids with O(1) add, remove and uniform random pick. */
final class IdBag {

    private final List<Integer> ids = new ArrayList<>();
    private final Map<Integer, Integer> index = new HashMap<>();

    void add(int id) {
        if (!index.containsKey(id)) {
            index.put(id, ids.size());
            ids.add(id);
        }
    }

    void remove(int id) {
        Integer at = index.remove(id);
        if (at == null) {
            return;
        }
        int last = ids.remove(ids.size() - 1);
        if (at < ids.size()) {
            ids.set(at, last);
            index.put(last, at);
        }
    }

    boolean isEmpty() {
        return ids.isEmpty();
    }

    int size() {
        return ids.size();
    }

    /** A random id, or -1 when empty. */
    int pick(Random random) {
        return ids.isEmpty() ? -1 : ids.get(random.nextInt(ids.size()));
    }
}
