"""Rules over Flink configurations (FlinkConfig objects)."""
