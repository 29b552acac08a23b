"""A local Redis server for the enrichment job's profiles, and the deterministic profiles themselves.

The server is Debian's `redis-server` (`apt-get install redis-server`), started by `flink-jobs redis
start` on loopback with a config of ours in its own directory (default .flink-jobs/redis): no
persistence, no protected-mode surprises. Like the Flink cluster and the Kafka broker, the process
carries `FLINK_JOBS_REDIS=<directory>` in its environment and its pid is recorded in state.json:
`stop_redis` stops exactly that process and nothing else (the pid and state helpers of
flink_jobs/cluster.py).

Profiles: key `k<i>` has a profile that is a pure function of (seed, i), a JSON object, or none at
all for a `missing_fraction` of the keys (chosen by the same hash). `load_profiles` writes them;
the tests compute the expected enrichment from `profile_of`, never from the job's output.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from flink_jobs.cluster import (
    LOOPBACK,
    port_is_free,
    process_is_ours,
    read_state,
    running_server,
    stop_server,
    write_state,
)
from flink_jobs.events import _mix64

MARKER_VARIABLE = "FLINK_JOBS_REDIS"
SEGMENTS = ("consumer", "business", "partner", "internal")
REGIONS = ("eu-west", "eu-north", "us-east", "us-west", "ap-south")


class RedisError(Exception):
    """The server could not be started, reached or stopped: one line for the user (exit 2)."""


@dataclass
class RedisSpec:
    directory: Path = Path(".flink-jobs/redis")
    port: int = 16379
    maxmemory: str = "128mb"


@dataclass
class RedisInfo:
    pid: int
    port: int
    directory: Path

    @property
    def log_file(self) -> Path:
        return self.directory / "redis.log"


# --------------------------------------------------------------------------- profiles


@dataclass(frozen=True)
class ProfileSpec:
    keys: int = 100
    seed: int = 7
    missing_fraction: float = 0.1  # keys without a profile on purpose: passed on unenriched


def profile_of(key_index: int, spec: ProfileSpec) -> Optional[str]:
    """The profile of key `k<key_index>` as stored (compact JSON), None when it has none."""
    h = _mix64(_mix64(spec.seed) ^ key_index)
    if h < int(spec.missing_fraction * (1 << 64)):
        return None
    g = _mix64(h)
    profile = {"segment": SEGMENTS[g % len(SEGMENTS)], "region": REGIONS[(g >> 8) % len(REGIONS)], "score": g >> 54}
    return json.dumps(profile, separators=(",", ":"), sort_keys=True)


def profiles(spec: ProfileSpec) -> dict[str, str]:
    """{"k<i>": profile} for every key that has one."""
    return {f"k{i}": p for i in range(spec.keys) if (p := profile_of(i, spec)) is not None}


def load_profiles(host: str, port: int, prefix: str, spec: ProfileSpec) -> tuple[int, int]:
    """Write the profiles (and delete those of missing keys); returns (written, missing)."""
    import redis

    stored = profiles(spec)
    client = redis.Redis(host=host, port=port, socket_timeout=10)
    try:
        client.mset({prefix + key: value for key, value in stored.items()})
        missing = [prefix + f"k{i}" for i in range(spec.keys) if f"k{i}" not in stored]
        if missing:
            client.delete(*missing)
    except redis.RedisError as error:
        raise RedisError(f"redis {host}:{port}: {error}") from None
    finally:
        client.close()
    return len(stored), spec.keys - len(stored)


# --------------------------------------------------------------------------- start / stop


def _server_config(spec: RedisSpec, directory: Path) -> str:
    return "\n".join(
        [
            "# written by flink-jobs redis start",
            f"bind {LOOPBACK}",
            f"port {spec.port}",
            "protected-mode yes",
            "daemonize no",
            "set-proc-title no",  # a rewritten title would overwrite the environment that carries our marker
            f"dir {directory}",
            f"logfile {directory / 'redis.log'}",
            'save ""',  # no persistence: the profiles are reloaded with `flink-jobs redis load-profiles`
            "appendonly no",
            f"maxmemory {spec.maxmemory}",
            "maxmemory-policy noeviction",
            "",
        ]
    )


def _marker(directory: Path) -> str:
    return f"{MARKER_VARIABLE}={directory}"


def ping(port: int, host: str = LOOPBACK, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(spec: RedisSpec, timeout: float = 30) -> RedisInfo:
    directory = spec.directory.resolve()
    state = running_server(directory, _marker(directory))
    if state:
        raise RedisError(
            f"a Redis server from {directory} is already running (pid {state['pid']}, port {state['port']}); "
            "`flink-jobs redis stop` first"
        )
    server = shutil.which("redis-server")
    if not server:
        raise RedisError("redis-server not found: install Debian's package (apt-get install redis-server)")
    if not port_is_free(spec.port):
        raise RedisError(f"port {spec.port} already in use on {LOOPBACK}; choose another (--port)")
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "redis.conf"
    config.write_text(_server_config(spec, directory))
    process = subprocess.Popen(
        [server, str(config)],
        env={**os.environ, MARKER_VARIABLE: str(directory)},
        cwd=directory,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    write_state(directory, {"pid": process.pid, "port": spec.port})
    info = RedisInfo(pid=process.pid, port=spec.port, directory=directory)
    deadline = time.monotonic() + timeout
    while not ping(spec.port):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_redis(directory)
            raise RedisError(f"redis-server did not answer on port {spec.port}; see {info.log_file}")
        time.sleep(0.1)
    return info


def stop_redis(directory: Path, timeout: float = 10) -> list[int]:
    """Stop the server started from `directory` (by its pid and marker)."""
    directory = directory.resolve()
    return stop_server(directory, _marker(directory), timeout)


def redis_status(directory: Path) -> tuple[bool, str]:
    """(running, one line for the user)."""
    directory = directory.resolve()
    state = read_state(directory)
    if not state or not process_is_ours(state.get("pid", 0), _marker(directory)):
        return False, "not running" + (f": pid {state.get('pid')} is gone" if state else "")
    if not ping(state["port"]):
        return False, f"pid {state['pid']} does not answer on port {state['port']}"
    return True, f"running: pid {state['pid']}, {LOOPBACK}:{state['port']}"
