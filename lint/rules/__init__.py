"""Lint rules: one module per rule, registered explicitly in lint/rules/registry.py."""
