"""Which node of a PyTorch graph sends a wrong gradient? A broken torch.autograd.Function,
found by checking each recorded backward step on its own, and drawn: got vs expected.

    python examples/torch_check.py [OUT_DIR]                 # prints the report, draws it
    autograph draw --module examples/torch_check.py:report -o check.svg
"""

import sys

import torch

import autograph.torch
import autograph.viz


class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x  # wrong: d(x²)/dx is 2x


x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
w = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
with autograph.torch.record() as rec:
    y = (Square.apply(x * w) + 1).sum()
rec.name(x=x, w=w, y=y)
y.backward()
report = autograph.torch.check(rec)  # each step against central differences of its node

if __name__ == "__main__":
    print(report)
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    for ext in ("svg", "png"):
        autograph.viz.save(report, f"{out}/torch-check.{ext}")
