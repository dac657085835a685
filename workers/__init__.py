"""tfquote workers: Celery processes that run estimation jobs.

``celery -A workers worker`` and ``celery -A workers flower`` find `app` here. Creating
a Celery app connects to nothing; configuration is read lazily from ``celery_config``.
"""

from workers.app import create_celery_app

app = create_celery_app()

__all__ = ["app", "create_celery_app"]
