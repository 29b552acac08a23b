import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.description.Formatter;
import org.apache.flink.configuration.description.TextElement;

/**
 * Dumps every static ConfigOption field found in the given jars, one JSON object per line on stdout.
 *
 * <p>Usage: java -cp DIR:JARS... OptionCatalogExtractor JARLIST_FILE. The jars to scan (one path a line)
 * must also be on the classpath. Classes are found by byte-searching each .class file for a reference to
 * ConfigOption, loaded without initialization, then their static ConfigOption fields are read by
 * reflection. Classes that cannot be loaded (missing Hadoop/YARN dependencies) are reported on stderr
 * and skipped. The last stdout line is a {"stats": ...} object. lint/catalog/extract.py merges the
 * records into the option catalog.
 */
public final class OptionCatalogExtractor {

    private static final byte[] MARKER =
            "org/apache/flink/configuration/ConfigOption".getBytes(StandardCharsets.US_ASCII);

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        List<String> jars = Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8);
        PrintStream out = new PrintStream(System.out, false, "UTF-8");
        // Silence static initializers that print; our records go to `out` only.
        System.setOut(System.err);

        Map<String, String> candidates = new LinkedHashMap<>(); // class name -> jar, first jar wins
        int scanned = 0;
        for (String jar : jars) {
            if (jar.trim().isEmpty()) {
                continue;
            }
            try (JarFile jarFile = new JarFile(jar)) {
                Enumeration<JarEntry> entries = jarFile.entries();
                while (entries.hasMoreElements()) {
                    JarEntry entry = entries.nextElement();
                    String name = entry.getName();
                    if (!name.endsWith(".class") || name.startsWith("META-INF/")
                            || name.endsWith("module-info.class")) {
                        continue;
                    }
                    scanned++;
                    String className = name.substring(0, name.length() - 6).replace('/', '.');
                    if (candidates.containsKey(className)) {
                        continue;
                    }
                    try (InputStream in = jarFile.getInputStream(entry)) {
                        if (contains(readAll(in), MARKER)) {
                            candidates.put(className, Paths.get(jar).getFileName().toString());
                        }
                    }
                }
            }
        }

        Method convertToString = findConvertToString();
        ClassLoader loader = OptionCatalogExtractor.class.getClassLoader();
        int classesWithOptions = 0;
        int fields = 0;
        int failed = 0;
        for (Map.Entry<String, String> candidate : candidates.entrySet()) {
            List<String> records = new ArrayList<>();
            try {
                Class<?> clazz = Class.forName(candidate.getKey(), false, loader);
                for (Field field : clazz.getDeclaredFields()) {
                    if (!Modifier.isStatic(field.getModifiers())
                            || !ConfigOption.class.isAssignableFrom(field.getType())) {
                        continue;
                    }
                    field.setAccessible(true);
                    Object value = field.get(null);
                    if (value == null) {
                        continue;
                    }
                    records.add(record(clazz, field, (ConfigOption<?>) value, candidate.getValue(),
                            convertToString, ""));
                }
            } catch (Throwable e) { // NoClassDefFoundError, ExceptionInInitializerError, ...
                failed++;
                System.err.println("skipped " + candidate.getKey() + ": " + e);
                continue;
            }
            if (!records.isEmpty()) {
                classesWithOptions++;
                fields += records.size();
                for (String line : records) {
                    out.println(line);
                }
            }
        }
        fields += endpointOptions(candidates, loader, convertToString, out);
        long millis = (System.nanoTime() - start) / 1_000_000;
        out.println("{\"stats\":{\"classes_scanned\":" + scanned + ",\"candidate_classes\":"
                + candidates.size() + ",\"classes_with_options\":" + classesWithOptions
                + ",\"fields\":" + fields + ",\"classes_failed\":" + failed + ",\"millis\":" + millis
                + "}}");
        out.flush();
    }

    /**
     * SQL Gateway endpoints read their options under `sql-gateway.endpoint.<identifier>.`
     * (SqlGatewayEndpointFactoryUtils): for every endpoint factory in the jars, its required and
     * optional options are recorded with that prefix, as the gateway validates them. Returns the
     * number of records written.
     */
    private static int endpointOptions(Map<String, String> candidates, ClassLoader loader,
            Method convertToString, PrintStream out) {
        Class<?> factoryType;
        try {
            factoryType = Class.forName(
                    "org.apache.flink.table.gateway.api.endpoint.SqlGatewayEndpointFactory", false, loader);
        } catch (Throwable e) {
            return 0; // no SQL gateway in these jars
        }
        int written = 0;
        for (Map.Entry<String, String> candidate : candidates.entrySet()) {
            try {
                Class<?> clazz = Class.forName(candidate.getKey(), false, loader);
                if (!factoryType.isAssignableFrom(clazz) || clazz.isInterface()
                        || Modifier.isAbstract(clazz.getModifiers())) {
                    continue;
                }
                Object factory = clazz.getDeclaredConstructor().newInstance();
                String prefix = "sql-gateway.endpoint."
                        + factoryType.getMethod("factoryIdentifier").invoke(factory) + ".";
                List<String> lines = new ArrayList<>();
                for (String method : new String[] {"requiredOptions", "optionalOptions"}) {
                    for (Object option : (Iterable<?>) factoryType.getMethod(method).invoke(factory)) {
                        lines.add(record(clazz, null, (ConfigOption<?>) option, candidate.getValue(),
                                convertToString, prefix));
                    }
                }
                java.util.Collections.sort(lines);
                for (String line : lines) {
                    out.println(line);
                }
                written += lines.size();
            } catch (Throwable e) {
                System.err.println("skipped endpoint " + candidate.getKey() + ": " + e);
            }
        }
        return written;
    }

    private static String record(Class<?> clazz, Field field, ConfigOption<?> option, String jar,
            Method convertToString, String prefix) throws Exception {
        Method getClazz = ConfigOption.class.getDeclaredMethod("getClazz");
        Method isList = ConfigOption.class.getDeclaredMethod("isList");
        getClazz.setAccessible(true);
        isList.setAccessible(true);
        Class<?> type = (Class<?>) getClazz.invoke(option);

        StringBuilder json = new StringBuilder("{");
        put(json, "key", prefix + option.key());
        put(json, "class", clazz.getName());
        put(json, "field", field == null ? "" : field.getName());
        put(json, "prefix", prefix);
        put(json, "jar", jar);
        put(json, "type", type.getName());
        json.append("\"enum_type\":").append(type.isEnum()).append(',');
        json.append("\"list\":").append(isList.invoke(option)).append(',');
        if (option.hasDefaultValue()) {
            Object text = convertToString.getParameterCount() == 1
                    ? convertToString.invoke(null, option.defaultValue())
                    : convertToString.invoke(null, option.defaultValue(), true);
            put(json, "default", String.valueOf(text));
        }
        json.append("\"fallback_keys\":[");
        boolean first = true;
        for (FallbackKey fallback : option.fallbackKeys()) {
            json.append(first ? "" : ",").append("{");
            put(json, "key", prefix + fallback.getKey());
            json.append("\"deprecated\":").append(fallback.isDeprecated()).append("}");
            first = false;
        }
        json.append("],");
        if (type.isEnum()) {
            json.append("\"enum\":[");
            Object[] constants = type.getEnumConstants();
            for (int i = 0; i < constants.length; i++) {
                // convertToEnum compares toString(), not name(): a few enums accept "on-event", "auto".
                json.append(i == 0 ? "" : ",").append(quote(constants[i].toString()));
            }
            json.append("],");
        }
        put(json, "description", new PlainTextFormatter().format(option.description()));
        json.append("\"annotations\":[");
        first = true;
        for (Annotation annotation : field == null ? new Annotation[0] : field.getAnnotations()) {
            json.append(first ? "" : ",").append(quote(annotation.annotationType().getName()));
            first = false;
        }
        json.append("],");
        json.append("\"class_deprecated\":").append(clazz.isAnnotationPresent(Deprecated.class));
        return json.append("}").toString();
    }

    /** ConfigurationUtils.convertToString(Object) in 2.x, (Object, boolean standardYaml) in 1.19/1.20. */
    private static Method findConvertToString() throws ClassNotFoundException {
        Class<?> utils = Class.forName("org.apache.flink.configuration.ConfigurationUtils");
        Method found = null;
        for (Method method : utils.getDeclaredMethods()) {
            if (method.getName().equals("convertToString")
                    && (found == null || method.getParameterCount() < found.getParameterCount())) {
                found = method;
            }
        }
        found.setAccessible(true);
        return found;
    }

    /** Renders a Description as one line of plain text (links as their text, lists joined by "; "). */
    static final class PlainTextFormatter extends Formatter {
        @Override
        protected void formatLink(StringBuilder state, String link, String description) {
            state.append(description.isEmpty() ? link : description);
        }

        @Override
        protected void formatLineBreak(StringBuilder state) {
            state.append(' ');
        }

        @Override
        protected void formatText(StringBuilder state, String format, String[] elements,
                EnumSet<TextElement.TextStyle> styles) {
            state.append(String.format(format, (Object[]) elements));
        }

        @Override
        protected void formatList(StringBuilder state, String[] entries) {
            state.append(String.join("; ", entries));
        }

        @Override
        protected Formatter newInstance() {
            return new PlainTextFormatter();
        }
    }

    private static void put(StringBuilder json, String name, String value) {
        json.append(quote(name)).append(':').append(quote(value)).append(',');
    }

    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        byte[] chunk = new byte[16384];
        for (int n; (n = in.read(chunk)) > 0; ) {
            buffer.write(chunk, 0, n);
        }
        return buffer.toByteArray();
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
