"""Business metrics (seed §7.1's custom metrics) that count from hooks outside the services' code."""

from __future__ import annotations

from server.platform import observability


def test_positions_counter_counts_stored_positions() -> None:
    from prometheus_client import REGISTRY

    before = REGISTRY.get_sample_value("hakobu_positions_ingested_total") or 0.0
    observability.PositionsCounter().observe([object(), object(), object()])
    assert REGISTRY.get_sample_value("hakobu_positions_ingested_total") == before + 3
