"""Scalar engine speed: micrograd's demo step (MLP 2-16-16-1, 100 two-moons points, hinge
loss + 1e-4 L2, forward + backward), against a hand-derived plain-float version measured in
the same run (the limit), and micrograd 0.1.0 when it is installed.

    python benchmarks/bench_scalar.py [--repeat 7] [--chain 1000000]
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import sys
import time

import numpy as np

from autograph import Value, dot

SIZES = [2, 16, 16, 1]


def moons(n: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[list, list]:
    rng = np.random.default_rng(seed)
    half = n // 2
    t_out = np.linspace(0, np.pi, n - half)
    t_in = np.linspace(0, np.pi, half)
    x = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], 1),
            np.stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5], 1),
        ]
    )
    x += rng.normal(scale=noise, size=x.shape)
    y = np.concatenate([-np.ones(n - half), np.ones(half)])
    return x.tolist(), y.tolist()


def init_weights(seed: int = 1337) -> list[tuple[list[list[float]], list[float]]]:
    rnd = random.Random(seed)
    layers = []
    for nin, nout in zip(SIZES, SIZES[1:], strict=False):
        layers.append(
            ([[rnd.uniform(-1, 1) for _ in range(nin)] for _ in range(nout)], [0.0] * nout)
        )
    return layers


# -- micrograd-style user code, written once, run with any Value class --------------------


def build_mlp(value_cls, weights):
    return [
        ([[value_cls(w) for w in row] for row in W], [value_cls(b) for b in B]) for W, B in weights
    ]


def params_of(model):
    return [p for W, B in model for row in W for p in row] + [p for _, B in model for p in B]


def user_style_loss(model, X, y, value_cls):
    """micrograd's demo, neurons as sum(w*x) + b, exactly as micrograd's nn.py writes them."""
    scores = []
    for xrow in X:
        act = [value_cls(v) for v in xrow]
        for k, (W, B) in enumerate(model):
            last = k == len(model) - 1
            out = []
            for row, b in zip(W, B, strict=True):
                a = sum((wi * xi for wi, xi in zip(row, act, strict=True)), b)
                out.append(a if last else a.relu())
            act = out
        scores.append(act[0])
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in params_of(model))
    return data_loss + reg_loss


def fused_loss(model, X, y):
    """The same model written the autograph way: one `dot` node per neuron."""
    from autograph import sum_values

    scores = []
    for xrow in X:
        act = xrow
        for k, (W, B) in enumerate(model):
            last = k == len(model) - 1
            out = []
            for row, b in zip(W, B, strict=True):
                a = dot(row, act, b)
                out.append(a if last else a.relu())
            act = out
        scores.append(act[0])
    losses = [(1 - yi * si).relu() for yi, si in zip(y, scores, strict=True)]
    params = params_of(model)
    return sum_values(losses) / len(losses) + 1e-4 * dot(params, params)


def plain_float_step(weights, X, y):
    """Hand-derived forward + backward on plain floats: the limit for any scalar engine."""
    grads = [([[0.0] * len(r) for r in W], [0.0] * len(B)) for W, B in weights]
    n = len(X)
    total = 0.0
    for xrow, yi in zip(X, y, strict=True):
        acts = [xrow]
        pres = []
        a = xrow
        for k, (W, B) in enumerate(weights):
            z = [
                sum(w * x for w, x in zip(row, a, strict=True)) + b
                for row, b in zip(W, B, strict=True)
            ]
            pres.append(z)
            a = z if k == len(weights) - 1 else [v if v > 0 else 0.0 for v in z]
            acts.append(a)
        margin = 1 - yi * a[0]
        if margin <= 0:
            continue
        total += margin / n
        g = [-yi / n]
        for k in range(len(weights) - 1, -1, -1):
            W, _ = weights[k]
            gW, gB = grads[k]
            if k != len(weights) - 1:
                g = [gv if z > 0 else 0.0 for gv, z in zip(g, pres[k], strict=True)]
            inp = acts[k]
            for j, gj in enumerate(g):
                gB[j] += gj
                row = gW[j]
                for i, x in enumerate(inp):
                    row[i] += gj * x
            g = [sum(g[j] * W[j][i] for j in range(len(g))) for i in range(len(inp))]
    reg = 0.0
    for (W, B), (gW, gB) in zip(weights, grads, strict=True):
        for row, grow in zip(W, gW, strict=True):
            for i, w in enumerate(row):
                reg += w * w
                grow[i] += 2e-4 * w
        for j, b in enumerate(B):
            reg += b * b
            gB[j] += 2e-4 * b
    return total + 1e-4 * reg, grads


def count_nodes(root) -> int:
    seen, stack = {id(root)}, [root]
    prev = "parents" if hasattr(root, "parents") else "_prev"
    while stack:
        for p in getattr(stack.pop(), prev):
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return len(seen)


def check_against_limit(weights, X, y) -> tuple[int, int]:
    """Both autograph versions must give the hand-derived loss and gradients; returns their
    node counts. (A function, so that no graph stays alive while the others are timed.)"""
    limit_loss, limit_grads = plain_float_step(weights, X, y)
    flat = [g for gW, gB in limit_grads for row in gW for g in row] + [
        g for _, gB in limit_grads for g in gB
    ]
    counts = []
    for build in (lambda m: user_style_loss(m, X, y, Value), lambda m: fused_loss(m, X, y)):
        model = build_mlp(Value, weights)
        loss = build(model)
        loss.backward()
        assert math.isclose(loss.data, limit_loss, rel_tol=1e-9), (loss.data, limit_loss)
        worst = max(abs(p.grad - g) for p, g in zip(params_of(model), flat, strict=True))
        assert worst < 1e-9, worst
        counts.append(count_nodes(loss))
    return counts[0], counts[1]


def timed(fn, repeat: int, collector: bool) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        (gc.enable if collector else gc.disable)()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
        gc.enable()
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--chain", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    X, y = moons()
    weights = init_weights()

    n_user, n_fused = check_against_limit(weights, X, y)
    n_micro = None
    rows = []

    def add(name, fn, collector=True, nodes=None):
        t = timed(fn, args.repeat, collector)
        rows.append((name, t, nodes))

    add("plain floats, hand-derived (the limit)", lambda: plain_float_step(weights, X, y))

    try:
        from micrograd.engine import Value as MicroValue
    except ImportError:
        MicroValue = None
    if MicroValue is not None:

        def micro():
            m = build_mlp(MicroValue, weights)
            user_style_loss(m, X, y, MicroValue).backward()

        n_micro = count_nodes(user_style_loss(build_mlp(MicroValue, weights), X, y, MicroValue))
        add("micrograd 0.1.0, gc off", micro, collector=False, nodes=n_micro)
        add("micrograd 0.1.0, gc on", micro, nodes=n_micro)

    def user():
        m = build_mlp(Value, weights)
        user_style_loss(m, X, y, Value).backward()

    def fused():
        m = build_mlp(Value, weights)
        fused_loss(m, X, y).backward()

    add("autograph, micrograd-style code, gc off", user, collector=False, nodes=n_user)
    add("autograph, micrograd-style code, gc on", user, nodes=n_user)
    add("autograph, fused dot nodes, gc on", fused, nodes=n_fused)

    limit = rows[0][1]
    print(
        f"micrograd demo step (forward + backward), median of {args.repeat}, "
        f"python {sys.version.split()[0]}"
    )
    print(f"{'':44s} {'ms':>8s} {'x limit':>8s} {'nodes':>8s}")
    for name, t, nodes in rows:
        print(f"{name:44s} {t * 1e3:8.1f} {t / limit:8.1f} {nodes or '':>8}")

    if args.chain:
        # linear time: the backward pass costs the same per node at any depth
        for depth in (args.chain // 4, args.chain):
            x = Value(0.5)
            y_ = x
            for _ in range(depth):
                y_ = y_ * 1.0000001
            start = time.perf_counter()
            y_.backward()
            took = time.perf_counter() - start
            print(
                f"chain {depth:>9,} deep: backward {took:.2f} s "
                f"({took / depth * 1e6:.2f} us per step), dx = {x.grad:.6f}"
            )
            del x, y_
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
