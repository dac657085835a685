"""Module versions and version constraints, as Terraform resolves a registry module's version.

Terraform checks each published version against the call's ``version`` argument with
hashicorp/go-version (operators ``=`` (or none), ``!=``, ``>``, ``>=``, ``<``, ``<=``, ``~>``,
comma-joined, all of which must hold), then drops any pre-release that no exact constraint
names (go-versions' "pre-releases only when asked for exactly"), and takes the newest version
left. This module reproduces both steps, including go-version's quirks:

* a version may have any number of numeric segments; missing ones count as 0 (``1.2`` is
  ``1.2.0``), and build metadata (``+abc``) never matters for ordering or equality;
* ``~> 1.2`` means ``>= 1.2, < 2.0``; ``~> 1.2.3`` means ``>= 1.2.3, < 1.3``; ``~> 1`` has no
  upper bound at all (go-version compares no segment before the last one given);
* a constraint without a pre-release never matches a pre-release version, and one with a
  pre-release only matches pre-releases of the same ``major.minor.patch``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import total_ordering

_VERSION = re.compile(
    r"v?(?P<segments>[0-9]+(?:\.[0-9]+)*)"
    r"(?:-?(?P<pre>[0-9A-Za-z\-~]+(?:\.[0-9A-Za-z\-~]+)*))?"
    r"(?:\+(?P<meta>[0-9A-Za-z\-~]+(?:\.[0-9A-Za-z\-~]+)*))?"
)
_CONSTRAINT = re.compile(r"\s*(?P<op>=|!=|>=|<=|>|<|~>)?\s*(?P<version>\S+)\s*")
#: Numeric segments go-version keeps (and pads to).
_SEGMENTS = 3
#: A version string longer than this is refused (they end up in URLs and cache keys).
MAX_VERSION_LENGTH = 128


class VersionError(ValueError):
    """A version or a version constraint that Terraform would not parse."""


@total_ordering
@dataclass(frozen=True)
class Version:
    segments: tuple[int, ...]  # padded to at least three
    specified: int  # how many segments were written (go-version's ``si``)
    prerelease: str = ""
    metadata: str = ""
    original: str = ""

    @classmethod
    def parse(cls, text: str) -> Version:
        if len(text) > MAX_VERSION_LENGTH:
            raise VersionError(f"version {text[:40]!r}... is too long")
        match = _VERSION.fullmatch(text.strip())
        if match is None:
            raise VersionError(f"malformed version: {text!r}")
        numbers = tuple(int(part) for part in match["segments"].split("."))
        padded = numbers + (0,) * max(0, _SEGMENTS - len(numbers))
        return cls(padded, len(numbers), match["pre"] or "", match["meta"] or "", text.strip())

    def __str__(self) -> str:
        core = ".".join(str(part) for part in self.segments)
        pre = f"-{self.prerelease}" if self.prerelease else ""
        meta = f"+{self.metadata}" if self.metadata else ""
        return f"{core}{pre}{meta}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self.compare(other) == 0

    def __hash__(self) -> int:
        core = list(self.segments)
        while core and core[-1] == 0:
            core.pop()  # 1.2 == 1.2.0 == 1.2.0.0
        return hash((tuple(core), self.prerelease))

    def __lt__(self, other: Version) -> bool:
        return self.compare(other) < 0

    def compare(self, other: Version) -> int:
        width = max(len(self.segments), len(other.segments))
        left = self.segments + (0,) * (width - len(self.segments))
        right = other.segments + (0,) * (width - len(other.segments))
        if left != right:
            return -1 if left < right else 1
        if self.prerelease == other.prerelease:
            return 0
        if not self.prerelease:
            return 1
        if not other.prerelease:
            return -1
        mine = [_prerelease_part(part) for part in self.prerelease.split(".")]
        theirs = [_prerelease_part(part) for part in other.prerelease.split(".")]
        if mine == theirs:
            return 0
        return -1 if mine < theirs else 1


def _prerelease_part(part: str) -> tuple[int, int, str]:
    # Numeric identifiers sort before alphanumeric ones, numerically among themselves.
    if part.isdigit():
        return (0, int(part), "")
    return (1, 0, part)


@dataclass(frozen=True)
class Constraint:
    op: str  # "=", "!=", ">", ">=", "<", "<=", "~>"
    version: Version

    def check(self, candidate: Version) -> bool:
        wanted = self.version
        if self.op == "~>":
            return _pessimistic(candidate, wanted)
        if not _prerelease_check(candidate, wanted):
            return False
        order = candidate.compare(wanted)
        return {
            "=": order == 0,
            "!=": order != 0,
            ">": order > 0,
            ">=": order >= 0,
            "<": order < 0,
            "<=": order <= 0,
        }[self.op]

    def __str__(self) -> str:
        return f"{self.op} {self.version.original or self.version}"


def _prerelease_check(candidate: Version, wanted: Version) -> bool:
    if candidate.prerelease and wanted.prerelease:
        return candidate.segments == wanted.segments
    return not (candidate.prerelease and not wanted.prerelease)


def _pessimistic(candidate: Version, wanted: Version) -> bool:
    if not _prerelease_check(candidate, wanted) or (wanted.prerelease and not candidate.prerelease):
        return False
    if candidate < wanted:
        return False
    if len(wanted.segments) > len(candidate.segments):
        return False
    for index in range(wanted.specified - 1):
        if candidate.segments[index] != wanted.segments[index]:
            return False
    last = len(wanted.segments) - 1
    return wanted.segments[last] <= candidate.segments[last]


@dataclass(frozen=True)
class Constraints:
    items: tuple[Constraint, ...]
    text: str

    @classmethod
    def parse(cls, text: str) -> Constraints:
        if len(text) > 512:
            raise VersionError("version constraint is too long")
        items: list[Constraint] = []
        for part in text.split(","):
            match = _CONSTRAINT.fullmatch(part)
            if match is None:
                raise VersionError(f"malformed version constraint: {text!r}")
            try:
                version = Version.parse(match["version"])
            except VersionError:
                raise VersionError(f"malformed version constraint: {text!r}") from None
            items.append(Constraint(match["op"] or "=", version))
        return cls(tuple(items), text)

    def allows(self, candidate: Version) -> bool:
        if not all(item.check(candidate) for item in self.items):
            return False
        if candidate.prerelease:
            # Terraform: a pre-release is selected only when a constraint names it exactly.
            return any(
                item.op == "=" and item.version == candidate and item.version.prerelease
                for item in self.items
            )
        return True


def newest_allowed(available: Iterable[str], constraints: Constraints | None) -> Version | None:
    """The newest of ``available`` that the constraints allow (no constraint: the newest
    release, never a pre-release), as Terraform's module installer picks it."""
    best: Version | None = None
    for text in available:
        try:
            candidate = Version.parse(text)
        except VersionError:
            continue  # Terraform skips versions it cannot parse
        if constraints is None:
            if candidate.prerelease:
                continue
        elif not constraints.allows(candidate):
            continue
        if best is None or candidate > best:
            best = candidate
    return best


def describe(available: Sequence[str], limit: int = 8) -> str:
    """A short list of the available versions, newest first, for error messages."""
    parsed: list[Version] = []
    for text in available:
        try:
            parsed.append(Version.parse(text))
        except VersionError:
            continue
    parsed.sort(reverse=True)
    shown = ", ".join(v.original or str(v) for v in parsed[:limit])
    more = f" and {len(parsed) - limit} more" if len(parsed) > limit else ""
    return (shown + more) or "none"
