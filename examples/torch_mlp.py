"""A PyTorch MLP drawn the textbook's way: values above each edge, gradients below in red.

    python examples/torch_mlp.py [OUT_DIR]                      # writes torch-mlp.svg/.png
    autograph draw --module examples/torch_mlp.py -o mlp.svg    # the same, from the command line
    autograph draw --module examples/torch_mlp.py --trace       # PyTorch's backward, step by step

Needs the torch extra: pip install "autograph-engine[torch]".
"""

import sys

import torch
import torch.nn.functional as F

import autograph.torch
import autograph.viz

torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Sigmoid(), torch.nn.Linear(2, 2))
x = torch.tensor([[1.0, 0.5, -1.0], [0.0, 2.0, 1.0]])
t = torch.tensor([0, 1])

with autograph.torch.record(model) as rec:  # 1. record the forward pass
    loss = F.cross_entropy(model(x), t)
rec.name(x=x, t=t, loss=loss)  # optional: names for the picture
loss.backward()  # 2. PyTorch's backward; the recording sees what it sends

if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    for ext in ("svg", "png"):
        autograph.viz.save(rec, f"{out}/torch-mlp.{ext}", precision=4)  # 3. draw it
    print(autograph.viz.trace(rec, precision=4))
