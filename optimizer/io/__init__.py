"""Readers and writers for benchmark instance and solution files.

* :func:`read_vrplib`  — CVRPLIB / VRPLIB instances (e.g. the "X" CVRP set)
* :func:`read_solomon` — Solomon VRPTW text files (distances and times in tenths)
* :func:`read_sol` / :func:`write_sol` — CVRPLIB-style ``Route #i:`` solution files
* :func:`format_cost`  — a model-unit distance printed as the benchmark files do
"""

from optimizer.io.sol import format_cost, read_sol, write_sol
from optimizer.io.solomon import read_solomon
from optimizer.io.vrplib import read_vrplib

__all__ = ["format_cost", "read_sol", "read_solomon", "read_vrplib", "write_sol"]
