"""What watching a run costs: a 10,000-step MNIST run with and without the live panel.

The notes' run (784-50-10, batch 100, SGD lr 0.1, float32, one BLAS thread) is trained in a
fresh subprocess per run, in three ways, alternating (A B C, then C B A, ...):

- plain:    `fit` without a callback;
- notebook: `fit(..., callback=Watch(notebook=sink))` at the defaults (a frame every
  iters/100 steps, the panel's HTML rebuilt at most once a second, as in a notebook; the
  sink only keeps the HTML, so IPython's own cost is left out);
- live:     the same Watch behind `PanelServer`, with this process polling its /state
  endpoint as often as the page does (`watch.POLL_MS`).

For the watched runs it also prints the seconds spent inside the callback (recording frames,
rebuilding the notebook panel): the panel's own cost, which the load of other programs
hardly blurs.

It prints each run's training time (`History.wall_time`, which includes the callback) and
its CPU time (user + system, of every thread of the run and of the `dot` it starts, so the
load of other programs on a shared machine moves it less than the wall time), and the median
ratio of each way to plain, per round. Then the replay sizes: the 10,000-step MNIST run's
(written after timing) and a 100-step moons run's.

    python benchmarks/bench_watch.py                 # 3 rounds, real MNIST
    python benchmarks/bench_watch.py --rounds 5 --data DIR
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "mnist"
VARIANTS = ("plain", "notebook", "live")
ONE_THREAD = {
    name: "1"
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
}


def _cpu_seconds() -> float:
    """CPU time of this process (all threads) and of the processes it waited for."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def child(variant: str, iters: int, data: str, replay: str | None) -> None:
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from autograph.data.mnist import load_mnist
    from autograph.nn.models import TwoLayerNet
    from autograph.optim import SGD
    from autograph.training import fit
    from autograph.training.watch import Watch

    (x, t), (xt, tt) = load_mnist(data, dtype="float32")
    net = TwoLayerNet(784, 50, 10, rng=np.random.default_rng(0), dtype=np.float32)
    shown: list[int] = []
    watch = server = None
    if variant != "plain":
        watch = Watch(notebook=lambda html: shown.append(len(html)), title="MNIST")
    if variant == "live":
        from autograph.training.watch_server import PanelServer

        server = PanelServer(watch).start()
        print(json.dumps({"url": server.url}), flush=True)
    spent = [0.0]  # seconds inside the callback: the panel's own cost in the loop

    def timed(info: object) -> None:
        start = time.perf_counter()
        watch(info)
        spent[0] += time.perf_counter() - start

    cpu = _cpu_seconds()
    history = fit(
        net,
        x,
        t,
        xt,
        tt,
        optimizer=SGD(net.parameters(), lr=0.1),
        iters=iters,
        log=None,
        quiet=True,
        blas_threads=1,
        callback=timed if watch is not None else None,
    )
    result = {
        "wall": history.wall_time,
        "cpu": _cpu_seconds() - cpu,
        "test_acc": history.final_test_acc,
    }
    if watch is not None:
        result.update(frames=len(watch.frames), refreshes=len(shown), callback=spent[0])
        if replay:
            watch.finish()
            result["replay_bytes"] = watch.write_replay(replay).stat().st_size
    if server is not None:
        server.close()
    print(json.dumps(result), flush=True)


def _poll(url: str, stop: threading.Event, count: list[int]) -> None:
    sys.path.insert(0, str(ROOT))
    from autograph.training.watch import POLL_MS

    since = layouts = 0
    while not stop.wait(POLL_MS / 1000):
        try:
            query = f"{url}state?since={since}&layouts={layouts}"
            with urllib.request.urlopen(query, timeout=5) as response:
                state = json.loads(response.read())
            since += len(state["frames"])
            layouts += len(state["layouts"])
            count[0] += 1
        except OSError:
            pass


def run(variant: str, iters: int, data: str, replay: str | None = None) -> dict:
    env = {**os.environ, **ONE_THREAD}
    argv = [sys.executable, __file__, "--child", variant, "--iters", str(iters), "--data", data]
    if replay:
        argv += ["--replay", replay]
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True)
    stop, polls = threading.Event(), [0]
    poller = None
    line = process.stdout.readline()
    if variant == "live":
        url = json.loads(line)["url"]
        poller = threading.Thread(target=_poll, args=(url, stop, polls), daemon=True)
        poller.start()
        line = process.stdout.readline()
    process.wait()
    stop.set()
    if process.returncode:
        raise SystemExit(f"{variant} run failed (exit {process.returncode})")
    result = json.loads(line)
    result["polls"] = polls[0]
    return result


def moons_replay_size() -> tuple[int, int]:
    sys.path.insert(0, str(ROOT))
    from autograph.training import train_moons
    from autograph.training.watch import Watch

    watch = Watch()
    train_moons(steps=100, callback=watch)
    with tempfile.TemporaryDirectory() as tmp:
        size = watch.write_replay(Path(tmp) / "moons.html").stat().st_size
    return len(watch.frames), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iters", type=int, default=10000)
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--child", choices=VARIANTS)
    parser.add_argument("--replay")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.iters, args.data, args.replay)
        return
    measures = ("wall", "cpu")
    times = {(v, m): [] for v in VARIANTS for m in measures}
    ratios = {(v, m): [] for v in VARIANTS[1:] for m in measures}
    print(f"MNIST 784-50-10, {args.iters:,} steps, one BLAS thread; {args.rounds} rounds")
    for r in range(args.rounds):
        order = VARIANTS if r % 2 == 0 else VARIANTS[::-1]
        results = {}
        for variant in order:
            result = results[variant] = run(variant, args.iters, args.data)
            for m in measures:
                times[(variant, m)].append(result[m])
            extra = ""
            if variant != "plain":
                extra = f"  (in the callback {result['callback']:.2f} s; {result['frames']} frames"
                extra += f", {result['refreshes']} panel refreshes"
                extra += f", {result['polls']} polls)" if variant == "live" else ")"
            print(
                f"round {r + 1}  {variant:8s} wall {result['wall']:7.2f} s  "
                f"cpu {result['cpu']:7.2f} s{extra}",
                flush=True,
            )
        for variant in VARIANTS[1:]:
            for m in measures:
                ratios[(variant, m)].append(results[variant][m] / results["plain"][m])
    print("\nmedians: training time, and each round's ratio to plain")
    for variant in VARIANTS:
        line = f"  {variant:9s}"
        for m in measures:
            line += f"  {m} {statistics.median(times[(variant, m)]):7.2f} s"
            if variant != "plain":
                ratio = statistics.median(ratios[(variant, m)])
                line += f" (x{ratio:.3f}, {(ratio - 1) * 100:+.1f}%)"
        print(line)
    with tempfile.TemporaryDirectory() as tmp:
        replay = str(Path(tmp) / "mnist.html")
        result = run("notebook", args.iters, args.data, replay=replay)
        print(
            f"\nreplay of the {args.iters:,}-step MNIST run: {result['frames']} frames, "
            f"{result['replay_bytes'] / 1e3:,.0f} kB"
        )
    frames, size = moons_replay_size()
    print(f"replay of a 100-step moons run: {frames} frames, {size / 1e3:,.0f} kB")


if __name__ == "__main__":
    main()
