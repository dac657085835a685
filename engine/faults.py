"""Test-only fault injection for POST /v1/estimates (OFF unless ENGINE_FAULT_RATE > 0).

A later chaos suite uses it to check that callers retry correctly and that idempotency holds.
Kinds:

* ``500``     - answer ``500 fault_injected``;
* ``timeout`` - sleep ``ENGINE_FAULT_TIMEOUT_SECONDS`` and then answer normally (a slow
  server: the caller has usually given up and retried by then);
* ``drop``    - shut the client socket down without any answer.

The phase decides whether a fault strikes before the work (nothing is claimed or computed, so
``computed`` does not move) or after the outcome is stored (the work counted once; a retry
must be answered from the store). Decisions use a private ``random.Random`` so a test can seed
it.
"""

from __future__ import annotations

import random
import socket
import struct
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.config import EngineSettings

BEFORE = "before"
AFTER = "after"


@dataclass
class FaultInjector:
    rate: float = 0.0
    kinds: tuple[str, ...] = ("500", "timeout", "drop")
    timeout_seconds: float = 30.0
    phase: str = BEFORE
    rng: random.Random = field(default_factory=random.Random)
    sleep: Callable[[float], None] = time.sleep

    @classmethod
    def from_settings(
        cls, settings: EngineSettings, rng: random.Random | None = None
    ) -> FaultInjector:
        return cls(
            rate=settings.fault_rate,
            kinds=settings.fault_kinds,
            timeout_seconds=settings.fault_timeout_seconds,
            phase=settings.fault_phase,
            rng=rng or random.Random(),
        )

    @property
    def enabled(self) -> bool:
        return self.rate > 0.0

    def decide(self) -> tuple[str, str] | None:
        """``(kind, phase)`` for this request, or None (the common case)."""
        if not self.enabled or self.rng.random() >= self.rate:
            return None
        kind = self.rng.choice(self.kinds)
        phase = self.phase if self.phase != "any" else self.rng.choice((BEFORE, AFTER))
        return kind, phase

    def stall(self) -> None:
        self.sleep(self.timeout_seconds)


def drop_connection(environ: Mapping[str, Any]) -> bool:
    """Shut down the client socket under the WSGI server; False when there is none to drop.

    Gunicorn exposes it as ``gunicorn.socket`` and the Werkzeug dev server as
    ``werkzeug.socket``; the Flask test client has neither.
    """
    sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
    if not isinstance(sock, socket.socket):
        return False
    try:
        # SO_LINGER 0 turns the close into a RST, which is what a crashed peer looks like.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    return True
