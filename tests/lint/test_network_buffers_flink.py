"""FL203's buffer arithmetic against Flink itself: the same configuration on the embedded
MiniCluster (one TaskManager, all channels local), at the parallelism where FL203 says it just
fits and one above, where it says it does not. Flink must agree both times."""

import subprocess
import sys
import textwrap

import pytest

from flink_lint.documents import read_file
from flink_lint.model import RuleContext
from flink_lint.rules.config import network_buffers_insufficient as fl203

NETWORK = "32mb"  # 1024 buffers of 32 kb

JOB = textwrap.dedent("""
    import sys
    from pyflink.common import Configuration, WatermarkStrategy
    from pyflink.datastream import StreamExecutionEnvironment
    from pyflink.datastream.connectors.number_seq import NumberSequenceSource

    conf = Configuration()
    conf.set_string("parallelism.default", sys.argv[1])
    conf.set_string("taskmanager.memory.network.min", sys.argv[2])
    conf.set_string("taskmanager.memory.network.max", sys.argv[2])
    env = StreamExecutionEnvironment.get_execution_environment(conf)
    env.from_source(NumberSequenceSource(0, 10), WatermarkStrategy.no_watermarks(), "numbers").rebalance().print()
    try:
        env.execute("network-buffers")
        print("STARTED")
    except Exception as error:
        print("INSUFFICIENT" if "Insufficient number of network buffers" in str(error) else f"OTHER {error}")
""")


def fl203_says_it_fits(parallelism: int) -> bool:
    text = (
        f"job:\n  name: demo\nflink:\n  parallelism.default: {parallelism}\n"
        f"  taskmanager.memory.network.min: {NETWORK}\n  taskmanager.memory.network.max: {NETWORK}\n"
    )
    (config,), problems = read_file("job.yaml", text, kind="job-config")
    assert problems == []
    return not list(fl203.check(config, RuleContext(flink_version="2.3")))


def flink_starts(parallelism: int, tmp_path) -> bool:
    script = tmp_path / "job.py"
    script.write_text(JOB)
    result = subprocess.run(
        [sys.executable, str(script), str(parallelism), NETWORK], capture_output=True, text=True, timeout=300
    )
    verdict = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-500:]
    assert verdict in ("STARTED", "INSUFFICIENT"), verdict
    return verdict == "STARTED"


@pytest.mark.flink
@pytest.mark.parametrize("parallelism", [31, 32])
def test_fl203_agrees_with_flink_on_the_minicluster(parallelism, tmp_path):
    assert fl203_says_it_fits(parallelism) == flink_starts(parallelism, tmp_path)
    assert fl203_says_it_fits(parallelism) == (parallelism == 31)  # the boundary: 31 x 33 = 1023 <= 1024
