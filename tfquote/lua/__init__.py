"""The Redis Lua scripts of the job and upload stores, one ``.lua`` file per script.

Kept as files (package data, read with `importlib.resources`) so they can be read,
highlighted and linted as Lua; each one runs atomically in Redis. Every script that
can end more than one way returns a status word first.
"""

from __future__ import annotations

import functools
from importlib import resources


@functools.cache
def source(name: str) -> str:
    """The text of ``tfquote/lua/{name}.lua``."""
    return resources.files(__package__).joinpath(f"{name}.lua").read_text(encoding="utf-8")
