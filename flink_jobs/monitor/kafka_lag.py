"""Consumer lag of a job's Kafka sources: records behind the partitions' end offsets.

Where the lag comes from, best first:
1. with `--kafka BOOTSTRAP`: the broker's end offsets (ListOffsets, latest) minus, per partition,
   the offset the source reports it read (`KafkaSourceReader.topic.<t>.partition.<p>.currentOffset`,
   the last record read, so end - currentOffset - 1), else the committed offset (the source's
   `committedOffset` metric or, with `--group ID`, the group's offsets in the broker; Flink commits
   on checkpoints, so that part runs behind by up to a checkpoint interval);
2. without the broker: the source's metric `pendingRecords` (FLIP-33), summed over subtasks. Flink's
   KafkaSource derives it from its consumer's records-lag, which does not count the records the
   consumer already fetched into its buffers (up to max.partition.fetch.bytes, 1 MB, per partition)
   and goes stale while the source is backpressured. Measured on a job 4x slower than its producer:
   pendingRecords fell from 336,564 to 332,564 in 30 s while end offsets minus the offsets read rose
   from 353,514 to 367,904; on a fresh topic it stayed at 100-600 while the backlog grew. A hint, not
   a measure: pass --kafka for the lag.
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
from typing import Any, Optional

PENDING_RECORDS = "pendingRecords"
PARTITION_OFFSET = re.compile(
    r"KafkaSourceReader\.topic\.(?P<topic>.+)\.partition\.(?P<partition>\d+)\.(?P<kind>currentOffset|committedOffset)$"
)
KAFKA_MARKERS = ("KafkaSourceReader", "KafkaConsumer")


def lag_metric_ids(listing) -> list[str]:
    """The ids in GET .../subtasks/metrics (no ?get) that carry lag: pendingRecords, partition offsets."""
    ids = [entry.get("id") for entry in listing if isinstance(entry, dict)] if isinstance(listing, list) else []
    return [
        i
        for i in ids
        if isinstance(i, str)
        and (i == PENDING_RECORDS or i.endswith("." + PENDING_RECORDS) or PARTITION_OFFSET.search(i))
    ]


def is_kafka_source(name: str, listing) -> bool:
    ids = [entry.get("id", "") for entry in listing if isinstance(entry, dict)] if isinstance(listing, list) else []
    return "kafka" in name.lower() or any(marker in str(i) for i in ids for marker in KAFKA_MARKERS)


@dataclass
class KafkaLag:
    records: Optional[int]  # None: not read (see why_not), never a silent 0
    origin: str = ""  # where `records` comes from
    why_not: str = ""
    partitions: list[dict[str, Any]] = field(
        default_factory=list
    )  # {"topic", "partition", "current", "committed", "end", "lag"}
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


def _partition_offsets(body: Any) -> dict[tuple[str, int], dict[str, int]]:
    """(topic, partition) -> {"current": .., "committed": ..} from an aggregated metrics body."""
    offsets: dict[tuple[str, int], dict[str, int]] = {}
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


def _broker_end(broker: Optional[dict[str, Any]]) -> dict[tuple[str, int], int]:
    return {_key(k): v for k, v in ((broker or {}).get("end") or {}).items()}


def _key(text: str) -> tuple[str, int]:
    topic, _, partition = text.rpartition(":")
    return topic, int(partition)


def _partition_lag(row: dict[str, Any]) -> Optional[int]:
    if row["end"] is None:
        return None
    if row["current"] is not None:  # the last record read: the next one is current + 1
        return max(0, row["end"] - row["current"] - 1)
    if row["committed"] is not None:  # the next record to read
        return max(0, row["end"] - row["committed"])
    return None


def source_lag(metrics_body: Any, broker: Optional[dict[str, Any]]) -> KafkaLag:
    """The lag of one Kafka source from its lag metrics (aggregated over subtasks) and, optionally,
    what the broker said: {"bootstrap", "group", "end": {"t:p": offset}, "committed": {...}, "error"}."""
    offsets = _partition_offsets(metrics_body)
    end = _broker_end(broker)
    committed = {_key(k): v for k, v in ((broker or {}).get("committed") or {}).items()}
    partitions: list[dict[str, Any]] = []
    for key in sorted(set(offsets) | set(end) | set(committed)):
        row: dict[str, Any] = {
            "topic": key[0],
            "partition": key[1],
            "current": offsets.get(key, {}).get("current"),
            "committed": offsets.get(key, {}).get("committed", committed.get(key)),
            "end": end.get(key),
        }
        row["lag"] = _partition_lag(row)
        partitions.append(row)
    group = (broker or {}).get("group")

    if end and partitions and all(row["lag"] is not None for row in partitions):
        read_from = {
            "offsets the source read"
            if row["current"] is not None
            else f"committed offsets{f' (group {group})' if group else ''}"
            for row in partitions
        }
        return KafkaLag(
            sum(row["lag"] for row in partitions),
            partitions=partitions,
            origin="broker end offsets - " + " and ".join(sorted(read_from)),
        )
    pending = _pending(metrics_body)
    if pending is not None:
        unread = f"; not from the broker: {broker['error']}" if broker is not None and broker.get("error") else ""
        return KafkaLag(
            pending,
            partitions=partitions,
            origin="source metric pendingRecords (records its consumer has not fetched yet)" + unread,
        )

    reasons = ["no pendingRecords metric from the source (yet)"]
    unknown = [
        f"{row['topic']}:{row['partition']}" for row in partitions if row["end"] is not None and row["lag"] is None
    ]
    if broker is None:
        reasons.append("no --kafka to ask the broker")
    elif broker.get("error"):
        reasons.append(broker["error"])
    elif not group and not offsets:
        reasons.append("no --group for the broker's committed offsets")
    elif group and not committed and not offsets:
        reasons.append(
            f"group {group} has no committed offsets on {broker.get('bootstrap')} (Flink commits on checkpoints)"
        )
    elif unknown:
        reasons.append(f"nothing read or committed yet from {', '.join(unknown[:5])}")
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
