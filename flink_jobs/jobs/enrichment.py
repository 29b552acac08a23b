"""enrichment: each event gets its key's profile, looked up in Redis without blocking the stream.

    events --> AsyncDataStream.unordered_wait(LookupProfiles, capacity) --> enriched
                 lookups in flight together --> one MGET (at most max-batches MGETs in flight)
                 profile found   --> status "enriched"
                 no profile      --> status "missing", profile null  (metric missingProfiles)
                 timeout / error --> status "fallback", the fallback profile
                                     (metrics lookupTimeouts / storeErrors; the job goes on)

`capacity` bounds the lookups in flight per subtask: a slow store turns into backpressure on the
source, not into memory growth. Throughput is at most capacity / store latency per subtask; the
lookups that wait while `max-batches` MGETs are out go together in the next one.

PyFlink runs AsyncFunction only in process mode (workarounds.py [async-function-process-mode]),
and the job times its lookups itself (workarounds.py [async-timeout-timer-per-record]).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import redis.asyncio as aioredis
from pyflink.common import Row, Time, Types
from pyflink.datastream import DataStream
from pyflink.datastream.async_data_stream import AsyncDataStream
from pyflink.datastream.functions import AsyncFunction
from redis.exceptions import RedisError

from flink_jobs.events import EVENT_FIELDS, KEY

if TYPE_CHECKING:  # job modules run on TaskManagers: no config/YAML imports there
    from flink_jobs.config import JobSettings, StoreSettings

ENRICHED, MISSING, FALLBACK = "enriched", "missing", "fallback"
# The job's metrics: events looked up, without a profile, timed out, failed; MGETs and their keys;
# the most lookups ever in flight at once (at most the capacity).
COUNTS = ("lookedUp", "missingProfiles", "lookupTimeouts", "storeErrors", "mgetBatches", "mgetKeys", "maxInFlight")


def enriched_type():
    names = [*EVENT_FIELDS, "profile", "status"]
    return Types.ROW_NAMED(names, [Types.STRING(), Types.LONG(), Types.LONG(), Types.LONG()] + [Types.STRING()] * 2)


class LookupProfiles(AsyncFunction):
    def __init__(self, store: StoreSettings):
        self.store = store

    def open(self, runtime_context):
        # Counts as gauges: lookups complete on PyFlink's event-loop thread, where a Counter's
        # increments are lost (workarounds.py [async-metrics-gauges]).
        self.counts = dict.fromkeys(COUNTS, 0)
        self.in_flight = 0
        metrics = runtime_context.get_metrics_group()
        for name in COUNTS:
            metrics.gauge(name, lambda name=name: self.counts[name])
        self.client = None  # made in the event loop that runs the lookups (PyFlink's own thread)
        self.pending: dict[str, list[asyncio.Future[Any]]] = {}  # key -> the lookups waiting for the next MGET
        self.batches_in_flight = 0
        self.flush_scheduled = False

    def close(self):
        if self.client is not None:
            # the event loop has stopped: drop the connections without awaiting them
            self.client.connection_pool.reset()

    async def async_invoke(self, event):
        counts = self.counts
        self.in_flight += 1
        counts["maxInFlight"] = max(counts["maxInFlight"], self.in_flight)
        try:
            status, profile = await self.lookup(event[KEY])
        finally:
            self.in_flight -= 1
        counts["lookedUp"] += 1
        return [Row(*event, profile, status)]

    def lookup(self, key: str) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.pending.setdefault(key, []).append(future)
        if not self.flush_scheduled:  # after the lookups queued in this turn of the loop
            self.flush_scheduled = True
            loop.call_soon(self.flush)
        return future

    def flush(self):
        self.flush_scheduled = False
        if self.pending and self.batches_in_flight < self.store.max_batches:
            batch, self.pending = self.pending, {}
            self.batches_in_flight += 1
            asyncio.get_running_loop().create_task(self.mget(batch))

    async def mget(self, batch: dict[str, list[asyncio.Future[Any]]]):
        store = self.store
        if self.client is None:
            timeout_s = store.timeout_ms / 1000
            self.client = aioredis.Redis(host=store.host, port=store.port, socket_connect_timeout=timeout_s)
        keys = list(batch)
        events = sum(map(len, batch.values()))
        try:
            values = await asyncio.wait_for(
                self.client.mget([store.key_prefix + k for k in keys]), store.timeout_ms / 1000
            )
            results = [(ENRICHED, v.decode()) if v is not None else (MISSING, None) for v in values]
            self.counts["missingProfiles"] += sum(len(batch[k]) for k, v in zip(keys, values) if v is None)
        except asyncio.TimeoutError:
            results = [(FALLBACK, store.fallback)] * len(keys)
            self.counts["lookupTimeouts"] += events
        except (RedisError, OSError):  # the store went away: the events go on with the fallback
            results = [(FALLBACK, store.fallback)] * len(keys)
            self.counts["storeErrors"] += events
        self.counts["mgetBatches"] += 1
        self.counts["mgetKeys"] += len(keys)
        self.batches_in_flight -= 1
        for key, result in zip(keys, results):
            for future in batch[key]:
                future.set_result(result)
        self.flush()  # the lookups that waited for a free MGET go now


def build(env, events, settings: JobSettings) -> dict[str, DataStream]:
    store = settings.store
    if store is None:
        raise ValueError("the enrichment job needs job.store (configs/enrichment.yaml)")
    enriched = (
        AsyncDataStream.unordered_wait(
            events,
            LookupProfiles(store),
            Time.milliseconds(0),  # no per-record timer: LookupProfiles times each MGET itself
            capacity=store.capacity,
            output_type=enriched_type(),
        )
        .name("lookup-profiles")
        .uid("lookup-profiles")
    )  # its in-flight lookups are in every checkpoint
    return {"enriched": enriched}
