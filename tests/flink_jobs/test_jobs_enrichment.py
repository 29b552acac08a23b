"""enrichment on the real embedded Flink against a real redis-server, slowed by a latency proxy.

The expected profile of every event comes from the loader's deterministic profiles
(flink_jobs.redis_store.profiles), never from the job's output. Nothing here asserts on time: the
limits are checked on the wire (the proxy counts the MGETs and keys in flight) and rates printed.
"""

import json

import pytest

import reference
from flink_jobs.cluster import port_is_free
from flink_jobs.redis_store import ProfileSpec, RedisSpec, load_profiles, profiles, start_redis, stop_redis
from latency_proxy import LatencyProxy
from processes import alive, free_ports

pytestmark = pytest.mark.flink

PREFIX = "profile:"
FALLBACK = '{"segment":"unknown"}'


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    """A redis-server of `flink-jobs redis start`, on a free port, with the profiles of 100 keys."""
    (port,) = free_ports(1)
    directory = tmp_path_factory.mktemp("redis")
    info = start_redis(RedisSpec(directory=directory, port=port))
    try:
        load_profiles("127.0.0.1", port, PREFIX, ProfileSpec(keys=100))
        yield port
    finally:
        assert info.pid in stop_redis(directory) and not alive(info.pid), "stopped by its pid"
        assert port_is_free(port)


def run_enrichment(run_job, port: int, count: int, *overrides):
    return run_job(
        "enrichment",
        f"job.events.count={count}",
        f"job.store.port={port}",
        "job.events.key-skew=0.5",
        *overrides,
    )


def check_against_reference(config, records, allow_fallback: bool) -> dict:
    """Every event exactly once, with the store's profile, or none when it has none, or (where
    allowed) the fallback. Returns the count of each status."""
    spec = config.settings.events
    expected = reference.enrichment(spec.events(), profiles(ProfileSpec(keys=spec.keys)))
    assert sorted(r["seq"] for r in records) == list(range(spec.count)), "every event once"
    statuses: dict = {}
    for record in records:
        key, profile = expected[record["seq"]]
        assert (record["key"], record["value"], record["event_time"]) == tuple(spec.event(record["seq"]))[:3]
        status = record["status"]
        statuses[status] = statuses.get(status, 0) + 1
        if status == "fallback":
            assert allow_fallback and record["profile"] == FALLBACK, record
        elif profile is None:
            assert (status, record["profile"]) == ("missing", None), record
        else:
            assert (status, record["profile"]) == ("enriched", profile), record
    return statuses


def test_every_event_gets_the_store_profile_through_a_slow_store(run_job, redis_port):
    # 20 ms per request, capacity 100: lookups coalesce into MGETs; in flight never above capacity.
    # No lookup may time out here (the next test is about timeouts): a timeout far above the 20 ms,
    # as the shipped 1 s is not on a machine loaded enough to stall the Python worker for a second.
    with LatencyProxy(redis_port, delay=0.020) as proxy:
        config, result = run_enrichment(run_job, proxy.port, 8000, "job.store.capacity=100", "job.store.timeout=30s")
    statuses = check_against_reference(config, result.outputs["enriched"], allow_fallback=False)
    traffic = proxy.traffic
    print(
        f"{statuses}; {traffic.mgets} MGETs, {traffic.keys / traffic.mgets:.1f} keys each; "
        f"at most {traffic.max_mgets_in_flight} MGETs ({traffic.max_in_flight} requests) and "
        f"{traffic.max_keys_in_flight} keys in flight; "
        f"{8000 / result.seconds:,.0f} events/s including start-up (ideal 100 / 20 ms = 5,000)"
    )
    assert statuses["missing"] > 0 and statuses["enriched"] > 0
    assert traffic.max_keys_in_flight <= 100, "never more lookups in flight than the capacity"
    assert traffic.max_mgets_in_flight <= 8, "never more MGETs in flight than max-batches"
    assert traffic.keys < 8000 and traffic.keys / traffic.mgets > 2, "in-flight lookups were coalesced"


def test_timeouts_give_the_fallback_and_the_job_finishes(run_job, redis_port):
    # Every request 400 ms late, timeout 100 ms: every event gets the fallback, the job goes on.
    with LatencyProxy(redis_port, delay=0.4) as proxy:
        config, result = run_enrichment(run_job, proxy.port, 600, "job.store.timeout=100ms")
    statuses = check_against_reference(config, result.outputs["enriched"], allow_fallback=True)
    print(statuses, proxy.traffic)
    assert statuses == {"fallback": 600}


def test_a_store_that_goes_away_gives_the_fallback_and_the_job_finishes(run_job, redis_port):
    # The proxy closes every connection and stops listening after its 30th request: the events
    # looked up before are exact, the others get the fallback; the job does not fail.
    proxy = LatencyProxy(redis_port, delay=0.005)
    proxy.go_away_after(30)
    try:
        config, result = run_enrichment(run_job, proxy.port, 4000, "job.store.timeout=300ms")
    finally:
        proxy.close()
    statuses = check_against_reference(config, result.outputs["enriched"], allow_fallback=True)
    print(statuses, proxy.traffic)
    assert statuses["fallback"] > 0 and statuses.get("enriched", 0) > 0


def test_load_profiles_is_deterministic_with_keys_missing_on_purpose(redis_port):
    import redis

    stored = profiles(ProfileSpec(keys=100))
    assert 0 < 100 - len(stored) < 30 and stored == profiles(ProfileSpec(keys=100))
    client = redis.Redis(port=redis_port)
    try:
        values = client.mget([PREFIX + f"k{i}" for i in range(100)])
    finally:
        client.close()
    assert {f"k{i}": v.decode() for i, v in enumerate(values) if v is not None} == stored
    assert all(set(json.loads(p)) == {"segment", "region", "score"} for p in stored.values())
