"""Time to the first verified plan through gRPC, as a dispatch system sees it.

Starts an in-process OptimizerService (warm worker pool), then for each CVRPLIB
instance sends a StreamOptimize request and measures, client side, the time to
the first streamed plan; the server's own figure (request arrival to first
verified plan) is printed next to it.

    python -m benchmarks.first_feasible --instances X-n101-k25,X-n200-k36,X-n401-k29 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence

import grpc
from google.protobuf import duration_pb2

from benchmarks.run import DEFAULT_DATA
from hakobu.optimizer.v1 import optimizer_pb2 as pb
from hakobu.optimizer.v1 import optimizer_pb2_grpc
from optimizer.io import read_vrplib
from optimizer.model import Problem
from server.bootstrap import create_optimizer_server, service_metadata
from server.platform.settings import Settings


def to_request(p: Problem, time_limit: float) -> pb.OptimizeRequest:
    prob = pb.Problem(capacity_dimensions=list(p.dimensions))
    for d in p.depots:
        prob.depots.add(id=d.id, location=pb.Location(point=pb.Point(x=d.location.x, y=d.location.y)))
    for v in p.vehicles:
        prob.vehicles.add(id=v.id, capacity=list(v.capacity))
    for j in p.jobs:
        loc = pb.Location(point=pb.Point(x=j.stop.location.x, y=j.stop.location.y))
        prob.jobs.add(id=j.id, location=loc, demand=list(j.demand))
    limit = duration_pb2.Duration()
    limit.FromNanoseconds(int(time_limit * 1e9))
    return pb.OptimizeRequest(problem=prob, parameters=pb.SolveParameters(time_limit=limit, seed=1))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.first_feasible")
    ap.add_argument("--instances", default="X-n101-k25,X-n200-k36,X-n303-k21,X-n401-k29")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=1.0)
    ns = ap.parse_args(argv)
    running = create_optimizer_server("127.0.0.1:0")
    try:
        with grpc.insecure_channel(f"127.0.0.1:{running.port}") as ch:
            stub = optimizer_pb2_grpc.OptimizerServiceStub(ch)
            md = service_metadata(Settings())  # the benchmark runs the server: it calls as Hakobu itself
            header = f"{'instance':<12} {'n':>4}  {'client first plan (s)':>22}"
            print(f"{header}  {'server first feasible (s)':>26}")
            for name in ns.instances.split(","):
                problem = read_vrplib(DEFAULT_DATA / "cvrp-x" / f"{name}.vrp")
                req = to_request(problem, ns.time_limit)
                client, server = [], []
                for _ in range(ns.repeat):
                    t0 = time.monotonic()
                    first = None
                    last = None
                    for msg in stub.StreamOptimize(req, timeout=ns.time_limit + 30, metadata=md):
                        if first is None:
                            first = time.monotonic() - t0
                        last = msg
                    assert first is not None and last is not None
                    client.append(first)
                    server.append(last.stats.time_to_first_feasible.ToNanoseconds() / 1e9)
                print(
                    f"{name:<12} {len(problem.jobs):>4}  "
                    f"{statistics.median(client):>10.3f} (max {max(client):.3f})  "
                    f"{statistics.median(server):>14.3f} (max {max(server):.3f})"
                )
    finally:
        running.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
