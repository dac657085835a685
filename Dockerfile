# syntax=docker/dockerfile:1
# Multi-stage: build wheels with the toolchain, run from a slim image as UID 1000.
FROM python:3.11-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir --upgrade pip wheel
COPY setup.cfg pyproject.toml constraints.txt README.md ./
COPY gateway ./gateway
COPY workers ./workers
COPY engine ./engine
COPY tfquote ./tfquote
COPY celery_config.py wsgi.py ./
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c constraints.txt .

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/data \
    LOG_FORMAT=json
# git: the engine fetches git module sources with it (engine/fetch/git.py).
RUN apt-get update \
 && apt-get install -y --no-install-recommends git \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --gid 1000 tfquote \
 && useradd --uid 1000 --gid 1000 --home-dir /app --shell /usr/sbin/nologin tfquote \
 && mkdir -p /app /data/module-cache && chown -R 1000:1000 /app /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels tfquote && rm -rf /wheels
WORKDIR /app
COPY --chown=1000:1000 Procfile ./
USER 1000:1000
EXPOSE 8000 8001 5555
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import os,urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:%s/health' % os.environ.get('GATEWAY_PORT','8000'), timeout=2); sys.exit(0)"
CMD ["gunicorn", "-c", "python:tfquote.gunicorn_conf", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "4", "--graceful-timeout", "30", "wsgi:app"]
