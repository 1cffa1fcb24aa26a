"""SimpleConvNet training-step speed and memory: autograph against PyTorch eager on the CPU.

One training step of the textbook's SimpleConvNet (conv 30x5x5 - relu - max pool 2 - affine
100 - relu - affine 10 - softmax cross-entropy; batch 100, float32, Adam lr 0.001) is timed
for autograph (`autograph.nn.SimpleConvNet`, `loss.backward()`, `Adam`) and for the same
architecture in PyTorch (`torch.nn` layers, `F.cross_entropy`, `torch.optim.Adam`), starting
from the same weights, on the same batches, steps alternating between the two in one
process so that both see the same machine. Each thread setting runs in its own subprocess
(BLAS and OpenMP read their thread counts at start-up; torch.set_num_threads matches).

    python benchmarks/bench_cnn.py                 # step times, 1 thread and default threads
    python benchmarks/bench_cnn.py --memory        # + memory over 1,000 steps
    python benchmarks/bench_cnn.py --no-timing     # the memory check alone
    python benchmarks/bench_cnn.py --rounds 30     # more rounds on a noisy machine

Reported per step: wall-clock milliseconds (median over rounds, min in brackets) and CPU
milliseconds (process time: on a shared machine this is the steadier of the two), the
forward/backward/update split of both, and where autograph's time goes op by op.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograph import Tensor  # noqa: E402
from autograph.engine.tensor import affine, conv2d, flatten, max_pool2d  # noqa: E402
from autograph.nn import Adam, SimpleConvNet, softmax_cross_entropy  # noqa: E402

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
BATCH, LR = 100, 0.001


# -- the two nets, from the same weights ---------------------------------------------------


class Autograph:
    def __init__(self, seed: int = 0) -> None:
        self.net = SimpleConvNet(rng=np.random.default_rng(seed), dtype=np.float32)
        self.opt = Adam(self.net.parameters(), lr=LR)

    def forward(self, x: np.ndarray, t: np.ndarray) -> Tensor:
        return softmax_cross_entropy(self.net(Tensor(x)), t)

    def step(self, x: np.ndarray, t: np.ndarray) -> None:
        self.forward(x, t).backward()
        self.opt.step()
        self.opt.zero_grad()


class Torch:
    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        import torch

        nn = torch.nn
        self.torch = torch
        self.net = nn.Sequential(
            nn.Conv2d(1, 30, 5),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(4320, 100),
            nn.ReLU(),
            nn.Linear(100, 10),
        )
        with torch.no_grad():  # torch's Linear keeps W transposed: (out, in)
            self.net[0].weight.copy_(torch.from_numpy(weights["W1"]))
            self.net[0].bias.copy_(torch.from_numpy(weights["b1"]))
            self.net[4].weight.copy_(torch.from_numpy(weights["W2"].T.copy()))
            self.net[4].bias.copy_(torch.from_numpy(weights["b2"]))
            self.net[6].weight.copy_(torch.from_numpy(weights["W3"].T.copy()))
            self.net[6].bias.copy_(torch.from_numpy(weights["b3"]))
        self.opt = torch.optim.Adam(self.net.parameters(), lr=LR)

    def forward(self, x: np.ndarray, t: np.ndarray):
        return self.torch.nn.functional.cross_entropy(
            self.net(self.torch.from_numpy(x)), self.torch.from_numpy(t)
        )

    def step(self, x: np.ndarray, t: np.ndarray) -> None:
        loss = self.forward(x, t)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()


def batches(count: int = 16) -> list[tuple[np.ndarray, np.ndarray]]:
    """Random images of MNIST's shape (the speed does not depend on the pixels)."""
    rng = np.random.default_rng(1)
    return [
        (rng.random((BATCH, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, BATCH))
        for _ in range(count)
    ]


def both() -> tuple[Autograph, Torch]:
    ours = Autograph()
    return ours, Torch({k: v.copy() for k, v in ours.net.params.items()})


# -- workers (each in its own process) -----------------------------------------------------


def _set_threads(threads: str) -> None:
    import torch

    if threads != "default":
        torch.set_num_threads(int(threads))


def time_steps(threads: str, iters: int, rounds: int) -> dict:
    _set_threads(threads)
    pool = batches()
    nets = dict(zip(("autograph", "torch"), both(), strict=True))
    for net in nets.values():  # warm up: BLAS buffers, first allocations, torch's kernels
        for k in range(10):
            net.step(*pool[k % len(pool)])
    wall: dict[str, list[float]] = {name: [] for name in nets}
    cpu: dict[str, list[float]] = {name: [] for name in nets}
    names = list(nets)
    for r in range(rounds):
        for name in names[r % 2 :] + names[: r % 2]:  # alternate who goes first
            step = nets[name].step
            w0, c0 = time.perf_counter(), time.process_time()
            for k in range(iters):
                step(*pool[k % len(pool)])
            wall[name].append((time.perf_counter() - w0) / iters * 1e3)
            cpu[name].append((time.process_time() - c0) / iters * 1e3)
    return {
        "wall_median": {n: statistics.median(v) for n, v in wall.items()},
        "wall_min": {n: min(v) for n, v in wall.items()},
        "cpu_median": {n: statistics.median(v) for n, v in cpu.items()},
    }


def split(threads: str, steps: int) -> dict:
    """Median ms of forward, backward and update, for both."""
    _set_threads(threads)
    pool = batches()
    ours, theirs = both()
    phases: dict[str, dict[str, list[float]]] = {}
    for name, net in (("autograph", ours), ("torch", theirs)):
        times: dict[str, list[float]] = {"forward": [], "backward": [], "update": []}
        for k in range(steps + 10):
            x, t = pool[k % len(pool)]
            t0 = time.perf_counter()
            loss = net.forward(x, t)
            t1 = time.perf_counter()
            if name == "torch":
                net.opt.zero_grad()
            loss.backward()
            t2 = time.perf_counter()
            net.opt.step()
            if name == "autograph":
                net.opt.zero_grad()
            t3 = time.perf_counter()
            if k >= 10:
                for phase, dt in zip(times, (t1 - t0, t2 - t1, t3 - t2), strict=True):
                    times[phase].append(dt * 1e3)
        phases[name] = times
    return {n: {p: statistics.median(v) for p, v in t.items()} for n, t in phases.items()}


def ops(threads: str, steps: int) -> dict:
    """Median ms of each op of autograph's step: forward ops, each node's backward (the
    time between the backward pass's visits of consecutive nodes), and the update."""
    _set_threads(threads)
    pool = batches()
    ours = Autograph()
    net = ours.net
    layers = [  # SimpleConvNet.forward, one op at a time
        ("conv2d", lambda h, t: conv2d(h, net.W1, net.b1)),
        ("relu", lambda h, t: h.relu()),
        ("max_pool2d", lambda h, t: max_pool2d(h, 2)),
        ("flatten", lambda h, t: flatten(h, 1)),
        ("affine", lambda h, t: affine(h, net.W2, net.b2)),
        ("relu 2", lambda h, t: h.relu()),
        ("affine 2", lambda h, t: affine(h, net.W3, net.b3)),
        ("softmax_cross_entropy", lambda h, t: softmax_cross_entropy(h, t)),
    ]
    times: dict[str, list[float]] = {}

    def record(key: str, dt: float) -> None:
        times.setdefault(key, []).append(dt * 1e3)

    for k in range(steps + 10):
        x, t = pool[k % len(pool)]
        h = Tensor(x)
        forward: list[tuple[str, float]] = []
        names: dict[int, str] = {}
        for name, layer in layers:
            t0 = time.perf_counter()
            h = layer(h, t)
            forward.append((name, time.perf_counter() - t0))
            names[id(h)] = name
        visits: list[tuple[str, float]] = []
        start = time.perf_counter()
        h.backward(
            on_step=lambda node, g, sent, out=visits, names=names: out.append(
                (names[id(node)], time.perf_counter())
            )
        )
        end = time.perf_counter()
        ours.opt.step()
        ours.opt.zero_grad()
        update = time.perf_counter() - end
        if k < 10:
            continue
        for name, dt in forward:
            record(f"forward {name}", dt)
        previous = start
        for name, stamp in visits:
            record(f"backward {name}", stamp - previous)
            previous = stamp
        record("backward (leaves' gradients)", end - previous)
        record("update (Adam)", update)
    return {key: statistics.median(v) for key, v in times.items()}


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def memory(threads: str, steps: int) -> dict:
    """Every 100 steps of autograph's training: resident memory and the number of live
    objects the garbage collector tracks (each sample adds one, its own tuple). Flat
    numbers: nothing is kept per step. (tracemalloc is no judge here: with NumPy 2.4 it
    counted ~48 bytes more for each read-only strided view of a long-lived array, memory
    that RSS shows is not kept.)"""
    _set_threads(threads)
    pool = batches()
    ours = Autograph()
    samples = []
    for k in range(1, steps + 1):
        ours.step(*pool[k % len(pool)])
        if k % 100 == 0:
            samples.append((k, rss_mb(), len(gc.get_objects())))
    return {"samples": samples}


# -- driver --------------------------------------------------------------------------------


def run_worker(argv: list[str], threads: str) -> dict:
    env = dict(os.environ)
    for var in THREAD_VARS:
        env.pop(var, None)
        if threads != "default":
            env[var] = threads
    out = subprocess.run(
        [sys.executable, __file__, "--worker", *argv, "--threads", threads],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        sys.exit(f"bench_cnn worker failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iters", type=int, default=10, help="steps per timing round (10)")
    parser.add_argument("--rounds", type=int, default=15, help="timing rounds (15)")
    parser.add_argument("--threads", default="1,default", help="settings (default: 1,default)")
    parser.add_argument("--memory", action="store_true", help="also memory over --memory-steps")
    parser.add_argument("--memory-steps", type=int, default=1000)
    parser.add_argument("--no-timing", action="store_true", help="only the memory check")
    parser.add_argument(
        "--worker", choices=["time", "split", "ops", "memory"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()

    if args.worker:
        threads = args.threads
        if args.worker == "time":
            result = time_steps(threads, args.iters, args.rounds)
        elif args.worker == "split":
            result = split(threads, args.iters * args.rounds // 2)
        elif args.worker == "ops":
            result = ops(threads, args.iters * args.rounds // 2)
        else:
            result = memory(threads, args.memory_steps)
        print(json.dumps(result))
        return

    settings = [s.strip() for s in args.threads.split(",") if s.strip()]
    if not args.no_timing:
        timings(args, settings)
    if args.memory or args.no_timing:
        memory_report(args.memory_steps)


def timings(args: argparse.Namespace, settings: list[str]) -> None:
    import torch

    print(
        f"SimpleConvNet training step (batch {BATCH}, float32, Adam): ms per step, "
        f"median of {args.rounds} rounds x {args.iters} steps, alternating (wall min in brackets)"
    )
    print(
        f"{'threads':8} {'autograph wall':>16} {'torch wall':>16} {'ratio':>6}   "
        f"{'autograph cpu':>13} {'torch cpu':>10} {'ratio':>6}"
    )
    timing = ["--iters", str(args.iters), "--rounds", str(args.rounds)]
    for threads in settings:
        r = run_worker(["time", *timing], threads)
        wm, wl, cm = r["wall_median"], r["wall_min"], r["cpu_median"]
        print(
            f"{threads:8} {wm['autograph']:>7.2f} ({wl['autograph']:>6.2f}) "
            f"{wm['torch']:>7.2f} ({wl['torch']:>6.2f}) {wm['autograph'] / wm['torch']:>5.2f}x   "
            f"{cm['autograph']:>13.2f} {cm['torch']:>10.2f} {cm['autograph'] / cm['torch']:>5.2f}x",
            flush=True,
        )
    print(
        f"cpus: {os.cpu_count()}; numpy {np.__version__}; torch {torch.__version__} "
        f"(default threads: {torch.get_num_threads()})"
    )

    print("\nForward / backward / update, median ms per step:")
    print(f"{'threads':8} {'':10} {'forward':>8} {'backward':>9} {'update':>7} {'total':>7}")
    for threads in settings:
        r = run_worker(["split", *timing], threads)
        for name in ("autograph", "torch"):
            p = r[name]
            print(
                f"{threads:8} {name:10} {p['forward']:>8.2f} {p['backward']:>9.2f} "
                f"{p['update']:>7.2f} {sum(p.values()):>7.2f}",
                flush=True,
            )

    print("\nWhere autograph's time goes (one thread, median ms per step):")
    r = run_worker(["ops", *timing], "1")
    total = sum(r.values())
    for key, ms in r.items():
        print(f"  {key:32} {ms:6.2f}  {ms / total:5.1%}")
    print(f"  {'sum':32} {total:6.2f}")


def memory_report(steps: int) -> None:
    print(f"\nMemory over {steps} autograph steps (one thread):")
    samples = run_worker(["memory", "--memory-steps", str(steps)], "1")["samples"]
    for step, rss, objects in samples:
        print(f"  step {step:5d}: RSS {rss:7.1f} MB, {objects:,} live Python objects", flush=True)
    first, last = samples[0], samples[-1]
    print(
        f"  growth from step {first[0]} to {last[0]}: RSS {last[1] - first[1]:+.1f} MB, "
        f"objects {last[2] - first[2]:+,}"
    )


if __name__ == "__main__":
    main()
