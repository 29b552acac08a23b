"""flink-jobs redis start|status|load-profiles|stop as a user runs them: a real redis-server on
loopback, its own directory and pid, stopped by that pid, port free afterwards."""

import redis

from flink_jobs.cluster import port_is_free, read_state
from flink_jobs.redis_store import ProfileSpec, profiles
from processes import alive, flink_jobs, free_ports


def test_start_load_status_stop(tmp_path):
    (port,) = free_ports(1)
    options = ["--dir", str(tmp_path / "redis"), "--port", str(port)]
    started = flink_jobs("redis", "start", *options)
    assert started.returncode == 0, started.stderr
    pid = read_state(tmp_path / "redis")["pid"]
    try:
        assert alive(pid) and f"redis-server {pid}, 127.0.0.1:{port}" in started.stdout
        again = flink_jobs("redis", "start", *options)
        assert again.returncode == 2 and again.stderr.startswith("error: a Redis server from ")
        assert flink_jobs("redis", "status", *options).stdout.startswith(f"running: pid {pid}")

        loaded = flink_jobs("redis", "load-profiles", *options, "--set", "job.events.keys=50")
        assert loaded.returncode == 0, loaded.stderr
        stored = profiles(ProfileSpec(keys=50))
        assert loaded.stdout.startswith(f"loaded {len(stored)} profiles (profile:k0..k49); {50 - len(stored)} keys")
        client = redis.Redis(port=port)
        try:
            assert {k.decode() for k in client.keys("profile:*")} == {f"profile:{key}" for key in stored}
        finally:
            client.close()
    finally:
        stopped = flink_jobs("redis", "stop", *options)
    assert stopped.returncode == 0 and stopped.stdout.strip() == f"stopped: redis-server {pid}"
    assert not alive(pid) and port_is_free(port)
    status = flink_jobs("redis", "status", *options)
    assert status.returncode == 1 and status.stdout.startswith("not running")
    unreachable = flink_jobs("redis", "load-profiles", *options)
    assert unreachable.returncode == 2 and unreachable.stderr.startswith(f"error: redis 127.0.0.1:{port}: ")
    assert "Traceback" not in unreachable.stderr
