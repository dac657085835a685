"""Go's ``regexp`` package, on top of Google's RE2 (the ``google-re2`` bindings).

Terraform's ``regex``, ``regexall`` and ``replace("/.../")`` use Go's ``regexp``, whose syntax
and leftmost-first semantics are RE2's. Using the RE2 library itself (rather than Python's
``re`` or ``regex``, which backtrack and differ on ``$``, ``\\d``, ``\\pL``, ``[[:alpha:]]``,
``(?U)``...) gives the same matches, and matching time linear in the input: a hostile pattern
such as ``(a+)+$`` cannot hang the engine.

Matching works on the UTF-8 bytes, as Go does; iteration over successive matches and the
``$1``/``${name}`` expansion of replacements follow Go's ``FindAll*`` and ``ReplaceAllString``
(which differ from Python's on empty matches).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import re2

_NULL = (-1, -1)

#: RE2's error codes -> Go's regexp/syntax error codes (what Terraform's messages show).
_CODES = {
    "unexpected error": "regexp/syntax: internal error",
    "invalid escape sequence": "invalid escape sequence",
    "invalid character class": "invalid character class",
    "invalid character class range": "invalid character class range",
    "missing ]": "missing closing ]",
    "missing )": "missing closing )",
    "unexpected )": "unexpected )",
    "trailing \\": "trailing backslash at end of expression",
    "no argument for repetition operator": "missing argument to repetition operator",
    "invalid repetition size": "invalid repeat count",
    "bad repetition operator": "invalid nested repetition operator",
    "invalid perl operator": "invalid or unsupported Perl syntax",
    "invalid UTF-8": "invalid UTF-8",
    "invalid named capture group": "invalid named capture",
    "pattern too large - compile failed": "expression too large",
    "pattern too large - reverse compile failed": "expression too large",
}

MAX_PATTERN = 64 * 1024
MAX_MEMORY = 32 << 20


class PatternError(Exception):
    """A pattern Go's regexp rejects: ``code`` and ``expr`` as Go's syntax.Error has them."""

    def __init__(self, code: str, expr: str) -> None:
        super().__init__(f"{code}: `{expr}`")
        self.code = code
        self.expr = expr


@dataclass(frozen=True, slots=True)
class Regexp:
    pattern: str
    compiled: object
    groups: int
    #: name of each capture group (index 1..groups), "" when unnamed
    names: tuple[str, ...]


def _check_go_only(pattern: str) -> None:
    """Syntax RE2 accepts but Go's regexp does not (``\\C``: any byte)."""
    i = 0
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            if pattern[i + 1] == "Q":
                end = pattern.find("\\E", i + 2)
                if end < 0:
                    return
                i = end + 2
                continue
            if pattern[i + 1] == "C" and not in_class:
                raise PatternError("invalid escape sequence", "\\C")
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            # a ] right after [ or [^ is a literal
            if pattern[i + 1 : i + 2] == "^":
                i += 1
            if pattern[i + 1 : i + 2] == "]":
                i += 1
        elif char == "]" and in_class:
            in_class = False
        i += 1


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> Regexp:
    """Compile as Go's ``regexp.Compile`` would (raises :class:`PatternError`)."""
    if len(pattern) > MAX_PATTERN:
        raise PatternError("expression too large", pattern[:40])
    _check_go_only(pattern)
    options = re2.Options()
    options.log_errors = False
    options.max_mem = MAX_MEMORY
    compiled = re2._re2.RE2(pattern.encode("utf-8"), options)
    if not compiled.ok():
        message = compiled.error()
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        code, _, expr = str(message).partition(": ")
        raise PatternError(_CODES.get(code, code), expr)
    count = compiled.NumberOfCapturingGroups()
    names = _group_names(pattern)
    if len(names) != count:  # pragma: no cover - the scan below disagrees with RE2
        names = [""] * count
        for name, index in compiled.NamedCapturingGroups():
            key = name.decode("utf-8") if isinstance(name, bytes) else str(name)
            names[index - 1] = key
    return Regexp(pattern, compiled, count, tuple(names))


def _group_names(pattern: str) -> list[str]:
    """The name of every capture group in order ("" for unnamed ones). RE2 reports one
    index per name, but Go allows a name to repeat (``SubexpNames`` lists each group)."""
    names: list[str] = []
    i = 0
    n = len(pattern)
    in_class = False
    while i < n:
        char = pattern[i]
        if char == "\\":
            if pattern.startswith("\\Q", i):
                end = pattern.find("\\E", i + 2)
                i = n if end < 0 else end + 2
                continue
            i += 2
            continue
        if in_class:
            if char == "[" and pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                i = i + 1 if end < 0 else end + 2
                continue
            if char == "]":
                in_class = False
            i += 1
            continue
        if char == "[":
            in_class = True
            i += 1
            if pattern.startswith("^", i):
                i += 1
            if pattern.startswith("]", i):
                i += 1
            continue
        if char == "(":
            if pattern.startswith("(?P<", i) or pattern.startswith("(?<", i):
                start = pattern.index("<", i) + 1
                end = pattern.find(">", start)
                names.append(pattern[start:end] if end > 0 else "")
            elif not pattern.startswith("(?", i):
                names.append("")
        i += 1
    return names


_UNANCHORED = re2._re2.RE2.Anchor.UNANCHORED


def _match(regexp: Regexp, data: bytes, pos: int) -> list[tuple[int, int]] | None:
    spans = regexp.compiled.Match(_UNANCHORED, data, pos, len(data))  # type: ignore[attr-defined]
    if spans[0] == _NULL:
        return None
    return [tuple(span) for span in spans]


def _rune_width(data: bytes, pos: int) -> int:
    if pos >= len(data):
        return 0
    lead = data[pos]
    if lead < 0x80:
        return 1
    if lead >= 0xF0:
        return 4
    if lead >= 0xE0:
        return 3
    return 2


def find(regexp: Regexp, text: str) -> list[str | None] | None:
    """``FindStringSubmatch``: the whole match and each group (None: did not take part)."""
    data = text.encode("utf-8")
    spans = _match(regexp, data, 0)
    if spans is None:
        return None
    return [None if span == _NULL else data[span[0] : span[1]].decode("utf-8") for span in spans]


def find_all(regexp: Regexp, text: str, limit: int) -> list[list[str | None]]:
    """``FindAllStringSubmatch(text, -1)``, Go's way of stepping over empty matches."""
    data = text.encode("utf-8")
    end = len(data)
    results: list[list[str | None]] = []
    pos = 0
    prev_end = -1
    while pos <= end:
        spans = _match(regexp, data, pos)
        if spans is None:
            break
        accept = True
        start, stop = spans[0]
        if stop == pos:
            if start == prev_end:
                accept = False
            width = _rune_width(data, pos)
            pos += width if width else 1
        else:
            pos = stop
        prev_end = stop
        if accept:
            results.append(
                [
                    None if span == _NULL else data[span[0] : span[1]].decode("utf-8")
                    for span in spans
                ]
            )
            if len(results) > limit:
                raise OverflowError(f"more than {limit} matches")
    return results


def _expand(regexp: Regexp, template: bytes, data: bytes, spans: list[tuple[int, int]]) -> bytes:
    """Go's ``Regexp.expand``: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``."""
    out = bytearray()
    i = 0
    n = len(template)
    while i < n:
        dollar = template.find(b"$", i)
        if dollar < 0:
            out += template[i:]
            break
        out += template[i:dollar]
        rest = template[dollar + 1 :]
        if rest[:1] == b"$":
            out += b"$"
            i = dollar + 2
            continue
        name, consumed = _extract(rest)
        if name is None:
            out += b"$"
            i = dollar + 1
            continue
        i = dollar + 1 + consumed
        number = _group_number(name)
        if number >= 0:
            if number < len(spans) and spans[number] != _NULL:
                out += data[spans[number][0] : spans[number][1]]
            continue
        decoded = name.decode("utf-8", "replace")
        for position, group_name in enumerate(regexp.names, start=1):
            if group_name == decoded and spans[position] != _NULL:
                out += data[spans[position][0] : spans[position][1]]
                break
    return bytes(out)


def _group_number(name: bytes) -> int:
    """Go's reading of a ``$name`` as a group number (-1: it is a name)."""
    number = 0
    for byte in name:
        if not 0x30 <= byte <= 0x39 or number >= 100_000_000:
            return -1
        number = number * 10 + byte - 0x30
    if name[:1] == b"0" and len(name) > 1:
        return -1
    return number


def _is_word(byte: int) -> bool:
    return byte == 0x5F or 0x30 <= byte <= 0x39 or 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A


def _extract(rest: bytes) -> tuple[bytes | None, int]:
    """Go's ``extract``: the name after a ``$`` and how many bytes it took."""
    if not rest:
        return None, 0
    brace = False
    start = 0
    if rest[0] == 0x7B:  # {
        brace = True
        start = 1
    i = start
    while i < len(rest):
        byte = rest[i]
        if byte >= 0x80:
            # Go accepts letters and digits of any script; decode the rune
            width = _rune_width(rest, i)
            char = rest[i : i + width].decode("utf-8", "replace")
            if not (char.isalpha() or char.isdigit()):
                break
            i += width
            continue
        if not _is_word(byte):
            break
        i += 1
    if i == start:
        return None, 0
    name = rest[start:i]
    if brace:
        if i >= len(rest) or rest[i] != 0x7D:
            return None, 0
        i += 1
    return name, i


def replace_all(regexp: Regexp, text: str, template: str, limit: int) -> str:
    """``ReplaceAllString``: Go's iteration (no replacement right after a match)."""
    data = text.encode("utf-8")
    repl = template.encode("utf-8")
    end = len(data)
    out = bytearray()
    last_end = 0
    pos = 0
    count = 0
    while pos <= end:
        spans = _match(regexp, data, pos)
        if spans is None:
            break
        start, stop = spans[0]
        out += data[last_end:start]
        if stop > last_end or start == 0:
            out += _expand(regexp, repl, data, spans)
            count += 1
            if len(out) > limit:
                raise OverflowError("the result is too long")
        last_end = stop
        width = _rune_width(data, pos)
        if pos + width > stop:
            pos += width
        elif pos + 1 > stop:
            pos += 1
        else:
            pos = stop
    out += data[last_end:]
    return out.decode("utf-8")
