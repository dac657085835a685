"""Rendering a template for ``templatefile`` and ``templatestring``.

Both parse the template text with :func:`~engine.terraform.syntax.parser.parse_template` and
evaluate it with the given variables (a map or object) and the function table, as Terraform's
``makeRenderTemplateFunc`` does: every variable the template refers to must be in the map
(checked up front, with Terraform's message and the reference's position), the template
functions themselves are replaced by stubs that refuse recursive calls, and
``templatestring`` templates may not use the filesystem functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from engine.terraform.evaluator import EvalError, Scope, Unsupported, evaluate
from engine.terraform.functions._util import arg_error, fail
from engine.terraform.functions.base import Function, FunctionError, Param
from engine.terraform.syntax import ast
from engine.terraform.syntax.parser import HclSyntaxError, parse_template
from engine.terraform.values import DYNAMIC, MapType, ObjectType, Value

TEMPLATE_FUNCTIONS = ("templatefile", "templatestring")
FILESYSTEM_FUNCTIONS = (
    "abspath",
    "file",
    "filebase64",
    "filebase64sha256",
    "filebase64sha512",
    "fileexists",
    "filemd5",
    "fileset",
    "filesha1",
    "filesha256",
    "filesha512",
    "pathexpand",
)


def _stub(function: Function, message: str) -> Function:
    def refuse(args: list[Value]) -> Value:
        raise FunctionError(message)

    return Function(function.name, function.params, refuse, function.varparam, function.returns)


def template_functions(
    functions: Mapping[str, Function], allow_filesystem: bool
) -> dict[str, Function]:
    """The functions a template may call: no template functions (no recursion), and no
    filesystem functions for ``templatestring``."""
    table: dict[str, Function] = {}
    for name, function in functions.items():
        plain = name.removeprefix("core::")
        if plain in TEMPLATE_FUNCTIONS:
            table[name] = _stub(
                function, f"cannot recursively call {plain} from inside another template function"
            )
        elif not allow_filesystem and plain in FILESYSTEM_FUNCTIONS:
            table[name] = _stub(
                function,
                f"cannot use filesystem access functions like {plain} in templatestring "
                "templates; consider passing the function result as a template variable instead",
            )
        else:
            table[name] = function
    if not allow_filesystem:
        for plain in FILESYSTEM_FUNCTIONS:
            if plain not in table:
                table[plain] = Function(plain, (), _refuse_filesystem(plain), varparam=_ANY)
    return table


def _refuse_filesystem(name: str) -> Callable[[list[Value]], Value]:
    def refuse(args: list[Value]) -> Value:
        raise FunctionError(
            f"cannot use filesystem access functions like {name} in templatestring "
            "templates; consider passing the function result as a template variable instead"
        )

    return refuse


def _position(source: ast.Source, offset: int) -> tuple[int, int]:
    line = source.text.count("\n", 0, offset) + 1
    start = source.text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def _range(node: ast.Node) -> str:
    line, column = _position(node.source, node.start)
    end_line, end_column = _position(node.source, node.end)
    if end_line == line:
        return f"{node.source.path}:{line},{column}-{end_column}"
    return f"{node.source.path}:{line},{column}-{end_line},{end_column}"


def references(expr: ast.Node, bound: frozenset[str] = frozenset()) -> Iterator[ast.ScopeTraversal]:
    """The root-name references of an expression (hcl's ``Variables()``): ``for`` expression
    iteration variables are local to their expression."""
    if isinstance(expr, ast.ScopeTraversal):
        if expr.name not in bound:
            yield expr
        return
    if isinstance(expr, ast.ForExpr):
        yield from references(expr.collection, bound)
        inner = bound | {expr.value_var} | ({expr.key_var} if expr.key_var else set())
        for part in (expr.key_expr, expr.value_expr, expr.condition):
            if part is not None:
                yield from references(part, inner)
        return
    if isinstance(expr, ast.ObjectKey):
        wrapped = expr.wrapped
        if (
            not expr.force_non_literal
            and isinstance(wrapped, ast.ScopeTraversal)
            and not wrapped.steps
        ):
            return
        yield from references(wrapped, bound)
        return
    for name in getattr(expr, "__slots__", ()):
        if name in ("source", "start", "end"):
            continue
        child = getattr(expr, name, None)
        yield from _children(child, bound)


def _children(child: object, bound: frozenset[str]) -> Iterator[ast.ScopeTraversal]:
    if isinstance(child, ast.Node):
        yield from references(child, bound)
    elif isinstance(child, list | tuple):
        for item in child:
            yield from _children(item, bound)


def parse(text: str, path: str, index: int, name: str) -> ast.Expr:
    try:
        return parse_template(text, path)
    except HclSyntaxError as exc:
        raise arg_error(index, name, f"invalid template: {exc}") from None


def render(
    template: ast.Expr,
    variables: Value,
    functions: Mapping[str, Function],
    allow_filesystem: bool,
) -> Value:
    """Evaluate a parsed template with ``variables`` (argument 1 of the call)."""
    if not isinstance(variables.type, MapType | ObjectType):
        raise arg_error(1, "vars", "invalid vars value: must be a map")
    names: dict[str, Value] = dict(variables.v) if isinstance(variables.v, dict) else {}
    for name in names:
        if not _valid_identifier(name):
            raise arg_error(
                1,
                "vars",
                f'invalid template variable name "{name}": must start with a letter, followed '
                "by zero or more letters, digits, and underscores",
            )
    for ref in references(template):
        if ref.name not in names:
            raise arg_error(
                1,
                "vars",
                f'vars map does not contain key "{ref.name}", referenced at {_range(ref)}',
            )
    scope = Scope(names=names, functions=template_functions(functions, allow_filesystem))
    try:
        return evaluate(template, scope)
    except EvalError as exc:
        where = _range(exc.node) + ": " if exc.node is not None else ""
        detail = f"; {exc.detail}" if exc.detail else ""
        raise fail(f"{where}{exc.summary}{detail}") from None
    except Unsupported as exc:
        raise fail(str(exc)) from None


def _valid_identifier(name: str) -> bool:
    """hclsyntax.ValidIdentifier: a letter (or ``_``) then letters, digits, ``_`` or ``-``."""
    if not name:
        return False
    first = name[0]
    if not (first.isalpha() or first == "_"):
        return False
    return all(char.isalnum() or char in "_-" for char in name[1:])


_ANY = Param("args", DYNAMIC, allow_null=True, allow_unknown=True, allow_partial=True)
