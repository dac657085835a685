"""Terraform's date and time functions: ``formatdate timeadd timecmp``, and ``timestamp`` /
``plantimestamp``, which depend on the clock and so are unknown here (with a reason).

Timestamps are parsed as go-cty's strict RFC 3339 parser does, with the same error messages,
and printed as Go's ``time.RFC3339`` layout prints them (the original UTC offset kept, ``Z``
for UTC, fractional seconds dropped). Durations follow Go's ``time.ParseDuration``. Dates are
computed with plain integer arithmetic (proleptic Gregorian calendar), so no host time zone
or ``datetime`` range limit is involved.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.terraform import values as v
from engine.terraform.functions._util import P, arg_error, define, fail, impure, int_value
from engine.terraform.functions.base import Function
from engine.terraform.values import NUMBER, STRING, Type, Value

_PREFIX = "not a valid RFC3339 timestamp: "
_MONTHS = [
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
]
_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
_NANOS = 1_000_000_000


def _days_from_civil(year: int, month: int, day: int) -> int:
    year -= month <= 2
    era = (year if year >= 0 else year - 399) // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(days: int) -> tuple[int, int, int]:
    days += 719468
    era = (days if days >= 0 else days - 146096) // 146097
    doe = days - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    year = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + (3 if mp < 10 else -9)
    return year + (month <= 2), month, day


def _days_in(month: int, year: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


@dataclass(frozen=True, slots=True)
class Time:
    """An instant (nanoseconds since the Unix epoch) and the UTC offset it was written with."""

    nanos: int
    offset: int  # seconds east of UTC

    def local(self) -> tuple[int, int, int, int, int, int, int]:
        """(year, month, day, hour, minute, second, weekday) in its own offset."""
        seconds = self.nanos // _NANOS + self.offset
        days, rest = divmod(seconds, 86400)
        year, month, day = _civil_from_days(days)
        weekday = (days + 4) % 7  # 1970-01-01 was a Thursday
        return year, month, day, rest // 3600, rest % 3600 // 60, rest % 60, weekday

    def zone(self, colon: bool) -> str:
        sign = "-" if self.offset < 0 else "+"
        minutes = abs(self.offset) // 60
        separator = ":" if colon else ""
        return f"{sign}{minutes // 60:02d}{separator}{minutes % 60:02d}"

    def rfc3339(self) -> str:
        year, month, day, hour, minute, second, _ = self.local()
        zone = "Z" if self.offset == 0 else self.zone(True)
        year_text = f"{year:04d}" if year >= 0 else f"-{-year:04d}"
        return f"{year_text}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{zone}"


def _q(text: str) -> str:
    from engine.terraform.functions.strings import go_quote

    return go_quote(text)


class TimestampError(ValueError):
    pass


def _bad(message: str) -> TimestampError:
    return TimestampError(_PREFIX + message)


def _two_digits(rest: str) -> bool:
    return len(rest) >= 2 and rest[:2].isascii() and rest[:2].isdigit()


def parse_timestamp(text: str) -> Time:
    """go-cty's parseTimestamp (strict RFC 3339)."""
    rest = text
    if len(rest) < 4 or not rest[:4].isascii() or not rest[:4].isdigit():
        if rest == "":
            raise _bad("end of string before year")
        raise _bad(f"cannot use {_q(rest)} as year")
    year = int(rest[:4])
    rest = rest[4:]

    def literal(char: str) -> None:
        nonlocal rest
        if rest.startswith(char):
            rest = rest[1:]
            return
        if char == "T":
            raise _bad("missing required time introducer 'T'")
        if rest == "":
            raise _bad(f'end of string where "{char}" is expected')
        raise _bad(f'found {_q(rest)} where "{char}" is expected')

    def number(what: str, low: int, high: int) -> int:
        nonlocal rest
        if rest == "":
            raise _bad(f"end of string before {what}")
        if not _two_digits(rest):
            if what in ("hour", "minute") and rest[:1].isdigit():
                raise _bad(f"{what} must have exactly two digits")
            raise _bad(f"cannot use {_q(rest)} as {what}")
        value = int(rest[:2])
        rest = rest[2:]
        if not low <= value <= high:
            if what == "hour":
                raise _bad("hour must be between 0 and 23 inclusive")
            raise _bad(f"cannot use {_q(rest)} as {what}")
        return value

    literal("-")
    month = number("month", 1, 12)
    literal("-")
    day = number("day of month", 1, 31)
    literal("T")
    hour = number("hour", 0, 23)
    literal(":")
    minute = number("minute", 0, 59)
    literal(":")
    second = number("second", 0, 59)
    fraction = 0
    if len(rest) >= 2 and rest[0] in ".," and rest[1].isdigit():
        end = 1
        while end < len(rest) and rest[end].isascii() and rest[end].isdigit():
            end += 1
        digits = rest[1:end][:9]
        fraction = int(digits.ljust(9, "0"))
        rest = rest[end:]
    if rest == "":
        raise _bad("end of string before UTC offset")
    if rest[0] == "Z":
        offset = 0
        rest = rest[1:]
    else:
        zone = rest
        if (
            len(rest) < 6
            or rest[0] not in "+-"
            or rest[3] != ":"
            or not _two_digits(rest[1:3])
            or not _two_digits(rest[4:6])
        ):
            raise _bad(f"cannot use {_q(zone)} as UTC offset")
        hours, minutes = int(rest[1:3]), int(rest[4:6])
        rest = rest[6:]
        if hours > 24 or minutes > 60:
            raise _bad(f"cannot use {_q(rest)} as UTC offset")
        offset = (hours * 3600 + minutes * 60) * (-1 if zone[0] == "-" else 1)
    if rest:
        raise _bad(f"cannot use {_q(rest)} as timestamp segment")
    if day > _days_in(month, year):
        raise _bad("day out of range")
    seconds = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    return Time((seconds - offset) * _NANOS + fraction, offset)


_UNITS = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,
    "\u03bcs": 1_000,
    "ms": 1_000_000,
    "s": _NANOS,
    "m": 60 * _NANOS,
    "h": 3600 * _NANOS,
}


def parse_duration(text: str) -> int:
    """Go's ``time.ParseDuration``, in nanoseconds (raises ValueError with Go's message)."""
    invalid = ValueError(f"time: invalid duration {_q(text)}")
    rest = text
    negative = False
    if rest[:1] in ("-", "+"):
        negative = rest[0] == "-"
        rest = rest[1:]
    if rest == "0":
        return 0
    if rest == "":
        raise invalid
    total = 0
    while rest:
        if not (rest[0] == "." or (rest[0].isascii() and rest[0].isdigit())):
            raise invalid
        i = 0
        while i < len(rest) and rest[i].isascii() and rest[i].isdigit():
            i += 1
        whole = int(rest[:i]) if i else 0
        if whole > (1 << 63):
            raise invalid
        pre = i > 0
        rest = rest[i:]
        fraction, scale, post = 0, 1.0, False
        if rest[:1] == ".":
            rest = rest[1:]
            j = 0
            overflow = False
            while j < len(rest) and rest[j].isascii() and rest[j].isdigit():
                if not overflow:
                    if fraction > ((1 << 63) - 1) // 10:
                        overflow = True
                    else:
                        fraction = fraction * 10 + int(rest[j])
                        scale *= 10
                j += 1
            post = j > 0
            rest = rest[j:]
        if not pre and not post:
            raise invalid
        k = 0
        while k < len(rest) and not (rest[k] == "." or (rest[k].isascii() and rest[k].isdigit())):
            k += 1
        if k == 0:
            raise ValueError(f"time: missing unit in duration {_q(text)}")
        unit_name = rest[:k]
        rest = rest[k:]
        unit = _UNITS.get(unit_name)
        if unit is None:
            raise ValueError(f"time: unknown unit {_q(unit_name)} in duration {_q(text)}")
        if whole > (1 << 63) // unit:
            raise invalid
        amount = whole * unit
        if fraction > 0:
            amount += int(float(fraction) * (float(unit) / scale))
            if amount > 1 << 63:
                raise invalid
        total += amount
        if total > 1 << 63:
            raise invalid
    if negative:
        return -total
    if total > (1 << 63) - 1:
        raise invalid
    return total


def _parse(value: Value, index: int | None, name: str) -> Time:
    try:
        return parse_timestamp(value.v)
    except TimestampError as exc:
        if index is None:
            raise fail(str(exc)) from None
        raise arg_error(index, name, str(exc)) from None


def _timeadd(args: list[Value], ret: Type) -> Value:
    stamp = _parse(args[0], None, "timestamp")
    try:
        duration = parse_duration(args[1].v)
    except ValueError as exc:
        raise fail(str(exc)) from None
    return v.string(Time(stamp.nanos + duration, stamp.offset).rfc3339())


def _timecmp(args: list[Value], ret: Type) -> Value:
    a = _parse(args[0], 0, "timestamp_a")
    b = _parse(args[1], 1, "timestamp_b")
    return int_value((a.nanos > b.nanos) - (a.nanos < b.nanos))


def _format_tokens(fmt: str) -> list[str]:
    """go-cty's splitDateFormat (on bytes: only ASCII letters are verbs)."""
    tokens: list[str] = []
    i = 0
    n = len(fmt)
    while i < n:
        char = fmt[i]
        if char == "'":
            if i + 1 < n and fmt[i + 1] == "'":
                tokens.append("''")
                i += 2
                continue
            j = i + 1
            while j < n:
                if fmt[j] == "'":
                    if j + 1 < n and fmt[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            tokens.append(fmt[i : j + 1])
            i = j + 1
        elif char.isascii() and char.isalpha():
            j = i + 1
            while j < n and fmt[j] == char:
                j += 1
            tokens.append(fmt[i:j])
            i = j
        else:
            j = i + 1
            while j < n and fmt[j] != "'" and not (fmt[j].isascii() and fmt[j].isalpha()):
                j += 1
            tokens.append(fmt[i:j])
            i = j
    return tokens


def _verb_error(token: str, detail: str = "") -> Exception:
    return arg_error(0, "format", f"invalid date format verb {_q(token)}{detail}")


def _formatdate(args: list[Value], ret: Type) -> Value:
    fmt: str = args[0].v
    stamp = _parse(args[1], 1, "time")
    year, month, day, hour, minute, second, weekday = stamp.local()
    out: list[str] = []
    for token in _format_tokens(fmt):
        first = token[0]
        size = len(token)
        if first == "'":
            if size == 1 or token[-1] != "'":
                raise arg_error(0, "format", "unterminated literal '")
            if size == 2:
                out.append("'")
            else:
                raw = token[1:-1]
                out.append(raw.replace("''", "'"))
        elif first.isascii() and first.isalpha():
            if first == "Y":
                if size == 2:
                    out.append(f"{year % 100:02d}")
                elif size == 4:
                    out.append(f"{year:04d}")
                else:
                    raise _verb_error(token, ': year must either be "YY" or "YYYY"')
            elif first == "M":
                if size == 1:
                    out.append(str(month))
                elif size == 2:
                    out.append(f"{month:02d}")
                elif size == 3:
                    out.append(_MONTHS[month - 1][:3])
                elif size == 4:
                    out.append(_MONTHS[month - 1])
                else:
                    raise _verb_error(token, ': month must be "M", "MM", "MMM", or "MMMM"')
            elif first == "D":
                if size in (1, 2):
                    out.append(f"{day:0{size}d}")
                else:
                    raise _verb_error(token, ': day of month must either be "D" or "DD"')
            elif first == "E":
                if size == 3:
                    out.append(_DAYS[weekday][:3])
                elif size == 4:
                    out.append(_DAYS[weekday])
                else:
                    raise _verb_error(token, ': day of week must either be "EEE" or "EEEE"')
            elif first == "h":
                if size in (1, 2):
                    out.append(f"{hour:0{size}d}")
                else:
                    raise _verb_error(token, ': 24-hour must either be "h" or "hh"')
            elif first == "H":
                twelve = hour % 12 or 12
                if size in (1, 2):
                    out.append(f"{twelve:0{size}d}")
                else:
                    raise _verb_error(token, ': 12-hour must either be "H" or "HH"')
            elif first in "Aa":
                if size != 2:
                    raise _verb_error(token, f': must be "{first}{first}"')
                marker = "AM" if hour < 12 else "PM"
                out.append(marker if first == "A" else marker.lower())
            elif first == "m":
                if size in (1, 2):
                    out.append(f"{minute:0{size}d}")
                else:
                    raise _verb_error(token, ': minute must either be "m" or "mm"')
            elif first == "s":
                if size in (1, 2):
                    out.append(f"{second:0{size}d}")
                else:
                    raise _verb_error(token, ': second must either be "s" or "ss"')
            elif first == "Z":
                if size == 1:
                    out.append("Z" if stamp.offset == 0 else stamp.zone(True))
                elif size == 3:
                    zone = stamp.zone(False)
                    out.append("UTC" if zone == "+0000" else zone)
                elif size == 4:
                    out.append(stamp.zone(False))
                elif size == 5:
                    out.append(stamp.zone(True))
                else:
                    raise _verb_error(token, ": timezone must be Z, ZZZZ, or ZZZZZ")
            else:
                raise _verb_error(token)
        else:
            out.append(token)
    return v.string("".join(out))


FUNCTIONS: dict[str, Function] = {
    "formatdate": define(
        "formatdate", [P("format", STRING), P("time", STRING)], _formatdate, returns=STRING
    ),
    "timeadd": define(
        "timeadd", [P("timestamp", STRING), P("duration", STRING)], _timeadd, returns=STRING
    ),
    "timecmp": define(
        "timecmp",
        [P("timestamp_a", STRING), P("timestamp_b", STRING)],
        _timecmp,
        returns=NUMBER,
    ),
    "timestamp": define(
        "timestamp",
        [],
        lambda args, ret: impure(
            STRING, "timestamp() is known only after apply (it reads the clock)"
        ),
        returns=STRING,
    ),
    "plantimestamp": define(
        "plantimestamp",
        [],
        lambda args, ret: impure(
            STRING, "plantimestamp() is the time of the plan, which this estimate does not fix"
        ),
        returns=STRING,
    ),
}
