"""A local Kafka broker (KRaft, one combined broker/controller on loopback), and topics on it.

The broker is `org.apache.kafka:kafka_2.13` with its dependencies, fetched from Maven Central by
`make jvm` into jvm/lib/kafka (versions in jvm/pom.xml). `start_broker` writes server.properties
and a log4j2 config into its directory (default .flink-jobs/kafka), formats the storage once, starts
`kafka.Kafka` with a small heap, and returns when the broker answers a metadata request. Like the
Flink cluster, the JVM carries `FLINK_JOBS_KAFKA=<directory>` in its environment and its pid is
recorded in state.json: `stop_broker` stops exactly that process tree and nothing else.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from flink_jobs.cluster import (
    LOOPBACK,
    port_is_free,
    process_is_ours,
    read_state,
    running_server,
    stop_server,
    write_state,
)
from flink_jobs.java_check import JavaMissing, require_java

# The broker's default transaction.max.timeout.ms (a producer asking for more is refused): one
# definition, the linter's, which checks the same limit in configs and code.
from flink_lint.api import BROKER_MAX_TIMEOUT_MS as BROKER_MAX_TRANSACTION_TIMEOUT_MS

MARKER_VARIABLE = "FLINK_JOBS_KAFKA"
REPOSITORY = Path(__file__).resolve().parent.parent
JVM_LIB = Path(os.environ.get("FLINK_JOBS_JVM_LIB", REPOSITORY / "jvm" / "lib"))


class KafkaError(Exception):
    """The broker could not be started, reached or stopped: one line for the user (exit 2)."""


@dataclass
class BrokerSpec:
    directory: Path = Path(".flink-jobs/kafka")
    port: int = 19092
    controller_port: int = 19093
    heap: str = "384m"  # the issue allows 512 MB at most
    topics: list[tuple[str, int]] = field(default_factory=list)  # (name, partitions)

    @property
    def bootstrap(self) -> str:
        return f"{LOOPBACK}:{self.port}"


@dataclass
class BrokerInfo:
    pid: int
    bootstrap: str
    directory: Path

    @property
    def log_file(self) -> Path:
        return self.directory / "log" / "server.log"


def parse_topic(text: str) -> tuple[str, int]:
    """`NAME:PARTITIONS` (or `NAME`, one partition) -> (name, partitions)."""
    name, _, partitions = text.partition(":")
    if not name or (partitions and not partitions.isdigit()) or partitions == "0":
        raise KafkaError(f"topic `{text}`: expected NAME:PARTITIONS with PARTITIONS a positive integer")
    return name, int(partitions or 1)


def connector_jar() -> Path:
    """Flink's self-contained Kafka connector jar, fetched by `make jvm`."""
    jars = sorted((JVM_LIB / "connector").glob("flink-sql-connector-kafka-*.jar"))
    if not jars:
        raise KafkaError(f"the Flink Kafka connector jar is missing from {JVM_LIB / 'connector'}: run `make jvm`")
    return jars[-1]


def jobpack_jar() -> Path:
    """Our own JVM classes (jvm/src): the Kafka source's JSON event-time assigner."""
    jar = JVM_LIB / "flink-jobpack-jvm.jar"
    if not jar.is_file():
        raise KafkaError(f"{jar} is missing: run `make jvm`")
    return jar


def _broker_classpath() -> str:
    jars = sorted((JVM_LIB / "kafka").glob("*.jar"))
    if not any(j.name.startswith("kafka_2.13-") for j in jars):
        raise KafkaError(f"the Kafka broker jars are missing from {JVM_LIB / 'kafka'}: run `make jvm`")
    return os.pathsep.join(map(str, jars))


# --------------------------------------------------------------------------- start / stop


def _server_properties(spec: BrokerSpec, directory: Path) -> str:
    return "\n".join(
        [
            "# written by flink-jobs kafka start",
            "process.roles=broker,controller",
            "node.id=1",
            f"controller.quorum.voters=1@{LOOPBACK}:{spec.controller_port}",
            f"listeners=PLAINTEXT://{LOOPBACK}:{spec.port},CONTROLLER://{LOOPBACK}:{spec.controller_port}",
            f"advertised.listeners=PLAINTEXT://{LOOPBACK}:{spec.port}",
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            f"log.dirs={directory / 'data'}",
            "num.partitions=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=4",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=4",
            "group.initial.rebalance.delay.ms=0",
            f"transaction.max.timeout.ms={BROKER_MAX_TRANSACTION_TIMEOUT_MS}",
            "auto.create.topics.enable=true",
            # Time-based retention would delete the generated events at once: their timestamps (event
            # time) lie in the past. Keep everything; a local broker's data go with its directory.
            "log.retention.ms=-1",
            "log.retention.bytes=-1",
            "log.segment.bytes=67108864",
            "num.network.threads=2",
            "num.io.threads=2",
            "background.threads=2",
            "",
        ]
    )


_LOG4J2 = """\
# written by flink-jobs kafka start: the broker's log in log/server.log, warnings only on stdout
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
"""


def _java_command(directory: Path, spec: BrokerSpec, main: str, *args: str) -> list[str]:
    return [
        "java",
        f"-Xmx{spec.heap}",
        "-Xms64m",
        "-XX:+UseG1GC",
        "-XX:MaxDirectMemorySize=128m",
        "-Djava.awt.headless=true",
        f"-Dkafka.logs.dir={directory / 'log'}",
        f"-Dlog4j2.configurationFile={directory / 'log4j2.properties'}",
        "-cp",
        _broker_classpath(),
        main,
        *args,
    ]


def _env(directory: Path) -> dict[str, str]:
    return {**os.environ, MARKER_VARIABLE: str(directory)}


def start_broker(spec: BrokerSpec, timeout: float = 90) -> BrokerInfo:
    """Start the broker and create `spec.topics`; raises KafkaError with the reason."""
    directory = spec.directory.resolve()
    state = running_server(directory, _marker(directory))
    if state:
        raise KafkaError(
            f"a broker from {directory} is already running (pid {state['pid']}, "
            f"bootstrap {state['bootstrap']}); `flink-jobs kafka stop` first"
        )
    try:
        require_java()
    except JavaMissing as missing:
        raise KafkaError(str(missing)) from None
    for name, port in (("port", spec.port), ("controller port", spec.controller_port)):
        if not port_is_free(port):
            raise KafkaError(f"{name} {port} already in use on {LOOPBACK}; choose another (--port/--controller-port)")
    (directory / "log").mkdir(parents=True, exist_ok=True)
    (directory / "server.properties").write_text(_server_properties(spec, directory))
    (directory / "log4j2.properties").write_text(_LOG4J2)
    if not (directory / "data" / "meta.properties").exists():
        _format_storage(directory, spec)

    out = open(directory / "log" / "stdout.log", "ab")
    try:
        process = subprocess.Popen(
            _java_command(directory, spec, "kafka.Kafka", str(directory / "server.properties")),
            env=_env(directory),
            cwd=directory,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        out.close()
    bootstrap = spec.bootstrap
    write_state(
        directory,
        {"pid": process.pid, "bootstrap": bootstrap, "port": spec.port, "controller_port": spec.controller_port},
    )
    info = BrokerInfo(pid=process.pid, bootstrap=bootstrap, directory=directory)
    try:
        _wait_until_ready(process, info, timeout)
        if spec.topics:
            create_topics(bootstrap, spec.topics)
    except BaseException:
        stop_broker(directory)
        raise
    return info


def _format_storage(directory: Path, spec: BrokerSpec) -> None:
    command = _java_command(
        directory,
        spec,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        _cluster_id(),
        "-c",
        str(directory / "server.properties"),
        "--ignore-formatted",
    )
    result = subprocess.run(
        command,
        env=_env(directory),
        cwd=directory,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise KafkaError(f"formatting the broker storage failed: {message[-1] if message else result.returncode}")


def _cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (22 characters)."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def _admin(bootstrap: str):
    """A quiet admin client (librdkafka's own log lines would repeat every error on stderr)."""
    from confluent_kafka.admin import AdminClient

    return AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})


def _wait_until_ready(process: subprocess.Popen[bytes], info: BrokerInfo, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    admin = _admin(info.bootstrap)  # one client for the whole wait: it reconnects by itself
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise KafkaError(
                f"the broker exited during startup (exit {process.returncode}): "
                f"{_last_error(info)}; see {info.log_file}"
            )
        try:
            metadata = admin.list_topics(timeout=2)
            if metadata.brokers:
                return
        except Exception:  # KafkaException while the listener is not up yet
            pass
        time.sleep(0.5)
    raise KafkaError(f"the broker did not answer within {timeout:.0f} s; stopped it; see {info.log_file}")


def _last_error(info: BrokerInfo) -> str:
    for log in (info.log_file, info.directory / "log" / "stdout.log"):
        try:
            lines = log.read_text(errors="replace").splitlines()
        except OSError:
            continue
        for line in reversed(lines):
            if " ERROR " in line or "Exception" in line:
                return line.strip()[:300]
    return "no error logged"


def stop_broker(directory: Path, timeout: float = 30) -> list[int]:
    """Stop the broker started from `directory` (its process tree, by pid and marker)."""
    directory = directory.resolve()
    return stop_server(directory, _marker(directory), timeout)


@dataclass
class BrokerStatus:
    running: bool
    pid: Optional[int] = None
    bootstrap: str = ""
    topics: dict[str, int] = field(default_factory=dict)  # name -> partitions
    problem: str = ""

    def describe(self) -> str:
        if not self.running:
            return f"not running{': ' + self.problem if self.problem else ''}"
        topics = ", ".join(f"{name}:{count}" for name, count in sorted(self.topics.items()))
        return f"running: pid {self.pid}, bootstrap {self.bootstrap}; topics: {topics or 'none'}"


def broker_status(directory: Path) -> BrokerStatus:
    directory = directory.resolve()
    state = read_state(directory)
    if not state or not process_is_ours(state.get("pid", 0), _marker(directory)):
        return BrokerStatus(running=False, problem="" if not state else f"pid {state.get('pid')} is gone")
    status = BrokerStatus(running=True, pid=state["pid"], bootstrap=state["bootstrap"])
    try:
        status.topics = list_topics(state["bootstrap"])
    except KafkaError as error:
        status.problem = str(error)
        status.running = False
    return status


# --------------------------------------------------------------------------- topics


def create_topics(bootstrap: str, topics, timeout: float = 30) -> None:
    """Create [(name, partitions)] that do not exist yet; an existing topic is left as it is."""
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import NewTopic

    admin = _admin(bootstrap)
    wanted = [NewTopic(name, num_partitions=partitions, replication_factor=1) for name, partitions in topics]
    if not wanted:
        return
    for name, future in admin.create_topics(wanted, request_timeout=timeout).items():
        try:
            future.result(timeout=timeout)
        except KafkaException as error:
            if error.args[0].code() != error.args[0].TOPIC_ALREADY_EXISTS:
                raise KafkaError(f"creating topic {name}: {error.args[0].str()}") from None


def list_topics(bootstrap: str, timeout: float = 10) -> dict[str, int]:
    """{topic: partitions} of the user topics on the broker; KafkaError when it does not answer."""
    try:
        metadata = _admin(bootstrap).list_topics(timeout=timeout)
    except Exception as error:  # KafkaException(KafkaError) from librdkafka
        reason = error.args[0].str() if error.args and hasattr(error.args[0], "str") else str(error)
        raise KafkaError(f"broker {bootstrap} unreachable: {reason}") from None
    return {name: len(topic.partitions) for name, topic in metadata.topics.items() if not name.startswith("__")}


# --------------------------------------------------------------------------- state


def _marker(directory: Path) -> str:
    return f"{MARKER_VARIABLE}={directory}"


# --------------------------------------------------------------------------- produce / consume


def event_json(event) -> bytes:
    """An event as the Kafka source reads it: the same JSON object as the files source."""
    return json.dumps(
        {"key": event.key, "value": event.value, "event_time": event.event_time, "seq": event.seq},
        separators=(",", ":"),
    ).encode()


def _producer(bootstrap: str, **extra):
    from confluent_kafka import Producer

    return Producer(
        {
            "bootstrap.servers": bootstrap,
            "linger.ms": 20,
            "batch.num.messages": 10000,
            "queue.buffering.max.messages": 200000,
            "enable.idempotence": True,
            "log_level": 0,
            **extra,
        }
    )


def produce_events(
    bootstrap: str,
    topic: str,
    spec,
    start: int = 0,
    count: Optional[int] = None,
    rate: Optional[float] = None,
    should_stop=lambda: False,
) -> int:
    """Write events start..start+count-1 of `spec`, keyed by the event key (a key stays in one
    partition), with the event time as the record timestamp (the Kafka source's watermarks use it).
    `rate` paces the writes (events/s); returns the number written and acknowledged."""
    from confluent_kafka import KafkaException

    count = spec.count if count is None else count
    if count is None:
        raise KafkaError("an unbounded event spec needs --events N")
    list_topics(bootstrap, timeout=5)  # an unreachable broker: one line now, not a 60 s flush
    producer = _producer(bootstrap)
    failures: list[Any] = []  # the client's KafkaErrors

    def delivered(error, _message):
        if error is not None:
            failures.append(error)

    started = time.monotonic()
    written = 0
    try:
        for i in range(start, start + count):
            if should_stop() or failures:
                break
            event = spec.event(i)
            while True:
                try:
                    producer.produce(
                        topic,
                        key=event.key.encode(),
                        value=event_json(event),
                        timestamp=event.event_time,
                        on_delivery=delivered,
                    )
                    break
                except BufferError:  # the local queue is full: let the broker catch up
                    producer.poll(0.05)
            written += 1
            if rate:
                ahead = started + written / rate - time.monotonic()
                if ahead > 0.005:
                    producer.poll(0)
                    time.sleep(ahead)
            if written % 10000 == 0:
                producer.poll(0)
        remaining = producer.flush(60)
    except KafkaException as error:
        raise KafkaError(f"producing to {topic} on {bootstrap}: {error.args[0].str()}") from None
    if failures or remaining:
        reason = failures[0].str() if failures else f"{remaining} records not acknowledged within 60 s"
        raise KafkaError(f"producing to {topic} on {bootstrap}: {reason}")
    return written


def produce_raw(bootstrap: str, topic: str, records) -> None:
    """Write [(key bytes or None, value bytes)] as they are (test data, malformed records)."""
    producer = _producer(bootstrap)
    for key, value in records:
        producer.produce(topic, key=key, value=value)
    if producer.flush(60):
        raise KafkaError(f"producing to {topic} on {bootstrap}: not acknowledged within 60 s")


def consume(
    bootstrap: str, topic: str, committed: bool = False, max_records: Optional[int] = None, timeout: float = 5.0
):
    """Yield record values (str) of every partition of `topic` from the beginning, until
    `max_records` were read or no record came for `timeout` seconds. With `committed`, only
    records of committed transactions (isolation.level=read_committed). Commits no offsets."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError as ClientError, KafkaException, TopicPartition

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"flink-jobs-consume-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "isolation.level": "read_committed" if committed else "read_uncommitted",
            "log_level": 0,
        }
    )
    try:
        try:
            metadata = consumer.list_topics(topic, timeout=5)
        except KafkaException as error:
            raise KafkaError(f"broker {bootstrap} unreachable: {error.args[0].str()}") from None
        if metadata.topics[topic].error is not None:
            raise KafkaError(f"topic {topic} on {bootstrap}: {metadata.topics[topic].error.str()}")
        # Assigned, not subscribed: no group join to wait for, every partition from its beginning.
        consumer.assign(
            [TopicPartition(topic, partition, OFFSET_BEGINNING) for partition in metadata.topics[topic].partitions]
        )
        read, idle_since = 0, time.monotonic()
        while max_records is None or read < max_records:
            message = consumer.poll(0.2)
            if message is None:
                if time.monotonic() - idle_since >= timeout:
                    return
                continue
            failure = message.error()
            if failure:
                if failure.code() == ClientError._PARTITION_EOF:
                    continue
                raise KafkaError(f"consuming {topic} on {bootstrap}: {failure.str()}")
            idle_since = time.monotonic()
            read += 1
            yield (message.value() or b"").decode("utf-8", errors="replace")
    except KafkaException as error:
        raise KafkaError(f"consuming {topic} on {bootstrap}: {error.args[0].str()}") from None
    finally:
        consumer.close()
