"""Side-by-side speed of two revisions of autograph: the same workloads, alternated A/B in
one run, so that a change to a hot path can state its ratio before/after.

    python benchmarks/compare_revisions.py HEAD~1            # base revision vs the work tree
    python benchmarks/compare_revisions.py main --rounds 15 --only scalar-fused,mnist-step

The base revision is checked out into a temporary git worktree; each measurement runs in
a fresh subprocess with that tree (or this one) first on PYTHONPATH, one BLAS thread, and
rounds alternate which side goes first. Ratios are new/base per workload: under 1.00 is
faster. Medians over rounds; the spread (min..max of the per-round ratios) shows the noise.

Wall time on a shared machine is noisy (the same code can differ by 20% between runs). With
`--instructions` each side instead counts the instructions of one repetition under
valgrind's cachegrind (the difference between a run of 1 and of 3 repetitions, so start-up
and imports cancel out): deterministic, so one round suffices and a 1% change is visible.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# -- workloads (they use only API that every revision has) -------------------------------


def _scalar(kind: str, reps: int) -> float:
    sys.path.insert(0, str(HERE))
    import bench_scalar as bs

    from autograph import Value

    X, y = bs.moons()
    weights = bs.init_weights()
    times = []
    for _ in range(reps):
        model = bs.build_mlp(Value, weights)
        start = time.perf_counter()
        loss = (
            bs.user_style_loss(model, X, y, Value) if kind == "user" else bs.fused_loss(model, X, y)
        )
        loss.backward()
        times.append(time.perf_counter() - start)
        del loss, model
    return statistics.median(times)


def _mnist_step(reps: int, steps: int = 200) -> float:
    import numpy as np

    from autograph import Tensor
    from autograph.nn import SGD, TwoLayerNet, softmax_cross_entropy

    rng = np.random.default_rng(0)
    x = rng.random((6000, 784), dtype=np.float32)
    t = rng.integers(0, 10, 6000)
    net = TwoLayerNet(784, 50, 10, rng=np.random.default_rng(0), dtype="float32")
    opt = SGD(net.parameters(), 0.1)
    batches = [rng.integers(0, 6000, 100) for _ in range(64)]

    def step(rows: np.ndarray) -> None:
        loss = softmax_cross_entropy(net(Tensor(x[rows])), t[rows])
        loss.backward()
        opt.step()
        opt.zero_grad()

    for k in range(min(steps, 100)):
        step(batches[k % 64])
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        for k in range(steps):
            step(batches[k % 64])
        times.append((time.perf_counter() - start) / steps)
    return statistics.median(times)


WORKLOADS = {
    "scalar-user": lambda reps: _scalar("user", reps),
    "scalar-fused": lambda reps: _scalar("fused", reps),
    "mnist-step": _mnist_step,
}
# under valgrind: fewer MNIST steps per repetition (it runs about 50 times slower)
INSTRUCTION_WORKLOADS = {**WORKLOADS, "mnist-step": lambda reps: _mnist_step(reps, steps=20)}


# -- driver ------------------------------------------------------------------------------


def measure(tree: Path, workload: str, reps: int) -> float:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree) + os.pathsep + env.get("PYTHONPATH", "")
    for var in THREAD_VARS:
        env[var] = "1"
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", workload, "--reps", str(reps)],
        env=env,
        cwd=tempfile.gettempdir(),
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.exit(f"worker {workload} in {tree} failed:\n{out.stderr}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if Path(result["autograph"]).resolve().parents[1] != tree.resolve():
        sys.exit(f"worker imported autograph from {result['autograph']}, not from {tree}")
    return float(result["seconds"])


def count_instructions(tree: Path, workload: str) -> float:
    """Instructions of one repetition: cachegrind's total for 3 repetitions minus for 1, / 2."""
    totals = []
    for reps in (1, 3):
        env = dict(os.environ, PYTHONHASHSEED="0")
        env["PYTHONPATH"] = str(tree) + os.pathsep + env.get("PYTHONPATH", "")
        for var in THREAD_VARS:
            env[var] = "1"
        out = subprocess.run(
            [
                "valgrind",
                "--tool=cachegrind",
                "--cache-sim=no",
                "--cachegrind-out-file=/dev/null",
                sys.executable,
                str(Path(__file__).resolve()),
                "--worker",
                workload,
                "--reps",
                str(reps),
                "--count",
            ],
            env=env,
            cwd=tempfile.gettempdir(),
            capture_output=True,
            text=True,
            check=False,
        )
        found = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
        if out.returncode != 0 or not found:
            sys.exit(f"cachegrind run of {workload} in {tree} failed:\n{out.stderr[-3000:]}")
        totals.append(int(found.group(1).replace(",", "")))
    return (totals[1] - totals[0]) / 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", nargs="?", default="HEAD", help="git revision to compare against")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--reps", type=int, default=5, help="repetitions inside each worker")
    parser.add_argument("--only", default=",".join(WORKLOADS), help="comma-separated workloads")
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions (valgrind) instead of time"
    )
    parser.add_argument("--worker", choices=list(WORKLOADS), help=argparse.SUPPRESS)
    parser.add_argument("--count", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        import autograph

        table = INSTRUCTION_WORKLOADS if args.count else WORKLOADS
        seconds = table[args.worker](args.reps)
        print(json.dumps({"seconds": seconds, "autograph": autograph.__file__}))
        return 0

    workloads = [w.strip() for w in args.only.split(",") if w.strip()]
    unknown = sorted(set(workloads) - set(WORKLOADS))
    if unknown:
        parser.error(f"unknown workloads {unknown}; known: {', '.join(WORKLOADS)}")
    with tempfile.TemporaryDirectory(prefix="autograph-base-") as tmp:
        base_tree = Path(tmp) / "base"
        subprocess.run(
            [
                "git",
                "-C",
                str(ROOT),
                "worktree",
                "add",
                "--detach",
                "-q",
                str(base_tree),
                args.base,
            ],
            check=True,
        )
        try:
            if args.instructions:
                print("new/base, instructions per repetition (cachegrind, 1 BLAS thread)")
                print(f"{'workload':14} {'base Minstr':>12} {'new Minstr':>12} {'ratio':>7}")
                for workload in workloads:
                    b = count_instructions(base_tree, workload)
                    n = count_instructions(ROOT, workload)
                    print(f"{workload:14} {b / 1e6:12.1f} {n / 1e6:12.1f} {n / b:7.3f}", flush=True)
                return 0
            print(f"new/base, median of {args.rounds} alternating rounds (1 BLAS thread)")
            print(f"{'workload':14} {'base ms':>9} {'new ms':>9} {'ratio':>7}   spread")
            for workload in workloads:
                base_t, new_t, ratios = [], [], []
                for r in range(args.rounds):
                    sides = [(base_tree, base_t), (ROOT, new_t)]
                    for tree, sink in sides if r % 2 == 0 else reversed(sides):
                        sink.append(measure(tree, workload, args.reps))
                    ratios.append(new_t[-1] / base_t[-1])
                b, n = statistics.median(base_t), statistics.median(new_t)
                print(
                    f"{workload:14} {b * 1e3:9.3f} {n * 1e3:9.3f} {statistics.median(ratios):7.3f}"
                    f"   {min(ratios):.3f}..{max(ratios):.3f}",
                    flush=True,
                )
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base_tree)],
                check=False,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
