import os  # flink-lint: disable=,,FL
x = (  # flink-lint: disable-file=ALL
