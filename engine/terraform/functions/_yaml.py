"""YAML for ``yamldecode``/``yamlencode``, as go-cty-yaml (Terraform's YAML library) does it.

Decoding uses PyYAML's event parser (a port of libyaml, as go-yaml's parser is) and go-cty-yaml's
rules on top: YAML 1.1 scalar resolution (``yes``/``on``/``y`` are ``true``, ``0x1F`` is 31,
``1_000`` stays a string, timestamps become RFC 3339 strings), mappings become objects and
sequences tuples, ``<<`` merge keys, anchors and aliases (with the same "cannot refer to
anchor from inside its own definition" rule). An alias bomb cannot explode: every value
counts its expanded size and the document is refused past :data:`MAX_NODES`.

Encoding drives PyYAML's emitter with the events go-cty-yaml emits (keys and strings double
quoted, multi-line strings in literal style, numbers as Go prints them), with go-yaml's rules
where the two emitters differ: which characters are printable and how long double-quoted
strings are folded.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import re
from typing import Any

import yaml
from yaml import events as ev
from yaml.emitter import Emitter, ScalarAnalysis

from engine.terraform import values as v
from engine.terraform.convert import ConversionError, convert
from engine.terraform.functions._gonum import float_text
from engine.terraform.values import DYNAMIC, STRING, Number, Unknown, Value

MAX_NODES = 1_000_000
MAX_INPUT = 4 * 1024 * 1024

_TAG = "tag:yaml.org,2002:"
STR, BOOL_TAG, INT, FLOAT, NULL_TAG, TIMESTAMP, BINARY = (
    _TAG + name for name in ("str", "bool", "int", "float", "null", "timestamp", "binary")
)
MAP_TAG, SEQ_TAG = _TAG + "map", _TAG + "seq"
_RESOLVABLE = {None, "", STR, BOOL_TAG, INT, FLOAT, NULL_TAG, TIMESTAMP, BINARY}

_BOOLS = {
    **dict.fromkeys(
        ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True
    ),
    **dict.fromkeys(
        ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False
    ),
}
_NULLS = {"", "~", "null", "Null", "NULL"}
_INFS = {
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), 1),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -1),
}
_HINT_MAP = set("yYnNtTfFoO~")

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}))"
    r"|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?))?$"
)


class YAMLError(Exception):
    """A document go-cty-yaml refuses, with its message."""


class _Merge:
    """The ``<<`` merge key marker."""


_MERGE = _Merge()


def _timestamp(text: str) -> str | None:
    match = _TIMESTAMP.match(text)
    if match is None:
        return None
    g = match.groups()
    try:
        year, month, day = int(g[0]), int(g[1]), int(g[2])
        if g[3] is not None:
            hour, minute, second = int(g[3]), int(g[4]), int(g[5])
            zone = g[7]
        elif g[8] is not None:
            hour, minute, second = int(g[8]), int(g[9]), int(g[10])
            zone = "Z"
        else:
            hour = minute = second = 0
            zone = "Z"
        stamp = dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    if zone == "Z":
        suffix = "Z"
    else:
        sign = 1 if zone[0] == "+" else -1
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:  # Go's time.Parse rejects these offsets
            return None
        offset = sign * (hours * 60 + minutes)
        suffix = "Z" if offset == 0 else f"{zone[0]}{hours:02d}:{minutes:02d}"
    return stamp.strftime("%Y-%m-%dT%H:%M:%S") + suffix


def _parse_number(text: str) -> Value | None:
    """cty.ParseNumberVal (decimal only)."""
    try:
        return Value(v.NUMBER, v.parse_number(text))
    except ValueError:
        return None


def _go_parse_int(text: str) -> int | None:
    """strconv.ParseInt/ParseUint(text, 0, 64) (prefixes 0x, 0o, 0b, 0; underscores only
    with a prefix)."""
    body = text
    sign = 1
    if body[:1] in "+-" and body:
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    base = 10
    lower = body.lower()
    if lower.startswith("0x"):
        base, body = 16, body[2:]
    elif lower.startswith("0o"):
        base, body = 8, body[2:]
    elif lower.startswith("0b"):
        base, body = 2, body[2:]
    elif body.startswith("0") and len(body) > 1:
        base, body = 8, body[1:]
    if not body or body.startswith("_") or body.endswith("_") or "__" in body:
        return None
    if "_" in body and base == 10:
        return None
    try:
        value = int(body.replace("_", ""), base)
    except ValueError:
        return None
    value *= sign
    if value < -(1 << 63) or value >= 1 << 64 or (sign < 0 and value < -(1 << 63)):
        return None
    return value


def resolve_scalar(tag: str | None, src: str, quoted: bool) -> Value | _Merge:
    tag = tag or ""
    if tag not in _RESOLVABLE:
        raise YAMLError(f'unsupported tag "{tag}"')
    hint = src[0] if src else "N"
    hinted = src == "" or hint in "+-0123456789" or hint in _HINT_MAP or hint == "."
    if hinted and tag not in (STR, BINARY):
        if quoted:
            return v.string(src)
        if src in _BOOLS:
            return v.boolean(_BOOLS[src])
        if src in _NULLS:
            return v.NULL
        if src in _INFS:
            return v.number(float("inf") * _INFS[src])
        if tag == "" and src in (".nan", ".NaN", ".NAN"):
            raise YAMLError("floating point NaN is not supported")
        if hint == ".":
            number = _parse_number(src)
            if number is not None:
                return number
        elif hint in "+-0123456789":
            if tag in ("", TIMESTAMP):
                stamp = _timestamp(src)
                if stamp is not None:
                    return v.string(stamp)
            number = _parse_number(src)
            if number is not None:
                return number
            if re.fullmatch(r"0x[0-9a-fA-F]+|0o[0-7]+", src):
                tag = INT
    if tag == "" and src == "<<":
        return _MERGE
    if tag in (STR, BINARY):
        if tag == BINARY:
            try:
                base64.b64decode(src, validate=True)
            except (binascii.Error, ValueError):
                raise YAMLError(f'cannot parse "{src}" as {tag}: not valid base64') from None
        return v.string(src)
    if tag == BOOL_TAG:
        if src in _BOOLS:
            return v.boolean(_BOOLS[src])
        raise YAMLError(f'cannot parse "{src}" as {tag}')
    if tag in (FLOAT, INT):
        plain = src.replace("_", "")
        number = _parse_number(plain)
        if number is not None:
            return number
        parsed = _go_parse_int(plain)
        if parsed is not None:
            return v.number(parsed)
        raise YAMLError(f'cannot parse "{src}" as {tag}')
    if tag == TIMESTAMP:
        stamp = _timestamp(src)
        if stamp is not None:
            return v.string(stamp)
        raise YAMLError(f'cannot parse "{src}" as {tag}')
    if tag == NULL_TAG:
        return v.NULL
    return v.string(src)


class _Loader(yaml.SafeLoader):  # type: ignore[misc,unused-ignore]
    """PyYAML's loader with libyaml's tab rule: tabs separate tokens where no simple key
    may start (after ``key:``, inside flow collections)."""

    allow_simple_key: bool
    flow_level: int

    def scan_to_next_token(self) -> None:
        if self.index == 0 and self.peek() == "\ufeff":
            self.forward()
        found = False
        while not found:
            while self.peek() == " " or (
                self.peek() == "\t" and (self.flow_level or not self.allow_simple_key)
            ):
                self.forward()
            if self.peek() == "#":
                while self.peek() not in "\0\r\n\x85\u2028\u2029":
                    self.forward()
            if self.scan_line_break():
                if not self.flow_level:
                    self.allow_simple_key = True
            else:
                found = True


class _Decoder:
    def __init__(self, events: Any) -> None:
        self.events = events
        self.pending: dict[str, int] = {}
        self.anchors: dict[str, tuple[Value, int]] = {}
        self.nodes = 0

    def next(self) -> Any:
        try:
            return next(self.events)
        except StopIteration:  # pragma: no cover - the parser always ends with a stream end
            raise YAMLError("unexpected end of stream") from None

    def count(self, size: int) -> None:
        self.nodes += size
        if self.nodes > MAX_NODES:
            raise YAMLError("the document expands to too many values (an alias bomb?)")

    def begin(self, anchor: str | None) -> None:
        if anchor:
            self.pending[anchor] = self.pending.get(anchor, 0) + 1

    def complete(self, anchor: str | None, value: Value, size: int) -> None:
        if anchor:
            self.pending[anchor] -= 1
            if not self.pending[anchor]:
                del self.pending[anchor]
            self.anchors[anchor] = (value, size)

    def value(self, event: Any) -> tuple[Value, int]:
        if isinstance(event, ev.ScalarEvent):
            self.begin(event.anchor)
            resolved = resolve_scalar(event.tag, event.value, event.style in ("'", '"'))
            result = v.string("<<") if isinstance(resolved, _Merge) else resolved
            self.count(1)
            self.complete(event.anchor, result, 1)
            return result, 1
        if isinstance(event, ev.AliasEvent):
            name = event.anchor
            if name in self.pending:
                raise YAMLError(f'cannot refer to anchor "{name}" from inside its own definition')
            if name not in self.anchors:
                raise YAMLError(f'reference to undefined anchor "{name}"')
            found, size = self.anchors[name]
            self.count(size)
            return found, size
        if isinstance(event, ev.MappingStartEvent):
            return self.mapping(event)
        if isinstance(event, ev.SequenceStartEvent):
            return self.sequence(event)
        if isinstance(event, ev.DocumentStartEvent):
            raise YAMLError(_where(event) + "only a single document is allowed")
        if isinstance(event, ev.StreamEndEvent):
            raise YAMLError(_where(event) + "expecting value but found end of stream")
        raise YAMLError(_where(event) + f"unexpected parser event {type(event).__name__}")

    def mapping(self, event: Any) -> tuple[Value, int]:
        if event.tag not in (None, "", MAP_TAG):
            raise YAMLError(_where(event) + f"can't interpret mapping as {event.tag}")
        self.begin(event.anchor)
        attributes: dict[str, Value] = {}
        size = 1
        while True:
            key_event = self.next()
            if isinstance(key_event, ev.MappingEndEvent):
                result = v.object_of(attributes)
                self.count(1)
                self.complete(event.anchor, result, size)
                return result, size
            if not isinstance(key_event, ev.ScalarEvent):
                raise YAMLError(_where(key_event) + "only strings are allowed as mapping keys")
            key = resolve_scalar(key_event.tag, key_event.value, key_event.style in ("'", '"'))
            if isinstance(key, _Merge):
                merged, merged_size = self.value(self.next())
                if not isinstance(merged.type, v.ObjectType | v.MapType):
                    raise YAMLError(
                        _where(key_event) + f"cannot merge {merged.type.friendly()} into mapping"
                    )
                attributes.update(merged.v or {})
                size += merged_size
                continue
            try:
                key_text = convert(key, STRING)
            except ConversionError:
                raise YAMLError(
                    _where(key_event) + "only strings are allowed as mapping keys"
                ) from None
            if key_text.is_null:
                raise YAMLError(_where(key_event) + "mapping key cannot be null")
            item, item_size = self.value(self.next())
            attributes[key_text.v] = item
            size += item_size

    def sequence(self, event: Any) -> tuple[Value, int]:
        if event.tag not in (None, "", SEQ_TAG):
            raise YAMLError(_where(event) + f"can't interpret sequence as {event.tag}")
        self.begin(event.anchor)
        items: list[Value] = []
        size = 1
        while True:
            item_event = self.next()
            if isinstance(item_event, ev.SequenceEndEvent):
                result = v.tuple_of(items)
                self.count(1)
                self.complete(event.anchor, result, size)
                return result, size
            item, item_size = self.value(item_event)
            items.append(item)
            size += item_size


def _where(event: Any) -> str:
    mark = getattr(event, "start_mark", None)
    if mark is None:
        return ""
    return f"on line {mark.line}, column {mark.column + 1}: "


def decode(text: str) -> Value:
    """``yamldecode``: raises :class:`YAMLError` with go-cty-yaml's messages."""
    if len(text) > MAX_INPUT:
        raise YAMLError(f"the YAML document is larger than {MAX_INPUT} characters")
    try:
        events = yaml.parse(io.StringIO(text or "\n"), Loader=_Loader)
        decoder = _Decoder(iter(events))
        first = decoder.next()
        if not isinstance(first, ev.StreamStartEvent):  # pragma: no cover
            raise YAMLError("missing stream start token")
        start = decoder.next()
        if not isinstance(start, ev.DocumentStartEvent):
            raise YAMLError(_where(start) + "missing start of document")
        result, _ = decoder.value(decoder.next())
        end = decoder.next()
        if isinstance(end, ev.DocumentStartEvent):
            raise YAMLError(_where(end) + "only a single document is allowed")
        if not isinstance(end, ev.DocumentEndEvent):
            raise YAMLError(_where(end) + "unexpected extra content after value")
        last = decoder.next()
        if not isinstance(last, ev.StreamEndEvent):
            raise YAMLError(_where(last) + "unexpected extra content after value")
        return result
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"on line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise YAMLError(where + str(exc.problem or exc.context)) from None
    except yaml.YAMLError as exc:
        raise YAMLError(str(exc)) from None
    except RecursionError:
        raise YAMLError("the YAML document is nested too deeply") from None


# --- encoding -------------------------------------------------------------------------------------


def _go_printable(char: str) -> bool:
    """go-yaml's ``is_printable`` (it rejects characters outside the BMP)."""
    code = ord(char)
    return (
        code == 0x0A
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or (0xE000 <= code <= 0xFFFD and code != 0xFEFF)
    )


_BREAKS = "\r\n\x85\u2028\u2029"


class _GoEmitter(Emitter):  # type: ignore[misc,unused-ignore]
    """PyYAML's emitter with go-yaml's character classes and double-quote folding."""

    def check_empty_document(self) -> bool:
        return False  # go-yaml never writes an explicit "---" for an empty scalar

    def check_simple_key(self) -> bool:
        """go-yaml's rule: at most 128 bytes (PyYAML: fewer than 128 characters, and never
        an empty scalar)."""
        event = self.event
        if isinstance(event, ev.ScalarEvent):
            analysis = getattr(self, "analysis", None)
            if analysis is None:
                analysis = self.analysis = self.analyze_scalar(event.value)
            if analysis.multiline:
                return False
            return len(event.value.encode("utf-8", "surrogatepass")) <= 128
        if isinstance(event, ev.SequenceStartEvent):
            return bool(self.check_empty_sequence())
        if isinstance(event, ev.MappingStartEvent):
            return bool(self.check_empty_mapping())
        return False

    def write_literal(self, text: str) -> None:
        super().write_literal(text)
        self.open_ended = False  # go-yaml writes no "..." after a "|+" block

    def analyze_scalar(self, scalar: str) -> ScalarAnalysis:
        analysis = super().analyze_scalar(scalar)
        if any(not _go_printable(char) for char in scalar):
            analysis.allow_flow_plain = analysis.allow_block_plain = False
            analysis.allow_single_quoted = analysis.allow_block = False
        return analysis

    _ESCAPES = {
        "\0": "0",
        "\x07": "a",
        "\x08": "b",
        "\x09": "t",
        "\x0a": "n",
        "\x0b": "v",
        "\x0c": "f",
        "\x0d": "r",
        "\x1b": "e",
        '"': '"',
        "\\": "\\",
        "\x85": "N",
        "\xa0": "_",
        "\u2028": "L",
        "\u2029": "P",
    }

    def write_double_quoted(self, text: str, split: bool = True) -> None:
        self.write_indicator('"', True)
        out = self.stream
        spaces = False
        i = 0
        n = len(text)
        while i < n:
            ch = text[i]
            if not _go_printable(ch) or ch == "\ufeff" or ch in _BREAKS or ch in '"\\':
                escape = self._ESCAPES.get(ch)
                if escape is None:
                    code = ord(ch)
                    if code <= 0xFF:
                        escape = f"x{code:02X}"
                    elif code <= 0xFFFF:
                        escape = f"u{code:04X}"
                    else:
                        escape = f"U{code:08X}"
                data = "\\" + escape
                out.write(data)
                self.column += len(data)
                spaces = False
            elif ch == " ":
                if split and not spaces and self.column > self.best_width and 0 < i < n - 1:
                    self.write_indent()
                    if i + 1 < n and text[i + 1] == " ":
                        out.write("\\")
                        self.column += 1
                else:
                    out.write(ch)
                    self.column += 1
                spaces = True
            else:
                out.write(ch)
                self.column += 1
                spaces = False
            i += 1
        self.write_indicator('"', False)
        self.whitespace = False
        self.indention = False


class _Output:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def write(self, data: str) -> None:
        self.parts.append(data)
        self.size += len(data)
        if self.size > 16 * 1024 * 1024:
            raise YAMLError("the YAML document would be too large")


_IMPLICIT = (True, True)


def _events(value: Value, out: list[Any]) -> None:
    payload = value.v
    if payload is None:
        out.append(ev.ScalarEvent(None, None, _IMPLICIT, "null", style=None))
        return
    if isinstance(payload, Unknown):
        raise YAMLError("cannot serialize unknown value as YAML")
    if isinstance(payload, str):
        style = "|" if "\n" in payload else '"'
        out.append(ev.ScalarEvent(None, None, _IMPLICIT, payload, style=style))
    elif isinstance(payload, bool):
        out.append(
            ev.ScalarEvent(None, None, _IMPLICIT, "true" if payload else "false", style=None)
        )
    elif isinstance(payload, Number):
        if payload.is_infinite():
            text = "+.Inf" if payload.value > 0 else "-.Inf"
        else:
            text = float_text(payload, "f", -1)
        out.append(ev.ScalarEvent(None, None, _IMPLICIT, text, style=None))
    elif isinstance(payload, tuple):
        out.append(ev.SequenceStartEvent(None, None, True, flow_style=False))
        for item in payload:
            _events(item, out)
        out.append(ev.SequenceEndEvent())
    else:
        out.append(ev.MappingStartEvent(None, None, True, flow_style=False))
        for key in sorted(payload):
            out.append(
                ev.ScalarEvent(None, None, _IMPLICIT, key, style='"' if "\n" not in key else "|")
            )
            _events(payload[key], out)
        out.append(ev.MappingEndEvent())


def encode(value: Value) -> str:
    """``yamlencode``: raises :class:`YAMLError` for unknown values."""
    items: list[Any] = [ev.StreamStartEvent(), ev.DocumentStartEvent(explicit=False)]
    _events(value, items)
    items += [ev.DocumentEndEvent(explicit=False), ev.StreamEndEvent()]
    output = _Output()
    emitter = _GoEmitter(output, allow_unicode=True)
    try:
        for item in items:
            emitter.emit(item)
    except RecursionError:
        raise YAMLError("the value is nested too deeply to encode") from None
    return "".join(output.parts)


__all__ = ["DYNAMIC", "YAMLError", "decode", "encode"]
