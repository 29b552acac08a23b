import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.util.TimeUtils;

/**
 * Runs Flink's own value parsers over a batch of strings (one py4j call per batch).
 *
 * <p>parse(kind, jsonArrayOfStrings) returns a JSON array with one [true, value] or [false, message]
 * per input. Kinds: MemorySize.parseBytes, TimeUtils.parseDuration, and Configuration-read types
 * MemorySize, Duration, Boolean, Integer, Long, Float, Double, List<String>, Map and Enum:<class>.
 * Values: bytes; [seconds, nanos]; booleans; integers; IEEE bits of floats/doubles as strings;
 * enum constants as toString() (what Flink matches); lists; maps.
 */
public final class FlinkParsers {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static String parse(String kind, String jsonInputs) throws Exception {
        String[] inputs = JSON.readValue(jsonInputs, String[].class);
        ConfigOption<?> option = optionFor(kind);
        List<Object> results = new ArrayList<>(inputs.length);
        for (String text : inputs) {
            List<Object> result = new ArrayList<>(2);
            try {
                Object value;
                if (kind.equals("MemorySize.parseBytes")) {
                    value = MemorySize.parseBytes(text);
                } else if (kind.equals("TimeUtils.parseDuration")) {
                    value = TimeUtils.parseDuration(text);
                } else {
                    Map<String, String> raw = new LinkedHashMap<>();
                    raw.put("k", text);
                    value = Configuration.fromMap(raw).get(option);
                }
                result.add(true);
                result.add(encode(value));
            } catch (Throwable e) {
                Throwable cause = e;
                while (cause.getCause() != null && cause.getCause() != cause) {
                    cause = cause.getCause();
                }
                result.add(false);
                result.add(e.getClass().getSimpleName() + ": " + e.getMessage()
                        + (cause == e ? "" : " <- " + cause.getClass().getSimpleName() + ": " + cause.getMessage()));
            }
            results.add(result);
        }
        return JSON.writeValueAsString(results);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ConfigOption<?> optionFor(String kind) throws ClassNotFoundException {
        ConfigOptions.OptionBuilder key = ConfigOptions.key("k");
        switch (kind) {
            case "MemorySize": return key.memoryType().noDefaultValue();
            case "Duration": return key.durationType().noDefaultValue();
            case "Boolean": return key.booleanType().noDefaultValue();
            case "Integer": return key.intType().noDefaultValue();
            case "Long": return key.longType().noDefaultValue();
            case "Float": return key.floatType().noDefaultValue();
            case "Double": return key.doubleType().noDefaultValue();
            case "List<String>": return key.stringType().asList().noDefaultValue();
            case "List<Integer>": return key.intType().asList().noDefaultValue();
            case "Map": return key.mapType().noDefaultValue();
            default:
                if (kind.startsWith("Enum:")) {
                    return key.enumType((Class) Class.forName(kind.substring(5))).noDefaultValue();
                }
                return null; // a direct parser
        }
    }

    private static Object encode(Object value) {
        if (value instanceof Duration) {
            Duration duration = (Duration) value;
            List<Object> parts = new ArrayList<>();
            parts.add(duration.getSeconds());
            parts.add(duration.getNano());
            return parts;
        }
        if (value instanceof MemorySize) {
            return ((MemorySize) value).getBytes();
        }
        if (value instanceof Float) {
            return Integer.toHexString(Float.floatToIntBits((Float) value));
        }
        if (value instanceof Double) {
            return Long.toHexString(Double.doubleToLongBits((Double) value));
        }
        if (value instanceof Enum) {
            return value.toString(); // what convertToEnum compares with
        }
        return value;
    }
}
