"""Terraform's hash and crypto functions: ``base64sha256 base64sha512 md5 sha1 sha256 sha512
uuidv5`` (deterministic, computed exactly), and ``bcrypt uuid rsadecrypt`` (random salt,
random value, secret key material): the engine does not evaluate those, it returns an unknown
string that says why.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable

from engine.terraform import values as v
from engine.terraform.functions._util import P, define, fail, impure
from engine.terraform.functions.base import Function
from engine.terraform.values import NUMBER, STRING, Type, Value

_NAMESPACES = {
    "dns": uuid.NAMESPACE_DNS,
    "url": uuid.NAMESPACE_URL,
    "oid": uuid.NAMESPACE_OID,
    "x500": uuid.NAMESPACE_X500,
}
_HEX = set("0123456789abcdefABCDEF")


def parse_uuid(text: str) -> uuid.UUID:
    """google/uuid's ``Parse`` (raises ValueError with its message)."""
    length = len(text)
    if length == 36 + 9:
        if text[:9].lower() != "urn:uuid:":
            raise ValueError(f"invalid urn prefix: {text[:9]!r}")
        text = text[9:]
    elif length == 36 + 2:
        text = text[1:-1]
    elif length == 32:
        if not all(c in _HEX for c in text):
            raise ValueError("invalid UUID format")
        return uuid.UUID(hex=text)
    elif length != 36:
        raise ValueError(f"invalid UUID length: {length}")
    if text[8] != "-" or text[13] != "-" or text[18] != "-" or text[23] != "-":
        raise ValueError("invalid UUID format")
    digits = text.replace("-", "")
    if len(digits) != 32 or not all(c in _HEX for c in digits):
        raise ValueError("invalid UUID format")
    return uuid.UUID(hex=digits)


def _uuidv5(args: list[Value], ret: Type) -> Value:
    name_space: str = args[0].v
    namespace = _NAMESPACES.get(name_space)
    if namespace is None:
        try:
            namespace = parse_uuid(name_space)
        except ValueError as exc:
            raise fail(f"uuidv5() doesn't support namespace {name_space} ({exc})") from None
    return v.string(_uuid5(namespace, args[1].v))


def _uuid5(namespace: uuid.UUID, name: str) -> str:
    digest = hashlib.sha1(namespace.bytes + name.encode("utf-8")).digest()
    return str(uuid.UUID(bytes=digest[:16], version=5))


def _hash(name: str, digest: Callable[[bytes], bytes], encode: Callable[[bytes], str]) -> Function:
    def impl(args: list[Value], ret: Type) -> Value:
        return v.string(encode(digest(args[0].v.encode("utf-8"))))

    return define(name, [P("str", STRING)], impl, returns=STRING)


def _hex(data: bytes) -> str:
    return data.hex()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _digest(algorithm: str) -> Callable[[bytes], bytes]:
    return lambda data: hashlib.new(algorithm, data).digest()


FUNCTIONS: dict[str, Function] = {
    "md5": _hash("md5", _digest("md5"), _hex),
    "sha1": _hash("sha1", _digest("sha1"), _hex),
    "sha256": _hash("sha256", _digest("sha256"), _hex),
    "sha512": _hash("sha512", _digest("sha512"), _hex),
    "base64sha256": _hash("base64sha256", _digest("sha256"), _b64),
    "base64sha512": _hash("base64sha512", _digest("sha512"), _b64),
    "uuidv5": define(
        "uuidv5", [P("namespace", STRING), P("name", STRING)], _uuidv5, returns=STRING
    ),
    "uuid": define(
        "uuid",
        [],
        lambda args, ret: impure(STRING, "uuid() is known only after apply (it is random)"),
        returns=STRING,
    ),
    "bcrypt": define(
        "bcrypt",
        [P("str", STRING)],
        lambda args, ret: impure(STRING, "bcrypt() is known only after apply (its salt is random)"),
        varparam=P("cost", NUMBER),
        returns=STRING,
    ),
    "rsadecrypt": define(
        "rsadecrypt",
        [P("ciphertext", STRING), P("privatekey", STRING)],
        lambda args, ret: impure(
            STRING, "rsadecrypt() is not evaluated by this engine (it needs a private key)"
        ),
        returns=STRING,
    ),
}
