import pytest

from flink_jobs.config import default_config_path, load_job_config
from flink_jobs.jobs import job_info
from flink_jobs.runtime import run_local


@pytest.fixture(scope="session")
def run_job():
    """Run a pack job on the embedded local Flink with config overrides; returns RunResult."""

    def run(job_name: str, *overrides: str, config_path=None):
        job = job_info(job_name)
        config = load_job_config(str(config_path or default_config_path(job_name)), list(overrides), job.name)
        return config, run_local(job, config, progress_every=0)

    return run
