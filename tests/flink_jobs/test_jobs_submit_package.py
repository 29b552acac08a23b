"""The zip `flink-jobs submit` ships with `-pyfs`: the pack's code under its import names, so the
client (flink_jobs.config imports the linter) and the workers import it from the zip alone."""

import subprocess
import sys
import zipfile

from flink_jobs.submit import package_zip


def test_the_shipped_zip_holds_flink_jobs_flink_lint_and_the_schemas(tmp_path):
    shipped = package_zip(tmp_path)
    names = zipfile.ZipFile(shipped).namelist()
    assert {name.split("/")[0] for name in names} == {"flink_jobs", "flink_lint", "schemas", "configs"}
    assert {
        "flink_jobs/config.py",
        "flink_lint/cli.py",
        "flink_lint/rules/config/schema.py",
        "configs/windowed-counts.yaml",
        "configs/running-totals.yaml",
    } <= set(names)


def test_the_pack_imports_from_the_shipped_zip(tmp_path):
    shipped = package_zip(tmp_path)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import flink_jobs.config, flink_lint.cli; "
        "print(flink_jobs.config.__file__); print(flink_lint.cli.__file__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(shipped)], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert all(line.startswith(str(shipped)) for line in result.stdout.splitlines()), result.stdout
