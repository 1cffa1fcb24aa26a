"""micrograd's moons demo, unchanged in spirit, on autograph's scalar Values.

MLP(2, [16, 16, 1]) (337 parameters), SVM hinge loss + 1e-4·L2, 100 steps of SGD with
micrograd's learning-rate schedule 1.0 - 0.9·k/100, on 100 two-moons points. micrograd's
published run reaches 100% training accuracy; so does this one.

    python examples/moons.py [--boundary moons.png] [--graph moons_graph.svg]
"""

from __future__ import annotations

import argparse

from autograph.training import draw_moons_graph, plot_moons_boundary, train_moons


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--boundary", help="PNG of the decision boundary")
    parser.add_argument("--graph", help="draw one prediction's graph")
    args = parser.parse_args()

    model, history, (X, y) = train_moons(steps=args.steps, log=print)
    print(
        f"{len(model.parameters())} parameters; final training accuracy "
        f"{history.final_train_acc * 100:.0f}% ({history.wall_time:.1f} s)"
    )
    if args.boundary:
        print(f"wrote {plot_moons_boundary(model, X, y, args.boundary)}")
    if args.graph:
        print(f"wrote {draw_moons_graph(model, X[0], args.graph)}")
    return 0 if history.final_train_acc == 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
