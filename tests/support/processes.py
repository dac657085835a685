"""Process helpers for tests; the implementation is shared with bench/ in
`tfquote.devstack`."""

from tfquote.devstack import (
    BIN,
    ROOT,
    Service,
    http_ok,
    service_env,
    start_service,
    wait_for,
)

__all__ = ["BIN", "ROOT", "Service", "http_ok", "service_env", "start_service", "wait_for"]
