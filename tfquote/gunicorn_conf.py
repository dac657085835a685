"""gunicorn's settings for the gateway and the engine.

Every gunicorn command line of the project loads it: ``-c python:tfquote.gunicorn_conf``.

gunicorn refuses an oversized request line or header itself, with an HTML page. Its
limits are set above the application's own (`tfquote.httplimits`), so every request
the application must refuse reaches it and is refused with the JSON envelope. A request
far beyond them (a request line over 8190 bytes, a single header over 32 KiB, more than
200 headers) or one gunicorn cannot parse is refused by gunicorn itself, and
`tfquote.gunicorn_errors` makes that refusal JSON with the same envelope too.
"""

from typing import Any

from tfquote import gunicorn_errors
from tfquote.httplimits import MAX_HEADER_BYTES, MAX_HEADER_COUNT

# The largest finite value gunicorn accepts (0 would mean unlimited); twice MAX_URL_BYTES.
limit_request_line = 8190
limit_request_fields = 2 * MAX_HEADER_COUNT
limit_request_field_size = 2 * MAX_HEADER_BYTES


def on_starting(server: Any) -> None:
    """gunicorn's hook, in the master before any worker forks: JSON for its own refusals."""
    gunicorn_errors.install(server)
