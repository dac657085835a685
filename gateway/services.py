"""The gateway's collaborators, built once per app in `create_app` and kept on
``app.extensions["tfquote"]`` (Flask's place for extension state)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import redis
from flask import current_app

from gateway.dispatch import JobDispatcher
from tfquote.jobs import JobStore
from tfquote.settings import Settings
from tfquote.uploads import UploadStore
from tfquote.webhooks import WebhookStore

if TYPE_CHECKING:
    from gateway.resource_types import ResourceTypeSource


@dataclass
class Services:
    settings: Settings
    redis: redis.Redis[bytes]
    jobs: JobStore
    uploads: UploadStore
    dispatcher: JobDispatcher
    resource_types: ResourceTypeSource
    webhooks: WebhookStore


def services() -> Services:
    services: Services = current_app.extensions["tfquote"]
    return services
