"""Fixtures shared by the job and linter tests: a real Kafka broker."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from flink_jobs.cluster import port_is_free
from flink_jobs.kafka import BrokerSpec, create_topics, start_broker, stop_broker
from tests.flink_jobs.processes import alive, free_ports


@dataclass
class Broker:
    bootstrap: str
    directory: Path
    pid: int
    _names = itertools.count()

    def topic(self, prefix: str, partitions: int = 1) -> str:
        """A new topic with a name no other test uses."""
        return self.topic_named(f"{prefix}-{next(self._names)}", partitions)

    def topic_named(self, name: str, partitions: int = 1) -> str:
        create_topics(self.bootstrap, [(name, partitions)])
        return name


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory):
    """One local KRaft broker for the session, on free loopback ports; stopped by its pid."""
    port, controller_port = free_ports(2)
    directory = tmp_path_factory.mktemp("kafka")
    info = start_broker(BrokerSpec(directory=directory, port=port, controller_port=controller_port))
    try:
        yield Broker(bootstrap=info.bootstrap, directory=directory, pid=info.pid)
    finally:
        stopped = stop_broker(directory)
        # Clean shutdown: the broker's whole process tree gone, both ports free again.
        assert info.pid in stopped and not alive(info.pid), "the broker was stopped by its pid"
        assert port_is_free(port) and port_is_free(controller_port), "the broker's ports are free"


@pytest.fixture(autouse=True)
def _environment_kept():
    """Each test starts from the session's environment: a local process-mode job run in this process
    writes its Python worker's environment into os.environ (flink_jobs/workarounds.py
    [loopback-environ]), which would break every `flink-jobs` command a later test starts."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
