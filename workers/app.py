"""The Celery application of the workers: settings from ``celery_config``, tasks from
`workers.tasks`, logging through `tfquote.logs` (Celery must not hijack the root
logger)."""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import setup_logging


def create_celery_app() -> Celery:
    app = Celery("tfquote", include=["workers.tasks"])
    app.config_from_object("celery_config")
    return app


@setup_logging.connect  # type: ignore[untyped-decorator]  # Celery has no type hints
def _configure_logging(**_: Any) -> None:
    # Connecting this signal is what stops Celery from installing its own handlers.
    from tfquote.logs import configure_logging
    from tfquote.settings import Settings

    settings = Settings.from_env()
    configure_logging(settings.log_level, settings.log_format, service="worker")
