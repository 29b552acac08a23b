"""Defaults are written once: the shipped configs/<job>.yaml and configs/alerts.yaml. The settings
dataclasses have no default values of their own; a config that leaves a key out gets the shipped
file's value."""

import dataclasses
import inspect
import json
from pathlib import Path

import pytest
import yaml

from flink_jobs.config import (
    JobSettings,
    SlowOperator,
    StoreSettings,
    WindowSettings,
    default_config_path,
    load_job_config,
    shipped_events,
)
from flink_jobs.events import EventSpec
from flink_jobs.jobs import JOBS
from flink_jobs.monitor import diagnosis, planner
from flink_jobs.monitor.alerts import DEFAULT_ALERTS, Thresholds, load_thresholds
from flink_lint.api import DEFAULT_HEADROOM, kafka_sink_defaults
from flink_lint.catalog.values import parse_duration_ms

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("cls", [JobSettings, WindowSettings, SlowOperator, StoreSettings, EventSpec])
def test_job_settings_have_no_defaults_in_code(cls):
    assert [
        f.name
        for f in dataclasses.fields(cls)
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
    ] == []


def test_thresholds_defaults_come_from_the_shipped_file():
    shipped = yaml.safe_load(DEFAULT_ALERTS.read_text())
    for f in dataclasses.fields(Thresholds):
        assert f.default is dataclasses.MISSING, f"{f.name}: a literal default in code"
    assert Thresholds() == load_thresholds(str(DEFAULT_ALERTS))
    assert Thresholds().backpressure_ratio == shipped["alerts"]["backpressure-ratio"]
    assert Thresholds().skew == shipped["diagnosis"]["skew"]


@pytest.mark.parametrize("job", sorted(JOBS))
def test_an_empty_job_section_gets_the_shipped_settings(tmp_path, job):
    path = tmp_path / "mine.yaml"
    path.write_text("job: {}\n")
    mine = load_job_config(str(path), job_name=job)
    shipped = load_job_config(str(default_config_path(job)), job_name=job)
    assert mine.settings == shipped.settings
    assert mine.flink == {}  # Flink options are not inherited: Flink has its own defaults


def test_a_key_left_out_keeps_the_shipped_value_next_to_it(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("job:\n  events: {count: 500}\n  window: {size: 5 s}\n")
    mine = load_job_config(str(path), job_name="windowed-counts").settings
    shipped = load_job_config(str(default_config_path("windowed-counts"))).settings
    assert (mine.events.count, mine.window.size_ms) == (500, 5000)
    assert dataclasses.replace(mine.events, count=shipped.events.count) == shipped.events
    assert dataclasses.replace(mine.window, size_ms=shipped.window.size_ms) == shipped.window


def test_an_alerts_file_with_one_threshold_gets_the_others_from_the_shipped_file(tmp_path):
    path = tmp_path / "alerts.yaml"
    path.write_text("alerts:\n  kafka-lag: {warning: 5}\n  kafka-lag-growth: {samples: 5}\n")
    mine, shipped = load_thresholds(str(path)), load_thresholds()
    assert mine.kafka_lag == {"warning": 5}
    assert mine.kafka_lag_growth_samples == 5
    assert mine.kafka_lag_growth_min_records == shipped.kafka_lag_growth_min_records
    assert (
        dataclasses.replace(
            mine, kafka_lag=shipped.kafka_lag, kafka_lag_growth_samples=shipped.kafka_lag_growth_samples
        )
        == shipped
    )


def test_severity_levels_of_a_threshold_are_replaced_whole(tmp_path):
    path = tmp_path / "alerts.yaml"
    path.write_text("alerts:\n  backpressure-ratio: {warning: 0.3}\n")
    assert load_thresholds(str(path)).backpressure_ratio == {"warning": 0.3}  # no shipped critical


@pytest.mark.parametrize("job", sorted(JOBS))
def test_the_generators_defaults_are_the_shipped_events(job):
    shipped = load_job_config(str(default_config_path(job)), job_name=job).settings.events
    assert shipped_events(job) == shipped
    assert shipped_events(job, count=5, late_fraction=0.0) == dataclasses.replace(shipped, count=5, late_fraction=0.0)


def test_monitor_thresholds_have_no_second_default_in_code():
    """The skew threshold and the target utilization are configs/alerts.yaml's; the capacity
    headroom is flink-lint's FL304 default."""
    assert inspect.signature(diagnosis.collect).parameters["skew_threshold"].default is inspect.Parameter.empty
    utilization = inspect.signature(planner.utilization_parallelism).parameters["utilization"]
    assert utilization.default is inspect.Parameter.empty
    assert planner.DEFAULT_HEADROOM is DEFAULT_HEADROOM


def test_kafka_sink_defaults_come_from_the_schema(tmp_path):
    """The Kafka sink's defaults are the schema's `default`s, which flink-lint's Kafka rules read
    too: a sink that sets neither gets exactly those, and the transaction timeout in ms."""
    schema = json.loads((REPO / "schemas" / "job-config.schema.json").read_text())
    kafka = next(b["then"] for b in schema["$defs"]["sink"]["allOf"] if "delivery-guarantee" in b["then"]["properties"])
    declared = {
        k: spec["default"] for k, spec in kafka["properties"].items() if isinstance(spec, dict) and "default" in spec
    }
    assert declared == kafka_sink_defaults() and set(declared) == {"delivery-guarantee", "transaction-timeout"}
    path = tmp_path / "sink.yaml"
    path.write_text(
        "job:\n  source: {type: generator}\n"
        "  sink: {type: kafka, bootstrap-servers: '127.0.0.1:9', topic: out}\n"
        "flink:\n  execution.checkpointing.interval: 2 s\n"
    )
    sink = load_job_config(str(path), job_name="windowed-counts").settings.sink
    assert sink["delivery-guarantee"] == declared["delivery-guarantee"]
    assert sink["properties"]["transaction.timeout.ms"] == str(parse_duration_ms(declared["transaction-timeout"]))
    assert sink["transactional-id-prefix"] == "windowed-counts"
