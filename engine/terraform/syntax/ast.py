"""The syntax tree of HCL native syntax (and of Terraform's JSON syntax, mapped onto it).

Node classes mirror hclsyntax's expression types, so HCL's specification and Terraform's
documentation map one-to-one onto this file. Every node keeps its source range (``start`` /
``end`` offsets into its :class:`Source`) so that an expression that cannot be evaluated can be
shown to the user as they wrote it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass

from engine.terraform.values import Value


@dataclass(frozen=True, slots=True)
class Source:
    """A configuration file: its path in the upload and its text."""

    path: str
    text: str

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1


@dataclass(eq=False, slots=True)
class Node:
    source: Source = field(repr=False)
    start: int
    end: int

    def text(self) -> str:
        return self.source.text[self.start : self.end]

    def where(self) -> str:
        return f"{self.source.path}:{self.source.line_of(self.start)}"


# --- traversal steps -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GetAttr:
    name: str


@dataclass(frozen=True, slots=True)
class Index:
    """A literal index (``[0]``, ``["k"]``, legacy ``.0``)."""

    key: Value


Step = GetAttr | Index


# --- expressions -----------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class Expr(Node):
    pass


@dataclass(eq=False, slots=True)
class Literal(Expr):
    value: Value


@dataclass(eq=False, slots=True)
class Template(Expr):
    """A string template; ``parts`` are literal strings, interpolations and directives."""

    parts: list[Expr]


@dataclass(eq=False, slots=True)
class TemplateWrap(Expr):
    """``"${x}"`` alone: the value of ``x`` unchanged (not turned into a string)."""

    wrapped: Expr


@dataclass(eq=False, slots=True)
class TemplateJoin(Expr):
    """A ``%{ for }`` directive: its tuple of rendered parts, joined."""

    tuple: Expr


@dataclass(eq=False, slots=True)
class ScopeTraversal(Expr):
    """``var.x``, ``aws_instance.web[0].id``: a root name followed by literal steps."""

    name: str
    steps: tuple[Step, ...]


@dataclass(eq=False, slots=True)
class RelativeTraversal(Expr):
    """Literal steps applied to the result of another expression (``f(x).a[0]``)."""

    collection: Expr
    steps: tuple[Step, ...]


@dataclass(eq=False, slots=True)
class IndexExpr(Expr):
    """``collection[key]`` with a key that is not a literal."""

    collection: Expr
    key: Expr


@dataclass(eq=False, slots=True)
class AnonSymbol(Expr):
    """The element placeholder inside a splat's per-element traversal."""


@dataclass(eq=False, slots=True)
class Splat(Expr):
    """``source[*].each`` / ``source.*.each``; ``each`` refers to :class:`AnonSymbol`."""

    collection: Expr
    each: Expr
    symbol: AnonSymbol


@dataclass(eq=False, slots=True)
class FunctionCall(Expr):
    name: str
    args: list[Expr]
    expand_final: bool = False


@dataclass(eq=False, slots=True)
class Conditional(Expr):
    condition: Expr
    true_result: Expr
    false_result: Expr


@dataclass(eq=False, slots=True)
class BinaryOp(Expr):
    op: str
    lhs: Expr
    rhs: Expr


@dataclass(eq=False, slots=True)
class UnaryOp(Expr):
    op: str
    operand: Expr


@dataclass(eq=False, slots=True)
class TupleCons(Expr):
    items: list[Expr]


@dataclass(eq=False, slots=True)
class ObjectKey(Expr):
    """An object constructor key: a bare identifier is the string itself, unless it is
    parenthesised (``(local.k) = 1``), in which case it is an expression."""

    wrapped: Expr
    force_non_literal: bool = False


@dataclass(eq=False, slots=True)
class ObjectCons(Expr):
    items: list[tuple[Expr, Expr]]


@dataclass(eq=False, slots=True)
class ForExpr(Expr):
    key_var: str | None
    value_var: str
    collection: Expr
    key_expr: Expr | None
    value_expr: Expr
    condition: Expr | None
    group: bool


@dataclass(eq=False, slots=True)
class Parentheses(Expr):
    wrapped: Expr


# --- bodies ----------------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class Attribute:
    name: str
    expr: Expr
    source: Source = field(repr=False)
    start: int
    end: int


@dataclass(eq=False, slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    source: Source = field(repr=False)
    start: int
    end: int

    def where(self) -> str:
        return f"{self.source.path}:{self.source.line_of(self.start)}"


@dataclass(eq=False, slots=True)
class Body:
    """Attributes by name (each at most once) and blocks in source order."""

    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def blocks_of(self, block_type: str) -> list[Block]:
        return [block for block in self.blocks if block.type == block_type]


# --- pickling -----------------------------------------------------------------------------------


def _pickle_by_arguments(cls: type) -> None:
    """Pickle instances of ``cls`` as ``cls(*fields)``. The parse cache on disk
    (engine.terraform.parsecache) reads tens of thousands of nodes per estimate; rebuilt
    through their constructors they load about six times faster than from slot state, which
    pickle restores one ``setattr`` at a time."""
    names = tuple(item.name for item in fields(cls))

    def reduce(self: object) -> tuple[type, tuple[object, ...]]:
        return (cls, tuple(getattr(self, name) for name in names))

    setattr(cls, "__reduce__", reduce)  # noqa: B010 - assigning a method mypy would refuse


for _cls in list(globals().values()):
    if isinstance(_cls, type) and is_dataclass(_cls) and _cls.__module__ == __name__:
        _pickle_by_arguments(_cls)
del _cls
