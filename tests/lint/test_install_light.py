"""flink-lint installs without the `jobs` extra (no apache-flink) and finds its data when installed
from a wheel, as pre-commit installs it."""
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*command, cwd=None):
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_the_wheel_lints_without_pyflink(tmp_path):
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp_path / "dist", ROOT)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("flink_jobpack-*.whl")
    venv.create(tmp_path / "env", with_pip=True)
    python = tmp_path / "env" / "bin" / "python"
    installed = run(python, "-m", "pip", "install", "--quiet", wheel)
    assert installed.returncode == 0, installed.stderr
    assert run(python, "-c", "import pyflink").returncode != 0, "the base install has no apache-flink"

    config = tmp_path / "job.yaml"
    config.write_text((ROOT / "configs" / "windowed-counts.yaml").read_text()
                      + "  state.backend: rocksdb\n")  # a deprecated key
    linted = run(tmp_path / "env" / "bin" / "flink-lint", "--format", "json", config, cwd=tmp_path)
    assert linted.returncode == 1, linted.stdout + linted.stderr
    assert '"name": "deprecated-key"' in linted.stdout and '"rule": "FL102"' in linted.stdout
    clean = run(tmp_path / "env" / "bin" / "flink-lint", ROOT / "configs", cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
