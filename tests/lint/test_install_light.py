"""flink-lint installs without the `jobs` extra (no apache-flink) and finds its data when installed
from a wheel, as pre-commit installs it; the wheel's packages are flink_jobs and flink_lint (the lint/
folder), never a top-level `lint`, which is another PyPI package's name."""

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]


def run(*command, cwd=None):
    return subprocess.run([str(c) for c in command], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_the_wheel_lints_without_pyflink(tmp_path):
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", tmp_path / "dist", ROOT)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("flink_jobpack-*.whl")
    top_level = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist() if "/" in name}
    assert {"flink_jobs", "flink_lint"} <= top_level and "lint" not in top_level, (
        f"{sorted(top_level)} (a `lint` left from before the rename? remove build/lib/lint)"
    )
    venv.create(tmp_path / "env", with_pip=True)
    python = tmp_path / "env" / "bin" / "python"
    installed = run(python, "-m", "pip", "install", "--quiet", wheel)
    assert installed.returncode == 0, installed.stderr
    assert run(python, "-c", "import pyflink").returncode != 0, "the base install has no apache-flink"
    assert run(python, "-c", "import flink_lint.cli", cwd=tmp_path).returncode == 0
    assert run(python, "-c", "import lint", cwd=tmp_path).returncode != 0, "no top-level `lint` installed"

    config = tmp_path / "job.yaml"
    config.write_text(
        (ROOT / "configs" / "windowed-counts.yaml").read_text() + "  state.backend: rocksdb\n"
    )  # a deprecated key
    linted = run(tmp_path / "env" / "bin" / "flink-lint", "--format", "json", config, cwd=tmp_path)
    assert linted.returncode == 1, linted.stdout + linted.stderr
    assert '"name": "deprecated-key"' in linted.stdout and '"rule": "FL102"' in linted.stdout
    clean = run(tmp_path / "env" / "bin" / "flink-lint", ROOT / "configs", cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_every_package_folder_is_in_the_wheel():
    """pyproject.toml lists the packages by name (lint/ installs as flink_lint): a new folder is listed."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    folders = {
        "flink_jobs": ROOT / "flink_jobs",
        **{name: ROOT / folder for name, folder in setuptools["package-dir"].items()},
    }
    found = {
        ".".join((top, *init.parent.relative_to(folder).parts))
        for top, folder in folders.items()
        for init in folder.rglob("__init__.py")
    }
    assert sorted(setuptools["packages"]) == sorted(found)
