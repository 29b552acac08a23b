"""running-totals: per-key running count, sum, min, max and latest event time.

    events --key_by(key)--> RunningTotals (one ValueState record per key, optional TTL) --> totals

Emission (job.emit.mode): `per-event` emits the updated totals for every event; `timer` emits the
totals of keys that changed, once per `emit.interval` of processing time, and once more at end of
input (an event-time timer at the end of time fires on the final watermark); `both` does both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyflink.common import Row, Types
from pyflink.common.time import Time
from pyflink.datastream import DataStream, KeyedProcessFunction
from pyflink.datastream.state import StateTtlConfig, ValueStateDescriptor

from flink_jobs import totals
from flink_jobs.events import EVENT_TIME, KEY, VALUE

if TYPE_CHECKING:  # job modules run on TaskManagers: no config/YAML imports there
    from flink_jobs.config import JobSettings

END_OF_TIME = 9223372036854775807  # Long.MAX_VALUE: the final watermark of a bounded input

TOTALS_TYPE = Types.ROW_NAMED(
    ["key", *totals.TOTALS_FIELDS],
    [Types.STRING(), Types.LONG(), Types.LONG(), Types.LONG(), Types.LONG(), Types.LONG()],
)


class RunningTotals(KeyedProcessFunction):
    def __init__(self, state_ttl_ms, emit_mode, emit_interval_ms):
        self.state_ttl_ms = state_ttl_ms
        self.per_event = emit_mode in ("per-event", "both")
        self.on_timer_ = emit_mode in ("timer", "both")
        self.emit_interval_ms = emit_interval_ms

    def open(self, runtime_context):
        totals_state = ValueStateDescriptor(
            "totals", Types.TUPLE([Types.LONG(), Types.LONG(), Types.LONG(), Types.LONG(), Types.LONG()])
        )
        pending_state = ValueStateDescriptor("emit-pending", Types.BOOLEAN())
        if self.state_ttl_ms:
            # ReturnExpiredIfNotCleanedUp keeps PyFlink's state cache on; NeverReturnExpired
            # disables it for every state of the operator (FLINK-24105, ~7x slower).
            ttl = (
                StateTtlConfig.new_builder(Time.milliseconds(self.state_ttl_ms))
                .set_update_type(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .return_expired_if_not_cleaned_up()
                .build()
            )
            totals_state.enable_time_to_live(ttl)
            pending_state.enable_time_to_live(ttl)
        self.totals = runtime_context.get_state(totals_state)
        self.pending = runtime_context.get_state(pending_state)

    def updated(self, previous, event):
        """The key's totals after `event` (the optimized pipeline merges pre-aggregated totals here)."""
        return totals.add(previous, event[VALUE], event[EVENT_TIME])

    def process_element(self, event, ctx):
        previous = self.totals.value()
        updated = self.updated(previous, event)
        self.totals.update(updated)
        if self.per_event:
            yield Row(event[KEY], *updated)
        if self.on_timer_ and not self.pending.value():
            timers = ctx.timer_service()
            if previous is None:
                timers.register_event_time_timer(END_OF_TIME)
            now = timers.current_processing_time()
            timers.register_processing_time_timer((now // self.emit_interval_ms + 1) * self.emit_interval_ms)
            self.pending.update(True)

    def on_timer(self, timestamp, ctx):
        # the interval timer, or the end-of-input timer: emit what changed since the last emission
        current = self.totals.value()
        if self.pending.value() and current is not None:
            yield Row(ctx.get_current_key(), *current)
        self.pending.clear()


def build(env, events, settings: JobSettings) -> dict[str, DataStream]:
    totals_stream = (
        events.key_by(lambda event: event[KEY], key_type=Types.STRING())
        .process(
            RunningTotals(settings.state_ttl_ms, settings.emit_mode, settings.emit_interval_ms),
            output_type=TOTALS_TYPE,
        )
        .name("running-totals")
        .uid("running-totals")
    )
    return {"totals": totals_stream}
