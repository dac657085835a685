"""Go's text formatting of numbers, as ``format`` uses it through ``fmt.Sprintf``.

go-cty's ``format`` hands numbers to Go: ``*big.Float`` for ``%e %E %f %g %G`` (and
``Text('g', -1)`` for ``%v``), ``*big.Int`` for ``%b %d %o %x %X``. This module reproduces
``big.Float.Append``/``Format`` and ``big.Int.Format`` exactly, including Go's shortest-decimal
search (``roundShortest``), which measures the half-ulp interval at the number's precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from engine.terraform.values import Number


@dataclass(slots=True)
class Decimal:
    """big's ``decimal``: value = 0.mant * 10**exp, ``mant`` without trailing zeros."""

    mant: str
    exp: int

    @classmethod
    def of(cls, value: Fraction) -> Decimal:
        """The exact decimal expansion of a dyadic fraction (sign ignored)."""
        value = abs(value)
        if value == 0:
            return cls("", 0)
        n, d = value.numerator, value.denominator
        k = d.bit_length() - 1  # d is a power of two
        digits = str(n * 5**k)
        exp = len(digits) - k
        stripped = digits.rstrip("0")
        return cls(stripped, exp)

    def at(self, i: int) -> str:
        return self.mant[i] if 0 <= i < len(self.mant) else "0"

    def round(self, n: int) -> None:
        if n < 0 or n >= len(self.mant):
            return
        if self._should_round_up(n):
            self.round_up(n)
        else:
            self.round_down(n)

    def _should_round_up(self, n: int) -> bool:
        if self.mant[n] == "5" and n + 1 == len(self.mant):
            return n > 0 and (ord(self.mant[n - 1]) - 48) & 1 != 0
        return self.mant[n] >= "5"

    def round_up(self, n: int) -> None:
        if n < 0 or n >= len(self.mant):
            return
        while n > 0 and self.mant[n - 1] >= "9":
            n -= 1
        if n == 0:
            self.mant = "1"
            self.exp += 1
            return
        self.mant = self.mant[: n - 1] + chr(ord(self.mant[n - 1]) + 1)

    def round_down(self, n: int) -> None:
        if n < 0 or n >= len(self.mant):
            return
        self.mant = self.mant[:n].rstrip("0")
        if not self.mant:
            self.exp = 0


def _round_shortest(d: Decimal, value: Fraction, prec: int) -> None:
    """big.Float's roundShortest: the fewest digits that still round to the value."""
    if not d.mant:
        return
    x = abs(value)
    # x = mant * 2**exp with mant of prec+1 bits (its lsb is half an ulp)
    n, den = x.numerator, x.denominator
    exp = n.bit_length() - den.bit_length() - (prec + 1)
    while True:
        scaled = x / (Fraction(2) ** exp)
        if scaled >= 1 << (prec + 1):
            exp += 1
        elif scaled < 1 << prec:
            exp -= 1
        else:
            break
    mant = int(scaled)  # exact: x has at most prec significant bits
    unit = Fraction(2) ** exp
    lower = Decimal.of((mant - 1) * unit)
    upper = Decimal.of((mant + 1) * unit)
    inclusive = mant & 2 == 0
    for i, m in enumerate(d.mant):
        low = lower.at(i)
        up = upper.at(i)
        okdown = low != m or (inclusive and i + 1 == len(lower.mant))
        okup = m != up and (inclusive or chr(ord(m) + 1) < up or i + 1 < len(upper.mant))
        if okdown and okup:
            d.round(i + 1)
            return
        if okdown:
            d.round_down(i + 1)
            return
        if okup:
            d.round_up(i + 1)
            return


def _fmt_e(fmt: str, prec: int, d: Decimal) -> str:
    out = d.mant[0] if d.mant else "0"
    if prec > 0:
        out += "."
        i = 1
        m = min(len(d.mant), prec + 1)
        if i < m:
            out += d.mant[i:m]
            i = m
        out += "0" * (prec + 1 - i)
    exp = d.exp - 1 if d.mant else 0
    sign = "-" if exp < 0 else "+"
    exp = abs(exp)
    return f"{out}{fmt}{sign}{exp:02d}"


def _fmt_f(prec: int, d: Decimal) -> str:
    if d.exp > 0:
        m = min(len(d.mant), d.exp)
        out = d.mant[:m] + "0" * (d.exp - m)
    else:
        out = "0"
    if prec > 0:
        out += "." + "".join(d.at(d.exp + i) for i in range(prec))
    return out


def float_text(number: Number, fmt: str, prec: int) -> str:
    """``big.Float.Text(fmt, prec)`` for fmt in ``eEfgG`` (``prec < 0``: shortest)."""
    value = number.value
    if isinstance(value, float):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if value < 0 else ""
    d = Decimal.of(value)
    shortest = False
    if prec < 0:
        shortest = True
        _round_shortest(d, value, number.prec)
        if fmt in "eE":
            prec = len(d.mant) - 1
        elif fmt == "f":
            prec = max(len(d.mant) - d.exp, 0)
        else:
            prec = len(d.mant)
    else:
        if fmt in "eE":
            d.round(1 + prec)
        elif fmt == "f":
            d.round(d.exp + prec)
        else:
            if prec == 0:
                prec = 1
            d.round(prec)
    if fmt in "eE":
        return sign + _fmt_e(fmt, prec, d)
    if fmt == "f":
        return sign + _fmt_f(prec, d)
    # g, G
    eprec = prec
    if eprec > len(d.mant) and len(d.mant) >= d.exp:
        eprec = len(d.mant)
    if shortest:
        eprec = 6
    exp = d.exp - 1
    if exp < -4 or exp >= eprec:
        if prec > len(d.mant):
            prec = len(d.mant)
        return sign + _fmt_e("e" if fmt == "g" else "E", prec - 1, d)
    if prec > d.exp:
        prec = len(d.mant)
    return sign + _fmt_f(max(prec - d.exp, 0), d)


@dataclass(slots=True)
class Verb:
    """A parsed ``%`` verb: flags, width and precision (-1 when absent)."""

    mode: str
    width: int = -1
    prec: int = -1
    zero: bool = False
    sharp: bool = False
    plus: bool = False
    minus: bool = False
    space: bool = False


def format_float(number: Number, verb: Verb) -> str:
    """``fmt.Sprintf(verb, *big.Float)`` for ``eEfgG``."""
    fmt = verb.mode
    prec = verb.prec
    if prec < 0:
        prec = 6
        if fmt in "gG":
            prec = -1
    text = float_text(number, fmt, prec)
    sign = ""
    if text[0] == "-":
        sign, text = "-", text[1:]
    elif text[0] == "+":
        sign = " " if verb.space else "+"
        text = text[1:]
    elif verb.plus:
        sign = "+"
    elif verb.space:
        sign = " "
    padding = 0
    if verb.width >= 0 and verb.width > len(sign) + len(text):
        padding = verb.width - len(sign) - len(text)
    if verb.zero and not verb.minus and not number.is_infinite():
        return sign + "0" * padding + text
    if verb.minus:
        return sign + text + " " * padding
    return " " * padding + sign + text


_BASES = {"b": 2, "o": 8, "d": 10, "x": 16, "X": 16}


def _digits(value: int, base: int) -> str:
    if base == 10:
        return str(value)
    if base == 16:
        return format(value, "x")
    if base == 8:
        return format(value, "o")
    return format(value, "b")


def format_int(value: int, verb: Verb) -> str:
    """``fmt.Sprintf(verb, *big.Int)`` for ``bdoxX``."""
    mode = verb.mode
    base = _BASES[mode]
    if value < 0:
        sign = "-"
    elif verb.plus:
        sign = "+"
    elif verb.space:
        sign = " "
    else:
        sign = ""
    prefix = ""
    if verb.sharp:
        prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(mode, "")
    digits = _digits(abs(value), base)
    if mode == "X":
        digits = digits.upper()
    left = zeros = right = 0
    if verb.prec >= 0:
        if len(digits) < verb.prec:
            zeros = verb.prec - len(digits)
        elif digits == "0" and verb.prec == 0:
            return ""
    length = len(sign) + len(prefix) + zeros + len(digits)
    if verb.width >= 0 and length < verb.width:
        pad = verb.width - length
        if verb.minus:
            right = pad
        elif verb.zero and verb.prec < 0:
            zeros = pad
        else:
            left = pad
    return " " * left + sign + prefix + "0" * zeros + digits + " " * right
