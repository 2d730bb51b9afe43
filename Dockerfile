# Hakobu services image. Build: docker build -t hakobu .
# Python 3.13 on Debian bookworm: every pinned package has 3.13 wheels (CI runs the tests on 3.11 and 3.13).
FROM python:3.13-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY proto ./proto
COPY optimizer ./optimizer
COPY geo ./geo
COPY server ./server
COPY gateway ./gateway
COPY benchmarks ./benchmarks
RUN pip install . && useradd --system --uid 10001 hakobu && mkdir -p /app/var/geo-cache /data/osm \
    && chown -R hakobu /app/var
# Road graphs: the image carries the Nerima demo extract (© OpenStreetMap contributors, ODbL); mount other
# OpenStreetMap extracts at /data/osm instead. Compiled graphs are cached in /app/var.
COPY data/osm /data/osm
ENV HAKOBU_OSM_DIR=/data/osm HAKOBU_GEO_CACHE=/app/var/geo-cache
USER hakobu
EXPOSE 50051 50052 9464 9465
HEALTHCHECK --interval=15s --timeout=3s CMD python -c "import grpc,sys; from grpc_health.v1 import health_pb2 as h, health_pb2_grpc as g; c=grpc.insecure_channel('127.0.0.1:50051'); sys.exit(0 if g.HealthStub(c).Check(h.HealthCheckRequest(), timeout=2).status == 1 else 1)"
ENTRYPOINT ["hakobu"]
CMD ["serve", "optimizer", "--address", "0.0.0.0:50051"]
