"""Expressions as graphs: `build_expression("(x + y)**2", {"x": 3, "y": 4})`.

Parsed with `ast` against a whitelist (numbers, names, + - * / **, unary -, and the functions
exp log tanh sigmoid relu): never `eval`. Evaluated with an explicit stack, so any nesting
depth is fine. Errors are `ExpressionError` (a ValueError) naming what is wrong.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from autograph.engine.rules import SCALAR
from autograph.engine.value import Value

FUNCTIONS = ("exp", "log", "tanh", "sigmoid", "relu")
MAX_EXPR_LENGTH = 10_000

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    # numbers alone go through the engine's pow, which refuses to build a huge exact power
    ast.Pow: lambda a, b: (
        a**b if isinstance(a, Value) or isinstance(b, Value) else SCALAR.pow(a, b)
    ),
}


class ExpressionError(ValueError):
    """An expression that cannot be drawn; the message says why."""


class MissingValue(ExpressionError):
    """The expression uses a name that has no value."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} has no value")
        self.name = name


class UnusedValue(ExpressionError):
    """Values were given for names the expression does not use."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(f"values given for {', '.join(names)}, which the expression does not use")
        self.names = names


def parse_number(text: str, exact: bool = False) -> int | float | Fraction:
    """`3` -> 3, `1.1` -> 1.1 (Fraction(11, 10) when exact), `11/10` -> Fraction(11, 10).

    >>> parse_number("1.1"), parse_number("1.1", exact=True), parse_number("11/10")
    (1.1, Fraction(11, 10), Fraction(11, 10))
    """
    text = text.strip()
    try:
        if "/" in text:
            return Fraction(text)
        try:
            number = int(text)
            return Fraction(number) if exact else number
        except ValueError:
            return Fraction(text) if exact else float(text)
    except (ValueError, ZeroDivisionError):
        raise ExpressionError(f"not a number: {text!r}") from None


def _check_call(node: ast.Call) -> None:
    if not (
        isinstance(node.func, ast.Name)
        and node.func.id in FUNCTIONS
        and len(node.args) == 1
        and not node.keywords
    ):
        raise ExpressionError(f"only one-argument calls to {', '.join(FUNCTIONS)} are allowed")


def build_expression(expr: str, values: Mapping[str, Any], exact: bool = False) -> Value:
    """The graph of `expr`, each name a leaf Value labelled with its name (forward only).

    With `exact`, decimal constants become Fractions (`1.1` -> 11/10).

    >>> z = build_expression("(x + y)**2", {"x": 3, "y": 4})
    >>> z.data, [leaf.label for leaf in z.parents[0].parents]
    (49, ['x', 'y'])
    """
    if len(expr) > MAX_EXPR_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_EXPR_LENGTH} characters")
    try:
        tree = ast.parse(expr, mode="eval")
    except (SyntaxError, RecursionError, MemoryError) as error:
        raise ExpressionError(f"cannot parse {expr!r}: {getattr(error, 'msg', error)}") from None
    leaves: dict[str, Value] = {}
    # Post-order evaluation with an explicit stack (no recursion, whatever the nesting).
    results: dict[int, Any] = {}
    stack: list[tuple[ast.AST, bool]] = [(tree.body, False)]
    while stack:
        node, ready = stack.pop()
        if not ready:
            stack.append((node, True))
            if isinstance(node, ast.BinOp):
                stack.extend([(node.right, False), (node.left, False)])
            elif isinstance(node, ast.UnaryOp):
                stack.append((node.operand, False))
            elif isinstance(node, ast.Call):
                _check_call(node)
                stack.append((node.args[0], False))
            continue
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise ExpressionError(f"{v!r} is not a number")
            results[id(node)] = Fraction(repr(v)) if exact else v
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise ExpressionError(f"{node.id} is a function: write {node.id}(...)")
            if node.id not in values:
                raise MissingValue(node.id)
            if node.id not in leaves:
                leaves[node.id] = Value(values[node.id], node.id)
            results[id(node)] = leaves[node.id]
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            a, b = results.pop(id(node.left)), results.pop(id(node.right))
            results[id(node)] = _BINARY[type(node.op)](a, b)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            a = results.pop(id(node.operand))
            results[id(node)] = -a if isinstance(node.op, ast.USub) else a
        elif isinstance(node, ast.Call):
            a = results.pop(id(node.args[0]))
            if not isinstance(a, Value):
                a = Value.constant(a)
            assert isinstance(node.func, ast.Name)  # checked by _check_call
            results[id(node)] = getattr(a, node.func.id)()
        else:
            raise ExpressionError(
                f"{type(node).__name__} is not allowed (use numbers, names, "
                f"+ - * / **, and {', '.join(FUNCTIONS)})"
            )
    out = results[id(tree.body)]
    if not isinstance(out, Value):
        raise ExpressionError("the expression has no variables: use at least one name, e.g. x * 2")
    unused = sorted(set(values) - set(leaves))
    if unused:
        raise UnusedValue(unused)
    return out
