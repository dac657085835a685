"""Terraform's encoding functions: ``base64decode base64encode base64gzip csvdecode jsondecode
jsonencode textdecodebase64 textencodebase64 urlencode yamldecode yamlencode``.

``jsonencode`` writes what go-cty's JSON marshaller writes (keys sorted, no spaces, Go's
HTML-safe string escapes, numbers as Go prints a ``big.Float``); ``jsondecode`` gives
Terraform's types (objects, tuples, 512-bit numbers). ``csvdecode`` follows Go's
``encoding/csv``; ``urlencode`` Go's ``url.QueryEscape``; the text encodings are the IANA
names Terraform's ``ianaindex`` accepts. YAML lives in :mod:`._yaml`.

``base64gzip`` compresses with zlib at Go's default level and frames the stream as Go's
``gzip.Writer`` does (header, sync flush, final empty block): identical to Terraform's
output for short inputs, and always decompressing to the same text; for longer inputs the
compressed bytes can differ from Go's (its deflate implementation differs from zlib's).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import re
import struct
import urllib.parse
import zlib
from typing import Any

from engine.terraform import values as v
from engine.terraform.functions import _yaml
from engine.terraform.functions._util import (
    MAX_STRING,
    JSONError,
    P,
    arg_error,
    check_size,
    define,
    fail,
    json_marshal,
)
from engine.terraform.functions.base import Function
from engine.terraform.values import (
    DYNAMIC,
    STRING,
    ListType,
    ObjectType,
    Type,
    Unknown,
    Value,
)

MAX_DECODE = 16 * 1024 * 1024


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def go_base64_decode(text: str) -> bytes | None:
    """Go's ``base64.StdEncoding.DecodeString``: strict padding, ``\\r``/``\\n`` ignored."""
    cleaned = text.replace("\r", "").replace("\n", "")
    if len(cleaned) % 4:
        return None
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        return None


def _quote(text: str) -> str:
    from engine.terraform.functions.strings import go_quote

    return go_quote(text)


def _base64decode(args: list[Value], ret: Type) -> Value:
    text: str = args[0].v
    data = go_base64_decode(text)
    if data is None:
        raise fail(f"failed to decode base64 data {_quote(text)}")
    decoded = _utf8(data)
    if decoded is None:
        raise fail("the result of decoding the provided string is not valid UTF-8")
    return v.string(decoded)


def _base64encode(args: list[Value], ret: Type) -> Value:
    return v.string(base64.b64encode(args[0].v.encode("utf-8")).decode("ascii"))


def gzip_bytes(data: bytes) -> bytes:
    """Go's ``gzip.NewWriter`` + ``Write`` + ``Flush`` + ``Close`` framing, zlib's deflate."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15, 8)
    body = compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
    body += b"\x01\x00\x00\xff\xff"  # Close: a final, empty stored block
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    return header + body + struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)


def _base64gzip(args: list[Value], ret: Type) -> Value:
    data = args[0].v.encode("utf-8")
    return v.string(base64.b64encode(gzip_bytes(data)).decode("ascii"))


# --- csv ------------------------------------------------------------------------------------------


class CSVError(Exception):
    pass


_QUOTE_ERROR = 'extraneous or missing " in quoted-field'


def go_csv(text: str) -> list[tuple[int, list[str]]]:
    """Go's ``encoding/csv`` reader with default options: (line of the record, fields)."""
    records: list[tuple[int, list[str]]] = []
    lines = text.split("\n")
    # splitting on \n leaves a final "" for a trailing newline: not a record
    if lines and lines[-1] == "":
        lines.pop()
        ended = True
    else:
        ended = False
    index = 0
    line_number = 0
    total = len(lines)
    while index < total:
        line = lines[index]
        index += 1
        line_number += 1
        has_newline = index < total or ended
        if line.endswith("\r") and has_newline:
            line = line[:-1]
        if line == "":
            continue
        record_line = line_number
        fields: list[str] = []
        position = 0
        while True:
            if position < len(line) and line[position] == '"':
                # quoted field, possibly spanning lines
                position += 1
                field: list[str] = []
                while True:
                    quote = line.find('"', position)
                    if quote >= 0:
                        field.append(line[position:quote])
                        after = quote + 1
                        if after < len(line) and line[after] == '"':
                            field.append('"')
                            position = after + 1
                            continue
                        if after < len(line) and line[after] == ",":
                            position = after + 1
                            fields.append("".join(field))
                            break
                        if after >= len(line):
                            position = -1
                            fields.append("".join(field))
                            break
                        raise CSVError(f"CSV parse error on line {line_number}: {_QUOTE_ERROR}")
                    field.append(line[position:])
                    if index >= total:
                        raise CSVError(f"CSV parse error on line {line_number}: {_QUOTE_ERROR}")
                    field.append("\n")
                    line = lines[index]
                    index += 1
                    line_number += 1
                    if line.endswith("\r") and (index < total or ended):
                        line = line[:-1]
                    position = 0
                if position < 0:
                    break
                continue
            comma = line.find(",", position)
            chunk = line[position:] if comma < 0 else line[position:comma]
            if '"' in chunk:
                raise CSVError(f'CSV parse error on line {line_number}: bare " in non-quoted-field')
            fields.append(chunk)
            if comma < 0:
                break
            position = comma + 1
            if position == len(line):
                fields.append("")
                break
        records.append((record_line, fields))
        check_size(len(records), "CSV document")
    return records


def _csv_type(args: list[Value]) -> Type:
    if not args[0].is_known:
        return DYNAMIC
    try:
        records = go_csv(args[0].v)
    except CSVError as exc:
        raise fail(str(exc)) from None
    if not records:
        raise fail("missing header line")
    names = records[0][1]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise fail(f"duplicate column name {_quote(name)}")
        seen.add(name)
    return ListType(ObjectType(dict.fromkeys(names, STRING)))


def _csvdecode(args: list[Value], ret: Type) -> Value:
    records = go_csv(args[0].v)
    header = records[0][1]
    rows: list[Value] = []
    for line, record in records[1:]:
        if len(record) != len(header):
            raise fail(f"CSV parse error on line {line}: wrong number of fields")
        rows.append(
            v.object_of({name: v.string(field) for name, field in zip(header, record, strict=True)})
        )
    assert isinstance(ret, ListType)
    return Value(ret, tuple(rows))


# --- json -----------------------------------------------------------------------------------------


def _go_char(char: str) -> str:
    if char == "'":
        return "'\\''"
    if char == '"':
        return "'\"'"
    from engine.terraform.functions.strings import go_quote

    return "'" + go_quote(char)[1:-1] + "'"


def _json_error(text: str, exc: json.JSONDecodeError) -> str:
    message = exc.msg
    position = exc.pos
    if message.startswith("Extra data"):
        return "extraneous data after JSON object"
    rest = text[position:].strip()
    if position >= len(text) or not rest:
        before = text[:position].rstrip()
        if not before or before[-1] in "{[,:":
            return "EOF"
        return "unexpected EOF"
    char = text[position]
    if message.startswith("Expecting value"):
        if text[position:].startswith(("t", "f", "n")):
            return "unexpected EOF"
        return f"invalid character {_go_char(char)} looking for beginning of value"
    if message.startswith("Expecting property name"):
        return f"invalid character {_go_char(char)} looking for beginning of object key string"
    if message.startswith("Expecting ':'"):
        return f"invalid character {_go_char(char)} after object key"
    if message.startswith("Expecting ','"):
        return f"invalid character {_go_char(char)} after array element"
    if message.startswith("Invalid control character"):
        return f"invalid character {_go_char(char)} in string literal"
    if message.startswith(("Unterminated string", "Invalid \\uXXXX")):
        return "unexpected EOF"
    if message.startswith("Invalid \\escape"):
        escaped = text[position + 1 : position + 2] or char
        return f"invalid character {_go_char(escaped)} in string escape code"
    return message


_SURROGATE = re.compile("[\ud800-\udfff]")


def _from_json(data: Any) -> Value:
    if data is None:
        return v.NULL
    if data is True or data is False:
        return v.boolean(data)
    if isinstance(data, _JSONNumber):
        return Value(v.NUMBER, v.parse_number(str(data)))
    if isinstance(data, str):
        return v.string(_SURROGATE.sub("\ufffd", data))
    if isinstance(data, list):
        return v.tuple_of(_from_json(item) for item in data)
    assert isinstance(data, dict)
    return v.object_of({_SURROGATE.sub("\ufffd", k): _from_json(item) for k, item in data.items()})


class _JSONNumber(str):
    pass


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def json_decode(text: str) -> Value:
    if len(text) > MAX_DECODE:
        raise fail("the JSON document is too large")
    try:
        data = json.loads(
            text,
            parse_float=_JSONNumber,
            parse_int=_JSONNumber,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as exc:
        raise fail(_json_error(text, exc)) from None
    except ValueError as exc:
        position = text.find(str(exc))
        char = text[position] if position >= 0 else str(exc)[:1]
        raise fail(f"invalid character {_go_char(char)} looking for beginning of value") from None
    except RecursionError:
        raise fail("the JSON document is nested too deeply") from None
    return _from_json(data)


def _jsondecode(args: list[Value], ret: Type) -> Value:
    return json_decode(args[0].v)


def _jsonencode(args: list[Value], ret: Type) -> Value:
    value = args[0]
    found = v.first_unknown(value)
    if found is not None:
        return Value(STRING, found)
    if value.is_null:
        return v.string("null")
    try:
        text = json_marshal(value)
    except JSONError as exc:
        raise fail(str(exc)) from None
    except RecursionError:
        raise fail("the value is nested too deeply to encode") from None
    if len(text) > MAX_STRING:
        raise fail("the encoded JSON is too long")
    return v.string(text)


# --- text encodings -------------------------------------------------------------------------------

#: IANA character sets that Terraform's ianaindex knows: canonical name, Python codec, aliases.
_CHARSETS: list[tuple[str, str, tuple[str, ...]]] = [
    ("UTF-8", "utf-8", ("csUTF8",)),
    ("UTF-16BE", "utf-16-be", ("csUTF16BE",)),
    ("UTF-16LE", "utf-16-le", ("csUTF16LE",)),
    ("UTF-16", "utf-16", ("csUTF16",)),
    (
        "US-ASCII",
        "ascii",
        (
            "iso-ir-6",
            "ANSI_X3.4-1968",
            "ANSI_X3.4-1986",
            "ISO_646.irv:1991",
            "ISO646-US",
            "us",
            "IBM367",
            "cp367",
            "csASCII",
        ),
    ),
    (
        "ISO_8859-1:1987",
        "latin-1",
        (
            "iso-ir-100",
            "ISO_8859-1",
            "ISO-8859-1",
            "latin1",
            "l1",
            "IBM819",
            "CP819",
            "csISOLatin1",
        ),
    ),
    (
        "ISO_8859-2:1987",
        "iso8859-2",
        ("iso-ir-101", "ISO_8859-2", "ISO-8859-2", "latin2", "l2", "csISOLatin2"),
    ),
    (
        "ISO_8859-3:1988",
        "iso8859-3",
        ("iso-ir-109", "ISO_8859-3", "ISO-8859-3", "latin3", "l3", "csISOLatin3"),
    ),
    (
        "ISO_8859-4:1988",
        "iso8859-4",
        ("iso-ir-110", "ISO_8859-4", "ISO-8859-4", "latin4", "l4", "csISOLatin4"),
    ),
    (
        "ISO_8859-5:1988",
        "iso8859-5",
        ("iso-ir-144", "ISO_8859-5", "ISO-8859-5", "cyrillic", "csISOLatinCyrillic"),
    ),
    (
        "ISO_8859-6:1987",
        "iso8859-6",
        (
            "iso-ir-127",
            "ISO_8859-6",
            "ISO-8859-6",
            "ECMA-114",
            "ASMO-708",
            "arabic",
            "csISOLatinArabic",
        ),
    ),
    (
        "ISO_8859-7:1987",
        "iso8859-7",
        (
            "iso-ir-126",
            "ISO_8859-7",
            "ISO-8859-7",
            "ELOT_928",
            "ECMA-118",
            "greek",
            "greek8",
            "csISOLatinGreek",
        ),
    ),
    (
        "ISO_8859-8:1988",
        "iso8859-8",
        ("iso-ir-138", "ISO_8859-8", "ISO-8859-8", "hebrew", "csISOLatinHebrew"),
    ),
    (
        "ISO_8859-9:1989",
        "iso8859-9",
        ("iso-ir-148", "ISO_8859-9", "ISO-8859-9", "latin5", "l5", "csISOLatin5"),
    ),
    (
        "ISO-8859-10",
        "iso8859-10",
        ("iso-ir-157", "l6", "ISO_8859-10:1992", "csISOLatin6", "latin6"),
    ),
    ("ISO-8859-13", "iso8859-13", ("csISO885913",)),
    (
        "ISO-8859-14",
        "iso8859-14",
        (
            "iso-ir-199",
            "ISO_8859-14:1998",
            "ISO_8859-14",
            "latin8",
            "iso-celtic",
            "l8",
            "csISO885914",
        ),
    ),
    ("ISO-8859-15", "iso8859-15", ("ISO_8859-15", "Latin-9", "csISO885915")),
    (
        "ISO-8859-16",
        "iso8859-16",
        ("iso-ir-226", "ISO_8859-16:2001", "ISO_8859-16", "latin10", "l10", "csISO885916"),
    ),
    ("KOI8-R", "koi8-r", ("csKOI8R",)),
    ("KOI8-U", "koi8-u", ("csKOI8U",)),
    ("macintosh", "mac-roman", ("mac", "csMacintosh")),
    ("IBM437", "cp437", ("cp437", "437", "csPC8CodePage437")),
    ("IBM850", "cp850", ("cp850", "850", "csPC850Multilingual")),
    ("IBM852", "cp852", ("cp852", "852", "csPCp852")),
    ("IBM855", "cp855", ("cp855", "855", "csIBM855")),
    ("IBM00858", "cp858", ("CCSID00858", "CP00858", "PC-Multilingual-850+euro", "csIBM00858")),
    ("IBM860", "cp860", ("cp860", "860", "csIBM860")),
    ("IBM862", "cp862", ("cp862", "862", "csPC862LatinHebrew")),
    ("IBM863", "cp863", ("cp863", "863", "csIBM863")),
    ("IBM865", "cp865", ("cp865", "865", "csIBM865")),
    ("IBM866", "cp866", ("cp866", "866", "csIBM866")),
    ("windows-874", "cp874", ("cswindows874",)),
    ("windows-1250", "cp1250", ("cswindows1250",)),
    ("windows-1251", "cp1251", ("cswindows1251",)),
    ("windows-1252", "cp1252", ("cswindows1252",)),
    ("windows-1253", "cp1253", ("cswindows1253",)),
    ("windows-1254", "cp1254", ("cswindows1254",)),
    ("windows-1255", "cp1255", ("cswindows1255",)),
    ("windows-1256", "cp1256", ("cswindows1256",)),
    ("windows-1257", "cp1257", ("cswindows1257",)),
    ("windows-1258", "cp1258", ("cswindows1258",)),
    ("Shift_JIS", "shift_jis", ("MS_Kanji", "csShiftJIS")),
    ("Extended_UNIX_Code_Packed_Format_for_Japanese", "euc_jp", ("csEUCPkdFmtJapanese", "EUC-JP")),
    ("ISO-2022-JP", "iso2022_jp", ("csISO2022JP",)),
    ("EUC-KR", "euc_kr", ("csEUCKR",)),
    ("GBK", "gbk", ("CP936", "MS936", "windows-936", "csGBK")),
    ("GB18030", "gb18030", ("csGB18030",)),
    ("HZ-GB-2312", "hz", ()),
    ("Big5", "big5", ("csBig5",)),
]

_ENCODINGS: dict[str, tuple[str, str]] = {}
for _canonical, _codec, _aliases in _CHARSETS:
    for _name in (_canonical, *_aliases):
        _ENCODINGS[_name.lower()] = (_canonical, _codec)


def _encoding(name: str) -> tuple[str, str]:
    found = _ENCODINGS.get(name.lower())
    if found is None:
        raise arg_error(
            1,
            "encoding",
            f"{_quote(name)} is not a supported IANA encoding name or alias in this "
            "Terraform version",
        )
    return found


def _textencode(args: list[Value], ret: Type) -> Value:
    text: str = args[0].v
    canonical, codec = _encoding(args[1].v)
    try:
        bom = b"\xfe\xff" if codec == "utf-16" else b""
        data = bom + text.encode("utf-16-be" if codec == "utf-16" else codec)
    except UnicodeEncodeError:
        raise arg_error(
            0,
            "string",
            f"the given string contains characters that cannot be represented in {canonical}",
        ) from None
    return v.string(base64.b64encode(data).decode("ascii"))


def _textdecode(args: list[Value], ret: Type) -> Value:
    source: str = args[0].v
    canonical, codec = _encoding(args[1].v)
    data = go_base64_decode(source)
    if data is None:
        offset = next(
            (i for i, c in enumerate(source) if not (c.isascii() and (c.isalnum() or c in "+/="))),
            len(source) - len(source) % 4,
        )
        raise arg_error(
            0, "source", f"the given value is has an invalid base64 symbol at offset {offset}"
        )
    try:
        if codec == "utf-16":
            if data[:2] == b"\xff\xfe":
                text = data[2:].decode("utf-16-le")
            elif data[:2] == b"\xfe\xff":
                text = data[2:].decode("utf-16-be")
            else:
                text = data.decode("utf-16-be")
        else:
            text = data.decode(codec)
    except UnicodeDecodeError:
        raise arg_error(
            0, "source", f"the given string contains symbols that are not defined for {canonical}"
        ) from None
    return v.string(text)


def _urlencode(args: list[Value], ret: Type) -> Value:
    return v.string(urllib.parse.quote_plus(args[0].v, safe=""))


# --- yaml -----------------------------------------------------------------------------------------


def _yamldecode(args: list[Value], ret: Type) -> Value:
    try:
        return _yaml.decode(args[0].v)
    except _yaml.YAMLError as exc:
        raise fail(str(exc)) from None


def _yamlencode(args: list[Value], ret: Type) -> Value:
    value = args[0]
    found = v.first_unknown(value)
    if found is not None:
        return Value(STRING, found)
    try:
        return v.string(_yaml.encode(value))
    except _yaml.YAMLError as exc:
        raise fail(str(exc)) from None


def _str(name: str) -> P:
    return P(name, STRING)


_ = (codecs, Unknown)

FUNCTIONS: dict[str, Function] = {
    "base64decode": define("base64decode", [_str("str")], _base64decode, returns=STRING),
    "base64encode": define("base64encode", [_str("str")], _base64encode, returns=STRING),
    "base64gzip": define("base64gzip", [_str("str")], _base64gzip, returns=STRING),
    "csvdecode": define("csvdecode", [_str("str")], _csvdecode, type_fn=_csv_type),
    "jsondecode": define("jsondecode", [_str("str")], _jsondecode),
    "jsonencode": define(
        "jsonencode",
        [P("val", DYNAMIC, allow_null=True, allow_unknown=True, allow_dynamic=True)],
        _jsonencode,
        returns=STRING,
    ),
    "textencodebase64": define(
        "textencodebase64", [_str("string"), _str("encoding")], _textencode, returns=STRING
    ),
    "textdecodebase64": define(
        "textdecodebase64", [_str("source"), _str("encoding")], _textdecode, returns=STRING
    ),
    "urlencode": define("urlencode", [_str("str")], _urlencode, returns=STRING),
    "yamldecode": define("yamldecode", [_str("src")], _yamldecode),
    "yamlencode": define(
        "yamlencode",
        [P("value", DYNAMIC, allow_null=True, allow_unknown=True, allow_dynamic=True)],
        _yamlencode,
        returns=STRING,
    ),
}
