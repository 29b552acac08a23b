"""The program that `flink run -py` runs on the client when a pack job is submitted to a cluster.

It builds the job exactly as `flink-jobs run` does (same config, same code) and attaches the
configured sink; `flink run -d` returns once the job is submitted.
"""
from __future__ import annotations

import argparse
import sys

from flink_jobs.config import ConfigError, load_job_config
from flink_jobs.jobs import UnknownJob, job_info
from flink_jobs.runtime import build_pipeline, create_environment


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="flink_jobs.entrypoint")
    parser.add_argument("--job", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--python-option", action="append", default=[], help="KEY=VALUE for python.* options")
    args = parser.parse_args(argv)
    try:
        job = job_info(args.job)
        config = load_job_config(args.config, args.overrides, job_name=job.name)
    except (UnknownJob, ConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    from flink_jobs import sinks

    python_options = dict(option.split("=", 1) for option in args.python_option)
    env = create_environment(config, python_options)
    sinks.attach(build_pipeline(env, job, config), config.settings.sink)
    env.execute(config.settings.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
