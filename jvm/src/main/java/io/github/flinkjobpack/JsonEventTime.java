package io.github.flinkjobpack;

import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;

/**
 * The event time of a JSON event record ({"key": ..., "value": ..., "event_time": epoch ms}),
 * read inside the Kafka source so that watermarks are generated per partition.
 *
 * <p>PyFlink ignores a Python timestamp assigner in {@code from_source}: without this class the
 * source could only use the Kafka record timestamp, which a producer sets to the time it wrote the
 * record, not to the event time. A record without a top-level integer {@code event_time} gets
 * {@link Long#MIN_VALUE}: it never advances the watermark, and the job's parser sends it to the
 * {@code invalid} output.
 */
public final class JsonEventTime implements SerializableTimestampAssigner<String> {
    private static final long serialVersionUID = 1L;
    private static final String FIELD = "event_time";

    @Override
    public long extractTimestamp(String record, long recordTimestamp) {
        return record == null ? Long.MIN_VALUE : eventTime(record);
    }

    /** The value of the top-level key "event_time" when it is an integer, else Long.MIN_VALUE. */
    static long eventTime(String json) {
        int depth = 0;
        int i = 0;
        int n = json.length();
        while (i < n) {
            char c = json.charAt(i);
            if (c == '"') {
                int end = endOfString(json, i);
                if (end < 0) {
                    return Long.MIN_VALUE;
                }
                boolean isKey = depth == 1 && FIELD.equals(json.substring(i + 1, end));
                i = end + 1;
                if (isKey) {
                    i = skipSpace(json, i);
                    if (i < n && json.charAt(i) == ':') {
                        return integerAt(json, skipSpace(json, i + 1));
                    }
                }
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            }
            i++;
        }
        return Long.MIN_VALUE;
    }

    private static int endOfString(String json, int quote) {
        for (int i = quote + 1; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    private static int skipSpace(String json, int i) {
        while (i < json.length() && Character.isWhitespace(json.charAt(i))) {
            i++;
        }
        return i;
    }

    private static long integerAt(String json, int i) {
        int start = i;
        if (i < json.length() && json.charAt(i) == '-') {
            i++;
        }
        int digits = i;
        while (i < json.length() && Character.isDigit(json.charAt(i))) {
            i++;
        }
        boolean integer = i > digits && i - digits <= 18
                && (i == json.length() || ",} \t\r\n".indexOf(json.charAt(i)) >= 0);
        return integer ? Long.parseLong(json.substring(start, i)) : Long.MIN_VALUE;
    }
}
