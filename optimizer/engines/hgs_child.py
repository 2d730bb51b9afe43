"""The child process of :mod:`optimizer.engines.hgs_engine`: one HGS-CVRP search, then exit.

Reads ``(data, params, deadline, share)`` pickled on stdin, where ``deadline`` is a ``time.time()``
value: HGS-CVRP's time limit counts processor time, so it gets ``share`` of the wall-clock seconds
left, the part of a core it can count on beside the other search. It writes the routes (lists of
node numbers, depot 0 left out) pickled on stdout. HGS-CVRP writes its own messages to the C++
standard output, so they are sent to stderr instead.
"""

from __future__ import annotations

import os
import pickle
import sys
import time


def main() -> None:
    data, params, deadline, share = pickle.load(sys.stdin.buffer)
    result = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything HGS-CVRP prints goes to stderr, not into the result
    import hygese

    if "nbIter" not in params:  # with an iteration limit HGS-CVRP runs to it, which is deterministic
        params["timeLimit"] = max(0.01, share * (deadline - time.time()))
    solver = hygese.Solver(hygese.AlgorithmParameters(**params), verbose=False)
    routes = solver.solve_cvrp(data, rounding=False).routes
    pickle.dump([[int(c) for c in r] for r in routes], result)
    result.close()


if __name__ == "__main__":
    main()
