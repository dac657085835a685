"""Why a remote module could not be had: :class:`FetchError` and its stable codes.

Each code is what a module call's entry in ``unknowns`` carries (``code``), so clients and
tests can tell the cases apart without reading the message.
"""

from __future__ import annotations

from typing import Final

#: Every code a module fetch can end with, and what it means.
CODES: Final[dict[str, str]] = {
    "module_fetch_disabled": "remote module fetching is off (ENGINE_MODULE_FETCH=false)",
    "module_source_refused": "the source is not one the engine fetches (host not allowed, "
    "unsupported getter, credentials in the URL, characters no address uses...)",
    "module_address_refused": "a host resolves to (or redirects to) a refused address, or "
    "a URL is not HTTPS",
    "module_not_found": "the registry or repository does not have this module or ref",
    "module_version_unsatisfied": "no published version satisfies the version constraint",
    "module_fetch_timeout": "the fetch budget of the estimate ran out, or a server did not "
    "answer in time",
    "module_too_large": "the download or the module's files are over the byte limit",
    "module_unsafe_archive": "the archive breaks an archive safety rule (traversal, links, "
    "bombs, entry counts...)",
    "module_limit": "more remote module calls in the estimate than allowed",
    "module_fetch_failed": "the registry, server or git failed otherwise",
}


class FetchError(Exception):
    """A remote module that cannot be had: ``code`` (one of :data:`CODES`) and a message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message
