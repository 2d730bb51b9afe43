"""Container health probe: ``python -m server.platform.healthcheck grpc HOST:PORT`` or ``… http URL``.

Exit status 0 when the target reports SERVING (gRPC standard health checking, overall status) or answers
HTTP 2xx; 1 otherwise, with one line on stderr saying why. Used by the Dockerfile's HEALTHCHECK, the
compose file and the ECS task definitions, so the image needs neither curl nor grpc_health_probe.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 2.0


def check_grpc(target: str, timeout: float = TIMEOUT_SECONDS) -> str | None:
    """None when ``target`` is SERVING, else the reason."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(target) as channel:
        try:
            stub = health_pb2_grpc.HealthStub(channel)
            reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=timeout)
        except grpc.RpcError as exc:
            return f"{target}: {exc.code().name}"  # type: ignore[attr-defined]
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        return f"{target}: {health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)}"
    return None


def check_http(url: str, timeout: float = TIMEOUT_SECONDS) -> str | None:
    """None when ``url`` answers 2xx, else the reason."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (OSError, ValueError) as exc:
        return f"{url}: {exc}"
    return None if 200 <= status < 300 else f"{url}: HTTP {status}"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in ("grpc", "http"):
        print("usage: python -m server.platform.healthcheck grpc HOST:PORT | http URL", file=sys.stderr)
        return 2
    problem = check_grpc(args[1]) if args[0] == "grpc" else check_http(args[1])
    if problem is not None:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
