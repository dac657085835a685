"""The bare baseline the gateway is measured against: the least a Flask app can do for
the same request, under the same gunicorn settings, the same Redis and the same broker.

- ``POST /jobs``: one ``SET NX`` (the idempotency key) + one ``HSET`` (the job record)
  in Redis and one Celery ``send_task`` — no auth, no validation schema, no rate limit,
  no access log.
- ``GET /jobs/<id>``: one ``HGETALL``.
- ``POST /uploads``: Werkzeug's defaults, ``request.files["file"].save(path)`` (spooled
  to a temporary file while parsing, then copied; no hashing).

    gunicorn 'bench.bare_app:create_app()'      # REDIS_URL, BARE_UPLOAD_DIR
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import redis
from celery import Celery
from flask import Flask, Response, jsonify, request

BARE_TASK = "bench.bare_job"
BARE_QUEUE = "bench-bare"
KEY_PREFIX = "bare:"


def create_app() -> Flask:
    redis_url = os.environ["REDIS_URL"]
    upload_dir = Path(os.environ.get("BARE_UPLOAD_DIR", "var/bench-bare"))
    upload_dir.mkdir(parents=True, exist_ok=True)
    client = redis.Redis.from_url(redis_url)
    celery = Celery("bench-bare", set_as_current=False)
    celery.conf.update(
        broker_url=os.environ.get("CELERY_BROKER_URL", redis_url),
        task_serializer="json",
        accept_content=["json"],
    )

    app = Flask(__name__)

    @app.get("/health")
    def health() -> Response:
        return jsonify({"status": "ok"})

    @app.post("/jobs")
    def create_job() -> tuple[Response, int]:
        body = request.get_json(force=True)
        key = request.headers.get("Idempotency-Key")
        job_id = str(uuid.uuid4())
        if key is not None and not client.set(f"{KEY_PREFIX}idem:{key}", job_id, nx=True):
            return jsonify({"error": "duplicate"}), 200
        created = datetime.now(UTC).isoformat(timespec="milliseconds")
        record: dict[str | bytes, bytes | float | int | str] = {
            "job_id": job_id,
            "status": "PENDING",
            "upload_id": str(body.get("upload_id", "")),
            "region": str(body.get("region", "")),
            "created_at": created,
        }
        client.hset(f"{KEY_PREFIX}job:{job_id}", mapping=record)
        celery.send_task(BARE_TASK, args=[job_id], task_id=job_id, queue=BARE_QUEUE)
        return jsonify(record), 202

    @app.get("/jobs/<job_id>")
    def get_job(job_id: str) -> tuple[Response, int]:
        raw = client.hgetall(f"{KEY_PREFIX}job:{job_id}")
        if not raw:
            return jsonify({"error": "not found"}), 404
        return jsonify({k.decode(): v.decode() for k, v in raw.items()}), 200

    @app.post("/uploads")
    def upload() -> tuple[Response, int]:
        storage = request.files["file"]
        path = upload_dir / uuid.uuid4().hex
        storage.save(path)
        return jsonify({"name": storage.filename, "size": path.stat().st_size}), 201

    return app
