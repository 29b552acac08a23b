"""Consumer lag of a job's Kafka sources: records behind the partitions' end offsets.

Where the lag comes from, best first:
1. the source's own metric `pendingRecords` (FLIP-33; Flink's KafkaSource reports it per subtask
   from its consumer's records-lag), summed over the subtasks;
2. the broker (`--kafka BOOTSTRAP`): end offsets (ListOffsets, latest) minus the offsets the source
   reports per partition (`KafkaSourceReader.topic.<t>.partition.<p>.currentOffset`, the last
   record read, so the next is currentOffset + 1);
3. the broker with `--group ID`: end offsets minus the group's committed offsets. Flink commits
   them on checkpoints only, so this lag runs behind by up to a checkpoint interval.
A lag that none of these could read is `records = None` with the reason: never 0. A source is a
Kafka source when its metrics say so (KafkaSourceReader...) or its name contains "kafka".

Trend across --watch refreshes: the change since the previous reading; a change of at most
`kafka-lag-growth.min-records` is steady. `rises` counts rises in a row; a reading that repeats the
previous value exactly (the metric was not refreshed yet: metrics.fetcher.update-interval) neither
counts nor breaks the run.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

PENDING_RECORDS = "pendingRecords"
PARTITION_OFFSET = re.compile(
    r"KafkaSourceReader\.topic\.(?P<topic>.+)\.partition\.(?P<partition>\d+)\.(?P<kind>currentOffset|committedOffset)$")
KAFKA_MARKERS = ("KafkaSourceReader", "KafkaConsumer")


def lag_metric_ids(listing) -> list[str]:
    """The ids in GET .../subtasks/metrics (no ?get) that carry lag: pendingRecords, partition offsets."""
    ids = [entry.get("id") for entry in listing if isinstance(entry, dict)] if isinstance(listing, list) else []
    return [i for i in ids if isinstance(i, str) and (i == PENDING_RECORDS or i.endswith("." + PENDING_RECORDS)
                                                      or PARTITION_OFFSET.search(i))]


def is_kafka_source(name: str, listing) -> bool:
    ids = [entry.get("id", "") for entry in listing if isinstance(entry, dict)] if isinstance(listing, list) else []
    return "kafka" in name.lower() or any(marker in str(i) for i in ids for marker in KAFKA_MARKERS)


@dataclass
class KafkaLag:
    records: Optional[int]  # None: not read (see why_not), never a silent 0
    origin: str = ""  # where `records` comes from
    why_not: str = ""
    partitions: list = field(default_factory=list)  # [{"topic", "partition", "current", "committed", "end", "lag"}]
    trend: Optional[str] = None  # growing | shrinking | steady; None before a second reading
    change: Optional[int] = None  # since the previous reading
    rises: int = 0  # rises (> min-records) in a row up to this reading

    @property
    def read(self) -> bool:
        return self.records is not None


def _number(value) -> Optional[float]:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return None if result != result or result in (float("inf"), float("-inf")) else result


def _partition_offsets(body) -> dict:
    """(topic, partition) -> {"current": .., "committed": ..} from an aggregated metrics body."""
    offsets: dict = {}
    for entry in body if isinstance(body, list) else []:
        match = PARTITION_OFFSET.search(str(entry.get("id", ""))) if isinstance(entry, dict) else None
        if not match:
            continue
        value = _number(entry.get("max", entry.get("value")))  # one subtask reads a partition
        if value is None or value < 0:  # -1 until the first record / commit
            continue
        key = (match["topic"], int(match["partition"]))
        offsets.setdefault(key, {})["current" if match["kind"] == "currentOffset" else "committed"] = int(value)
    return offsets


def _pending(body) -> Optional[int]:
    for entry in body if isinstance(body, list) else []:
        if isinstance(entry, dict) and str(entry.get("id", "")).split(".")[-1] == PENDING_RECORDS:
            value = _number(entry.get("sum", entry.get("value")))
            if value is not None and value >= 0:
                return int(value)
    return None


def _broker_end(broker: Optional[dict]) -> dict:
    return {_key(k): v for k, v in ((broker or {}).get("end") or {}).items()}


def _key(text: str) -> tuple[str, int]:
    topic, _, partition = text.rpartition(":")
    return topic, int(partition)


def source_lag(metrics_body, broker: Optional[dict]) -> KafkaLag:
    """The lag of one Kafka source from its lag metrics (aggregated over subtasks) and, optionally,
    what the broker said: {"bootstrap", "group", "end": {"t:p": offset}, "committed": {...}, "error"}."""
    offsets = _partition_offsets(metrics_body)
    end = _broker_end(broker)
    committed = {_key(k): v for k, v in ((broker or {}).get("committed") or {}).items()}
    partitions = []
    for key in sorted(set(offsets) | set(end) | set(committed)):
        row = {"topic": key[0], "partition": key[1], "current": offsets.get(key, {}).get("current"),
               "committed": offsets.get(key, {}).get("committed", committed.get(key)), "end": end.get(key)}
        partitions.append(row)

    pending = _pending(metrics_body)
    if pending is not None:
        for row in partitions:
            if row["end"] is not None and row["current"] is not None:
                row["lag"] = max(0, row["end"] - row["current"] - 1)
        return KafkaLag(pending, origin="source metric pendingRecords (sum over subtasks)", partitions=partitions)

    if end and offsets and all(key in end for key in offsets) and \
            all("current" in offset for offset in offsets.values()) and set(end) <= set(offsets):
        for row in partitions:
            row["lag"] = max(0, row["end"] - row["current"] - 1)
        return KafkaLag(sum(row["lag"] for row in partitions),
                        origin="broker end offsets - source metric currentOffset", partitions=partitions)

    group = (broker or {}).get("group")
    if end and committed:
        missing = [f"{t}:{p}" for t, p in end if (t, p) not in committed]
        if not missing:
            for row in partitions:
                row["lag"] = max(0, row["end"] - committed[(row["topic"], row["partition"])])
            return KafkaLag(sum(row["lag"] for row in partitions),
                            origin=f"broker end offsets - committed offsets of group {group}", partitions=partitions)
        why = f"group {group} has no committed offset for {', '.join(missing[:5])}"
        return KafkaLag(None, why_not=why, partitions=partitions)

    reasons = ["no pendingRecords metric from the source (yet)"]
    if broker is None:
        reasons.append("no --kafka to ask the broker")
    elif broker.get("error"):
        reasons.append(broker["error"])
    elif not group:
        reasons.append("no --group for the broker's committed offsets")
    elif not committed:
        reasons.append(f"group {group} has no committed offsets on {broker.get('bootstrap')} "
                       "(Flink commits on checkpoints)")
    return KafkaLag(None, why_not="; ".join(reasons), partitions=partitions)


def follow(lag: KafkaLag, previous: Optional[KafkaLag], min_records: int) -> KafkaLag:
    """Set `lag`'s trend, change and rises from the previous reading of the same source."""
    if previous is None or previous.records is None or lag.records is None:
        return lag
    lag.change = lag.records - previous.records
    if lag.change == 0 and lag.records > 0:
        lag.trend, lag.rises = previous.trend or "steady", previous.rises  # not refreshed yet
    elif lag.change > min_records:
        lag.trend, lag.rises = "growing", previous.rises + 1
    elif lag.change < -min_records:
        lag.trend, lag.rises = "shrinking", 0
    else:
        lag.trend, lag.rises = "steady", 0
    return lag
