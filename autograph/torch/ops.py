"""PyTorch's op names -> autograph's, so that the renderer draws `×`, `+`, `σ`, `@`, ...

A recorded op is named from its ATen overload (`aten.mul.Tensor` -> `mul`), or, for a node
that ran no ATen op of its own (a `torch.autograd.Function`), from its autograd node's class
(`MulBackward0` -> `Mul`, `MyFnBackward` -> `MyFn`). Names autograph has (`OP_NAMES`) are
drawn as its symbols; the others by a short readable name (`nll_loss`, `conv`).
"""

from __future__ import annotations

import re
from typing import Any

# ATen op (overload packet name) -> autograph's op name (see autograph.viz.labels.OP_SYMBOLS)
OP_NAMES = {
    "add": "+",
    "sub": "-",
    "mul": "*",
    "div": "/",
    "pow": "**",
    "neg": "neg",
    "abs": "abs",
    "exp": "exp",
    "log": "log",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "relu": "relu",
    "sum": "sum",
    "mean": "mean",
    "amax": "max",
    "max": "max",
    "mm": "@",
    "bmm": "@",
    "matmul": "@",
    "dot": "@",
    "mv": "@",
    "addmm": "affine",  # bias + x @ W: autograph's fused affine, x·W + b
    "t": "transpose",
    "transpose": "transpose",
    "permute": "transpose",
    "view": "reshape",
    "reshape": "reshape",
    "_unsafe_view": "reshape",
    "_reshape_alias": "reshape",
    "expand": "broadcast_to",
    "select": "getitem",
    "slice": "getitem",
    "index": "getitem",
    "_softmax": "softmax",
    "_safe_softmax": "softmax",
    "softmax": "softmax",
    "_log_softmax": "log_softmax",
    "log_softmax": "log_softmax",
}

# Readable names for common ops autograph has no symbol for (otherwise: the ATen name).
SHORT_NAMES = {
    "nll_loss_forward": "nll_loss",
    "nll_loss2d_forward": "nll_loss",
    "convolution": "conv",
    "max_pool2d_with_indices": "max_pool",
    "native_batch_norm": "batch_norm",
    "_native_batch_norm_legit": "batch_norm",
    "_native_batch_norm_legit_functional": "batch_norm",
    "native_layer_norm": "layer_norm",
    "native_dropout": "dropout",
    "_scaled_dot_product_flash_attention_for_cpu": "attention",
    "_scaled_dot_product_efficient_attention": "attention",
    "_scaled_dot_product_attention_math": "attention",
    "embedding": "embedding",
    "unsqueeze": "unsqueeze",
    "squeeze": "squeeze",
    "clone": "clone",
    "_to_copy": "to",
    "mse_loss": "mse_loss",
    "threshold_backward": "relu'",
}

# Autograd node class names (PyTorch's) for nodes without an ATen op of their own.
NODE_NAMES = {
    "AddBackward0": "+",
    "AddBackward1": "+",
    "SubBackward0": "-",
    "SubBackward1": "-",
    "MulBackward0": "*",
    "MulBackward1": "*",
    "DivBackward0": "/",
    "DivBackward1": "/",
    "PowBackward0": "**",
    "PowBackward1": "**",
    "NegBackward0": "neg",
    "ExpBackward0": "exp",
    "LogBackward0": "log",
    "TanhBackward0": "tanh",
    "SigmoidBackward0": "sigmoid",
    "ReluBackward0": "relu",
    "SumBackward0": "sum",
    "SumBackward1": "sum",
    "MeanBackward0": "mean",
    "MeanBackward1": "mean",
    "MmBackward0": "@",
    "BmmBackward0": "@",
    "AddmmBackward0": "affine",
    "TBackward0": "transpose",
    "TransposeBackward0": "transpose",
    "PermuteBackward0": "transpose",
    "ViewBackward0": "reshape",
    "UnsafeViewBackward0": "reshape",
    "ExpandBackward0": "broadcast_to",
    "SoftmaxBackward0": "softmax",
    "LogSoftmaxBackward0": "log_softmax",
    "NllLossBackward0": "nll_loss",
    "ConvolutionBackward0": "conv",
    "MaxPool2DWithIndicesBackward0": "max_pool",
    "NativeBatchNormBackward0": "batch_norm",
    "NativeLayerNormBackward0": "layer_norm",
}

# Display order of an op's operands, when PyTorch's differs from autograph's: addmm(bias,
# x, W) is drawn with x, W, b top to bottom, as autograph's affine(x, W, b).
DISPLAY_ORDER = {"addmm": (1, 2, 0)}

_BACKWARD = re.compile(r"Backward\d*$")


def aten_name(func: Any) -> str:
    """`aten.mul.Tensor` -> "mul" (the overload packet's name, without the namespace)."""
    name: str = func._schema.name
    return name.split("::", 1)[-1]


def op_name(func: Any | None, node: Any | None) -> str:
    """The name the model gives an op: autograph's where it has one, else a short one."""
    if func is not None:
        name = aten_name(func).rstrip("_")  # relu_ (in place) is drawn as relu
        return OP_NAMES.get(name) or SHORT_NAMES.get(name) or name
    cls = type(node).__name__ if node is not None else "?"
    return NODE_NAMES.get(cls) or _BACKWARD.sub("", cls) or cls


def op_attrs(func: Any | None, args: tuple[Any, ...]) -> dict[str, Any]:
    """The op arguments a picture shows (autograph's names: axis, keepdims, shape, axes)."""
    if func is None:
        return {}
    name = aten_name(func).rstrip("_")
    try:
        if name in ("sum", "mean", "amax") and len(args) > 1 and args[1] is not None:
            dims = args[1] if isinstance(args[1], list | tuple) else [args[1]]
            keep = bool(args[2]) if len(args) > 2 else False
            return {"axis": tuple(int(d) for d in dims), "keepdims": keep}
        if name in ("_softmax", "_log_softmax", "softmax", "log_softmax") and len(args) > 1:
            return {"axis": int(args[1])}
        if name in ("view", "reshape", "_unsafe_view", "expand") and len(args) > 1:
            return {"shape": tuple(int(s) for s in args[1])}
        if name in ("transpose",) and len(args) > 2:
            return {"axes": (int(args[1]), int(args[2]))}
        if name == "permute" and len(args) > 1:
            return {"axes": tuple(int(d) for d in args[1])}
    except (TypeError, ValueError):  # symbolic sizes and the like: show nothing
        return {}
    return {}
