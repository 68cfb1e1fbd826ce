# syntax=docker/dockerfile:1
#
# One image for every role of newsbrief (docs/deployment.md):
#   docker build -t newsbrief:local .
#   docker run --rm newsbrief:local --help
#   docker run -d --init --env-file .env -v newsbrief-data:/var/lib/newsbrief newsbrief:local
#   docker run ... newsbrief:local run --role collector --no-migrate
#
# The builder stage makes wheels of newsbrief and of every dependency; the final stage installs
# them from that directory alone (--no-index), so it has no compiler, no build tools, no pip
# cache, and nothing is fetched when a container starts. Builder and final use the same base
# image: compiled wheels are made for its Python.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
# The dependencies first, from pyproject.toml alone: this layer is rebuilt only when they change.
COPY pyproject.toml ./
RUN --mount=type=cache,target=/root/.cache/pip \
    python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip wheel --wheel-dir /wheels --requirement /tmp/requirements.txt
# Then newsbrief itself: the packages pyproject.toml includes, and the README it names.
COPY README.md ./
COPY bot/ bot/
COPY cli/ cli/
COPY collector/ collector/
COPY sandbox/ sandbox/
COPY storage/ storage/
COPY summarizer/ summarizer/
COPY telemetry/ telemetry/
RUN --mount=type=cache,target=/root/.cache/pip \
    pip wheel --no-deps --wheel-dir /wheels .


FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="newsbrief" \
      org.opencontainers.image.description="A Telegram bot that delivers extractive news briefings" \
      org.opencontainers.image.licenses="MIT"
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/newsbrief/bin:$PATH
# The wheels are mounted for this one step, never copied into a layer; --no-index: nothing
# comes from the network here.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m venv /opt/newsbrief \
    && /opt/newsbrief/bin/pip install --no-cache-dir --no-index --find-links=/wheels newsbrief \
    && /opt/newsbrief/bin/newsbrief --help > /dev/null \
    && groupadd --system --gid 10001 newsbrief \
    && useradd --system --uid 10001 --gid newsbrief --home-dir /var/lib/newsbrief \
        --no-create-home --shell /usr/sbin/nologin newsbrief \
    && install -d -o newsbrief -g newsbrief -m 0750 /var/lib/newsbrief

# newsbrief.toml is read from the working directory; the SQLite default lives here too (a
# volume for the one-process setup; PostgreSQL roles set NEWSBRIEF_DATABASE_URL).
WORKDIR /var/lib/newsbrief
ENV NEWSBRIEF_DATABASE_URL=sqlite:////var/lib/newsbrief/newsbrief.db \
    NEWSBRIEF_HTTP_PORT=8080
USER 10001:10001

# 8080: /healthz, /readyz and /metrics (NEWSBRIEF_HTTP_PORT); 8443: `run --webhook-url`'s default
# --port, for the `updates` role behind a TLS proxy.
EXPOSE 8080 8443

# Liveness, with the image's own Python (no curl): any answer but 2xx, or none, is unhealthy.
# No proxy: HTTP_PROXY set for the Bot API must not catch 127.0.0.1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.build_opener(u.ProxyHandler({})).open('http://127.0.0.1:%s/healthz' % os.environ['NEWSBRIEF_HTTP_PORT'], timeout=4)"]

# `run` stops cleanly on SIGTERM (deliveries in flight are handed back).
STOPSIGNAL SIGTERM
ENTRYPOINT ["newsbrief"]
CMD ["run"]
