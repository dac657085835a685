"""Terraform's built-in function library.

Each module of this package holds one family of functions (the families of Terraform's own
documentation) and exposes them in a ``FUNCTIONS`` dict of :class:`~.base.Function`.
:func:`library` assembles them; functions that read files are bound to the upload's files by
:func:`engine.terraform.functions.filesystem.bind` because they need to know where the
module is, and read only the upload (never the host's disk).
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.terraform.functions.base import Function, FunctionError, Param, call

__all__ = ["Function", "FunctionError", "Param", "call", "pure_functions"]

_PURE: dict[str, Function] | None = None


def pure_functions() -> Mapping[str, Function]:
    """Every function that needs nothing but its arguments (all but the file functions)."""
    global _PURE
    if _PURE is None:
        import importlib

        table: dict[str, Function] = {}
        for family in (
            "numeric",
            "strings",
            "collections",
            "encoding",
            "crypto",
            "ipnet",
            "datetime",
            "typeconv",
        ):
            try:
                module = importlib.import_module(f"{__name__}.{family}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{__name__}.{family}":
                    raise
                continue
            table.update(module.FUNCTIONS)
        _PURE = table
    return _PURE
