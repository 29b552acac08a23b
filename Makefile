# `make run` and `make test` set everything up from nothing, then run.
# Both are idempotent: the venv is (re)installed only when pyproject.toml changes.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
JOB    ?= windowed-counts
PYTEST_ARGS ?=

.PHONY: run test lint bench java venv jvm clean

run: venv java jvm
	$(BIN)/flink-jobs run $(JOB)

test: venv java jvm
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Zero findings from each (configuration in pyproject.toml): ruff (lint and format), mypy, and
# flink-lint on the repository as the pre-commit hook lints it ([tool.flink-lint]).
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/flink-lint .

bench: venv java jvm
	$(BIN)/python benchmarks/lint_speed.py

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[jobs,dev]'
	@touch $(STAMP)

# JVM artifacts (Kafka connector, Kafka broker) from Maven Central, exact versions in jvm/pom.xml,
# and our own classes (jvm/src); fetched and built again only when the pom or a source changes.
JVM_STAMP := jvm/lib/.fetched-stamp

jvm: $(JVM_STAMP)

$(JVM_STAMP): jvm/pom.xml $(wildcard jvm/src/main/java/io/github/flinkjobpack/*.java)
	rm -rf jvm/lib jvm/target
	mvn -B -q -f jvm/pom.xml package
	@touch $(JVM_STAMP)

# PyFlink starts a JVM: Java 11 or newer must be on PATH (or under JAVA_HOME).
java:
	@$(BIN)/python -m flink_jobs.java_check

clean:
	rm -rf $(VENV) .flink-jobs .pytest_cache jvm/lib jvm/target
