"""flink-jobpack: PyFlink DataStream jobs that stay healthy under load."""
__version__ = "0.1.0"
