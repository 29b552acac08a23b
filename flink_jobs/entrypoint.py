"""The program that `flink run -py` runs on the client when a pack job is submitted to a cluster.

It builds the job exactly as `flink-jobs run` does (same config, same code) and attaches the
configured sink; `flink run -d` returns once the job is submitted.
"""

from __future__ import annotations

import json
import sys

from flink_jobs.config import ConfigError, load_job_config
from flink_jobs.jobs import UnknownJob, job_info
from flink_jobs.runtime import build_pipeline, create_environment


def main(argv=None) -> int:
    # One JSON argument: `flink run` matches long options by prefix (`--job` would be taken for
    # its own `--jobmanager`), and it stops parsing at the first argument that is not an option.
    argv = sys.argv[1:] if argv is None else argv
    try:
        request = json.loads(argv[0])
        job = job_info(request["job"])
        config = load_job_config(request["config"], request.get("overrides", []), job_name=job.name)
    except (IndexError, ValueError, KeyError) as error:
        print(f"error: expected one JSON argument with job, config, overrides: {error}", file=sys.stderr)
        return 2
    except (UnknownJob, ConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    from flink_jobs import sinks

    env = create_environment(config, request.get("python_options", {}))
    sinks.attach(build_pipeline(env, job, config), config.settings.sink)
    env.execute(config.settings.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
