"""Who is calling: the tenant that owns the uploads and jobs a request touches.

With ``AUTH_ENABLED=false`` (local use) every caller is the single tenant
``anonymous``. JWT authentication replaces this with the verified ``sub`` claim.
"""

from __future__ import annotations

from flask import g

ANONYMOUS = "anonymous"


def current_tenant() -> str:
    return getattr(g, "tenant", None) or ANONYMOUS
