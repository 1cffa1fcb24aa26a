"""`check_layer` / `check_op`: a hand-written backward checked with Hypothesis.

For every drawn example (`infer.py` says what is drawn and why) the op runs forward and its
own backward with a drawn upstream gradient `dout`; each gradient it gives (returned, or
stored like `self.dW`) is compared in float64 with central differences of `sum(dout ·
forward)`, element by element (|got - expected| <= atol + rtol·|expected|, PyTorch's
gradcheck tolerances), skipping non-differentiable points (`compare.py`); when the forward
is made of autograph ops, also with autograph's own gradient. Then the same op runs forward
on other inputs first and forward-backward on these: a backward that kept state from the
earlier call gives other gradients, and fails. A failure is shrunk by Hypothesis to a
minimal example and reported: which input, which element, got vs expected, the inputs;
`CheckResult.save_picture` draws it.

The search is derandomized (the same op gives the same result every run), bounded
(`max_examples`), has no deadline and writes no example database. Called from inside your
own `@given` test, it runs its own search beside yours (in a helper thread, so Hypothesis
does not take it for a nested `@given`), and a failure is raised in your test like any
assertion.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given
from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from autograph.engine.function import Function
from autograph.engine.layer import LayerOp, is_layer
from autograph.testing.compare import fmt
from autograph.testing.evaluate import Failure, Found, Stats, Subject, evaluate
from autograph.testing.infer import Example, OpSpec, SpecError, draw_example, with_targets
from autograph.testing.subjects import WRITES_DOUT, FunctionSubject, LayerSubject, trial

DEFAULT_EXAMPLES = 50


class MutatesGradientWarning(UserWarning):
    """A backward writes into the gradient it was given (right alone, wrong on fan-out)."""


@dataclass
class CheckResult:
    """What a check found. True when the backward is right."""

    name: str
    spec: OpSpec
    failure: Failure | None
    examples: int  # examples checked before the first failure (or in all)
    skipped_points: int  # elements skipped as non-differentiable points
    rejected: int  # examples outside the op's domain (forward not finite)
    warnings: list[str] = field(default_factory=list)
    shapes: list[tuple[tuple[int, ...], ...]] = field(default_factory=list)  # inputs' shapes seen

    @property
    def ok(self) -> bool:
        return self.failure is None

    def __bool__(self) -> bool:
        return self.ok

    def example_text(self) -> str:
        if self.failure is None:
            return ""
        parts = [f"{k}={fmt(v)}" for k, v in self.failure.example.arrays.items()]
        if self.failure.dout is not None:
            parts.append(f"dout={fmt(self.failure.dout)}")
        return ", ".join(parts)

    def line(self) -> str:
        """One line: `ok     Relu` or `WRONG  Sigmoid: dx[0, 0] got ... (input x, ...)`."""
        if self.failure is None:
            extras = []
            if self.skipped_points:
                extras.append(f"{self.skipped_points} non-differentiable points skipped")
            extras += [f"warning: {w}" for w in self.warnings]
            return f"ok     {self.name}" + (f"  ({'; '.join(extras)})" if extras else "")
        worst = self.failure.worst
        where = f"input {worst.input}, " if worst.input else ""
        return f"WRONG  {self.name}: {worst.message} ({where}minimal example {self.example_text()})"

    def report(self) -> str:
        """Several lines: the verdict, every wrong gradient, the rules applied, warnings."""
        lines = [self.line(), f"  {self.examples} examples, {self.rejected} outside the domain"]
        if self.failure is not None:
            lines += [f"  {m.message}" for m in self.failure.mismatches[1:]]
        lines += [f"  inferred: {note}" for note in self.spec.notes]
        if self.failure is not None:
            lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def save_picture(self, path: str | Path) -> list[Path]:
        """Draw the failure (see `picture.failure_graph`) into `path` (a directory: one file
        per format named after the op; or a file whose extension is ignored): SVG and PNG,
        or DOT text when Graphviz is missing. [] when there is nothing to draw."""
        from autograph.testing.picture import save_failure

        return save_failure(self, Path(path))


class CheckFailed(AssertionError):
    """`check_layer`/`check_op` found a wrong backward; `.result` has the details."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.report())
        self.result = result


try:  # a Hypothesis without it has no nested-@given health check either: search in place
    from hypothesis import currently_in_test_context
except ImportError:  # pragma: no cover

    def currently_in_test_context() -> bool:
        return False


_QUIET: dict[str, Any] = {
    "database": None,  # nothing written into the user's directory
    "derandomize": True,  # the same op gives the same result every run
    "deadline": None,
    "suppress_health_check": list(HealthCheck),
    "verbosity": Verbosity.quiet,
    "report_multiple_bugs": False,
    "print_blob": False,
}


def _trial_example(spec: OpSpec) -> Example:
    """One example with every size 2, drawn as the search draws (so in the given domain)."""
    drawn: list[Example] = []

    @Settings(Settings.get_profile("default"), max_examples=1, phases=(Phase.generate,), **_QUIET)
    @given(data=st.data())
    def draw(data: st.DataObject) -> None:
        drawn.append(draw_example(data, spec, size=2))

    draw()
    return drawn[0]


def _search(
    subject: Subject, max_examples: int, atol: float, rtol: float, eps: float
) -> CheckResult:
    stats = Stats()

    @Settings(
        Settings.get_profile("default"),
        max_examples=max_examples,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        **_QUIET,
    )
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        try:
            evaluate(subject, data, stats, atol, rtol, eps)
        except Found:
            stats.failed = True
            raise

    failure = None
    try:
        check()
    except Found as found:
        failure = found.failure
    except Unsatisfiable:
        raise SpecError(
            f"{subject.name}: the forward is not finite on any example drawn; pass a domain="
        ) from None
    return CheckResult(
        subject.name,
        subject.spec,
        failure,
        stats.examples,
        stats.skipped,
        stats.rejected,
        stats.warnings,
        sorted(stats.shapes),
    )


def _check(
    subject: Subject, targets: Any, max_examples: int, atol: float, rtol: float, eps: float
) -> CheckResult:
    """Rules 3 and 5 from a trial run, then the search."""
    found_targets, loss = trial(subject, _trial_example(subject.spec))
    subject.spec = with_targets(subject.spec, found_targets if targets is None else (), loss)
    return _search(subject, max_examples, atol, rtol, eps)


def _run(
    subject: Subject,
    targets: Any,
    max_examples: int,
    atol: float,
    rtol: float,
    eps: float,
    raise_exception: bool,
) -> CheckResult:
    args = (subject, targets, max_examples, atol, rtol, eps)
    if currently_in_test_context():  # inside the user's @given: a search of our own beside it
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["result"] = _check(*args)
            except BaseException as error:  # handed to the caller's thread
                box["error"] = error

        thread = threading.Thread(target=work, name=f"check {subject.name}")
        thread.start()
        thread.join()
        if "error" in box:
            raise box["error"]
        result: CheckResult = box["result"]
    else:
        result = _check(*args)
    for w in result.warnings:
        if w == WRITES_DOUT:
            warnings.warn(f"{result.name}: {w}", MutatesGradientWarning, stacklevel=3)
    if raise_exception and not result.ok:
        raise CheckFailed(result)
    return result


def check_layer(
    layer: Any,
    *,
    shapes: dict[str, tuple[int | str, ...]] | None = None,
    targets: tuple[str, ...] | None = None,
    domain: Any = None,
    init: dict[str, Any] | None = None,
    constants: dict[str, Any] | None = None,
    broadcast: bool = False,
    max_examples: int = DEFAULT_EXAMPLES,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    eps: float = 1e-6,
    name: str | None = None,
    raise_exception: bool = True,
) -> CheckResult:
    """Check a textbook-style layer's backward (a class, or an object) with Hypothesis.

    What is drawn is inferred from the code (docs/backward.md lists the rules); `shapes`,
    `targets`, `domain` (one for all inputs, or a dict by name), `init` (constructor
    arguments that are not arrays), `constants` (forward's arguments that are not drawn,
    e.g. a flag) and `broadcast` say it where inference cannot. Raises
    `CheckFailed` (an AssertionError) on a wrong backward unless `raise_exception=False`;
    warns `MutatesGradientWarning` when backward writes into dout.
    """
    if not is_layer(layer):
        raise TypeError(
            f"check_layer takes a class or object with forward and backward, got {layer!r}"
        )
    spec = {
        "shapes": shapes,
        "targets": targets,
        "domain": domain,
        "broadcast": broadcast,
        "name": name,
    }
    subject = LayerSubject(layer, init=init, constants=constants, **spec)
    return _run(subject, targets, max_examples, atol, rtol, eps, raise_exception)


def check_op(
    op: Any,
    *,
    shapes: dict[str, tuple[int | str, ...]] | None = None,
    targets: tuple[str, ...] | None = None,
    domain: Any = None,
    constants: dict[str, Any] | None = None,
    broadcast: bool = False,
    max_examples: int = DEFAULT_EXAMPLES,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    eps: float = 1e-6,
    name: str | None = None,
    raise_exception: bool = True,
) -> CheckResult:
    """Check a custom op's backward: a `Function` subclass (run through autograph on
    Tensors, so its contract is checked too), a `LayerOp`, or a layer (then as
    `check_layer`). The options are `check_layer`'s."""
    if isinstance(op, LayerOp):
        op = op.layer
    options = {
        "shapes": shapes,
        "targets": targets,
        "domain": domain,
        "broadcast": broadcast,
        "constants": constants,
    }
    if isinstance(op, type) and issubclass(op, Function):
        subject = FunctionSubject(op, name=name, **options)
        return _run(subject, targets, max_examples, atol, rtol, eps, raise_exception)
    if is_layer(op):
        return check_layer(
            op,
            **options,
            max_examples=max_examples,
            atol=atol,
            rtol=rtol,
            eps=eps,
            name=name,
            raise_exception=raise_exception,
        )
    raise TypeError(
        "check_op takes a Function subclass, a LayerOp or a layer with forward and backward, "
        f"got {op!r}"
    )


__all__ = [
    "DEFAULT_EXAMPLES",
    "CheckFailed",
    "CheckResult",
    "Failure",
    "MutatesGradientWarning",
    "check_layer",
    "check_op",
]
