"""The metrics hook of the optimizer's gRPC edge: what it reports, not how it is exported.

The server that hosts the edge passes an implementation (Prometheus, in ``server.platform``); tests and
embedders that want none use :class:`NoMetrics`. RPC counts and times are not reported here: the
server's interceptor counts every call of every service.
"""

from __future__ import annotations

from typing import Protocol


class SolveMetrics(Protocol):
    def solved(self, jobs: int, first_feasible_seconds: float | None) -> None:
        """A search finished on a problem of ``jobs`` jobs and shipments."""
        ...

    def operation_started(self) -> None:
        """A long-running operation began to run."""
        ...

    def operation_finished(self) -> None:
        """A long-running operation that had started has finished (any way)."""
        ...


class NoMetrics:
    """A :class:`SolveMetrics` that records nothing."""

    def solved(self, jobs: int, first_feasible_seconds: float | None) -> None:
        pass

    def operation_started(self) -> None:
        pass

    def operation_finished(self) -> None:
        pass
