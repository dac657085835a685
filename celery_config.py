"""Celery settings module (``app.config_from_object("celery_config")``).

Values come from `tfquote.settings.Settings`, the one reader of the environment.
Celery imports this module lazily, the first time the app's configuration is used.
The reliability settings are deliberate; see the README's durability section.
"""

from kombu.entity import Exchange, Queue

from tfquote.broker import transport_for
from tfquote.settings import Settings
from tfquote.tasks import (
    DELIVER_WEBHOOK,
    JOBS_QUEUE,
    MAINTENANCE_QUEUE,
    RECONCILE,
    SWEEP_FILES,
    SWEEP_WEBHOOKS,
    WEBHOOKS_QUEUE,
)

_settings = Settings.from_env()

broker_url = _settings.broker_url
# One Redis client per channel for publishing: the task events (see tfquote.broker).
broker_transport = transport_for(broker_url)
broker_connection_retry_on_startup = True
broker_transport_options = {
    # Must exceed the hard time limit plus the longest retry countdown, or Redis hands a
    # still-running (or still-waiting) task to a second worker.
    "visibility_timeout": _settings.visibility_timeout,
    "socket_timeout": _settings.redis_socket_timeout,
    "socket_connect_timeout": _settings.redis_socket_timeout,
}
# Job state lives in our own Redis records, not in Celery's result backend.
task_ignore_result = True
result_backend = None

task_serializer = "json"
result_serializer = "json"
accept_content = ["json"]

task_default_queue = JOBS_QUEUE
# A worker started without -Q consumes both. Each queue gets its own exchange and key:
# a bare Queue(name) binds to the default exchange with the default key ("jobs"), so a
# message sent through that exchange would land in both queues.
task_queues = tuple(
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in (JOBS_QUEUE, MAINTENANCE_QUEUE, WEBHOOKS_QUEUE)
)
task_routes = {
    RECONCILE: {"queue": MAINTENANCE_QUEUE},
    SWEEP_FILES: {"queue": MAINTENANCE_QUEUE},
    DELIVER_WEBHOOK: {"queue": WEBHOOKS_QUEUE},
    SWEEP_WEBHOOKS: {"queue": WEBHOOKS_QUEUE},
}
# Ack after the task ran, and give the message back if the worker process dies: a
# job is never lost with its worker. The job store's claim makes redelivery safe.
task_acks_late = True
task_reject_on_worker_lost = True
worker_prefetch_multiplier = 1
task_soft_time_limit = _settings.task_soft_time_limit
task_time_limit = _settings.task_hard_time_limit

# Events for Flower.
worker_send_task_events = True
task_send_sent_event = True

worker_hijack_root_logger = False
worker_redirect_stdouts = False
timezone = "UTC"

# Periodic housekeeping, run by one `celery -A workers beat` process (Procfile: beat).
beat_schedule = {
    "sweep-expired-files": {"task": SWEEP_FILES, "schedule": 600.0},
    # Expire unrun repairs: the next pass does the same work.
    "reconcile-jobs": {
        "task": RECONCILE,
        "schedule": _settings.reconcile_interval,
        "options": {"expires": _settings.reconcile_interval},
    },
}
beat_schedule["sweep-webhooks"] = {
    # Publishes webhook deliveries that are due and were not published (see
    # tfquote/webhooks.py); expires like the reconciler, the next pass does the same.
    "task": SWEEP_WEBHOOKS,
    "schedule": _settings.webhook_sweep_interval,
    "options": {"expires": _settings.webhook_sweep_interval},
}
beat_schedule_filename = str(_settings.data_dir / "celerybeat-schedule")
