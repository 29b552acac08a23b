"""Backpressure on a live Flink cluster over REST: client, diagnosis, alerts, capacity planning."""
