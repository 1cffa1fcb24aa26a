"""MNIST two-layer net speed and memory: autograph against the textbook's hand-written NumPy.

One training iteration (forward, backward, SGD update) of the notes' net (784-50-10, ReLU,
batch 100, lr 0.1) is timed for three implementations in the same process, interleaved:

- textbook: the book's layer classes (Affine, Relu, Affine, SoftmaxWithLoss), written here from
  the formulas, with their copies and the first layer's input gradient dX = dY·W1ᵀ, which
  nothing uses (6 matrix products per iteration);
- lean:     the same net hand-written with the minimum work (5 matrix products: no dX);
- autograph: `autograph.nn.TwoLayerNet`, `softmax_cross_entropy`, `loss.backward()`, `SGD`.

Each is measured in float32 and float64, with one BLAS thread and with the default threads
(each setting in its own subprocess, since BLAS reads OMP_NUM_THREADS/OPENBLAS_NUM_THREADS
at start-up).

    python benchmarks/bench_mnist.py              # the per-iteration table
    python benchmarks/bench_mnist.py --full       # + 10,000-iteration runs, accuracy, memory
    python benchmarks/bench_mnist.py --breakdown  # + forward/backward/update split
    python benchmarks/bench_mnist.py --data DIR   # MNIST directory (default ../shared/data/mnist)

Without the MNIST files, random data of the same shapes is used for the timing table (the
speed does not depend on the pixels); `--full` needs the real files.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograph import Tensor, softmax_cross_entropy, walk  # noqa: E402
from autograph.nn import SGD, TwoLayerNet  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "mnist"
THREAD_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
LR, BATCH, HIDDEN = 0.1, 100, 50


# -- the textbook's hand-written layers (the baseline) -------------------------------------


class BookAffine:
    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W, self.b = W, b
        self.x = self.original_x_shape = self.dW = self.db = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx = np.dot(dout, self.W.T)  # computed for every layer, the first one included
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.original_x_shape)


class BookRelu:
    def __init__(self) -> None:
        self.mask = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout[self.mask] = 0  # the book's in-place version (harmless here: no fan-out)
        return dout


def book_softmax(x: np.ndarray) -> np.ndarray:
    x = x.T
    x = x - np.max(x, axis=0)
    y = np.exp(x) / np.sum(np.exp(x), axis=0)
    return y.T


def book_cross_entropy(y: np.ndarray, t: np.ndarray) -> float:
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch), t] + 1e-7)) / batch


class BookSoftmaxWithLoss:
    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        self.t = t
        self.y = book_softmax(x)
        self.loss = book_cross_entropy(self.y, t)
        return self.loss

    def backward(self, dout: float = 1) -> np.ndarray:
        batch = self.t.shape[0]
        return (self.y - self.t) / batch  # one-hot labels, as in the notes' ch. 5 training


class BookNet:
    """The notes' backprop TwoLayerNet: layers in order, gradient() by hand, params dict."""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.params = params
        self.layers = [
            BookAffine(params["W1"], params["b1"]),
            BookRelu(),
            BookAffine(params["W2"], params["b2"]),
        ]
        self.last = BookSoftmaxWithLoss()

    def predict(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        self.last.forward(self.predict(x), t)
        dout = self.last.backward(1)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        a1, a2 = self.layers[0], self.layers[2]
        return {"W1": a1.dW, "b1": a1.db, "W2": a2.dW, "b2": a2.db}

    def step(self, x: np.ndarray, t: np.ndarray) -> None:
        grad = self.gradient(x, t)
        for key in ("W1", "b1", "W2", "b2"):
            self.params[key] -= LR * grad[key]


class LeanNet:
    """The same math with the minimum work: no input gradient, few temporaries."""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.params = params

    def step(self, x: np.ndarray, t: np.ndarray) -> None:
        p = self.params
        W1, b1, W2, b2 = p["W1"], p["b1"], p["W2"], p["b2"]
        h = x @ W1
        h += b1
        np.maximum(h, 0, out=h)
        s = h @ W2
        s += b2
        s -= s.max(axis=1, keepdims=True)
        np.exp(s, out=s)
        s /= s.sum(axis=1, keepdims=True)
        s -= t
        s *= 1.0 / len(x)  # dS = (softmax - t) / N
        dW2 = h.T @ s
        db2 = s.sum(axis=0)
        dh = s @ W2.T
        dh *= h > 0
        dW1 = x.T @ dh
        db1 = dh.sum(axis=0)
        W1 -= LR * dW1
        b1 -= LR * db1
        W2 -= LR * dW2
        b2 -= LR * db2


class AutographNet:
    """What `autograph train mnist` runs, step for step."""

    def __init__(self, params: dict[str, np.ndarray]) -> None:
        self.net = TwoLayerNet(784, HIDDEN, 10, dtype=params["W1"].dtype)
        for key, value in params.items():
            getattr(self.net, key).data[...] = value
        self.opt = SGD(self.net.parameters(), lr=LR)

    def step(self, x: np.ndarray, t: np.ndarray) -> float:
        loss = softmax_cross_entropy(self.net(Tensor(x)), t)
        loss.backward()
        self.opt.step()
        self.opt.zero_grad()
        return loss


# -- data -----------------------------------------------------------------------------------


def load(data: Path, dtype: str, need_real: bool = False):
    try:
        from autograph.data import load_mnist

        (x, t), (xt, tt) = load_mnist(data, one_hot_label=True, dtype=dtype)
        return x, t, xt, tt, "MNIST"
    except Exception as error:  # noqa: BLE001 - any failure: fall back or stop
        if need_real:
            sys.exit(f"bench_mnist: --full needs the MNIST files: {error}")
    rng = np.random.default_rng(0)
    x = rng.random((60000, 784)).astype(dtype)
    t = np.eye(10, dtype=dtype)[rng.integers(0, 10, 60000)]
    return x, t, x[:10000], t[:10000], "random data of MNIST's shapes"


def initial_params(dtype: str, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "W1": (0.01 * rng.standard_normal((784, HIDDEN))).astype(dtype),
        "b1": np.zeros(HIDDEN, dtype),
        "W2": (0.01 * rng.standard_normal((HIDDEN, 10))).astype(dtype),
        "b2": np.zeros(10, dtype),
    }


def copy_params(params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: v.copy() for k, v in params.items()}


IMPLS = {"textbook": BookNet, "lean": LeanNet, "autograph": AutographNet}


# -- worker: per-iteration timing -------------------------------------------------------------


def time_iterations(data: Path, dtype: str, iters: int, rounds: int) -> dict:
    x, t, _, _, source = load(data, dtype)
    rng = np.random.default_rng(1)
    pool = [(x[rows], t[rows]) for rows in rng.integers(0, len(x), (64, BATCH))]
    params = initial_params(dtype)
    nets = {name: cls(copy_params(params)) for name, cls in IMPLS.items()}
    for net in nets.values():  # warm up (BLAS, caches, first allocations)
        for k in range(50):
            net.step(*pool[k % len(pool)])
    per_iter: dict[str, list[float]] = {name: [] for name in nets}
    names = list(nets)
    for r in range(rounds):
        for name in names[r % 3 :] + names[: r % 3]:  # rotate who goes first
            step = nets[name].step
            start = time.perf_counter()
            for k in range(iters):
                step(*pool[k % len(pool)])
            per_iter[name].append((time.perf_counter() - start) / iters * 1e3)
    return {
        "source": source,
        "median_ms": {n: statistics.median(v) for n, v in per_iter.items()},
        "min_ms": {n: min(v) for n, v in per_iter.items()},
    }


# -- worker: full runs --------------------------------------------------------------------------


def rss_kb() -> tuple[int, int]:
    """(current RSS, peak RSS) of this process in kB."""
    current = 0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                current = int(line.split()[1])
    return current, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def full_run(data: Path, dtype: str, impl: str, iters: int) -> dict:
    """The notes' loop: random batches, per-epoch train/test accuracy, wall time."""
    x, t, xt, tt, _ = load(data, dtype, need_real=True)
    labels, test_labels = t.argmax(axis=1), tt.argmax(axis=1)
    net = IMPLS[impl](initial_params(dtype))
    rng = np.random.default_rng(0)
    epoch = len(x) // BATCH

    def accuracy(xs: np.ndarray, ts: np.ndarray) -> float:
        if impl == "autograph":
            scores = net.net.predict(xs)
        else:
            p = net.params
            scores = np.maximum(xs @ p["W1"] + p["b1"], 0) @ p["W2"] + p["b2"]
        return float(np.mean(scores.argmax(axis=1) == ts))

    memory = {}
    start = time.perf_counter()
    for step in range(1, iters + 1):
        rows = rng.integers(0, len(x), BATCH)
        net.step(x[rows], t[rows])
        if step % epoch == 0:
            train_acc, test_acc = accuracy(x, labels), accuracy(xt, test_labels)
        if step in (1000, iters):
            memory[step] = rss_kb()
    wall = time.perf_counter() - start
    return {
        "wall_s": wall,
        "train_acc": accuracy(x, labels),
        "test_acc": accuracy(xt, test_labels),
        "last_epoch_test_acc": test_acc if iters >= epoch else None,
        "train_acc_epoch": train_acc if iters >= epoch else None,
        "memory_kb": memory,
    }


# -- worker: where autograph's time goes ---------------------------------------------------------


def breakdown(data: Path, dtype: str, iters: int) -> dict:
    """Per-step microseconds of autograph's phases at MNIST size, and on a 4-3-2 net with a
    batch of 2 (where the arrays cost nothing: the engine's fixed per-step overhead)."""
    x, t, _, _, _ = load(data, dtype)
    rng = np.random.default_rng(1)
    results = {}
    for label, size in (("mnist", (784, HIDDEN, 10, BATCH)), ("tiny", (4, 3, 2, 2))):
        n_in, n_hidden, n_out, batch = size
        net = TwoLayerNet(n_in, n_hidden, n_out, dtype=dtype, rng=rng)
        opt = SGD(net.parameters(), lr=LR)
        if label == "mnist":
            pool = [(x[r], t[r]) for r in rng.integers(0, len(x), (64, batch))]
        else:
            pool = [
                (
                    rng.random((batch, n_in)).astype(dtype),
                    np.eye(n_out, dtype=dtype)[rng.integers(0, n_out, batch)],
                )
                for _ in range(64)
            ]
        phases = {"forward": 0.0, "backward": 0.0, "update": 0.0}
        for k in range(iters + 100):
            xb, tb = pool[k % 64]
            t0 = time.perf_counter()
            loss = softmax_cross_entropy(net(Tensor(xb)), tb)
            t1 = time.perf_counter()
            loss.backward()
            t2 = time.perf_counter()
            opt.step()
            opt.zero_grad()
            t3 = time.perf_counter()
            if k >= 100:  # after warm-up
                phases["forward"] += t1 - t0
                phases["backward"] += t2 - t1
                phases["update"] += t3 - t2
        results[label] = {k: v / iters * 1e6 for k, v in phases.items()}
        results["recorded_ops"] = sum(1 for node in walk(loss) if not node.is_leaf)
    lean = LeanNet(initial_params(dtype))
    pool = [(x[r], t[r]) for r in rng.integers(0, len(x), (64, BATCH))]
    for k in range(100):
        lean.step(*pool[k % 64])
    t0 = time.perf_counter()
    for k in range(iters):
        lean.step(*pool[k % 64])
    results["lean_step_us"] = (time.perf_counter() - t0) / iters * 1e6
    return results


# -- driver ---------------------------------------------------------------------------------


def run_worker(argv: list[str], threads: str) -> dict:
    env = dict(os.environ)
    for var in THREAD_VARS:
        env.pop(var, None)
        if threads != "default":
            env[var] = threads
    out = subprocess.run(
        [sys.executable, __file__, "--worker", *argv],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.exit(f"bench_mnist worker failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--iters", type=int, default=300, help="iterations per timing round")
    parser.add_argument("--rounds", type=int, default=9, help="timing rounds (median taken)")
    parser.add_argument(
        "--threads",
        default="1,default",
        help="comma-separated BLAS thread settings (default: 1,default)",
    )
    parser.add_argument("--dtypes", default="float32,float64")
    parser.add_argument(
        "--full", action="store_true", help="also the full 10,000-iteration runs and memory"
    )
    parser.add_argument("--full-iters", type=int, default=10000)
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="also autograph's forward/backward/update split, and its fixed "
        "per-step overhead on a tiny net",
    )
    parser.add_argument("--worker", choices=["time", "full", "breakdown"], help=argparse.SUPPRESS)
    parser.add_argument("--dtype", default="float32", help=argparse.SUPPRESS)
    parser.add_argument("--impl", default="autograph", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker == "time":
        print(json.dumps(time_iterations(args.data, args.dtype, args.iters, args.rounds)))
        return
    if args.worker == "breakdown":
        print(json.dumps(breakdown(args.data, args.dtype, args.iters * args.rounds)))
        return
    if args.worker == "full":
        print(json.dumps(full_run(args.data, args.dtype, args.impl, args.full_iters)))
        return

    thread_settings = [s.strip() for s in args.threads.split(",") if s.strip()]
    dtypes = [s.strip() for s in args.dtypes.split(",") if s.strip()]
    print(
        f"One training iteration of 784-50-10 (batch {BATCH}, SGD lr {LR}): milliseconds, "
        f"median of {args.rounds} rounds x {args.iters} iterations (min in brackets)"
    )
    print(
        f"{'dtype':8} {'threads':8} {'textbook':>15} {'lean':>15} {'autograph':>15} "
        f"{'ag/textbook':>12} {'ag/lean':>8}"
    )
    source = None
    for dtype in dtypes:
        for threads in thread_settings:
            result = run_worker(
                [
                    "time",
                    "--data",
                    str(args.data),
                    "--dtype",
                    dtype,
                    "--iters",
                    str(args.iters),
                    "--rounds",
                    str(args.rounds),
                ],
                threads,
            )
            source = result["source"]
            med, low = result["median_ms"], result["min_ms"]
            cells = [f"{med[n]:.3f} ({low[n]:.3f})" for n in IMPLS]
            print(
                f"{dtype:8} {threads:8} {cells[0]:>15} {cells[1]:>15} {cells[2]:>15} "
                f"{med['autograph'] / med['textbook']:>11.2f}x "
                f"{med['autograph'] / med['lean']:>7.2f}x",
                flush=True,
            )
    print(f"data: {source}; cpus: {os.cpu_count()}; numpy {np.__version__}")

    if args.breakdown:
        print("\nWhere autograph's time goes (microseconds per step, one BLAS thread):")
        print(
            f"{'dtype':8} {'net':6} {'forward':>8} {'backward':>9} {'update':>7} "
            f"{'total':>7} {'lean NumPy':>11}"
        )
        recorded_ops = 0
        for dtype in dtypes:
            r = run_worker(
                [
                    "breakdown",
                    "--data",
                    str(args.data),
                    "--dtype",
                    dtype,
                    "--iters",
                    str(args.iters),
                    "--rounds",
                    str(args.rounds),
                ],
                "1",
            )
            recorded_ops = r["recorded_ops"]
            for net in ("mnist", "tiny"):
                p = r[net]
                lean = f"{r['lean_step_us']:.0f}" if net == "mnist" else "-"
                print(
                    f"{dtype:8} {net:6} {p['forward']:>8.1f} {p['backward']:>9.1f} "
                    f"{p['update']:>7.1f} {sum(p.values()):>7.1f} {lean:>11}",
                    flush=True,
                )
        print(
            "tiny = 4-3-2 net, batch 2: the arrays cost ~nothing, so this is the engine's "
            f"fixed cost per step ({recorded_ops} recorded ops)"
        )

    if not args.full:
        return
    print(
        f"\nFull runs: {args.full_iters} iterations, accuracy measured once per epoch "
        f"(600 iterations) as in the notes, then at the end"
    )
    print(
        f"{'impl':10} {'dtype':8} {'threads':8} {'wall s':>7} {'test acc':>9} "
        f"{'RSS@1k MB':>10} {'RSS@end MB':>11} {'peak MB':>8}"
    )
    for threads in thread_settings:
        for dtype in dtypes:
            for impl in ("textbook", "autograph"):
                r = run_worker(
                    [
                        "full",
                        "--data",
                        str(args.data),
                        "--dtype",
                        dtype,
                        "--impl",
                        impl,
                        "--full-iters",
                        str(args.full_iters),
                    ],
                    threads,
                )
                mem = r["memory_kb"]
                first = mem.get("1000", [0, 0])
                last = mem.get(str(args.full_iters), [0, 0])
                print(
                    f"{impl:10} {dtype:8} {threads:8} {r['wall_s']:>7.2f} "
                    f"{r['test_acc']:>9.4f} {first[0] / 1024:>10.1f} {last[0] / 1024:>11.1f} "
                    f"{last[1] / 1024:>8.1f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
