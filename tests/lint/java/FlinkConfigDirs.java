import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import java.io.File;

import org.apache.flink.configuration.ConfigurationFileMigrationUtils;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads Flink configuration directories as a Flink 2.x process does (GlobalConfiguration, which
 * reads only config.yaml) and prints one JSON object per directory argument on stdout:
 * {"dir": ..., "config": {key: value as Configuration.toMap() gives it}} or {"dir": ..., "error": ...}.
 * An argument `legacy:FILE` is read with Flink's legacy line parser instead
 * (ConfigurationFileMigrationUtils.loadLegacyYAMLResource, the first step of bin/migrate-config-file.sh).
 * Used by tests/lint/test_migration_differential.py.
 */
public final class FlinkConfigDirs {
    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Object> results = new ArrayList<>();
        for (String dir : args) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("dir", dir);
            try {
                if (dir.startsWith("legacy:")) {
                    result.put("config", new TreeMap<>(
                            ConfigurationFileMigrationUtils.loadLegacyYAMLResource(new File(dir.substring(7)))));
                } else {
                    result.put("config", new TreeMap<>(GlobalConfiguration.loadConfiguration(dir).toMap()));
                }
            } catch (Throwable e) {
                result.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            results.add(result);
        }
        System.out.println(json.writeValueAsString(results));
    }
}
