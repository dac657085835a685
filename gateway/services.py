"""The gateway's collaborators, built once per app in `create_app` and kept on
``app.extensions["tfquote"]`` (Flask's place for extension state)."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from flask import current_app

from gateway.dispatch import JobDispatcher
from tfquote.jobs import JobStore
from tfquote.settings import Settings
from tfquote.uploads import UploadStore


@dataclass
class Services:
    settings: Settings
    redis: redis.Redis[bytes]
    jobs: JobStore
    uploads: UploadStore
    dispatcher: JobDispatcher


def services() -> Services:
    services: Services = current_app.extensions["tfquote"]
    return services
