"""Readers that keep positions: every value knows its file, line and column."""
