"""What the fault tests ask a standalone cluster's REST API while they wait: 0 or False while it
cannot answer (restarting, a TaskManager gone)."""
from flink_jobs.rest import FlinkRest, RestError


def completed_checkpoints(rest_url: str, job_id: str) -> int:
    try:
        return FlinkRest(rest_url).get(f"/jobs/{job_id}/checkpoints")["counts"]["completed"]
    except (RestError, KeyError, TypeError):
        return 0


def all_tasks_running(rest_url: str, job_id: str) -> bool:
    """The job runs and so do all its tasks (a finished source task counts as running)."""
    try:
        job = FlinkRest(rest_url).get(f"/jobs/{job_id}")
    except RestError:
        return False
    return job["state"] == "RUNNING" and all(v["status"] == "RUNNING" for v in job["vertices"]
                                               if v["status"] != "FINISHED")
