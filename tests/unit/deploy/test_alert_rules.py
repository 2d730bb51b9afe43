"""The Prometheus alert rules: valid YAML, the seed's thresholds, metrics the services export."""

from __future__ import annotations

import yaml

from server.platform import observability
from tests.unit.deploy import stack

RULES = stack.ROOT / "deploy" / "prometheus" / "alerts.yml"


def test_rules_use_exported_metrics_and_the_seed_thresholds() -> None:
    (group,) = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    rules = {r["alert"]: r for r in group["rules"]}
    assert {"HakobuServiceDown", "HakobuRpcErrorRate", "HakobuRpcSlow"} <= set(rules)
    assert rules["HakobuRpcErrorRate"]["expr"].strip().endswith("> 5")
    assert rules["HakobuRpcSlow"]["expr"].strip().endswith("> 3")
    exported = {
        observability.RPC_TOTAL._name + "_total",  # type: ignore[attr-defined]
        observability.RPC_SECONDS._name + "_bucket",  # type: ignore[attr-defined]
        observability.OPERATIONS_RUNNING._name,  # type: ignore[attr-defined]
    }
    text = RULES.read_text(encoding="utf-8")
    for name in exported:
        assert name in text, name
    for rule in rules.values():
        assert rule["labels"]["severity"] in ("critical", "high", "medium", "low")
