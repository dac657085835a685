"""A parser for HCL native syntax, written to hclsyntax's specification and behaviour.

Why our own: python-hcl2 (the previous parser) rejects valid configurations outright (strip
markers ``${~ x ~}``, a ``for`` expression whose value is a number literal), drops heredoc
newlines and flattens templates into text, which the evaluator then has to re-parse. This
parser produces the :mod:`engine.terraform.syntax.ast` tree directly, with source ranges.

Structure: a small on-demand lexer for the "normal" token mode, and template scanning (quoted
strings and heredocs) done by the parser itself, because a template switches between literal
text and nested expressions (``"a${ b ? "c" : "d" }e"``). Templates follow hclsyntax exactly:
literal tokens split at newlines in heredocs, ``~`` strip markers trim the neighbouring literal
token, ``<<-`` heredocs drop the smallest indentation of their line-leading literals, and a
template that is only ``"${x}"`` keeps ``x``'s value and type.

Limits: nesting deeper than :data:`MAX_DEPTH` is a syntax error (a hostile file cannot exhaust
the stack), as is a file over :data:`MAX_FILE_BYTES`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import NoReturn

from engine.terraform import values as v
from engine.terraform.syntax import ast

MAX_DEPTH = 60
MAX_FILE_BYTES = 4 * 1024 * 1024


class HclSyntaxError(Exception):
    """A syntax error with its position: ``main.tf:12,5: Missing closing brace``."""

    def __init__(self, path: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{path}:{line},{column}: {message}")
        self.path = path
        self.line = line
        self.column = column
        self.message = message


# token kinds
IDENT, NUMBER, OQUOTE, HEREDOC, NEWLINE, EOF, PUNCT = (
    "ident",
    "number",
    "oquote",
    "heredoc",
    "newline",
    "eof",
    "punct",
)

_PUNCTUATION = (
    "...",
    "=>",
    "==",
    "!=",
    "<=",
    ">=",
    "&&",
    "||",
    "~}",
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    ",",
    ".",
    "*",
    "/",
    "%",
    "+",
    "-",
    "=",
    "<",
    ">",
    "!",
    "?",
    ":",
)
_TOKEN_RE = re.compile(
    r"""
    (?P<space>[ \t\r]+|\\\r?\n)
  | (?P<comment>\#[^\n]*|//[^\n]*|/\*(?:.|\n)*?\*/)
  | (?P<newline>\n)
  | (?P<heredoc><<(?P<flush>-?)(?P<marker>[A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n)
  | (?P<number>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<ident>[^\W\d][\w-]*)
  | (?P<quote>")
  | (?P<punct>"""
    + "|".join(re.escape(p) for p in _PUNCTUATION)
    + r""")
    """,
    re.VERBOSE | re.UNICODE,
)

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}

# Binary operators by precedence, lowest first (HCL's table).
_BINARY_LEVELS: tuple[tuple[str, ...], ...] = (
    ("||",),
    ("&&",),
    ("==", "!="),
    ("<", ">", "<=", ">="),
    ("+", "-"),
    ("*", "/", "%"),
)
_PRECEDENCE = {op: level for level, ops in enumerate(_BINARY_LEVELS, 1) for op in ops}


@dataclass(slots=True)
class Token:
    kind: str
    text: str
    start: int
    end: int


# Flat template tokens before they are structured (as hclsyntax's templateToken types).
@dataclass(slots=True)
class _Lit:
    value: str
    start: int
    end: int


@dataclass(slots=True)
class _Interp:
    expr: ast.Expr
    start: int
    end: int


@dataclass(slots=True)
class _If:
    cond: ast.Expr
    start: int
    end: int


@dataclass(slots=True)
class _For:
    key: str | None
    value: str
    coll: ast.Expr
    start: int
    end: int


@dataclass(slots=True)
class _Ctrl:
    name: str  # else | endif | endfor
    start: int
    end: int


_TemplateToken = _Lit | _Interp | _If | _For | _Ctrl


class Parser:
    def __init__(self, source: ast.Source) -> None:
        self.source = source
        self.text = source.text
        self.pos = 0
        self.buffer: list[Token] = []  # lexed, not yet consumed
        self.peek_index = 0
        self.newlines: list[bool] = [False]  # top: are newlines significant?
        self.depth = 0

    # --- errors --------------------------------------------------------------------------

    def error(self, offset: int, message: str) -> NoReturn:
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        raise HclSyntaxError(self.source.path, line, column, message)

    def enter(self, offset: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.error(offset, f"expressions nested deeper than {MAX_DEPTH} levels")

    def leave(self) -> None:
        self.depth -= 1

    # --- lexing --------------------------------------------------------------------------

    def _lex(self) -> Token:
        text = self.text
        while True:
            if self.pos >= len(text):
                return Token(EOF, "", self.pos, self.pos)
            match = _TOKEN_RE.match(text, self.pos)
            if match is None:
                self.error(self.pos, f"invalid character {text[self.pos]!r}")
            start, end = match.span()
            self.pos = end
            kind = match.lastgroup
            if kind == "space":
                continue
            if kind == "comment":
                body = match.group()
                if body.startswith("/*") and "\n" in body:
                    # a multi-line comment counts as a newline where newlines matter
                    return Token(NEWLINE, "\n", start, end)
                continue
            if kind == "newline":
                return Token(NEWLINE, "\n", start, end)
            if kind in ("flush", "marker"):
                kind = "heredoc"
            if kind == "heredoc":
                return Token(HEREDOC, match.group(), start, end)
            if kind == "quote":
                return Token(OQUOTE, '"', start, end)
            if kind == "number":
                return Token(NUMBER, match.group(), start, end)
            if kind == "ident":
                return Token(IDENT, match.group(), start, end)
            return Token(PUNCT, match.group(), start, end)

    def peek(self) -> Token:
        """The next token; newlines are looked past (not consumed) where they do not matter."""
        buffer = self.buffer
        if buffer and buffer[0].kind != NEWLINE:
            self.peek_index = 0
            return buffer[0]
        index = 0
        significant = self.newlines[-1]
        while True:
            if index == len(buffer):
                buffer.append(self._lex())
            token = buffer[index]
            if token.kind == NEWLINE and not significant:
                index += 1
                continue
            self.peek_index = index
            return token

    def next(self) -> Token:
        token = self.peek()
        del self.buffer[: self.peek_index + 1]
        return token

    def at(self, text: str) -> bool:
        token = self.peek()
        return token.kind == PUNCT and token.text == text

    def expect(self, text: str, what: str | None = None) -> Token:
        token = self.peek()
        if token.kind != PUNCT or token.text != text:
            found = "end of file" if token.kind == EOF else repr(token.text)
            self.error(token.start, f"expected {what or repr(text)}, found {found}")
        return self.next()

    def push_newlines(self, significant: bool) -> None:
        self.newlines.append(significant)

    def pop_newlines(self) -> None:
        self.newlines.pop()

    # --- bodies --------------------------------------------------------------------------

    def parse_file(self) -> ast.Body:
        self.push_newlines(True)
        body = self.parse_body(top=True)
        token = self.peek()
        if token.kind != EOF:
            self.error(token.start, f"unexpected {token.text!r}")
        return body

    def parse_body(self, *, top: bool) -> ast.Body:
        body = ast.Body()
        while True:
            token = self.peek()
            if token.kind == NEWLINE:
                self.next()
                continue
            if token.kind == EOF:
                if not top:
                    self.error(token.start, "missing closing brace of a block")
                return body
            if token.kind == PUNCT and token.text == "}":
                if top:
                    self.error(token.start, "unexpected '}'")
                return body
            if token.kind != IDENT:
                self.error(token.start, "expected an attribute or block definition")
            self.next()
            after = self.peek()
            if after.kind == PUNCT and after.text == "=":
                self.next()
                expr = self.parse_expression()
                end = self.peek()
                if end.kind not in (NEWLINE, EOF) and not (end.kind == PUNCT and end.text == "}"):
                    self.error(end.start, "missing newline after argument")
                if token.text in body.attributes:
                    self.error(token.start, f"argument {token.text!r} was already set")
                body.attributes[token.text] = ast.Attribute(
                    token.text, expr, self.source, token.start, expr.end
                )
                continue
            body.blocks.append(self.parse_block(token))

    def parse_block(self, type_token: Token) -> ast.Block:
        labels: list[str] = []
        while True:
            token = self.peek()
            if token.kind == IDENT:
                self.next()
                labels.append(token.text)
            elif token.kind == OQUOTE:
                self.next()
                labels.append(self.parse_label_string(token))
            elif token.kind == PUNCT and token.text == "{":
                self.next()
                break
            else:
                self.error(token.start, f"invalid block definition for {type_token.text!r}")
        self.enter(type_token.start)
        body = self.parse_body(top=False)
        closing = self.expect("}")
        self.leave()
        after = self.peek()
        if after.kind not in (NEWLINE, EOF) and not (after.kind == PUNCT and after.text == "}"):
            self.error(after.start, "missing newline after block definition")
        return ast.Block(
            type_token.text, tuple(labels), body, self.source, type_token.start, closing.end
        )

    def parse_label_string(self, quote: Token) -> str:
        template = self.parse_quoted_template(quote)
        if isinstance(template, ast.Template) and all(
            isinstance(part, ast.Literal) for part in template.parts
        ):
            return "".join(str(part.value.v) for part in template.parts)  # type: ignore[attr-defined]
        self.error(quote.start, "block labels cannot contain template sequences")

    # --- expressions ---------------------------------------------------------------------

    def parse_expression(self) -> ast.Expr:
        token = self.peek()
        self.enter(token.start)
        try:
            return self.parse_conditional()
        finally:
            self.leave()

    def parse_conditional(self) -> ast.Expr:
        condition = self.parse_binary()
        if not self.at("?"):
            return condition
        self.next()
        self.push_newlines(False)
        try:
            true_result = self.parse_expression()
            self.expect(":", "':' in a conditional expression")
            false_result = self.parse_expression()
        finally:
            self.pop_newlines()
        return ast.Conditional(
            self.source, condition.start, false_result.end, condition, true_result, false_result
        )

    def parse_binary(self, minimum: int = 1) -> ast.Expr:
        """Precedence climbing over HCL's binary operators (all left-associative)."""
        lhs = self.parse_unary()
        while True:
            token = self.peek()
            if token.kind != PUNCT:
                return lhs
            precedence = _PRECEDENCE.get(token.text)
            if precedence is None or precedence < minimum:
                return lhs
            self.next()
            rhs = self.parse_binary(precedence + 1)
            lhs = ast.BinaryOp(self.source, lhs.start, rhs.end, token.text, lhs, rhs)

    def parse_unary(self) -> ast.Expr:
        token = self.peek()
        if token.kind == PUNCT and token.text in ("!", "-"):
            self.next()
            self.enter(token.start)
            try:
                operand = self.parse_unary()
            finally:
                self.leave()
            if (
                token.text == "-"
                and isinstance(operand, ast.Literal)
                and operand.value.type is v.NUMBER
            ):
                number = operand.value.v
                negated = v.Number(-number.value, number.prec)
                return ast.Literal(
                    self.source, token.start, operand.end, v.Value(v.NUMBER, negated)
                )
            return ast.UnaryOp(self.source, token.start, operand.end, token.text, operand)
        return self.parse_postfix(self.parse_term())

    def parse_term(self) -> ast.Expr:
        token = self.next()
        kind = token.kind
        if kind == NUMBER:
            return ast.Literal(
                self.source, token.start, token.end, v.Value(v.NUMBER, v.parse_number(token.text))
            )
        if kind == OQUOTE:
            return self.parse_quoted_template(token)
        if kind == HEREDOC:
            return self.parse_heredoc(token)
        if kind == IDENT:
            name = token.text
            if name == "true" or name == "false":
                return ast.Literal(self.source, token.start, token.end, v.boolean(name == "true"))
            if name == "null":
                return ast.Literal(self.source, token.start, token.end, v.NULL)
            if self.at("("):
                return self.parse_call(token)
            return ast.ScopeTraversal(self.source, token.start, token.end, name, ())
        if kind == PUNCT:
            if token.text == "(":
                self.push_newlines(False)
                try:
                    inner = self.parse_expression()
                    closing = self.expect(")")
                finally:
                    self.pop_newlines()
                return ast.Parentheses(self.source, token.start, closing.end, inner)
            if token.text == "[":
                return self.parse_tuple(token)
            if token.text == "{":
                return self.parse_object(token)
        found = "end of file" if kind == EOF else repr(token.text)
        self.error(token.start, f"expected an expression, found {found}")

    def parse_call(self, name: Token) -> ast.Expr:
        self.expect("(")
        self.push_newlines(False)
        args: list[ast.Expr] = []
        expand = False
        try:
            while not self.at(")"):
                args.append(self.parse_expression())
                if self.at("..."):
                    self.next()
                    expand = True
                    if not self.at(")"):
                        self.error(self.peek().start, "'...' must follow the last argument")
                    break
                if self.at(","):
                    self.next()
                    continue
                if not self.at(")"):
                    self.error(self.peek().start, "expected ',' or ')' in a function call")
            closing = self.expect(")")
        finally:
            self.pop_newlines()
        # provider-defined functions (provider::aws::arn_parse) are lexed as idents with "::"
        return ast.FunctionCall(self.source, name.start, closing.end, name.text, args, expand)

    def parse_tuple(self, opening: Token) -> ast.Expr:
        self.push_newlines(False)
        try:
            if self.peek().kind == IDENT and self.peek().text == "for":
                expr = self.parse_for(opening, "]")
                return expr
            items: list[ast.Expr] = []
            while not self.at("]"):
                items.append(self.parse_expression())
                if self.at(","):
                    self.next()
                    continue
                if not self.at("]"):
                    self.error(self.peek().start, "expected ',' or ']' in a tuple")
            closing = self.expect("]")
        finally:
            self.pop_newlines()
        return ast.TupleCons(self.source, opening.start, closing.end, items)

    def parse_object(self, opening: Token) -> ast.Expr:
        first = self._peek_skipping_newlines()
        if first.kind == IDENT and first.text == "for":
            self.push_newlines(False)
            try:
                return self.parse_for(opening, "}")
            finally:
                self.pop_newlines()
        self.push_newlines(True)
        items: list[tuple[ast.Expr, ast.Expr]] = []
        try:
            while True:
                token = self.peek()
                if token.kind == NEWLINE:
                    self.next()
                    continue
                if token.kind == PUNCT and token.text == "}":
                    break
                if token.kind == EOF:
                    self.error(token.start, "missing closing brace of an object")
                self.push_newlines(False)
                try:
                    key = self.parse_object_key()
                    separator = self.peek()
                    if not (separator.kind == PUNCT and separator.text in ("=", ":")):
                        self.error(separator.start, "expected '=' after an object key")
                    self.next()
                finally:
                    self.pop_newlines()
                value = self.parse_expression()
                items.append((key, value))
                after = self.peek()
                if (after.kind == PUNCT and after.text == ",") or after.kind == NEWLINE:
                    self.next()
                elif not (after.kind == PUNCT and after.text == "}"):
                    self.error(after.start, "expected a newline or ',' after an object attribute")
            closing = self.expect("}")
        finally:
            self.pop_newlines()
        return ast.ObjectCons(self.source, opening.start, closing.end, items)

    def _peek_skipping_newlines(self) -> Token:
        self.push_newlines(False)
        try:
            return self.peek()
        finally:
            self.newlines.pop()

    def parse_object_key(self) -> ast.Expr:
        token = self.peek()
        force = token.kind == PUNCT and token.text == "("
        expr = self.parse_expression()
        if isinstance(expr, ast.Parentheses):
            force = True
        return ast.ObjectKey(self.source, expr.start, expr.end, expr, force)

    def parse_for(self, opening: Token, closer: str) -> ast.Expr:
        self.next()  # "for"
        first = self.next()
        if first.kind != IDENT:
            self.error(first.start, "expected a variable name after 'for'")
        key_var: str | None = None
        value_var = first.text
        if self.at(","):
            self.next()
            second = self.next()
            if second.kind != IDENT:
                self.error(second.start, "expected a value variable name after ','")
            key_var, value_var = first.text, second.text
        keyword = self.next()
        if keyword.kind != IDENT or keyword.text != "in":
            self.error(keyword.start, "expected 'in' in a for expression")
        collection = self.parse_expression()
        self.expect(":", "':' in a for expression")
        key_expr: ast.Expr | None = None
        first_expr = self.parse_expression()
        group = False
        if closer == "}":
            self.expect("=>", "'=>' in an object for expression")
            key_expr = first_expr
            value_expr = self.parse_expression()
            if self.at("..."):
                self.next()
                group = True
        else:
            value_expr = first_expr
        condition: ast.Expr | None = None
        token = self.peek()
        if token.kind == IDENT and token.text == "if":
            self.next()
            condition = self.parse_expression()
        closing = self.expect(closer)
        return ast.ForExpr(
            self.source,
            opening.start,
            closing.end,
            key_var,
            value_var,
            collection,
            key_expr,
            value_expr,
            condition,
            group,
        )

    # --- postfix: traversals, indexes, splats -------------------------------------------

    def parse_postfix(self, expr: ast.Expr) -> ast.Expr:
        while True:
            token = self.peek()
            if token.kind != PUNCT:
                return expr
            if token.text == ".":
                self.next()
                nxt = self.next()
                if nxt.kind == IDENT:
                    expr = _append_step(expr, ast.GetAttr(nxt.text), nxt.end)
                elif nxt.kind == NUMBER:
                    # legacy index syntax: a.0 (and a.0.1, lexed as one number)
                    for part in nxt.text.split("."):
                        if not part.isdigit():
                            self.error(nxt.start, "invalid legacy index syntax")
                        expr = _append_step(expr, ast.Index(v.number(int(part))), nxt.end)
                elif nxt.kind == PUNCT and nxt.text == "*":
                    expr = self.parse_splat(expr, nxt.end, full=False)
                else:
                    self.error(nxt.start, "expected an attribute name after '.'")
                continue
            if token.text == "[":
                key, end = self._bracket()
                if key is None:
                    expr = self.parse_splat(expr, end, full=True)
                elif isinstance(key, ast.Literal):
                    expr = _append_step(expr, ast.Index(key.value), end)
                else:
                    expr = ast.IndexExpr(self.source, expr.start, end, expr, key)
                continue
            return expr

    def _bracket(self) -> tuple[ast.Expr | None, int]:
        """At '[': the index expression and where its ']' ends, or None for '[*]'."""
        self.next()
        self.push_newlines(False)
        try:
            if self.at("*"):
                self.next()
                return None, self.expect("]").end
            key = self.parse_expression()
            return key, self.expect("]").end
        finally:
            self.pop_newlines()

    def parse_splat(self, collection: ast.Expr, end: int, *, full: bool) -> ast.Expr:
        symbol = ast.AnonSymbol(self.source, end, end)
        each: ast.Expr = symbol
        while True:
            token = self.peek()
            if token.kind != PUNCT:
                break
            if token.text == ".":
                self.next()
                nxt = self.next()
                if nxt.kind == IDENT:
                    each = _append_step(each, ast.GetAttr(nxt.text), nxt.end)
                elif nxt.kind == NUMBER and full:
                    for part in nxt.text.split("."):
                        each = _append_step(each, ast.Index(v.number(int(part))), nxt.end)
                else:
                    self.error(nxt.start, "expected an attribute name after '.'")
                continue
            if token.text == "[" and full:
                key, end = self._bracket()
                if key is None:
                    # a splat inside a splat: a[*].b[*].c applies b[*].c to each a
                    each = self.parse_splat(each, end, full=True)
                    break
                if isinstance(key, ast.Literal):
                    each = _append_step(each, ast.Index(key.value), end)
                else:
                    each = ast.IndexExpr(self.source, each.start, end, each, key)
                continue
            break
        return ast.Splat(
            self.source, collection.start, max(end, each.end), collection, each, symbol
        )

    # --- templates -----------------------------------------------------------------------

    def parse_quoted_template(self, quote: Token) -> ast.Expr:
        assert not self.buffer
        tokens, end = self._scan_template(quote.end, heredoc_marker=None)
        self.pos = end
        return self._finish_template(tokens, quote.start, end, flush=False)

    def parse_heredoc(self, token: Token) -> ast.Expr:
        assert not self.buffer
        header = token.text
        flush = header.startswith("<<-")
        marker = header[3 if flush else 2 :].strip()
        tokens, end = self._scan_template(token.end, heredoc_marker=marker)
        self.pos = end
        return self._finish_template(tokens, token.start, end, flush=flush)

    def _finish_template(
        self, tokens: list[_TemplateToken], start: int, end: int, *, flush: bool
    ) -> ast.Expr:
        if flush:
            _flush_heredoc(tokens)
        tokens = _meld(tokens)
        if len(tokens) == 1 and isinstance(tokens[0], _Interp):
            return ast.TemplateWrap(self.source, start, end, tokens[0].expr)
        if not tokens:
            tokens = [_Lit("", start, start)]
        parts, position = self._structure(tokens, 0, None)
        if position != len(tokens):
            leftover = tokens[position]
            self.error(
                leftover.start, f"unexpected {getattr(leftover, 'name', 'directive')} directive"
            )
        return ast.Template(self.source, start, end, parts)

    def _structure(
        self, tokens: list[_TemplateToken], position: int, until: tuple[str, ...] | None
    ) -> tuple[list[ast.Expr], int]:
        """Turn flat template tokens into expressions, up to one of the ``until`` directives."""
        parts: list[ast.Expr] = []
        while position < len(tokens):
            token = tokens[position]
            if isinstance(token, _Lit):
                parts.append(
                    ast.Literal(self.source, token.start, token.end, v.string(token.value))
                )
                position += 1
            elif isinstance(token, _Interp):
                parts.append(token.expr)
                position += 1
            elif isinstance(token, _Ctrl):
                if until is not None and token.name in until:
                    return parts, position
                self.error(token.start, f"unexpected {token.name} directive")
            elif isinstance(token, _If):
                true_parts, position = self._structure(tokens, position + 1, ("else", "endif"))
                false_parts: list[ast.Expr] = []
                if position >= len(tokens):
                    self.error(token.start, "the if directive is missing its endif")
                if tokens[position].name == "else":  # type: ignore[union-attr]
                    false_parts, position = self._structure(tokens, position + 1, ("endif",))
                    if position >= len(tokens):
                        self.error(token.start, "the if directive is missing its endif")
                closing = tokens[position]
                if not (isinstance(closing, _Ctrl) and closing.name == "endif"):
                    self.error(closing.start, "expected an endif directive")
                position += 1
                parts.append(
                    ast.Conditional(
                        self.source,
                        token.start,
                        closing.end,
                        token.cond,
                        self._template_of(true_parts, token.end),
                        self._template_of(false_parts, closing.start),
                    )
                )
            else:
                assert isinstance(token, _For)
                body, position = self._structure(tokens, position + 1, ("endfor",))
                if position >= len(tokens):
                    self.error(token.start, "the for directive is missing its endfor")
                closing = tokens[position]
                if not (isinstance(closing, _Ctrl) and closing.name == "endfor"):
                    self.error(closing.start, "expected an endfor directive")
                position += 1
                loop = ast.ForExpr(
                    self.source,
                    token.start,
                    closing.end,
                    token.key,
                    token.value,
                    token.coll,
                    None,
                    self._template_of(body, token.end),
                    None,
                    False,
                )
                parts.append(ast.TemplateJoin(self.source, token.start, closing.end, loop))
        return parts, position

    def _template_of(self, parts: list[ast.Expr], at: int) -> ast.Template:
        if not parts:
            parts = [ast.Literal(self.source, at, at, v.string(""))]
        return ast.Template(self.source, parts[0].start, parts[-1].end, parts)

    def _scan_template(
        self, position: int, *, heredoc_marker: str | None
    ) -> tuple[list[_TemplateToken], int]:
        """Scan template text from ``position``; returns the flat tokens and the end offset
        (after the closing quote, or after the heredoc's closing marker)."""
        text = self.text
        tokens: list[_TemplateToken] = []
        literal: list[str] = []
        literal_start = position
        trim_next = False
        can_trim_prev = False
        quoted = heredoc_marker is None
        pos = position
        at_line_start = True

        def flush_literal(end: int) -> None:
            nonlocal literal, literal_start, trim_next, can_trim_prev
            value = "".join(literal)
            literal = []
            if trim_next:
                value = value.lstrip()
                trim_next = False
            tokens.append(_Lit(value, literal_start, end))
            can_trim_prev = True

        def trim_previous() -> None:
            if can_trim_prev and tokens and isinstance(tokens[-1], _Lit):
                tokens[-1].value = tokens[-1].value.rstrip()

        while True:
            if not quoted and at_line_start:
                # is this line the closing marker?
                line_end = text.find("\n", pos)
                line = text[pos : len(text) if line_end < 0 else line_end]
                if line.strip(" \t\r") == heredoc_marker:
                    if literal:
                        flush_literal(pos)
                    return tokens, pos + len(line.rstrip("\r"))
                at_line_start = False
            if pos >= len(text):
                what = "string" if quoted else f"heredoc (missing {heredoc_marker!r} marker)"
                self.error(position, f"unterminated {what}")
            char = text[pos]
            if quoted and char == '"':
                if literal or not tokens:
                    flush_literal(pos)
                return tokens, pos + 1
            if quoted and char == "\n":
                self.error(pos, "quoted strings cannot contain newlines; use a heredoc")
            if quoted and char == "\\":
                literal.append(self._escape(pos))
                pos = self._escape_end
                continue
            if char in "$%" and text.startswith(char + "{", pos + 1):
                # "$${" / "%%{": a literal "${" / "%{"
                literal.append(char + "{")
                pos += 3
                continue
            if char in "$%" and text.startswith("{", pos + 1):
                if literal:
                    flush_literal(pos)
                strip_left = text.startswith("~", pos + 2)
                opener_end = pos + (3 if strip_left else 2)
                if strip_left:
                    trim_previous()
                can_trim_prev = False
                self.pos = opener_end
                self.buffer.clear()
                self.push_newlines(False)
                try:
                    if char == "$":
                        expr = self.parse_expression()
                        tokens.append(_Interp(expr, pos, 0))
                    else:
                        tokens.append(self._directive(pos))
                    closing = self.next()
                    if closing.kind != PUNCT or closing.text not in ("}", "~}"):
                        self.error(closing.start, "expected '}' to close the template sequence")
                finally:
                    self.pop_newlines()
                assert not self.buffer
                tokens[-1].end = closing.end
                trim_next = closing.text == "~}"
                pos = closing.end
                literal_start = pos
                continue
            literal.append(char)
            pos += 1
            if char == "\n" and not quoted:
                flush_literal(pos)
                literal_start = pos
                at_line_start = True

    def _escape(self, pos: int) -> str:
        text = self.text
        if pos + 1 >= len(text):
            self.error(pos, "unterminated escape sequence")
        code = text[pos + 1]
        if code in _ESCAPES:
            self._escape_end = pos + 2
            return _ESCAPES[code]
        if code in "uU":
            size = 4 if code == "u" else 8
            digits = text[pos + 2 : pos + 2 + size]
            if len(digits) != size or not all(c in "0123456789abcdefABCDEF" for c in digits):
                self.error(pos, "invalid unicode escape sequence")
            self._escape_end = pos + 2 + size
            try:
                return chr(int(digits, 16))
            except ValueError:
                self.error(pos, "invalid unicode code point")
        self.error(pos, f"invalid escape sequence \\{code}")

    _escape_end = 0

    def _directive(self, start: int) -> _TemplateToken:
        keyword = self.next()
        if keyword.kind != IDENT:
            self.error(keyword.start, "expected a template directive keyword (if, for, ...)")
        name = keyword.text
        if name == "if":
            return _If(self.parse_expression(), start, 0)
        if name in ("else", "endif", "endfor"):
            return _Ctrl(name, start, 0)
        if name == "for":
            first = self.next()
            if first.kind != IDENT:
                self.error(first.start, "expected a variable name after 'for'")
            key: str | None = None
            value = first.text
            if self.at(","):
                self.next()
                second = self.next()
                if second.kind != IDENT:
                    self.error(second.start, "expected a value variable name after ','")
                key, value = first.text, second.text
            keyword_in = self.next()
            if keyword_in.kind != IDENT or keyword_in.text != "in":
                self.error(keyword_in.start, "expected 'in' in a for directive")
            return _For(key, value, self.parse_expression(), start, 0)
        self.error(keyword.start, f"{name!r} is not a valid template directive")


def _append_step(expr: ast.Expr, step: ast.Step, end: int) -> ast.Expr:
    if isinstance(expr, ast.ScopeTraversal):
        return ast.ScopeTraversal(expr.source, expr.start, end, expr.name, (*expr.steps, step))
    if isinstance(expr, ast.RelativeTraversal):
        return ast.RelativeTraversal(
            expr.source, expr.start, end, expr.collection, (*expr.steps, step)
        )
    return ast.RelativeTraversal(expr.source, expr.start, end, expr, (step,))


def _flush_heredoc(tokens: list[_TemplateToken]) -> None:
    """``<<-`` heredocs: remove the smallest indentation of the line-leading literals
    (hclsyntax's flushHeredocTemplateParts; blank lines do not count)."""
    min_spaces: int | None = None
    newline = True
    adjust: list[_Lit] = []
    for token in tokens:
        if newline:
            newline = False
            spaces: int | None = 0
            if isinstance(token, _Lit):
                trimmed = token.value.lstrip()
                if not trimmed and token.value.endswith("\n"):
                    spaces = None  # a blank line
                else:
                    prefix = token.value[: len(token.value) - len(trimmed)]
                    spaces = len(v.graphemes(prefix))
                    adjust.append(token)
            if spaces is not None and (min_spaces is None or spaces < min_spaces):
                min_spaces = spaces
        if isinstance(token, _Lit) and token.value.endswith("\n"):
            newline = True
    if not min_spaces:
        return
    for token in adjust:
        clusters = v.graphemes(token.value)
        token.value = "".join(clusters[min_spaces:])


def _meld(tokens: list[_TemplateToken]) -> list[_TemplateToken]:
    out: list[_TemplateToken] = []
    for token in tokens:
        if isinstance(token, _Lit) and out and isinstance(out[-1], _Lit):
            previous = out[-1]
            out[-1] = _Lit(previous.value + token.value, previous.start, token.end)
        else:
            out.append(token)
    return out


def _check_text(path: str, data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise HclSyntaxError(path, 1, 1, f"file is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HclSyntaxError(path, 1, 1, "file is not valid UTF-8") from exc
    return text


def parse_config(path: str, data: bytes | str) -> ast.Body:
    """Parse a ``.tf`` file (or ``.tfvars``) into a body; raises :class:`HclSyntaxError`."""
    text = data if isinstance(data, str) else _check_text(path, data)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    parser = Parser(ast.Source(path, text))
    try:
        return parser.parse_file()
    except RecursionError as exc:
        raise HclSyntaxError(path, 1, 1, "expressions nested too deeply") from exc


def parse_expression(text: str, path: str = "<expression>") -> ast.Expr:
    """Parse one expression (a ``-var`` value, a template given as JSON...)."""
    parser = Parser(ast.Source(path, text))
    parser.push_newlines(False)
    try:
        expr = parser.parse_expression()
    except RecursionError as exc:
        raise HclSyntaxError(path, 1, 1, "expression nested too deeply") from exc
    token = parser.peek()
    if token.kind != EOF:
        parser.error(token.start, f"extra characters after the expression: {token.text!r}")
    return expr


def parse_template(text: str, path: str = "<template>") -> ast.Expr:
    """Parse a bare template (a ``templatefile`` file, a string in JSON syntax)."""
    parser = Parser(ast.Source(path, text + '"'))
    tokens, _ = _scan_bare_template(parser, len(text))
    return parser._finish_template(tokens, 0, len(text), flush=False)


def _scan_bare_template(parser: Parser, length: int) -> tuple[list[_TemplateToken], int]:
    """Templates outside quotes: no backslash escapes, newlines allowed, ends at ``length``."""
    # Reuse the heredoc scanner with a marker that can never match a line.
    parser.text = parser.text[:length] + "\n\x00\x00END\x00\x00"
    parser.source = ast.Source(parser.source.path, parser.text)
    tokens, _ = parser._scan_template(0, heredoc_marker="\x00\x00END\x00\x00")
    # drop the newline we appended
    if tokens and isinstance(tokens[-1], _Lit) and tokens[-1].end > length:
        last = tokens[-1]
        last.value = last.value[:-1] if last.value.endswith("\n") else last.value
        if not last.value:
            tokens.pop()
    return tokens, length
