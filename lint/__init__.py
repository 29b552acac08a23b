"""flink-lint: catches backpressure risks in Flink configurations and PyFlink job code.

The linter never imports pyflink and never executes user code.
"""

__version__ = "0.1.0"
