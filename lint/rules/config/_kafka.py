"""What a pack job config says about its Kafka source and sink (`job.source`, `job.sink` of
schemas/job-config.schema.json). Shared by the FL61x rules (not a rule itself: no CODE).

The broker's and the connector's facts (transaction timeouts) live with the code rules, in
lint/rules/code/_kafka.py, and the FL61x rules use them from there.
Defaults of the pack's Kafka sink are declared once, as `default`s in the schema's Kafka sink
(`delivery-guarantee` exactly-once, `transaction-timeout` 10 min; `transactional-id-prefix` defaults
to the job name); flink_jobs applies the same ones (`flink_lint.api.kafka_sink_defaults()`).
`properties` are passed to the Kafka producer as they are.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Optional

from flink_lint.catalog import values
from flink_lint.model import FlinkConfig, Location
from flink_lint.rules.config import _job
from flink_lint.rules.config.schema import SCHEMA_PATH


@lru_cache(maxsize=None)
def sink_defaults() -> dict[str, Any]:
    """The `default`s the job-config schema declares for a Kafka sink's settings, e.g.
    {"delivery-guarantee": "exactly-once", "transaction-timeout": "10 min"}. Read when first asked
    for, not at import: the pack also imports this module from the zip `flink-jobs submit` ships,
    where the schema is a member of the archive (read through this module's zip loader)."""
    try:
        text = SCHEMA_PATH.read_text(encoding="utf-8")
    except OSError:  # inside a zip archive: NotADirectoryError
        text = __loader__.get_data(str(SCHEMA_PATH)).decode("utf-8")  # type: ignore[attr-defined,name-defined]
    sink = json.loads(text)["$defs"]["sink"]
    kafka = next(branch["then"] for branch in sink["allOf"] if "delivery-guarantee" in branch["then"]["properties"])
    return {
        key: spec["default"]
        for key, spec in kafka["properties"].items()
        if isinstance(spec, dict) and "default" in spec
    }


def section(config: FlinkConfig, name: str) -> dict[str, Any]:
    """`job.<name>` when it is a Kafka source or sink, else {}."""
    return _job.typed_section(config, name, "kafka")


def exactly_once_sink(config: FlinkConfig) -> dict[str, Any]:
    sink = section(config, "sink")
    return (
        sink if sink and sink.get("delivery-guarantee", sink_defaults()["delivery-guarantee"]) == "exactly-once" else {}
    )


def unbounded_source(config: FlinkConfig) -> Optional[str]:
    """Why the job's input never ends, in words, or None when it is bounded."""
    job = _job.job_section(config)
    written = job.get("source")
    source = written if isinstance(written, dict) else {"type": "generator"}
    kind = source.get("type")
    if kind == "kafka":
        return None if source.get("stopping-offsets") else "a Kafka source without stopping-offsets"
    if kind == "files":
        return "a files source with monitor-interval" if source.get("monitor-interval") else None
    if kind == "generator":
        events = job.get("events")
        if isinstance(events, dict) and "count" in events and events["count"] is None:
            return "an unbounded generator (events.count: null)"
    return None


def value_location(config: FlinkConfig, *path) -> Optional[Location]:
    """Where the value of `job.<path>` is written, or None."""
    positions = config.context.get("positions")
    if positions is None or _job.job_location(config, *path) is None:
        return None
    return positions.location(("job",) + tuple(path))


def milliseconds(value) -> Optional[int]:
    """A pack duration (`10 min`, `PT10M`, an integer of ms) or a Kafka `*.ms` value, in ms."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, (int, str)):
        return None
    try:
        return values.parse_duration_ms(value)
    except ValueError:  # also booleans and negative numbers
        return None
