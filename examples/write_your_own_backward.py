"""Write your own backward (docs/backward.md), from the notes' MulLayer to a broken Sigmoid
found and drawn.

1. The notes' MulLayer and AddLayer, unchanged, as autograph ops: the shopping graph.
2. A Function in PyTorch's shape, differentiable twice.
3. The notes' Sigmoid checked with Hypothesis: ok.
4. A Sigmoid whose backward forgets `* self.out`: found, shrunk to a minimal example, drawn.

    python examples/write_your_own_backward.py [--out write-your-own-backward]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from autograph import Function, LayerOp, Tensor, Value, gradients
from autograph.testing import check_layer
from autograph.viz import save


class MulLayer:  # the notes' layers, exactly as a learner writes them
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        out = x * y
        return out

    def backward(self, dout):
        dx = dout * self.y
        dy = dout * self.x
        return dx, dy


class AddLayer:
    def __init__(self):
        pass

    def forward(self, x, y):
        out = x + y
        return out

    def backward(self, dout):
        dx = dout * 1
        dy = dout * 1
        return dx, dy


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = 1 / (1 + np.exp(-x))
        self.out = out
        return out

    def backward(self, dout):
        dx = dout * (1.0 - self.out) * self.out
        return dx


class BrokenSigmoid(Sigmoid):
    def backward(self, dout):
        dx = dout * (1.0 - self.out)  # forgets * self.out
        return dx


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x


def shopping(out: Path) -> None:
    apple, apple_num = Value(100, label="apple"), Value(2, label="apple_num")
    orange, orange_num = Value(150, label="orange"), Value(3, label="orange_num")
    tax = Value(1.1, label="tax")
    mul, add = LayerOp(MulLayer()), LayerOp(AddLayer())
    price = mul(add(mul(apple, apple_num), mul(orange, orange_num)), tax)
    price.label = "price"
    price.backward()
    print(
        f"price {price.data:.0f}  dApple {apple.grad:.1f}  dAppleNum {apple_num.grad:.0f}  "
        f"dOrange {orange.grad:.1f}  dOrangeNum {orange_num.grad:.0f}  dTax {tax.grad:.0f}"
    )
    print(f"  drawn: {save(price, out / 'shopping-layers.svg')}")


def second_derivative() -> None:
    x = Tensor([0.5, 2.0], requires_grad=True)
    (dy,) = gradients(Cube.apply(x).sum(), [x], create_graph=True)
    (ddy,) = gradients(dy.sum(), [x])
    print(f"Cube: d/dx {dy.data.tolist()}  d2/dx2 {ddy.tolist()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("write-your-own-backward"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    shopping(args.out)
    second_derivative()
    print(check_layer(Sigmoid).line())
    result = check_layer(BrokenSigmoid, raise_exception=False)
    print(result.line())
    for path in result.save_picture(args.out):
        print(f"  drawn: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
