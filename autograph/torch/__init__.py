"""PyTorch graphs drawn like autograph's: values above the edges, gradients below in red.

    with autograph.torch.record(model) as rec:
        loss = F.cross_entropy(model(x), t)
    loss.backward()
    autograph.viz.draw(rec)            # or save(rec, "g.svg"), trace(rec), write_frames(...)

`record` keeps what every op computed and, once `backward()` has run, what PyTorch sent
back along each edge (see `recorder`); `autograph.viz` draws it through the same graph model
as autograph's own graphs (`convert`). `check(rec)` checks each recorded node's backward
against central differences of that node alone and marks the first wrong edge (`check`).

PyTorch is an optional extra: `pip install "autograph-engine[torch]"`.
"""

try:
    import torch as _torch  # noqa: F401
except ModuleNotFoundError as error:  # pragma: no cover - tested in a subprocess
    raise ModuleNotFoundError(
        "autograph.torch needs PyTorch, which is not installed; install it with "
        'pip install "autograph-engine[torch]" (torch==2.13.0, the CPU build)',
        name=error.name,
    ) from None

from autograph.torch.check import CheckReport, check
from autograph.torch.recorder import Recording, record

__all__ = ["CheckReport", "Recording", "check", "record"]
