package dev.gatehouse.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Refuses keys the reference does not know, so that a typo ({@code gatehouse.listen.prot}) stops
 * the start instead of being silently ignored. An object that is empty in the reference is
 * free-form (its keys are the user's to choose).
 */
public final class StrictKeys {
    private StrictKeys() {
    }

    static void check(Config user, Config reference, String root) {
        if (!user.hasPath(root)) {
            return;
        }
        ConfigValue top = user.getValue(root);
        if (top.valueType() != ConfigValueType.OBJECT) {
            throw ConfigError.at(root, top.origin(), "must be an object");
        }
        walk((ConfigObject) top, reference.getObject(root), List.of(root));
    }

    /**
     * Refuses keys of {@code user} (an object the configuration holds at {@code key}, a list element say) that
     * {@code known} lacks, with the same "did you mean" as everywhere else.
     */
    public static void checkObject(ConfigObject user, ConfigObject known, String key) {
        for (Map.Entry<String, ConfigValue> entry : user.entrySet()) {
            if (!known.containsKey(entry.getKey())) {
                throw ConfigError.at(key + "." + entry.getKey(), entry.getValue().origin(),
                        "unknown key" + suggestion(entry.getKey(), known));
            }
        }
    }

    private static void walk(ConfigObject user, ConfigObject reference, List<String> path) {
        for (Map.Entry<String, ConfigValue> entry : user.entrySet()) {
            List<String> keyPath = new ArrayList<>(path);
            keyPath.add(entry.getKey());
            String key = ConfigUtil.joinPath(keyPath);
            ConfigValue known = reference.get(entry.getKey());
            if (known == null) {
                throw ConfigError.at(key, entry.getValue().origin(), "unknown key" + suggestion(entry.getKey(), reference));
            }
            if (known.valueType() == ConfigValueType.OBJECT && entry.getValue().valueType() == ConfigValueType.OBJECT) {
                ConfigObject knownObject = (ConfigObject) known;
                if (!knownObject.isEmpty()) {
                    walk((ConfigObject) entry.getValue(), knownObject, keyPath);
                }
            }
        }
    }

    private static String suggestion(String key, ConfigObject reference) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : reference.keySet()) {
            int d = distance(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        if (best != null && bestDistance <= Math.max(2, key.length() / 3)) {
            return " (did you mean '" + best + "'?)";
        }
        return reference.isEmpty() ? "" : " (known here: " + String.join(", ", new TreeSet<>(reference.keySet())) + ")";
    }

    /** Levenshtein distance; keys are short. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
