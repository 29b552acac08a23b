"""The flink-lint pre-commit hook, run for real: a git repository in tmp_path whose
`.pre-commit-config.yaml` points at this repository (`repo:` its path, `rev:` its HEAD commit), and
`pre-commit run --all-files`. pre-commit clones that commit and builds the hook environment with pip
from PyPI, so the test checks the committed `.pre-commit-hooks.yaml` and code, as CI and users get
them (uncommitted changes in this tree are not seen). One hook environment is built for the module
(PRE_COMMIT_HOME is a module-scoped folder under the pytest tmp root: nothing outside is touched)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A Flink 2.x config.yaml with a key 2.x no longer reads: FL103 removed-key, a warning (Flink ignores
# it silently) that fails the default gate, on line 2.
BROKEN_CONFIG = "parallelism.default: 2\ntaskmanager.heap.size: 4096m\n"
FIXED_CONFIG = "parallelism.default: 2\ntaskmanager.memory.process.size: 4096m\n"
# YAML that is not a Flink configuration: recognised and skipped by the hook.
NOT_FLINK = """\
name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
"""


def git(*args, cwd, env=None):
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True, timeout=120
    ).stdout.strip()


@pytest.fixture(scope="module")
def hook_rev():
    try:
        return git("rev-parse", "HEAD", cwd=ROOT)
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"{ROOT} is not a git checkout with a commit: {error}")


@pytest.fixture(scope="module")
def precommit_env(tmp_path_factory):
    """Environment for git and pre-commit: caches and identities inside the tmp root, no GIT_* of
    a surrounding git hook (they would point git at this repository instead of the test's)."""
    home = tmp_path_factory.mktemp("precommit-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        {
            "PRE_COMMIT_HOME": str(home / "pre-commit"),
            "VIRTUALENV_OVERRIDE_APP_DATA": str(home / "virtualenv"),
            "PIP_CACHE_DIR": str(home / "pip"),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": "flink-lint test",
            "GIT_AUTHOR_EMAIL": "test@example.invalid",
            "GIT_COMMITTER_NAME": "flink-lint test",
            "GIT_COMMITTER_EMAIL": "test@example.invalid",
            "NO_COLOR": "1",
        }
    )
    return env


@pytest.fixture
def make_repo(tmp_path, hook_rev, precommit_env):
    def make(files: dict[str, str]) -> Path:
        repo = tmp_path / "repo"
        repo.mkdir()
        git("init", "--quiet", cwd=repo, env=precommit_env)
        (repo / ".pre-commit-config.yaml").write_text(
            f"repos:\n  - repo: {ROOT}\n    rev: {hook_rev}\n    hooks:\n      - id: flink-lint\n"
        )
        for name, text in files.items():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_text(text)
        commit(repo, precommit_env, "initial")
        return repo

    return make


def commit(repo, env, message):
    git("add", "--all", cwd=repo, env=env)
    git("commit", "--quiet", "--allow-empty", "-m", message, cwd=repo, env=env)


def pre_commit_run(repo, env):
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.returncode, done.stdout + done.stderr


def test_the_hook_reports_a_finding_and_passes_once_fixed(make_repo, precommit_env):
    repo = make_repo({"conf/config.yaml": BROKEN_CONFIG})

    code, output = pre_commit_run(repo, precommit_env)
    assert code == 1, output
    assert "conf/config.yaml:2:1: FL103 removed-key [warning]" in output, output
    assert "taskmanager.heap.size" in output, output

    (repo / "conf" / "config.yaml").write_text(FIXED_CONFIG)
    commit(repo, precommit_env, "fix the config")
    code, output = pre_commit_run(repo, precommit_env)
    assert code == 0, output
    assert "FL103" not in output and "Passed" in output, output


def test_the_hook_skips_yaml_that_is_not_flink(make_repo, precommit_env):
    repo = make_repo({".github/workflows/ci.yaml": NOT_FLINK, "notes.yaml": "a: 1\nb: [2, 3]\n"})

    code, output = pre_commit_run(repo, precommit_env)
    assert code == 0, output
    assert "Passed" in output, output
