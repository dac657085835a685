"""Shared contracts of tfquote: settings, the job and upload stores, task names, logging.

Both the gateway and the workers import from here; nothing here imports them, Flask or
Celery.
"""
