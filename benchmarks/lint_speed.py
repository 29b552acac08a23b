"""How fast is flink-lint? Prints figures and ratios; asserts nothing.

    .venv/bin/python benchmarks/lint_speed.py [--files 1000] [--repeat 3] [--only code]

1. 1,000 generated job configs (configs/*.yaml style): `flink-lint` (all rules, incl. the JSON
   Schema check) against `check-jsonschema --schemafile schemas/job-config.schema.json` on the same
   files, in the same run: the ratio is check-jsonschema time / flink-lint time.
2. 1,000 generated configurations of every kind (config.yaml, flink-conf.yaml, FlinkDeployment,
   ConfigMap, job config).
3. 1,000 generated PyFlink job files (*.py: DataStream windows and keyed state, Table API SQL),
   every code rule; and 1,000 copies of the public job files of tests/lint/realworld/ (when fetched:
   tests/lint/realworld/fetch.py), cycled.
4. A single file from a cold start (a new process, as pre-commit runs it).
Each figure is the best wall time of --repeat runs, pinned to one core when `taskset` exists, with
the CPU time the linter process used (the figure to trust on a loaded machine).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schemas" / "job-config.schema.json"
BIN = Path(sys.executable).parent

JOB = """# generated job config {i}
job:
  name: job-{i}
  source:
    type: generator
  events:
    count: {count}
    seed: {i}
    keys: {keys}
    interval: 10 ms
  window:
    size: {window} s
    allowed-lateness: 0 s
  sink:
    type: collect
flink:
  parallelism.default: {parallelism}
  taskmanager.numberOfTaskSlots: 2
  execution.checkpointing.interval: 10 s
  state.backend.type: hashmap
  restart-strategy.type: fixed-delay
"""
CONFIG_YAML = """taskmanager:
  numberOfTaskSlots: {slots}
  memory:
    process.size: 4g
jobmanager.memory.process.size: 2g
parallelism.default: {parallelism}
state.backend.type: rocksdb
execution.checkpointing.interval: {interval}s
execution.checkpointing.dir: s3://bucket/checkpoints/{i}
"""
FLINK_CONF = """jobmanager.rpc.address: jm-{i}
taskmanager.numberOfTaskSlots: {slots}
taskmanager.memory.process.size: 4g
jobmanager.memory.process.size: 2g
parallelism.default: {parallelism}
state.backend: rocksdb
state.checkpoints.dir: s3://bucket/checkpoints/{i}
"""
DEPLOYMENT = """apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata:
  name: app-{i}
spec:
  flinkVersion: v1_20
  flinkConfiguration:
    taskmanager.numberOfTaskSlots: "{slots}"
    execution.checkpointing.interval: {interval}s
    execution.checkpointing.dir: s3://bucket/checkpoints/{i}
  jobManager:
    resource: {{memory: "2048m", cpu: 1}}
  taskManager:
    replicas: 2
    resource: {{memory: "4096m", cpu: 2}}
  job:
    jarURI: local:///opt/flink/job.jar
    parallelism: {parallelism}
    upgradeMode: stateless
"""
CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: flink-config-{i}
data:
  flink-conf.yaml: |
    taskmanager.numberOfTaskSlots: {slots}
    taskmanager.memory.process.size: 4g
    jobmanager.memory.process.size: 2g
    parallelism.default: {parallelism}
"""

JOB_PY = '''"""generated job {i}: events -> watermarks -> key_by -> window -> aggregate; SQL enrichment."""
from pyflink.common import Duration, Types, WatermarkStrategy
from pyflink.common.time import Time
from pyflink.datastream import KeyedProcessFunction, StreamExecutionEnvironment
from pyflink.datastream.functions import AggregateFunction, ProcessWindowFunction
from pyflink.datastream.state import StateTtlConfig, ValueStateDescriptor
from pyflink.datastream.window import {assigner}
from pyflink.table import StreamTableEnvironment


class Count{i}(AggregateFunction):
    def create_accumulator(self):
        return 0

    def add(self, value, accumulator):
        return accumulator + value[1]

    def get_result(self, accumulator):
        return accumulator

    def merge(self, a, b):
        return a + b


class Bounds{i}(ProcessWindowFunction):
    def process(self, key, context, counts):
        yield key, context.window().start, context.window().end, next(iter(counts))


class Latest{i}(KeyedProcessFunction):
    def open(self, runtime_context):
        descriptor = ValueStateDescriptor("latest", Types.LONG())
        descriptor.enable_time_to_live(StateTtlConfig.new_builder(Time.hours({keys})).build())
        self.latest = runtime_context.get_state(descriptor)

    def process_element(self, value, ctx):
        self.latest.update(value[2])
        yield value[0], value[2]


def build(env, events):
    strategy = WatermarkStrategy.for_bounded_out_of_orderness(Duration.of_millis({count})) \\
        .with_idleness(Duration.of_seconds(30)).with_timestamp_assigner(EventTime())
    keyed = events.assign_timestamps_and_watermarks(strategy).key_by(lambda e: e[0], key_type=Types.STRING())
    windows = keyed.window({assigner}.of(Time.seconds({window}))).aggregate(Count{i}(), Bounds{i}())
    latest = keyed.process(Latest{i}()).name("latest-{i}").set_parallelism({parallelism})
    return windows, latest


def main():
    env = StreamExecutionEnvironment.get_execution_environment()
    env.set_parallelism({parallelism})
    env.enable_checkpointing({interval}000)
    t_env = StreamTableEnvironment.create(env)
    t_env.execute_sql(f"""
        INSERT INTO enriched_{i}
        SELECT o.id, c.tier FROM orders_{i} AS o
        JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer = c.id
    """)
'''


def values(i: int) -> dict:
    return dict(
        i=i,
        count=1000 + i,
        keys=1 + i % 100,
        window=1 + i % 60,
        parallelism=1 + i % 4,
        slots=1 + i % 4,
        interval=5 + i % 60,
        assigner=("TumblingEventTimeWindows", "TumblingProcessingTimeWindows")[i % 2],
    )


def generate(directory: Path, files: int, mixed: bool, code: bool = False) -> list:
    directory.mkdir(parents=True)
    kinds = [("code", JOB_PY, "job_{i}.py")] if code else [("job", JOB, "job-{i}.yaml")]
    if mixed:
        kinds += [
            ("conf", CONFIG_YAML, "{i}/config.yaml"),
            ("legacy", FLINK_CONF, "{i}/flink-conf.yaml"),
            ("k8s", DEPLOYMENT, "deploy-{i}.yaml"),
            ("cm", CONFIGMAP, "cm-{i}.yaml"),
        ]
    paths = []
    for i in range(files):
        _, template, name = kinds[i % len(kinds)]
        path = directory / name.format(i=i)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**values(i)))
        paths.append(str(path))
    return paths


def best(command: list, repeat: int) -> float:
    return best_with_cpu(command, repeat)[0]


def best_with_cpu(command: list, repeat: int) -> tuple:
    """(best wall time, best CPU time of the child) over `repeat` runs."""
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(pin + command, capture_output=True, text=True, cwd=ROOT)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if result.returncode not in (0, 1):
            sys.exit(f"failed ({result.returncode}): {' '.join(command[:3])} ...\n{result.stderr[-2000:]}")
    return min(walls), min(cpus)


REALWORLD = ROOT / "tests" / "lint" / "realworld" / ".cache"


def copy_realworld(directory: Path, files: int) -> int:
    """1,000 files cycled from the fetched public job files; 0 when none were fetched."""
    sources = sorted(REALWORLD.rglob("*.py")) if REALWORLD.is_dir() else []
    if not sources:
        return 0
    directory.mkdir(parents=True)
    for i in range(files):
        shutil.copyfile(sources[i % len(sources)], directory / f"job_{i}.py")
    return len(sources)


def code_figures(flink_lint: list, temporary: str, files: int, repeat: int) -> None:
    generate(Path(temporary) / "code", files, mixed=False, code=True)
    wall, cpu = best_with_cpu(flink_lint + ["--exit-zero", "--format", "json", str(Path(temporary) / "code")], repeat)
    print(f"flink-lint, {files} PyFlink job files (*.py, code rules): {wall:6.3f} s wall, {cpu:6.3f} s CPU")
    distinct = copy_realworld(Path(temporary) / "realworld", files)
    if distinct:
        command = flink_lint + ["--exit-zero", "--format", "json", str(Path(temporary) / "realworld")]
        wall, cpu = best_with_cpu(command, repeat)
        print(f"flink-lint, {files} public job files ({distinct} distinct):   {wall:6.3f} s wall, {cpu:6.3f} s CPU")
    else:
        print("public job files not fetched (tests/lint/realworld/fetch.py): no real-file figure")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["code"], help="only the PyFlink job file figures")
    args = parser.parse_args()
    flink_lint = [str(BIN / "flink-lint")]
    if args.only == "code":
        with tempfile.TemporaryDirectory(prefix="lint-speed-") as temporary:
            print(f"{args.files} files per set, best of {args.repeat}; Python {sys.version.split()[0]}")
            code_figures(flink_lint, temporary, args.files, args.repeat)
        return
    check_jsonschema = shutil.which("check-jsonschema", path=str(BIN)) or shutil.which("check-jsonschema")
    with tempfile.TemporaryDirectory(prefix="lint-speed-") as temporary:
        jobs = generate(Path(temporary) / "jobs", args.files, mixed=False)
        generate(Path(temporary) / "mixed", args.files, mixed=True)
        single = jobs[0]
        print(
            f"{args.files} files per set, best of {args.repeat}, "
            f"{'pinned to one core' if shutil.which('taskset') else 'not pinned'}; Python {sys.version.split()[0]}"
        )
        lint_jobs = best(flink_lint + ["--exit-zero", "--format", "json", str(Path(temporary) / "jobs")], args.repeat)
        print(f"flink-lint, {args.files} job configs (all rules + JSON Schema): {lint_jobs:6.3f} s")
        if check_jsonschema:
            cj = best([check_jsonschema, "--schemafile", str(SCHEMA)] + jobs, args.repeat)
            print(f"check-jsonschema, same {args.files} files, same schema:        {cj:6.3f} s")
            print(f"ratio check-jsonschema / flink-lint:                     {cj / lint_jobs:6.2f}x")
        else:
            print("check-jsonschema not installed (pip install -e '.[dev]'): no ratio")
        mixed = best(flink_lint + ["--exit-zero", "--format", "json", str(Path(temporary) / "mixed")], args.repeat)
        print(f"flink-lint, {args.files} mixed configs (5 kinds):            {mixed:6.3f} s")
        code_figures(flink_lint, temporary, args.files, args.repeat)
        cold = best(flink_lint + ["--exit-zero", single], max(args.repeat, 5))
        print(f"flink-lint, one file, cold start:                        {cold * 1000:6.0f} ms")
        if check_jsonschema:
            cold_cj = best([check_jsonschema, "--schemafile", str(SCHEMA), single], max(args.repeat, 5))
            print(f"check-jsonschema, one file, cold start:                  {cold_cj * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
