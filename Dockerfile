# Hakobu services image: every service and the batch commands (`hakobu serve optimizer|plans|tracking|
# reports|gateway`, `hakobu db migrate`, `hakobu scheduler`). Build: docker build -t hakobu .
# Python 3.13 on Debian bookworm: every pinned package has 3.13 wheels (CI runs the tests on 3.11 and 3.13).

# 1. build: install the project and its pinned dependencies into a virtualenv.
FROM python:3.13-slim-bookworm AS build
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/hakobu
COPY pyproject.toml README.md ./
COPY proto ./proto
COPY optimizer ./optimizer
COPY geo ./geo
COPY server ./server
COPY gateway ./gateway
COPY benchmarks ./benchmarks
RUN /opt/hakobu/bin/pip install .

# 2. runtime: the virtualenv, the demo road data and a non-root user; no compilers, no sources.
FROM python:3.13-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin hakobu \
    && mkdir -p /app/var/geo-cache /app/var/objects /data/osm \
    && chown -R hakobu:hakobu /app
COPY --from=build /opt/hakobu /opt/hakobu
# Road graphs: the image carries the Nerima demo extract (© OpenStreetMap contributors, ODbL); mount other
# OpenStreetMap extracts at /data/osm instead. Compiled graphs are cached in /app/var/geo-cache.
COPY data/osm /data/osm
ENV PATH=/opt/hakobu/bin:$PATH \
    HAKOBU_DATA_DIR=/app/var \
    HAKOBU_OSM_DIR=/data/osm \
    HAKOBU_GEO_CACHE=/app/var/geo-cache
WORKDIR /app
USER hakobu:hakobu
# gRPC: optimizer 50051, plans 50052, tracking 50053, reports 50054; REST gateway 8080; OsmAnd positions
# 5055; Prometheus metrics 9464.
EXPOSE 50051 50052 50053 50054 8080 5055 9464
# The default command serves the optimizer; compose and the task definitions name their own command and
# health check (the same probe module on each service's port).
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-m", "server.platform.healthcheck", "grpc", "127.0.0.1:50051"]
ENTRYPOINT ["hakobu"]
CMD ["serve", "optimizer"]
