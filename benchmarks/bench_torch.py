"""What recording a PyTorch step for drawing costs: plain vs recording vs after recording.

One step of the textbook's net in PyTorch (784-50-10, sigmoid, cross-entropy, batch 100,
float32): zero_grad, forward, loss, backward. Three variants, interleaved round by round in
one process, one thread:

- plain:     the step as PyTorch runs it;
- recording: the forward inside `autograph.torch.record(model)`, then backward (which fills
             in the gradients through the node hooks). Drawing (`rec.graph()`) is not part
             of the step; its cost is printed apart;
- after:     a plain step run after many recordings were made and kept: nothing stays
             attached to PyTorch, so this should equal plain;
- dispatch:  the forward inside a TorchDispatchMode that does nothing: the floor of any
             recorder that sees every ATen op from Python, for comparison;
- hooks:     dispatch, keeping each op's output, plus a do-nothing hook on each autograd
             node the block made (`Node.register_hook`, called by backward): the floor of
             a recorder that also sees every backward step from Python, as `record` does.

    python benchmarks/bench_torch.py                 # 15 rounds of 200 steps each
    python benchmarks/bench_torch.py --rounds 5 --steps 50
    python benchmarks/bench_torch.py --instructions     # deterministic (valgrind, slow)

Times are CPU time of this process (`time.process_time`, one thread), which other programs
on a shared machine disturb less than wall time; the wall-time ratio is printed too. Ratios
are medians over rounds of the per-round ratio to plain, with the spread (min..max).

With `--instructions`, each of plain and recording runs in a subprocess under valgrind's
cachegrind, once with 3 steps and once with 13: the difference over 10 steps is the
instructions of one step, start-up and imports cancelling out. Deterministic, but blind
to cache misses, which cost Python's bookkeeping more than PyTorch's kernels.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.utils._python_dispatch import TorchDispatchMode  # noqa: E402

import autograph.torch as at  # noqa: E402


class PassThrough(TorchDispatchMode):
    """Sees every ATen op and does nothing else."""

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        return func._op(*args, **(kwargs or {}))


def _ignore(grad_inputs: object, grad_outputs: object) -> None:
    return None


class Hooked(PassThrough):
    """Keeps every op's output and, when the block ends, puts a do-nothing hook on each
    autograd node they have."""

    def __init__(self) -> None:
        super().__init__()
        self.outs: list[object] = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
        out = func._op(*args, **(kwargs or {}))
        self.outs.append(out)
        return out

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        seen = set()
        for out in self.outs:
            node = out.grad_fn if isinstance(out, torch.Tensor) else None
            if node is not None and node not in seen:
                seen.add(node)
                node.register_hook(_ignore)


def build(seed: int = 0) -> tuple[torch.nn.Module, torch.Tensor, torch.Tensor]:
    torch.manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 50), torch.nn.Sigmoid(), torch.nn.Linear(50, 10)
    )
    x = torch.rand(100, 784)
    t = torch.randint(0, 10, (100,))
    return model, x, t


def run(variant: str, model: torch.nn.Module, x: torch.Tensor, t: torch.Tensor, steps: int):
    """(cpu seconds, wall seconds) per step of `variant`."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(steps):
        model.zero_grad()
        if variant == "recording":
            with at.record(model) as rec:
                loss = F.cross_entropy(model(x), t)
            loss.backward()
            del rec  # one recording at a time, as a user keeps it
        elif variant == "dispatch":
            with PassThrough():
                loss = F.cross_entropy(model(x), t)
            loss.backward()
        elif variant == "hooks":
            with Hooked():
                loss = F.cross_entropy(model(x), t)
            loss.backward()
        else:
            loss = F.cross_entropy(model(x), t)
            loss.backward()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu / steps, wall / steps


def instructions(variant: str, steps: int) -> int:
    """Instructions of this script running `steps` steps of `variant` under cachegrind."""
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            [
                "valgrind",
                "--tool=cachegrind",
                "--cache-sim=no",
                f"--cachegrind-out-file={tmp}/out",
                sys.executable,
                __file__,
                "--run",
                variant,
                "--steps",
                str(steps),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
            check=True,
        )
    found = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count from valgrind:\n{result.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--instructions", action="store_true", help="count under cachegrind")
    parser.add_argument("--run", help=argparse.SUPPRESS)  # one variant, for --instructions
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.run:
        model, x, t = build()
        run(args.run, model, x, t, args.steps)
        return
    if args.instructions:
        per_step = {
            v: (instructions(v, 13) - instructions(v, 3)) / 10 for v in ("plain", "recording")
        }
        for v, n in per_step.items():
            print(f"{v:<10} {n:12,.0f} instructions/step  {n / per_step['plain']:.2f}")
        return
    model, x, t = build()
    # Many recordings made and kept: whatever they left attached would slow "after".
    for _ in range(50):
        with at.record(model) as rec:
            loss = F.cross_entropy(model(x), t)
        loss.backward()
    kept = [rec]
    variants = ("plain", "recording", "after", "dispatch", "hooks")
    for variant in variants:  # warm-up
        run(variant, model, x, t, 20)
    cpu: dict[str, list[float]] = {v: [] for v in variants}
    wall: dict[str, list[float]] = {v: [] for v in variants}
    for r in range(args.rounds):
        order = variants if r % 2 == 0 else variants[::-1]
        for variant in order:
            c, w = run(variant, model, x, t, args.steps)
            cpu[variant].append(c)
            wall[variant].append(w)
    print(f"784-50-10 MLP step, batch 100, float32, 1 thread; torch {torch.__version__}")
    print(f"{args.rounds} rounds x {args.steps} steps, median (spread) over rounds\n")
    print(f"{'variant':<10} {'cpu/step':>10} {'ratio':>7} {'spread':>13} {'wall ratio':>11}")
    for variant in variants:
        ratios = [c / p for c, p in zip(cpu[variant], cpu["plain"], strict=True)]
        wall_ratios = [w / p for w, p in zip(wall[variant], wall["plain"], strict=True)]
        print(
            f"{variant:<10} {statistics.median(cpu[variant]) * 1e6:8.0f}us "
            f"{statistics.median(ratios):7.2f} {min(ratios):6.2f}..{max(ratios):<6.2f}"
            f"{statistics.median(wall_ratios):11.2f}"
        )
    start = time.process_time()
    for _ in range(20):
        kept[0].graph()
    drawing = (time.process_time() - start) / 20
    print(f"\nrec.graph() (the model a picture reads, not part of the step): {drawing * 1e6:.0f}us")


if __name__ == "__main__":
    main()
