"""Backpressure on a live Flink cluster over REST: client, diagnosis, alerts, capacity planning."""

from flink_jobs import follow_sys_path

__path__ = follow_sys_path(__name__, __path__)  # see flink_jobs/__init__.py
