"""Terraform's IP network functions: ``cidrhost cidrnetmask cidrsubnet cidrsubnets``.

These reproduce Terraform's ``lang/funcs/cidr.go`` on top of ``apparentlymart/go-cidr`` and
Terraform's copy of Go's ``net.ParseCIDR`` (which, unlike current Go, accepts leading zeros
in IPv4 octets), including go-cidr's integer quirks: host and network numbers are reduced to
their low 64 bits before the range checks, a negative host number counts back from the end
of the range, and a negative ``newbits`` widens the prefix. Addresses print as Go prints them
(IPv6 per RFC 5952, IPv4-mapped IPv6 addresses in dotted form).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from engine.terraform import values as v
from engine.terraform.functions._util import (
    P,
    arg_error,
    define,
    fail,
    to_int,
)
from engine.terraform.functions.base import Function
from engine.terraform.values import NUMBER, STRING, ListType, Type, Value

_U64 = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class Net:
    """An IP network as Go's ``net.IPNet``: address bytes (4 or 16) and prefix length."""

    ip: int
    length: int  # 4 or 16 (bytes)
    prefix: int

    @property
    def bits(self) -> int:
        return self.length * 8

    def mask(self, prefix: int | None = None) -> int:
        prefix = self.prefix if prefix is None else prefix
        prefix = max(0, min(prefix, self.bits))
        return ((1 << prefix) - 1) << (self.bits - prefix)

    def first(self) -> int:
        return self.ip & self.mask()

    def last(self) -> int:
        return self.first() | (~self.mask() & ((1 << self.bits) - 1))

    def contains(self, ip: int) -> bool:
        return ip & self.mask() == self.first()


def _dtoi(text: str) -> int | None:
    if not text or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value < 0xFFFFFF else None


def _parse_ipv4(text: str) -> int | None:
    parts = text.split(".")
    if len(parts) != 4:
        return None
    value = 0
    for part in parts:
        octet = _dtoi(part)
        if octet is None or octet > 255:
            return None
        value = value << 8 | octet
    return value


def _parse_ipv6(text: str) -> int | None:
    if "%" in text or not text.isascii():
        return None
    try:
        return int(ipaddress.IPv6Address(text))
    except ValueError:
        return None


def parse_cidr(text: str) -> Net:
    """Terraform's ``ipaddr.ParseCIDR``; raises ValueError with Go's message."""
    slash = text.find("/")
    error = ValueError(f"invalid CIDR address: {text}")
    if slash < 0:
        raise error
    address, mask = text[:slash], text[slash + 1 :]
    length = 4
    ip = _parse_ipv4(address)
    if ip is None:
        length = 16
        ip = _parse_ipv6(address)
    prefix = _dtoi(mask)
    if ip is None or prefix is None or prefix > length * 8:
        raise error
    net = Net(ip, length, prefix)
    return Net(net.first(), length, prefix)


def ip_string(ip: int, length: int) -> str:
    """Go's ``net.IP.String``."""
    if length == 4:
        return ".".join(str((ip >> shift) & 0xFF) for shift in (24, 16, 8, 0))
    if ip >> 32 == 0xFFFF:  # IPv4-mapped: Go prints the IPv4 form
        return ip_string(ip & 0xFFFFFFFF, 4)
    return ipaddress.IPv6Address(ip).compressed


def _is_v4(net: Net) -> bool:
    """``ip.To4() != nil``."""
    return net.length == 4 or net.ip >> 32 == 0xFFFF


def _insert(ip: int, length: int, number: int, prefix: int) -> int:
    """go-cidr's insertNumIntoIP (big.Int ``Or``, then the magnitude's low bytes)."""
    bits = length * 8
    shift = bits - prefix
    shifted = number << shift if shift >= 0 else number >> -shift
    combined = ip | shifted
    return abs(combined) & ((1 << bits) - 1)


def _parse(value: Value, index: int | None = None) -> Net:
    try:
        return parse_cidr(value.v)
    except ValueError as exc:
        if index is None:
            raise fail(f"invalid CIDR expression: {exc}") from None
        raise arg_error(index, "prefix", f"invalid CIDR expression: {exc}") from None


def _big_int(value: Value) -> int:
    number = value.v
    if not number.is_integer():
        raise fail("value must be a whole number")
    return int(number.as_int())


def _int(value: Value) -> int:
    try:
        return to_int(value)
    except ValueError as exc:
        raise fail(str(exc)) from None


def _cidrhost(args: list[Value], ret: Type) -> Value:
    number = _big_int(args[1])
    net = _parse(args[0])
    host_bits = net.bits - net.prefix
    max_host = (1 << host_bits) - 1
    low = abs(number) & _U64
    check = low - (1 << 64) if low >= 1 << 63 else low
    if number < 0:
        check = -number - 1
        number = max_host - check
    if check > max_host:
        raise fail(f"prefix of {net.prefix} does not accommodate a host numbered {number}")
    bit_length = 32 if _is_v4(net) else 128
    ip = _insert(net.ip, net.length, number, bit_length)
    return v.string(ip_string(ip, net.length))


def _cidrnetmask(args: list[Value], ret: Type) -> Value:
    net = _parse(args[0])
    if not _is_v4(net):
        raise fail(f"IPv6 addresses cannot have a netmask: {args[0].v}")
    return v.string(ip_string(net.mask(), net.length))


def _cidrsubnet(args: list[Value], ret: Type) -> Value:
    newbits = _int(args[1])
    number = _big_int(args[2])
    net = _parse(args[0])
    new_prefix = net.prefix + newbits
    if new_prefix > net.bits:
        raise fail(f"insufficient address space to extend prefix of {net.prefix} by {newbits}")
    shift = newbits & _U64
    max_net = ((1 << shift) & _U64) - 1 if shift < 64 else -1
    max_net &= _U64
    if abs(number) & _U64 > max_net:
        raise fail(f"prefix extension of {newbits} does not accommodate a subnet numbered {number}")
    ip = _insert(net.ip, net.length, number, new_prefix)
    if new_prefix < 0:
        return v.string("<nil>")  # Go's IPNet.String() of a network without a mask
    return v.string(f"{ip_string(ip, net.length)}/{new_prefix}")


def _subnet_string(ip: int, length: int, prefix: int) -> str:
    return f"{ip_string(ip, length)}/{prefix}"


def _cidrsubnets(args: list[Value], ret: Type) -> Value:
    net = _parse(args[0], index=0)
    lengths = args[1:]
    if not lengths:
        return Value(ListType(STRING), ())
    bits = net.bits
    full = (1 << bits) - 1

    def as_int(index: int) -> int:
        try:
            return to_int(lengths[index])
        except ValueError as exc:
            raise arg_error(index + 1, "newbits", str(exc)) from None

    first_length = as_int(0) + net.prefix
    # PreviousSubnet(network, first_length)
    mask = Net(0, net.length, first_length).mask()
    current_ip = ((net.ip - 1) & full) & mask
    current_prefix = first_length
    results: list[Value] = []
    for index in range(len(lengths)):
        length = as_int(index)
        if length < 1:
            raise arg_error(index + 1, "newbits", "must extend prefix by at least one bit")
        if length > 32:
            raise arg_error(index + 1, "newbits", "may not extend prefix by more than 32 bits")
        length += net.prefix
        if length > bits:
            protocol = {32: "IPv4", 128: "IPv6"}.get(bits, "IP")
            raise arg_error(
                index + 1,
                "newbits",
                f"would extend prefix to {length} bits, which is too long for an "
                f"{protocol} address",
            )
        # NextSubnet(current, length)
        current = Net(current_ip, net.length, current_prefix)
        current_last = current.last()
        new_mask = Net(0, net.length, length).mask()
        subnet_first = current_last & new_mask
        subnet_last = subnet_first | (~new_mask & full)
        after = (subnet_last + 1) & full
        next_ip = after & new_mask
        rollover = after == 0
        if rollover or not net.contains(next_ip):
            raise arg_error(
                index + 1,
                "newbits",
                f"not enough remaining address space for a subnet with a prefix of {length} "
                f"bits after {_subnet_string(current_ip, net.length, current_prefix)}",
            )
        current_ip, current_prefix = next_ip, length
        results.append(v.string(_subnet_string(current_ip, net.length, current_prefix)))
    return Value(ListType(STRING), tuple(results))


FUNCTIONS: dict[str, Function] = {
    "cidrhost": define(
        "cidrhost", [P("prefix", STRING), P("hostnum", NUMBER)], _cidrhost, returns=STRING
    ),
    "cidrnetmask": define("cidrnetmask", [P("prefix", STRING)], _cidrnetmask, returns=STRING),
    "cidrsubnet": define(
        "cidrsubnet",
        [P("prefix", STRING), P("newbits", NUMBER), P("netnum", NUMBER)],
        _cidrsubnet,
        returns=STRING,
    ),
    "cidrsubnets": define(
        "cidrsubnets",
        [P("prefix", STRING)],
        _cidrsubnets,
        varparam=P("newbits", NUMBER),
        returns=ListType(STRING),
    ),
}
