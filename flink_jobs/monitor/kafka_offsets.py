"""What the Kafka broker says about a job's input: end offsets and the consumer group's commits.

confluent_kafka's AdminClient (the `jobs` extra): list_consumer_group_offsets for the group's
committed offsets, list_topics for the partitions, list_offsets with OffsetSpec.latest for the end
offsets. The answer is plain JSON, recorded into the JobSample like the REST answers:
    {"bootstrap", "group", "committed": {"topic:partition": offset}, "end": {...}, "error": None}
A broker that cannot be read is an `error` string (the lag shows "not read" with it), not an exit:
the Flink cluster itself was readable.

The client runs in a child process (`python -m flink_jobs.monitor.kafka_offsets REQUEST`): librdkafka
in confluent-kafka 2.16.1 crashed with SIGSEGV (in its rdk:main thread) when asked for a group's
offsets on a broker that had no __consumer_offsets topic yet. That case is now avoided, but a crash
of the client must end as "not read", not take `flink-jobs backpressure` down without a word.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterable, Optional

try:
    from confluent_kafka import ConsumerGroupTopicPartitions, KafkaException, TopicPartition
    from confluent_kafka.admin import AdminClient, OffsetSpec
except ImportError:  # the base install (the linter's) has no Kafka client
    AdminClient = None  # type: ignore[assignment, misc]

OFFSETS_TOPIC = "__consumer_offsets"
NO_OFFSET = -1001  # librdkafka's OFFSET_INVALID: nothing committed for the partition


class KafkaClientMissing(Exception):
    """--kafka needs confluent_kafka; str() is one line."""


def require_client() -> None:
    if AdminClient is None:
        raise KafkaClientMissing("--kafka needs the confluent-kafka package: pip install 'flink-jobpack[jobs]'")


def _text(error) -> str:
    inner = error.args[0] if getattr(error, "args", None) else error
    return inner.str() if hasattr(inner, "str") else str(inner)


def _unread(bootstrap: str, group: Optional[str], error: Optional[str]) -> dict[str, Any]:
    return {"bootstrap": bootstrap, "group": group, "committed": {}, "end": {}, "error": error}


def read_offsets(
    bootstrap: str, group: Optional[str], topics: Iterable[str] = (), timeout: float = 5.0, python: str = sys.executable
) -> dict[str, Any]:
    """End offsets of `topics` and of the topics `group` committed to, and the group's commits,
    read by a child process (see the module docstring)."""
    require_client()
    request = json.dumps({"bootstrap": bootstrap, "group": group, "topics": sorted(topics), "timeout": timeout})
    environment = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, environment.get("PYTHONPATH")]))
    try:
        child = subprocess.run(
            [python, "-m", "flink_jobs.monitor.kafka_offsets", request],
            capture_output=True,
            text=True,
            timeout=3 * timeout + 15,
            env=environment,
        )
    except subprocess.TimeoutExpired:
        return _unread(bootstrap, group, f"broker {bootstrap} not readable: no answer within {3 * timeout + 15:g} s")
    if child.returncode < 0:
        name = (
            signal.Signals(-child.returncode).name if -child.returncode in signal.valid_signals() else -child.returncode
        )
        return _unread(bootstrap, group, f"broker {bootstrap} not readable: the Kafka client crashed ({name})")
    try:
        return json.loads(child.stdout)
    except ValueError:
        last = (child.stderr.strip().splitlines() or ["no answer"])[-1][:200]
        return _unread(bootstrap, group, f"broker {bootstrap} not readable: {last}")


def read_offsets_here(
    bootstrap: str, group: Optional[str], topics: Iterable[str] = (), timeout: float = 5.0
) -> dict[str, Any]:
    """read_offsets in this process."""
    answer = _unread(bootstrap, group, None)
    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 0, "socket.timeout.ms": int(timeout * 1000)})
    try:
        metadata = admin.list_topics(timeout=timeout)
        # No __consumer_offsets yet: no group ever committed on this broker. Asking for a group's
        # offsets then crashes librdkafka (confluent-kafka 2.16.1, SIGSEGV in rdk:main, reproduced
        # on a fresh broker), so it is not asked.
        if group and OFFSETS_TOPIC in metadata.topics:
            future = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)], request_timeout=timeout)[
                group
            ]
            for tp in future.result(timeout=timeout + 1).topic_partitions or []:
                if tp.error is None and tp.offset is not None and tp.offset >= 0 and tp.offset != NO_OFFSET:
                    answer["committed"][f"{tp.topic}:{tp.partition}"] = tp.offset
        wanted = set(topics) | {key.rpartition(":")[0] for key in answer["committed"]}
        if not wanted:
            return answer
        partitions = [
            TopicPartition(name, p)
            for name in sorted(wanted)
            if name in metadata.topics
            for p in sorted(metadata.topics[name].partitions)
        ]
        unknown = sorted(name for name in wanted if name not in metadata.topics)
        if unknown:
            answer["error"] = f"topic {', '.join(unknown)} not on {bootstrap}"
        if partitions:
            futures = admin.list_offsets({tp: OffsetSpec.latest() for tp in partitions}, request_timeout=timeout)
            for tp, future in futures.items():
                answer["end"][f"{tp.topic}:{tp.partition}"] = future.result(timeout=timeout + 1).offset
    except KafkaException as error:
        answer["error"] = f"broker {bootstrap} not readable: {_text(error)}"
    except Exception as error:  # timeouts of the futures (concurrent.futures.TimeoutError), ...
        answer["error"] = f"broker {bootstrap} not readable: {type(error).__name__} {error}".rstrip()
    return answer


if __name__ == "__main__":
    print(json.dumps(read_offsets_here(**json.loads(sys.argv[1]))))
