"""Random expressions with shared subexpressions (fan-out, as in real graphs), buildable from
Values or Tensors: `expression_dags()` draws one whose every step is smooth everywhere, safe
for gradcheck. Also importable from `autograph.testing.strategies`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

_UNARY = {
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "neg": lambda a: -a,
    "square": lambda a: a * a,
    "exp_tanh": lambda a: a.tanh().exp(),
}
_BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / (b * b + 1),
}


@dataclass(frozen=True)
class Expression:
    """A program over `n_inputs` inputs; step k may use any input or earlier step, so
    subexpressions are shared (fan-out) as in real graphs."""

    n_inputs: int
    steps: tuple[tuple[str, tuple[int, ...]], ...]

    def __call__(self, *inputs: Any) -> Any:
        values = list(inputs)
        for name, args in self.steps:
            fn = _UNARY.get(name) or _BINARY[name]
            values.append(fn(*(values[a] for a in args)))
        return values[-1]

    def __repr__(self) -> str:
        names = [f"x{k}" for k in range(self.n_inputs)] + [f"t{k}" for k in range(len(self.steps))]
        lines = [
            f"t{k} = {name}({', '.join(names[a] for a in args)})"
            for k, (name, args) in enumerate(self.steps)
        ]
        return f"Expression({self.n_inputs} inputs: " + "; ".join(lines) + ")"


@st.composite
def expression_dags(draw: Any, max_inputs: int = 3, max_steps: int = 8) -> Expression:
    """A random `Expression` whose every step is smooth everywhere (safe for gradcheck)."""
    n_inputs = draw(st.integers(1, max_inputs))
    steps = []
    for k in range(draw(st.integers(1, max_steps))):
        available = n_inputs + k
        if draw(st.booleans()):
            name = draw(st.sampled_from(sorted(_UNARY)))
            args: tuple[int, ...] = (draw(st.integers(0, available - 1)),)
        else:
            name = draw(st.sampled_from(sorted(_BINARY)))
            args = (draw(st.integers(0, available - 1)), draw(st.integers(0, available - 1)))
        steps.append((name, args))
    return Expression(n_inputs, tuple(steps))
