"""A local standalone Flink cluster that starts and stops exactly what it started.

The cluster runs from the Flink distribution inside the installed `pyflink` package
(`bin/jobmanager.sh`, `bin/taskmanager.sh`), with its own conf/, log/, pid/ and tmp/ folders in
`ClusterSpec.directory`. Everything listens on 127.0.0.1 only.

What belongs to a cluster is decided from /proc, never by process name:
  - every script we run gets `FLINK_JOBS_CLUSTER=<directory>` in its environment; the JVMs and the
    Python workers they spawn (pyflink-udf-runner.sh, beam_boot, tee, python) inherit it;
  - the JobManager and TaskManager pids are read from the scripts' pid files and recorded in
    `<directory>/state.json`;
  - a process is ours when it carries that exact environment entry, or descends from a recorded pid.
Stopping collects the whole process tree first, then SIGTERM, waits, SIGKILL for leftovers.

HTTP goes through flink_jobs.rest (urllib only), so importing this module starts nothing heavy.
"""

from __future__ import annotations

import errno
import fcntl
import getpass
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml

from flink_jobs.java_check import JavaMissing, require_java
from flink_jobs.rest import FlinkRest, RestError
from flink_jobs.workarounds import thread_mode_pythonpath

# What state.json records about a running cluster or server (pids, ports, paths), as JSON.
State = dict[str, Any]

LOOPBACK = "127.0.0.1"
MARKER_VARIABLE = "FLINK_JOBS_CLUSTER"
STATE_FILE = "state.json"
SCRIPT_LOG = "scripts.log"
JOBMANAGER_DAEMON = "standalonesession"
TASKMANAGER_DAEMON = "taskexecutor"


@dataclass
class ClusterSpec:
    directory: Path = Path(".flink-jobs/cluster")  # conf/, log/, pid/, tmp/, state.json live here
    rest_port: int = 18081
    rpc_port: int = 16123
    blob_port: int = 16124
    taskmanagers: int = 1
    slots: int = 2
    jobmanager_memory: str = "1024m"
    taskmanager_memory: str = "1536m"
    extra: dict[str, str] = field(default_factory=dict)  # more Flink options for config.yaml


class ClusterError(Exception):
    """A cluster operation failed; str() is one line for the user."""


@dataclass
class ClusterInfo:
    directory: Path
    rest_url: str
    jobmanager_pid: int
    taskmanager_pids: list[int]
    log_dir: Path

    @property
    def pids(self) -> list[int]:
        return [self.jobmanager_pid, *self.taskmanager_pids]


@dataclass
class Overview:
    """REST /overview of a running cluster."""

    taskmanagers: int
    slots_total: int
    slots_available: int
    jobs_running: int
    jobs_finished: int
    jobs_cancelled: int
    jobs_failed: int
    flink_version: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Overview":
        return cls(
            taskmanagers=int(data.get("taskmanagers", 0)),
            slots_total=int(data.get("slots-total", 0)),
            slots_available=int(data.get("slots-available", 0)),
            jobs_running=int(data.get("jobs-running", 0)),
            jobs_finished=int(data.get("jobs-finished", 0)),
            jobs_cancelled=int(data.get("jobs-cancelled", 0)),
            jobs_failed=int(data.get("jobs-failed", 0)),
            flink_version=str(data.get("flink-version", "")),
        )


@dataclass
class ClusterStatus:
    directory: Path
    running: bool  # the recorded JobManager is alive
    rest_url: Optional[str]
    jobmanager_pid: Optional[int]  # alive recorded pids only
    taskmanager_pids: list[int]
    stale: bool  # state.json was there but none of its processes is alive
    overview: Optional[Overview]  # None when REST does not answer
    other_pids: list[int] = field(default_factory=list)  # Python workers, orphans of a dead TM

    @property
    def pids(self) -> list[int]:
        return ([self.jobmanager_pid] if self.jobmanager_pid else []) + self.taskmanager_pids

    def describe(self) -> str:
        if not self.running:
            leftovers = self.pids + self.other_pids
            return f"stopped: {self.directory}" + (f" (leftover pids {leftovers}: run stop)" if leftovers else "")
        lines = [
            f"running: {self.directory}",
            f"  rest: {self.rest_url}",
            f"  pids: jobmanager {self.jobmanager_pid}, taskmanagers {self.taskmanager_pids}, "
            f"workers {self.other_pids}",
        ]
        o = self.overview
        if o is None:
            lines.append("  REST /overview does not answer (yet)")
        else:
            lines.append(f"  taskmanagers {o.taskmanagers}, slots {o.slots_available}/{o.slots_total} free")
            lines.append(
                f"  jobs running {o.jobs_running}, finished {o.jobs_finished}, "
                f"failed {o.jobs_failed}, cancelled {o.jobs_cancelled}"
            )
        return "\n".join(lines)


# --------------------------------------------------------------------------- public API


def flink_home() -> Path:
    """The pyflink package folder (bin/, conf/, lib/), found without importing pyflink."""
    spec = importlib.util.find_spec("pyflink")
    if spec is None or not spec.submodule_search_locations:
        raise ClusterError("pyflink is not installed: pip install 'flink-jobpack[jobs]' (apache-flink)")
    home = Path(list(spec.submodule_search_locations)[0])
    if not (home / "bin" / "jobmanager.sh").is_file():
        raise ClusterError(f"no Flink distribution in {home} (bin/jobmanager.sh missing)")
    return home


def start_cluster(spec: ClusterSpec, timeout: float = 120) -> ClusterInfo:
    """Start a JobManager and `spec.taskmanagers` TaskManagers; wait until all slots registered."""
    directory = Path(spec.directory).resolve()
    home = flink_home()
    _require_java()

    status = cluster_status(directory)
    if status.running:
        raise ClusterError(
            f"a cluster is already running from {directory} (rest {status.rest_url}, pids {status.pids}); stop it first"
        )
    if status.pids:
        raise ClusterError(f"TaskManagers {status.pids} from {directory} are still alive; stop the cluster first")
    stop_cluster(directory)  # clears a stale state.json, pid files and orphaned workers
    _require_free_ports(spec)

    _write_conf(home, directory, spec)
    state: dict[str, Any] = {
        "directory": str(directory),
        "rest_url": f"http://{LOOPBACK}:{spec.rest_port}",
        "ports": {"rest": spec.rest_port, "rpc": spec.rpc_port, "blob": spec.blob_port},
        "ident": _ident(),
        "jobmanager": None,
        "taskmanagers": [],
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    deadline = time.monotonic() + timeout
    try:
        state["jobmanager"] = _run_daemon_script(home, directory, state, "jobmanager.sh", JOBMANAGER_DAEMON)
        write_state(directory, state)
        for _ in range(spec.taskmanagers):
            state["taskmanagers"].append(
                _run_daemon_script(home, directory, state, "taskmanager.sh", TASKMANAGER_DAEMON)
            )
            write_state(directory, state)
        _wait_for_slots(directory, state, spec.taskmanagers, spec.taskmanagers * spec.slots, deadline, timeout)
    except BaseException:
        stop_cluster(directory)
        raise
    return ClusterInfo(
        directory=directory,
        rest_url=state["rest_url"],
        jobmanager_pid=state["jobmanager"],
        taskmanager_pids=list(state["taskmanagers"]),
        log_dir=directory / "log",
    )


def stop_cluster(directory: Path, timeout: float = 60) -> list[int]:
    """Kill the recorded JobManager and TaskManagers and all their descendants; return killed pids."""
    directory = Path(directory).resolve()
    state = read_state(directory) or {}
    roots = _recorded_pids(directory, state)
    killed = terminate_tree(roots, _marker(directory), timeout)
    pid_dir = directory / "pid"
    if pid_dir.is_dir():
        for pid_file in pid_dir.glob("flink-*.pid*"):
            pid_file.unlink(missing_ok=True)
    (directory / STATE_FILE).unlink(missing_ok=True)
    return killed


def cluster_status(directory: Path) -> ClusterStatus:
    """Which recorded processes are alive, and REST /overview when it answers."""
    directory = Path(directory).resolve()
    state = read_state(directory)
    marker = _marker(directory)
    marked = _marked_processes(marker)
    if state is None:
        return ClusterStatus(directory, False, None, None, [], stale=False, overview=None, other_pids=sorted(marked))
    jm = state.get("jobmanager")
    jm_alive = jm if jm in marked else None
    tms = [pid for pid in _taskmanager_pids(directory, state) if pid in marked]
    overview = _overview(state["rest_url"]) if jm_alive else None
    return ClusterStatus(
        directory=directory,
        running=jm_alive is not None,
        rest_url=state.get("rest_url"),
        jobmanager_pid=jm_alive,
        taskmanager_pids=tms,
        stale=jm_alive is None and not tms,
        overview=overview,
        other_pids=sorted(marked - {jm_alive, *tms}),
    )


def start_taskmanager(directory: Path, timeout: float = 60) -> int:
    """Add one TaskManager to the running cluster; wait until it registers; return its pid."""
    directory = Path(directory).resolve()
    status = cluster_status(directory)
    if not status.running:
        raise ClusterError(f"no cluster running from {directory}: start it first")
    state = read_state(directory)
    if state is None:
        raise ClusterError(f"no cluster state in {directory}: start the cluster first")
    before = set(_registered_slots(state["rest_url"]))
    pid = _run_daemon_script(flink_home(), directory, state, "taskmanager.sh", TASKMANAGER_DAEMON)
    state["taskmanagers"] = [p for p in state.get("taskmanagers", []) if process_is_ours(p, _marker(directory))] + [pid]
    write_state(directory, state)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process_is_ours(pid, _marker(directory)):
            raise ClusterError(f"TaskManager {pid} exited during startup; see {_log_file(pid, directory)}")
        registered = _registered_slots(state["rest_url"])
        overview = _overview(state["rest_url"])
        # a TaskManager registers first and reports its slots a moment later
        if set(registered) - before and overview and overview.slots_total >= sum(registered.values()):
            return pid
        time.sleep(0.5)
    kill_taskmanager(directory, pid)
    raise ClusterError(f"TaskManager {pid} did not register within {timeout:.0f} s; see {_log_file(pid, directory)}")


def kill_taskmanager(directory: Path, pid: int) -> list[int]:
    """kill -9 one TaskManager and its descendants; forget its pid; return killed pids."""
    directory = Path(directory).resolve()
    state = read_state(directory) or {}
    if pid not in _taskmanager_pids(directory, state):
        raise ClusterError(f"{pid} is not a TaskManager of the cluster in {directory}")
    killed = []
    if process_is_ours(pid, _marker(directory)):
        killed = terminate_tree([pid], marker=None, timeout=0)
    _forget_taskmanager(directory, state, pid)
    return killed


# --------------------------------------------------------------------------- configuration


def flink_config(directory: Path, spec: ClusterSpec, base: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """The flat Flink options written to <directory>/conf/config.yaml."""
    options = dict(base or {})  # the package's own options (env.java.opts.all, failover strategy, ...)
    for key in (
        "jobmanager.bind-host",
        "jobmanager.rpc.address",
        "taskmanager.bind-host",
        "taskmanager.host",
        "rest.address",
        "rest.bind-address",
    ):
        options[key] = LOOPBACK
    options.update(
        {
            "rest.port": str(spec.rest_port),
            "jobmanager.rpc.port": str(spec.rpc_port),
            "blob.server.port": str(spec.blob_port),
            "jobmanager.memory.process.size": spec.jobmanager_memory,
            "taskmanager.memory.process.size": spec.taskmanager_memory,
            "taskmanager.numberOfTaskSlots": str(spec.slots),
            "env.log.dir": str(directory / "log"),
            "env.pid.dir": str(directory / "pid"),
            "io.tmp.dirs": str(directory / "tmp"),
            "metrics.fetcher.update-interval": "1000",
            "heartbeat.interval": "1000",
            "heartbeat.timeout": "5000",
            # the worker interpreter, and its site-packages for thread mode (embedded PEMJA needs them:
            # workarounds.py [thread-mode-pythonpath])
            "python.executable": sys.executable,
            "python.pythonpath": thread_mode_pythonpath(),
            # flink-python is on the cluster's own lib/ (see _write_lib): PEMJA, the thread-mode
            # interpreter, then loads once per TaskManager instead of once per job
            # (workarounds.py [flink-python-parent-first]).
            "classloader.parent-first-patterns.additional": "pemja.",
        }
    )
    options.update({str(key): str(value) for key, value in spec.extra.items()})
    return options


def _write_conf(home: Path, directory: Path, spec: ClusterSpec) -> None:
    conf = directory / "conf"
    for sub in ("log", "pid", "tmp"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    shutil.copytree(home / "conf", conf, dirs_exist_ok=True)
    package_conf = yaml.safe_load((home / "conf" / "config.yaml").read_text()) or {}
    options = flink_config(directory, spec, _flatten(package_conf))
    header = "# Written by flink_jobs.cluster; regenerated on every start.\n"
    (conf / "config.yaml").write_text(header + yaml.safe_dump(options, sort_keys=True, width=1 << 16))
    _write_lib(home, directory)
    (conf / "masters").write_text(f"{LOOPBACK}:{spec.rest_port}\n")
    (conf / "workers").write_text(f"{LOOPBACK}\n" * spec.taskmanagers)


def _write_lib(home: Path, directory: Path) -> None:
    """<directory>/lib: links to the distribution's lib/*.jar plus opt/flink-python-*.jar.

    With flink-python only in the job's classloader, a TaskManager that ran one thread-mode job
    fails the next: PEMJA's native library is already loaded by the first job's classloader and its
    workaround reflects on a JDK field Java 17 no longer has (measured: `NoSuchFieldException:
    loadedLibraryNames` on every second submission): workarounds.py [flink-python-parent-first]."""
    lib = directory / "lib"
    shutil.rmtree(lib, ignore_errors=True)
    lib.mkdir(parents=True)
    for jar in [*sorted((home / "lib").glob("*.jar")), *sorted((home / "opt").glob("flink-python*.jar"))]:
        (lib / jar.name).symlink_to(jar)


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def _require_java() -> None:
    try:
        require_java()
    except JavaMissing as missing:
        raise ClusterError(str(missing)) from None


def _require_free_ports(spec: ClusterSpec) -> None:
    taken = [
        f"{port} ({name})"
        for name, port in (
            ("rest.port", spec.rest_port),
            ("jobmanager.rpc.port", spec.rpc_port),
            ("blob.server.port", spec.blob_port),
        )
        if not port_is_free(port)
    ]
    if taken:
        raise ClusterError(f"port {', '.join(taken)} already in use on {LOOPBACK}; choose another port")


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    """True when a server could bind host:port now (TIME_WAIT does not count, like the JVM)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


# --------------------------------------------------------------------------- scripts and state


def _ident() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name for this uid (containers)
        return str(os.getuid())


def _marker(directory: Path) -> str:
    return f"{MARKER_VARIABLE}={directory}"


def _script_env(directory: Path, state: State) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "FLINK_CONF_DIR": str(directory / "conf"),
            "FLINK_LIB_DIR": str(directory / "lib"),
            "FLINK_LOG_DIR": str(directory / "log"),
            "FLINK_PID_DIR": str(directory / "pid"),
            "FLINK_IDENT_STRING": state["ident"],
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
            MARKER_VARIABLE: str(directory),
        }
    )
    return env


def _pid_file(directory: Path, state: State, daemon: str) -> Path:
    return directory / "pid" / f"flink-{state['ident']}-{daemon}.pid"


def _read_pid_file(path: Path) -> list[int]:
    try:
        return [int(line) for line in path.read_text().split() if line.strip().isdigit()]
    except FileNotFoundError:
        return []


def _run_daemon_script(home: Path, directory: Path, state: State, script: str, daemon: str) -> int:
    """Run `bin/<script> start`; return the pid it appended to its pid file."""
    pid_file = _pid_file(directory, state, daemon)
    before = _read_pid_file(pid_file)
    script_log = directory / "log" / SCRIPT_LOG
    with open(script_log, "ab") as out:
        out.write(f"\n$ {script} start  ({time.strftime('%H:%M:%S')})\n".encode())
        out.flush()
        offset = out.tell()
        try:
            result = subprocess.run(
                ["bash", str(home / "bin" / script), "start"],
                env=_script_env(directory, state),
                cwd=directory,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C in the caller's terminal does not reach the cluster
                timeout=120,
            )
        except subprocess.TimeoutExpired:
            raise ClusterError(f"{script} start hung for 120 s; see {directory / 'log' / SCRIPT_LOG}") from None
    after = _read_pid_file(pid_file)
    new = after[len(before) :] if after[: len(before)] == before else [p for p in after if p not in before]
    if result.returncode != 0 or not new:
        cause = _first_exception(script_log, offset)
        raise ClusterError(
            f"{script} start failed (exit {result.returncode}){': ' + cause if cause else ''}; see {script_log}"
        )
    return new[-1]


def _first_exception(log: Path, offset: int) -> str:
    """The message of the first exception a script printed after offset (a config error, usually)."""
    with open(log, "rb") as text:
        text.seek(offset)
        for line in text.read().decode(errors="replace").splitlines():
            if "Exception: " in line:
                return line.split("Exception: ", 1)[1].strip()[:300]
    return ""


def read_state(directory: Path) -> Optional[State]:
    """The state.json of a cluster (or broker) directory; None when absent, {} when unreadable."""
    try:
        return json.loads((directory / STATE_FILE).read_text())
    except FileNotFoundError:
        return None
    except ValueError:
        return {}  # unreadable: stop_cluster still finds the processes by their marker


def running_server(directory: Path, marker: str) -> Optional[State]:
    """The state.json of a one-process local server (Kafka broker, Redis) started from `directory`
    while its recorded pid is still that server (carries `marker`); None otherwise."""
    state = read_state(directory)
    return state if state and process_is_ours(state.get("pid", 0), marker) else None


def stop_server(directory: Path, marker: str, timeout: float) -> list[int]:
    """Stop a one-process local server started from `directory`: its recorded pid's process tree and
    every process carrying `marker`; forget its state. Returns the stopped pids."""
    state = read_state(directory) or {}
    stopped = terminate_tree([state["pid"]] if state.get("pid") else [], marker, timeout)
    (directory / STATE_FILE).unlink(missing_ok=True)
    return stopped


def write_state(directory: Path, state: State) -> None:
    tmp = directory / (STATE_FILE + ".tmp")
    tmp.write_text(json.dumps(state, indent=2) + "\n")
    tmp.replace(directory / STATE_FILE)


def _taskmanager_pids(directory: Path, state: State) -> list[int]:
    pids = list(state.get("taskmanagers", []))
    if state.get("ident"):
        pids += [p for p in _read_pid_file(_pid_file(directory, state, TASKMANAGER_DAEMON)) if p not in pids]
    return pids


def _recorded_pids(directory: Path, state: State) -> list[int]:
    pids = [state["jobmanager"]] if state.get("jobmanager") else []
    pid_dir = directory / "pid"
    if pid_dir.is_dir():
        for pid_file in pid_dir.glob("flink-*.pid"):
            pids += _read_pid_file(pid_file)
    pids += state.get("taskmanagers", [])
    return sorted(set(pids))


def _forget_taskmanager(directory: Path, state: State, pid: int) -> None:
    pid_file = _pid_file(directory, state, TASKMANAGER_DAEMON)
    lock = os.open(directory / "pid", os.O_RDONLY)  # the lock flink-daemon.sh takes
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        remaining = [p for p in _read_pid_file(pid_file) if p != pid]
        if remaining:
            pid_file.write_text("".join(f"{p}\n" for p in remaining))
        else:
            pid_file.unlink(missing_ok=True)
    finally:
        os.close(lock)
    state["taskmanagers"] = [p for p in state.get("taskmanagers", []) if p != pid]
    write_state(directory, state)


def _log_file(pid: int, directory: Path) -> str:
    """The daemon's log file, from its -Dlog.file argument, else the log folder."""
    try:
        for arg in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0"):
            if arg.startswith(b"-Dlog.file="):
                return arg[len(b"-Dlog.file=") :].decode()
    except OSError:
        pass
    return str(directory / "log")


def _jobmanager_log(directory: Path) -> str:
    logs = sorted((directory / "log").glob(f"flink-*-{JOBMANAGER_DAEMON}-*.log"), key=lambda p: p.stat().st_mtime)
    return str(logs[-1]) if logs else str(directory / "log")


# --------------------------------------------------------------------------- REST


def _get_json(rest_url: str, path: str):
    """The JSON answer, or None while the cluster cannot answer (starting, stopping, gone)."""
    try:
        return FlinkRest(rest_url, timeout=2.0, retries=0).get(path)
    except RestError:
        return None


def _overview(rest_url: str) -> Optional[Overview]:
    data = _get_json(rest_url, "/overview")
    return Overview.from_json(data) if isinstance(data, dict) else None


def _registered_slots(rest_url: str) -> dict[str, int]:
    """Registered TaskManager ids and their slot counts, from REST /taskmanagers."""
    data = _get_json(rest_url, "/taskmanagers")
    if not isinstance(data, dict):
        return {}
    return {tm.get("id", ""): int(tm.get("slotsNumber", 0)) for tm in data.get("taskmanagers", [])}


def _wait_for_slots(
    directory: Path, state: State, taskmanagers: int, slots: int, deadline: float, timeout: float
) -> None:
    marker = _marker(directory)
    while True:
        if not process_is_ours(state["jobmanager"], marker):
            raise ClusterError(f"the JobManager exited during startup; see {_jobmanager_log(directory)}")
        for pid in state["taskmanagers"]:
            if not process_is_ours(pid, marker):
                raise ClusterError(f"TaskManager {pid} exited during startup; see {directory / 'log'}")
        overview = _overview(state["rest_url"])
        if overview and overview.taskmanagers >= taskmanagers and overview.slots_total >= slots:
            return
        if time.monotonic() >= deadline:
            seen = (
                f"{overview.taskmanagers} TaskManagers, {overview.slots_total} slots" if overview else "no REST answer"
            )
            raise ClusterError(
                f"cluster not ready after {timeout:.0f} s ({seen}; wanted {taskmanagers} TaskManagers, "
                f"{slots} slots); stopped it; see {_jobmanager_log(directory)}"
            )
        time.sleep(0.5)


# --------------------------------------------------------------------------- processes (/proc)


def _stat(pid: int) -> Optional[tuple[str, int]]:
    """(state letter, parent pid) of a live process, None when gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = raw[raw.rfind(")") + 2 :].split()
    return fields[0], int(fields[1])


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def _has_marker(pid: int, marker: str) -> bool:
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return marker.encode() in environ.split(b"\0")


def process_is_ours(pid: int, marker: str) -> bool:
    """Alive and started by us for this directory (guards against reused pids)."""
    return _alive(pid) and _has_marker(pid, marker)


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _marked_processes(marker: str) -> set[int]:
    return {pid for pid in _all_pids() if pid != os.getpid() and _has_marker(pid, marker) and _alive(pid)}


def _descendants(roots: Iterable[int]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid in _all_pids():
        stat = _stat(pid)
        if stat:
            children.setdefault(stat[1], []).append(pid)
    found, todo = set(), list(roots)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _process_tree(roots: Iterable[int], marker: Optional[str]) -> set[int]:
    """Roots that are ours, their descendants, and (with a marker) every process carrying it."""
    own_roots = {pid for pid in roots if _alive(pid) and (marker is None or _has_marker(pid, marker))}
    if marker is not None:
        own_roots |= _marked_processes(marker)
    return {pid for pid in own_roots | _descendants(own_roots) if _alive(pid) and pid != os.getpid()}


def _signal(pids: Iterable[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def terminate_tree(roots: Iterable[int], marker: Optional[str], timeout: float) -> list[int]:
    """SIGTERM the tree (SIGKILL at once when timeout is 0), wait, SIGKILL leftovers; return its pids."""
    tree = _process_tree(roots, marker)
    if not tree:
        return []
    deadline = time.monotonic() + timeout
    _signal(tree, signal.SIGTERM if timeout > 0 else signal.SIGKILL)
    while time.monotonic() < deadline:
        # children spawned meanwhile (a worker starting while we stop) join the tree
        newcomers = _process_tree([p for p in tree if _alive(p)], marker) - tree
        if newcomers:
            tree |= newcomers
            _signal(newcomers, signal.SIGTERM)
        if not any(_alive(p) for p in tree):
            break
        time.sleep(0.1)
    for _ in range(50):  # 5 s
        leftovers = [p for p in tree if _alive(p)]
        leftovers += _process_tree(leftovers, marker) - tree
        if not leftovers:
            break
        tree |= set(leftovers)
        _signal(leftovers, signal.SIGKILL)
        time.sleep(0.1)
    still = [p for p in tree if _alive(p)]
    if still:
        raise ClusterError(f"processes {sorted(still)} survived SIGKILL")
    return sorted(tree)
