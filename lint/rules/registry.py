"""Every rule flink-lint runs, listed explicitly: a rule is a module path here, imported when the
rules are loaded (never registered as a side effect of importing something else).

A rule module has CODE ("FL102"), NAME ("deprecated-key"), SEVERITY ("error" | "warning" |
"info"), FIXABLE (bool), a docstring with the sections **What it does**, **Why is this bad**,
**Example**, **Use instead**, **Fix** (tests/lint/test_docs.py enforces them), and
`check(config: FlinkConfig, context: RuleContext) -> Iterator[Problem]`: the rule yields only the
message, location, hint and fix (and a severity only where one case differs from SEVERITY);
the engine stamps CODE, NAME and SEVERITY into a Finding.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Optional

# Input-level rules: produced while reading a file (lint/documents/) or by the engine.
INPUT_RULES = [
    "flink_lint.rules.config.yaml_syntax",  # FL001 yaml-syntax
    "flink_lint.rules.config.duplicate_key",  # FL002 duplicate-key
    "flink_lint.rules.config.schema",  # FL003 schema
    "flink_lint.rules.config.unused_suppression",  # FL009 unused-suppression
]

# Configuration rules FL101-FL699: one line per module, appended by their authors.
# ---- config rules: append below this line ----
CONFIG_RULES = [
    "flink_lint.rules.config.unknown_key",  # FL101 unknown-key
    "flink_lint.rules.config.deprecated_key",  # FL102 deprecated-key
    "flink_lint.rules.config.removed_key",  # FL103 removed-key
    "flink_lint.rules.config.invalid_value",  # FL104 invalid-value
    "flink_lint.rules.config.legacy_flink_conf",  # FL110 legacy-flink-conf
    "flink_lint.rules.config.network_memory_range",  # FL201 network-memory-range
    "flink_lint.rules.config.segment_size",  # FL202 segment-size
    "flink_lint.rules.config.network_buffers_insufficient",  # FL203 network-buffers-insufficient
    "flink_lint.rules.config.backpressure_without_debloating",  # FL204 backpressure-without-debloating
    "flink_lint.rules.config.parallelism_range",  # FL301 parallelism-range
    "flink_lint.rules.config.parallelism_above_max",  # FL302 parallelism-above-max
    "flink_lint.rules.config.parallelism_exceeds_slots",  # FL303 parallelism-exceeds-slots
    "flink_lint.rules.config.parallelism_below_capacity",  # FL304 parallelism-below-capacity
    "flink_lint.rules.config.stateful_without_checkpointing",  # FL401 stateful-without-checkpointing
    "flink_lint.rules.config.checkpoint_interval_too_small",  # FL402 checkpoint-interval-too-small
    "flink_lint.rules.config.checkpoint_timeout_vs_interval",  # FL403 checkpoint-timeout-vs-interval
    "flink_lint.rules.config.checkpoint_min_pause",  # FL404 checkpoint-min-pause
    "flink_lint.rules.config.state_backend_version",  # FL405 state-backend-version
    "flink_lint.rules.config.incremental_checkpoints",  # FL406 incremental-checkpoints
    "flink_lint.rules.config.checkpoint_dir_missing",  # FL407 checkpoint-dir-missing
    "flink_lint.rules.config.upgrade_mode_directories",  # FL408 upgrade-mode-directories
    "flink_lint.rules.config.memory_size_missing",  # FL501 memory-size-missing
    "flink_lint.rules.config.memory_exceeds_total",  # FL502 memory-exceeds-total
    "flink_lint.rules.config.plaintext_secret",  # FL601 plaintext-secret
    "flink_lint.rules.config.job_kafka_exactly_once_without_checkpointing",  # FL611 job-kafka-exactly-once-without-checkpointing
    "flink_lint.rules.config.job_kafka_transaction_timeout",  # FL613 job-kafka-transaction-timeout
    "flink_lint.rules.config.job_kafka_source_without_idleness",  # FL614 job-kafka-source-without-idleness
    "flink_lint.rules.config.job_file_sink_without_checkpointing",  # FL621 job-file-sink-without-checkpointing
    "flink_lint.rules.config.job_unbounded_collect",  # FL622 job-unbounded-collect
    "flink_lint.rules.config.job_optimized_pipeline",  # FL623 job-optimized-pipeline
]
# ---- config rules: end ----

# Deployment rules FL800-FL899: FlinkDeployment / FlinkSessionJob manifests beyond their
# flinkConfiguration (lint/rules/config/_deployment.py). FL801-FL819: what Kubernetes and the
# operator's admission webhook reject (CRD schema, DefaultValidator, AutoscalerValidator), all at
# once; FL821-: what they accept but loses state or exposes the cluster.
# ---- deployment rules: append below this line ----
DEPLOYMENT_RULES = [
    "flink_lint.rules.config.crd_schema",  # FL801 crd-schema
    "flink_lint.rules.config.flink_version",  # FL802 flink-version
    "flink_lint.rules.config.deployment_name",  # FL803 deployment-name
    "flink_lint.rules.config.operator_owned_key",  # FL804 operator-owned-key
    "flink_lint.rules.config.log_configuration_name",  # FL805 log-configuration-name
    "flink_lint.rules.config.high_availability_required",  # FL806 high-availability-required
    "flink_lint.rules.config.replica_count",  # FL807 replica-count
    "flink_lint.rules.config.session_job_jar_uri",  # FL808 session-job-jar-uri
    "flink_lint.rules.config.resource_memory",  # FL809 resource-memory
    "flink_lint.rules.config.service_account",  # FL810 service-account
    "flink_lint.rules.config.autoscaler_options",  # FL811 autoscaler-options
    "flink_lint.rules.config.resource_quantity",  # FL812 resource-quantity
    "flink_lint.rules.config.resource_request_above_limit",  # FL813 resource-request-above-limit
    "flink_lint.rules.config.ingress_template",  # FL814 ingress-template
    "flink_lint.rules.config.state_on_pod_local_storage",  # FL821 state-on-pod-local-storage
    "flink_lint.rules.config.rest_submit_exposed",  # FL822 rest-submit-exposed
    "flink_lint.rules.config.slots_above_cpu",  # FL823 slots-above-cpu
]
# ---- deployment rules: end ----

# Connector rules FL61x (pack job configs) mirror the Kafka code rules FL74x by their last digit:
# 1 exactly-once without checkpointing, 3 transaction timeout, 4 source without idleness (no FL612:
# the pack's sink defaults its transactional-id prefix to the job name).
# FL62x: the pack's other sinks (file, collect) and pipelines in job configs.

# Code rules FL700-FL799: PyFlink job code (*.py), read with ast (lint/documents/python_source.py).
# A code rule module also has DOCUMENT = "python": the engine runs it on Python sources only.
# Severity follows the operator-risk table: high -> warning, medium -> info, low -> not reported;
# error for code that fails at runtime.
# ---- code rules: append below this line ----
CODE_RULES = [
    "flink_lint.rules.code.python_syntax",  # FL700 python-syntax
    "flink_lint.rules.code.session_window",  # FL701 session-window
    "flink_lint.rules.code.stream_stream_join",  # FL702 stream-stream-join
    "flink_lint.rules.code.lookup_join",  # FL703 lookup-join
    "flink_lint.rules.code.window_without_preaggregation",  # FL704 window-without-preaggregation
    "flink_lint.rules.code.non_parallel_operator",  # FL705 non-parallel-operator
    "flink_lint.rules.code.blocking_call_in_function",  # FL706 blocking-call-in-function
    "flink_lint.rules.code.unbounded_list_state",  # FL711 unbounded-list-state
    "flink_lint.rules.code.state_without_ttl",  # FL712 state-without-ttl
    "flink_lint.rules.code.python_object_state",  # FL713 python-object-state
    "flink_lint.rules.code.unmatched_join_state",  # FL714 unmatched-join-state
    "flink_lint.rules.code.missing_watermarks",  # FL721 missing-watermarks
    "flink_lint.rules.code.idleness_drops_assigner",  # FL722 idleness-drops-assigner
    "flink_lint.rules.code.checkpointing_disabled",  # FL731 checkpointing-disabled
    "flink_lint.rules.code.checkpoint_values_in_code",  # FL732 checkpoint-values-in-code
    # Kafka connector (lint/rules/code/_kafka.py): FL741-FL745
    "flink_lint.rules.code.kafka_exactly_once_without_checkpointing",  # FL741 kafka-exactly-once-without-checkpointing
    "flink_lint.rules.code.kafka_exactly_once_without_prefix",  # FL742 kafka-exactly-once-without-prefix
    "flink_lint.rules.code.kafka_transaction_timeout",  # FL743 kafka-transaction-timeout
    "flink_lint.rules.code.kafka_source_without_idleness",  # FL744 kafka-source-without-idleness
    "flink_lint.rules.code.kafka_legacy_connector",  # FL745 kafka-legacy-connector
    "flink_lint.rules.code.removed_in_flink_2",  # FL751 removed-in-flink-2
    "flink_lint.rules.code.plaintext_credential",  # FL761 plaintext-credential
]
# ---- code rules: end ----

RULE_MODULES = INPUT_RULES + CONFIG_RULES + DEPLOYMENT_RULES + CODE_RULES
SEVERITIES = ("error", "warning", "info")
DOC_SECTIONS = ("What it does", "Why is this bad", "Example", "Use instead", "Fix")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    fixable: bool
    module: ModuleType

    @property
    def document(self) -> str:
        """What the rule reads: "config" (FlinkConfig) or "python" (PythonSource)."""
        return getattr(self.module, "DOCUMENT", "config")

    @property
    def options(self) -> tuple[str, ...]:
        """The keys the rule reads from `[tool.flink-lint.options.<name>]` (its module's OPTIONS)."""
        return tuple(getattr(self.module, "OPTIONS", ()))

    @property
    def doc(self) -> str:
        return (self.module.__doc__ or "").strip()

    @property
    def summary(self) -> str:
        """The docstring's first paragraph, on one line."""
        if not self.doc:
            return self.name
        return " ".join(self.doc.strip().split("\n\n")[0].split())

    def sections(self) -> dict[str, str]:
        """The docstring's sections by heading (`**What it does**` ...), text stripped."""
        sections: dict[str, str] = {}
        current: Optional[str] = None
        lines: list[str] = []
        for line in self.doc.splitlines()[1:]:
            stripped = line.strip()
            if stripped.startswith("**") and stripped.endswith("**") and len(stripped) > 4:
                if current:
                    sections[current] = "\n".join(lines).strip()
                current, lines = stripped.strip("*").strip(), []
            elif current:
                lines.append(line)
        if current:
            sections[current] = "\n".join(lines).strip()
        return sections

    def check(self, config, context):
        return self.module.check(config, context)


def _load(path: str) -> Rule:
    module = importlib.import_module(path)
    missing = [attr for attr in ("CODE", "NAME", "SEVERITY", "FIXABLE", "check") if not hasattr(module, attr)]
    if missing:
        raise ImportError(f"rule module {path} lacks {', '.join(missing)}")
    if module.SEVERITY not in SEVERITIES:
        raise ImportError(f"rule module {path}: SEVERITY must be one of {SEVERITIES}")
    return Rule(module.CODE, module.NAME, module.SEVERITY, bool(module.FIXABLE), module)


@lru_cache(maxsize=None)
def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, in code order; codes and names are unique."""
    rules = sorted((_load(path) for path in RULE_MODULES), key=lambda rule: rule.code)
    for attr in ("code", "name"):
        values = [getattr(rule, attr) for rule in rules]
        duplicates = {value for value in values if values.count(value) > 1}
        if duplicates:
            raise ImportError(f"duplicate rule {attr}s: {', '.join(sorted(duplicates))}")
    return tuple(rules)


def find_rule(code_or_name: str) -> Optional[Rule]:
    """The rule with this code (any case) or name, or None."""
    wanted = code_or_name.strip()
    for rule in all_rules():
        if rule.code.lower() == wanted.lower() or rule.name == wanted.lower():
            return rule
    return None


def matching(token: str) -> list[Rule]:
    """Rules a select/ignore token names: a code, a name, a code prefix (`FL1`) or `ALL`."""
    token = token.strip()
    if token.upper() == "ALL":
        return list(all_rules())
    rule = find_rule(token)
    if rule is not None:
        return [rule]
    if token[:2].upper() == "FL" and token[2:].isdigit():
        return [rule for rule in all_rules() if rule.code.startswith(token.upper())]
    return []
