"""Terraform's string functions: ``chomp endswith format formatlist indent join lower regex
regexall replace split startswith strcontains strrev substr templatestring title trim
trimprefix trimsuffix trimspace upper`` and the pure path functions ``basename dirname``.

Behaviour follows go-cty's stdlib and Terraform's ``lang/funcs`` as Go runs them: Go's simple
case mappings for ``upper``/``lower``/``title`` (``"ß"`` stays ``"ß"``), Go's ``unicode.IsSpace``
for ``trimspace``, grapheme clusters for ``strrev``/``substr`` and ``format`` widths, Go's
``fmt`` for ``format``'s numeric verbs (see :mod:`._gonum`), Go's ``regexp`` via RE2 (see
:mod:`._regex`), Go's ``path/filepath`` for ``basename``/``dirname``.
"""

from __future__ import annotations

import posixpath

from engine.terraform import values as v
from engine.terraform.convert import ConversionError, convert
from engine.terraform.functions import _regex, _template
from engine.terraform.functions._gonum import Verb, float_text, format_float, format_int
from engine.terraform.functions._util import (
    MAX_ELEMENTS,
    MAX_STRING,
    JSONError,
    P,
    arg_error,
    check_string,
    define,
    fail,
    json_marshal,
    json_string,
    to_int,
)
from engine.terraform.functions.base import Function, FunctionError
from engine.terraform.values import (
    BOOL,
    DYNAMIC,
    NUMBER,
    STRING,
    ListType,
    Number,
    ObjectType,
    SetType,
    TupleType,
    Type,
    Unknown,
    Value,
)

# --- Go's unicode helpers -------------------------------------------------------------------------

_GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | frozenset(
    chr(c) for c in range(0x2000, 0x200B)
)


def go_is_space(char: str) -> bool:
    return char in _GO_SPACE


def _simple(char: str, mapped: str, fallback: str) -> str:
    if len(mapped) == 1:
        return mapped
    if len(fallback) == 1 and fallback != char:
        return fallback
    return char


def go_upper(text: str) -> str:
    if text.isascii():
        return text.upper()
    return "".join(_simple(c, c.upper(), c.title()) for c in text)


def go_lower(text: str) -> str:
    if text.isascii():
        return text.lower()
    return "".join("i" if c == "\u0130" else _simple(c, c.lower(), c) for c in text)


def _go_title_char(char: str) -> str:
    return _simple(char, char.title(), char.upper())


def _is_separator(char: str) -> bool:
    """Go's ``strings.Title`` word separator."""
    if char.isascii():
        return not (char.isalnum() or char == "_")
    if char.isalpha() or (char.isdigit() and char.isdecimal()):
        return False
    return go_is_space(char)


def go_title(text: str) -> str:
    out: list[str] = []
    previous = " "
    for char in text:
        out.append(_go_title_char(char) if _is_separator(previous) else char)
        previous = char
    return "".join(out)


def go_quote(text: str) -> str:
    """Go's ``strconv.Quote`` (``%q`` of a string)."""
    out = ['"']
    for char in text:
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char.isprintable() or char == " ":
            out.append(char)
        elif char in _GO_ESCAPES:
            out.append(_GO_ESCAPES[char])
        elif ord(char) < 0x80:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    out.append('"')
    return "".join(out)


def go_quote_rune(char: str) -> str:
    if char == "'":
        return "'\\''"
    quoted = go_quote(char)[1:-1].replace('\\"', '"')
    return f"'{quoted}'"


_GO_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def _graphemes(text: str) -> list[str]:
    return v.graphemes(text)


def _width(text: str) -> int:
    return v.grapheme_length(text)


# --- simple functions -----------------------------------------------------------------------------


def _str(name: str, dynamic: bool = False) -> P:
    return P(name, STRING, allow_dynamic=dynamic)


def _string_fn(name: str, params: tuple[str, ...], op: object, returns: Type = STRING) -> Function:
    def impl(args: list[Value], ret: Type) -> Value:
        result = op(*[arg.v for arg in args])  # type: ignore[operator]
        if isinstance(result, bool):
            return v.boolean(result)
        assert isinstance(result, str)
        return v.string(result)

    return define(name, [_str(p) for p in params], impl, returns=returns)


def _chomp(text: str) -> str:
    end = len(text)
    while end > 0 and text[end - 1] in "\r\n":
        end -= 1
    return text[:end]


def _trimspace(text: str) -> str:
    start, end = 0, len(text)
    while start < end and go_is_space(text[start]):
        start += 1
    while end > start and go_is_space(text[end - 1]):
        end -= 1
    return text[start:end]


def _indent(args: list[Value], ret: Type) -> Value:
    try:
        spaces = to_int(args[0])
    except ValueError as exc:
        raise fail(str(exc)) from None
    if spaces < 0:
        raise fail("panic in function implementation: strings: negative Repeat count")
    text: str = args[1].v
    check_string(len(text) + text.count("\n") * spaces)
    return v.string(text.replace("\n", "\n" + " " * spaces))


def _join(args: list[Value], ret: Type) -> Value:
    separator: str = args[0].v
    lists = args[1:]
    if not lists:
        raise fail("at least one list is required")
    for item in lists:
        if not item.is_wholly_known():
            return Value(STRING, v.first_unknown(item))
    pieces: list[str] = []
    for list_index, item in enumerate(lists):
        for element_index, element in enumerate(item.elements()):
            if element.is_null:
                if len(lists) > 1:
                    raise arg_error(
                        list_index + 1,
                        "lists",
                        f"element {element_index} of list {list_index + 1} is null; "
                        "cannot concatenate null values",
                    )
                raise arg_error(
                    list_index + 1,
                    "lists",
                    f"element {element_index} is null; cannot concatenate null values",
                )
            pieces.append(element.v)
    total = sum(len(piece) for piece in pieces) + len(separator) * max(len(pieces) - 1, 0)
    check_string(total)
    return v.string(separator.join(pieces))


def _split(args: list[Value], ret: Type) -> Value:
    separator: str = args[0].v
    text: str = args[1].v
    parts = list(text) if separator == "" else text.split(separator)
    if len(parts) > MAX_ELEMENTS:
        raise fail(f"the result would have more than {MAX_ELEMENTS} elements")
    return Value(ListType(STRING), tuple(v.string(part) for part in parts))


def _strrev(args: list[Value], ret: Type) -> Value:
    return v.string("".join(reversed(_graphemes(args[0].v))))


def _substr(args: list[Value], ret: Type) -> Value:
    text: str = args[0].v
    try:
        offset = to_int(args[1])
        length = to_int(args[2])
    except ValueError as exc:
        raise fail(str(exc)) from None
    clusters = _graphemes(text)
    if offset < 0:
        offset += len(clusters)
    elif length == 0:
        return v.string("")
    if offset > 0:
        if offset >= len(clusters):
            return v.string("")
        clusters = clusters[offset:]
    if length < 0:
        return v.string("".join(clusters))
    if length == 0:
        # cty counts to 0 without ever reaching it: the whole remainder
        return v.string("".join(clusters))
    return v.string("".join(clusters[:length]))


def _replace(args: list[Value], ret: Type) -> Value:
    text: str = args[0].v
    substr: str = args[1].v
    replacement: str = args[2].v
    if len(substr) > 1 and substr[0] == "/" and substr[-1] == "/":
        try:
            regexp = _regex.compile_pattern(substr[1:-1])
        except _regex.PatternError as exc:
            raise fail(f"error parsing regexp: {exc}") from None
        try:
            return v.string(_regex.replace_all(regexp, text, replacement, MAX_STRING))
        except OverflowError as exc:
            raise fail(str(exc)) from None
    count = len(text) + 1 if substr == "" else text.count(substr)
    check_string(len(text) + count * (len(replacement) - len(substr)))
    if substr == "":
        # Go inserts the replacement around every rune (code point)
        return v.string(replacement + "".join(c + replacement for c in text))
    return v.string(text.replace(substr, replacement))


def go_base(path: str) -> str:
    """Go's ``filepath.Base`` (unix)."""
    if path == "":
        return "."
    path = path.rstrip("/")
    if path == "":
        return "/"
    return path[path.rfind("/") + 1 :]


def go_clean(path: str) -> str:
    """Go's ``filepath.Clean`` (unix)."""
    cleaned = posixpath.normpath(path)
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


def go_dir(path: str) -> str:
    """Go's ``filepath.Dir`` (unix)."""
    index = path.rfind("/")
    return go_clean(path[: index + 1])


# --- regex ----------------------------------------------------------------------------------------


def _pattern_type(pattern: str) -> tuple[_regex.Regexp, Type]:
    try:
        regexp = _regex.compile_pattern(pattern)
    except _regex.PatternError as exc:
        raise arg_error(0, "pattern", f"invalid regexp pattern: {exc.code} in {exc.expr}") from None
    names = [name for name in regexp.names if name]
    unnamed = regexp.groups - len(names)
    if regexp.groups == 0:
        return regexp, STRING
    if unnamed and names:
        raise arg_error(
            0, "pattern", "invalid regexp pattern: cannot mix both named and unnamed capture groups"
        )
    if unnamed:
        return regexp, TupleType((STRING,) * unnamed)
    return regexp, ObjectType(dict.fromkeys(names, STRING))


def _regex_type(args: list[Value]) -> Type:
    if not args[0].is_known:
        return DYNAMIC
    return _pattern_type(args[0].v)[1]


def _regexall_type(args: list[Value]) -> Type:
    if not args[0].is_known:
        return ListType(DYNAMIC)
    return ListType(_pattern_type(args[0].v)[1])


def _match_value(regexp: _regex.Regexp, groups: list[str | None], type_: Type) -> Value:
    if type_ is STRING:
        return v.string(groups[0] or "")

    def item(text: str | None) -> Value:
        return v.null(STRING) if text is None else v.string(text)

    if isinstance(type_, TupleType):
        return v.tuple_of(item(text) for text in groups[1:])
    attributes: dict[str, Value] = {}
    for name, text in zip(regexp.names, groups[1:], strict=True):
        attributes[name] = item(text)
    return v.object_of(attributes)


def _regex_impl(args: list[Value], ret: Type) -> Value:
    regexp, type_ = _pattern_type(args[0].v)
    groups = _regex.find(regexp, args[1].v)
    if groups is None:
        raise fail("pattern did not match any part of the given string")
    return _match_value(regexp, groups, type_)


def _regexall_impl(args: list[Value], ret: Type) -> Value:
    regexp, type_ = _pattern_type(args[0].v)
    try:
        matches = _regex.find_all(regexp, args[1].v, MAX_ELEMENTS)
    except OverflowError:
        raise fail(f"the pattern matches more than {MAX_ELEMENTS} times") from None
    return Value(ListType(type_), tuple(_match_value(regexp, m, type_) for m in matches))


# --- format ---------------------------------------------------------------------------------------


class _FormatError(Exception):
    """An error of formatFSM: ``argument`` set for cty ArgErrors (index into all args)."""

    def __init__(self, message: str, argument: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.argument = argument


#: Widths and precisions beyond this are refused (Go would build the huge string).
MAX_FORMAT_WIDTH = 100_000

_FLAGS = {"0": "zero", "#": "sharp", "-": "minus", "+": "plus", " ": "space"}


def _pad(verb: Verb, text: str) -> str:
    if verb.width < 0:
        return text
    have = _width(text)
    if have >= verb.width:
        return text
    pads = ("0" if verb.zero else " ") * (verb.width - have)
    return text + pads if verb.minus else pads + text


def _unsupported(raw: str, offset: int, why: str) -> _FormatError:
    return _FormatError(f"unsupported value for {go_quote(raw)} at {offset}: {why}")


def _format_one(verb: Verb, raw: str, offset: int, arg: Value) -> str:
    mode = verb.mode
    if mode != "v" and arg.is_null:
        raise _unsupported(raw, offset, "null value cannot be formatted")
    if mode == "v":
        if not verb.sharp and not arg.is_null:
            if arg.type is STRING:
                return _pad(verb, arg.v)
            if arg.type is NUMBER:
                return _pad(verb, float_text(arg.v, "g", -1))
        try:
            return _pad(verb, json_marshal(arg))
        except JSONError as exc:
            raise _unsupported(raw, offset, str(exc)) from None
    if mode == "t":
        try:
            converted = convert(arg, BOOL)
        except ConversionError as exc:
            raise _unsupported(raw, offset, exc.message) from None
        return "true" if converted.v else "false"
    if mode in "bdoxXeEfgG":
        try:
            converted = convert(arg, NUMBER)
        except ConversionError as exc:
            raise _unsupported(raw, offset, exc.message) from None
        number: Number = converted.v
        if mode in "bdoxX":
            if not number.is_integer():
                raise _unsupported(raw, offset, "an integer is required")
            return format_int(number.as_int(), verb)
        return format_float(number, verb)
    if mode in "sq":
        try:
            converted = convert(arg, STRING)
        except ConversionError as exc:
            raise _unsupported(raw, offset, exc.message) from None
        text: str = converted.v
        if verb.prec > 0:
            text = "".join(_graphemes(text)[: verb.prec])
        if mode == "q":
            text = json_string(text)
        return _pad(verb, text)
    raise _FormatError(
        f"unsupported format verb {go_quote_rune(mode)} in {go_quote(raw)} at offset {offset}"
    )


def format_string(fmt: str, args: list[Value]) -> str:
    """go-cty's formatFSM: the format string is scanned as bytes, offsets are byte offsets."""
    data = fmt.encode("utf-8")
    out = bytearray()
    n = len(data)
    p = 0
    next_arg = 1
    highest = 0
    while p < n:
        byte = data[p]
        if byte != 0x25:  # not %
            out.append(byte)
            p += 1
            continue
        start = p
        p += 1
        if p < n and data[p] == 0x25:
            out.append(0x25)
            p += 1
            continue
        verb = Verb(mode="")
        arg_num = next_arg
        # flags
        while p < n and chr(data[p]) in _FLAGS:
            setattr(verb, _FLAGS[chr(data[p])], True)
            # '-' disables zero padding, as Go's fmt does
            if data[p] == 0x2D or (data[p] == 0x30 and verb.minus):
                verb.zero = False
            p += 1
        # width
        if p < n and 0x31 <= data[p] <= 0x39:
            width = 0
            while p < n and 0x30 <= data[p] <= 0x39:
                width = width * 10 + data[p] - 0x30
                p += 1
            verb.width = width
        # precision
        if p < n and data[p] == 0x2E:  # .
            p += 1
            prec = 0
            while p < n and 0x30 <= data[p] <= 0x39:
                prec = prec * 10 + data[p] - 0x30
                p += 1
            verb.prec = prec
        if verb.width > MAX_FORMAT_WIDTH or verb.prec > MAX_FORMAT_WIDTH:
            raise _FormatError(
                f"the width or precision of {go_quote(data[start:p].decode('utf-8'))} is too "
                f"large for this engine (at most {MAX_FORMAT_WIDTH})"
            )
        # argument index
        if p < n and data[p] == 0x5B:  # [
            p += 1
            if p >= n:
                raise _FormatError(f"invalid format string starting at offset {p}")
            if not 0x31 <= data[p] <= 0x39:
                raise _bad_char(data, p)
            arg_num = 0
            while p < n and 0x30 <= data[p] <= 0x39:
                arg_num = arg_num * 10 + data[p] - 0x30
                p += 1
            if p >= n:
                raise _FormatError(f"invalid format string starting at offset {p}")
            if data[p] != 0x5D:  # ]
                raise _bad_char(data, p)
            p += 1
        if p >= n:
            raise _FormatError(f"invalid format string starting at offset {p}")
        char = data[p]
        if not (0x41 <= char <= 0x5A or 0x61 <= char <= 0x7A):
            raise _bad_char(data, p)
        verb.mode = chr(char)
        p += 1
        raw = data[start:p].decode("utf-8")
        if arg_num > highest:
            highest = arg_num
        if arg_num - 1 >= len(args):
            raise _FormatError(
                f"not enough arguments for {go_quote(raw)} at {start}: "
                f"need index {arg_num} but have {len(args)} total"
            )
        out += _format_one(verb, raw, start, args[arg_num - 1]).encode("utf-8")
        if len(out) > MAX_STRING:
            raise _FormatError("the formatted string is too long")
        next_arg = arg_num + 1
    if highest < len(args):
        first_bad = highest + 1
        if highest == 0:
            raise _FormatError("too many arguments; no verbs in format string", first_bad)
        raise _FormatError(f"too many arguments; only {highest} used by format string", first_bad)
    return out.decode("utf-8")


def _bad_char(data: bytes, p: int) -> _FormatError:
    char = data[p:].decode("utf-8", "replace")[:1] or "\ufffd"
    return _FormatError(f"unrecognized format character {go_quote_rune(char)} at offset {p}")


def _raise(exc: _FormatError, prefix: str = "") -> FunctionError:
    if exc.argument is not None:
        return arg_error(exc.argument, "args", prefix + exc.message)
    return fail(prefix + exc.message)


def _format(args: list[Value], ret: Type) -> Value:
    for arg in args[1:]:
        found = v.first_unknown(arg)
        if found is not None:
            return Value(STRING, found)
    try:
        return v.string(format_string(args[0].v, args[1:]))
    except _FormatError as exc:
        raise _raise(exc) from None


def _formatlist(args: list[Value], ret: Type) -> Value:
    fmt: str = args[0].v
    rest = args[1:]
    if not rest:
        try:
            return Value(ListType(STRING), (v.string(format_string(fmt, [])),))
        except _FormatError as exc:
            raise _raise(exc) from None
    length = -1
    chooser = -1
    iterables: list[tuple[Value, ...] | None] = []
    pending: Unknown | None = None
    for index, arg in enumerate(rest):
        type_ = arg.type
        if isinstance(type_, ListType | SetType | TupleType) and not arg.is_null:
            if not isinstance(type_, TupleType) and not arg.is_known:
                pending = pending or arg.v
                iterables.append(None)
                continue
            this = len(type_.elements) if isinstance(type_, TupleType) else arg.length()
            if length == -1:
                length, chooser = this, index
            elif this != length:
                raise arg_error(
                    index + 1,
                    "args",
                    f"argument {index + 1} has length {this}, which is inconsistent with "
                    f"argument {chooser + 1} of length {length}",
                )
            if not arg.is_known:
                pending = pending or arg.v
                iterables.append(None)
                continue
            iterables.append(arg.elements())
        elif type_ is DYNAMIC and not arg.is_known:
            pending = pending or arg.v
            iterables.append(None)
        else:
            iterables.append(None)
    if pending is not None:
        return Value(ListType(STRING), pending)
    if length == 0:
        return Value(ListType(STRING), ())
    if length == -1:
        length = 1
    if length > MAX_ELEMENTS:
        raise fail(f"the result would have more than {MAX_ELEMENTS} elements")
    results: list[Value] = []
    for iteration in range(length):
        call_args: list[Value] = []
        unknown: Unknown | None = None
        for index, arg in enumerate(rest):
            items = iterables[index]
            value = items[iteration] if items is not None else arg
            found = v.first_unknown(value)
            if found is not None:
                unknown = found
                break
            call_args.append(value)
        if unknown is not None:
            results.append(Value(STRING, unknown))
            continue
        try:
            results.append(v.string(format_string(fmt, call_args)))
        except _FormatError as exc:
            raise fail(f"error on format iteration {iteration}: {exc.message}") from None
    return Value(ListType(STRING), tuple(results))


# --- templatestring -------------------------------------------------------------------------------


def _templatestring(args: list[Value], ret: Type) -> Value:
    template, variables = args
    if not template.is_known:
        return Value(STRING, template.v)
    if template.type is not STRING or template.is_null:
        raise arg_error(0, "template", "invalid template value: a string is required")
    if not variables.is_known:
        return Value(STRING, variables.v)
    expr = _template.parse(template.v, "<templatestring argument>", 0, "template")
    from engine.terraform.functions import pure_functions

    result = _template.render(expr, variables, pure_functions(), allow_filesystem=False)
    if not result.is_known:
        return Value(STRING, result.v)
    try:
        return convert(result, STRING)
    except ConversionError as exc:
        raise fail(f"invalid template result: {exc.message}") from None


def templatestring_expression_error(expr: object) -> str | None:
    """Terraform's check of ``templatestring``'s first argument *expression* (it must be a
    reference to a template defined elsewhere, not a literal template). The function itself
    only sees values; an evaluator that has the argument's syntax tree can call this and
    report ``Invalid value for "template" parameter: <message>.``."""
    from engine.terraform.syntax import ast

    if isinstance(expr, ast.TemplateWrap):
        return (
            "invalid template expression: templatestring is only for rendering templates "
            "retrieved dynamically from elsewhere; to treat the inner expression as template "
            "syntax, write the reference expression directly without any template "
            "interpolation syntax"
        )
    if isinstance(expr, ast.Template | ast.Literal):
        literal = isinstance(expr, ast.Literal) or (
            len(expr.parts) == 1 and isinstance(expr.parts[0], ast.Literal)
        )
        if literal:
            return (
                "invalid template expression: templatestring is only for rendering templates "
                "retrieved dynamically from elsewhere, and so does not support providing a "
                "literal template; consider using a template string expression instead"
            )
        return (
            "invalid template expression: templatestring is only for rendering templates "
            "retrieved dynamically from elsewhere; to render an inline template, consider "
            "using a plain template string expression"
        )

    def valid(node: object) -> bool:
        if isinstance(node, ast.ScopeTraversal):
            return True
        if isinstance(node, ast.RelativeTraversal | ast.Splat):
            return valid(node.collection)
        if isinstance(node, ast.IndexExpr):
            return valid(node.collection)
        return False

    if not valid(expr):
        return (
            "invalid template expression: must be a direct reference to a single string from "
            "elsewhere, containing valid Terraform template syntax"
        )
    return None


# --- table ----------------------------------------------------------------------------------------

_ARGS = P("args", DYNAMIC, allow_null=True, allow_unknown=True)

FUNCTIONS: dict[str, Function] = {
    "chomp": _string_fn("chomp", ("str",), _chomp),
    "endswith": _string_fn("endswith", ("str", "suffix"), str.endswith, BOOL),
    "startswith": _string_fn("startswith", ("str", "prefix"), str.startswith, BOOL),
    "strcontains": _string_fn("strcontains", ("str", "substr"), lambda a, b: b in a, BOOL),
    "format": define("format", [_str("format")], _format, varparam=_ARGS, returns=STRING),
    "formatlist": define(
        "formatlist", [_str("format")], _formatlist, varparam=_ARGS, returns=ListType(STRING)
    ),
    "indent": define("indent", [P("spaces", NUMBER), _str("str")], _indent, returns=STRING),
    "join": define(
        "join", [_str("separator")], _join, varparam=P("lists", ListType(STRING)), returns=STRING
    ),
    "lower": define(
        "lower", [_str("str", True)], lambda a, r: v.string(go_lower(a[0].v)), returns=STRING
    ),
    "upper": define(
        "upper", [_str("str", True)], lambda a, r: v.string(go_upper(a[0].v)), returns=STRING
    ),
    "title": define(
        "title", [_str("str")], lambda a, r: v.string(go_title(a[0].v)), returns=STRING
    ),
    "regex": define("regex", [_str("pattern"), _str("string")], _regex_impl, type_fn=_regex_type),
    "regexall": define(
        "regexall",
        [_str("pattern"), _str("string")],
        _regexall_impl,
        type_fn=_regexall_type,
        returns=ListType(DYNAMIC),
    ),
    "replace": define(
        "replace", [_str("str"), _str("substr"), _str("replace")], _replace, returns=STRING
    ),
    "split": define("split", [_str("separator"), _str("str")], _split, returns=ListType(STRING)),
    "strrev": define("strrev", [_str("str", True)], _strrev, returns=STRING),
    "substr": define(
        "substr",
        [
            _str("str", True),
            P("offset", NUMBER, allow_dynamic=True),
            P("length", NUMBER, allow_dynamic=True),
        ],
        _substr,
        returns=STRING,
    ),
    "templatestring": define(
        "templatestring",
        [P("template", DYNAMIC, allow_unknown=True, allow_dynamic=True), P("vars", DYNAMIC)],
        _templatestring,
        returns=STRING,
    ),
    "trim": _string_fn("trim", ("str", "cutset"), lambda s, c: s.strip(c) if c else s),
    "trimprefix": _string_fn("trimprefix", ("str", "prefix"), str.removeprefix),
    "trimsuffix": _string_fn("trimsuffix", ("str", "suffix"), str.removesuffix),
    "trimspace": _string_fn("trimspace", ("str",), _trimspace),
    "basename": _string_fn("basename", ("path",), go_base),
    "dirname": _string_fn("dirname", ("path",), go_dir),
}
