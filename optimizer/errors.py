"""Outcomes of a solve that are not plans: no plan in time, or nothing searched at all."""

from __future__ import annotations


class NoPlanError(RuntimeError):
    """No verified plan was found (the search was stopped before its first one)."""


class DeadlineExpired(NoPlanError):
    """Stopped (the deadline passed, or the caller stopped it) before any search could start.

    A call that waited in the queue for a free worker until its deadline: nothing was searched,
    and nothing failed. The gRPC edge answers DEADLINE_EXCEEDED (CANCELLED if the caller cancelled).
    """
