"""`Tensor`, the array node over NumPy, and the fused array ops.

- `core.py`: the Tensor class (construction, arithmetic, the engine hooks),
- `functions.py`: elementwise functions (exp ... softmax, where, astype) and reductions,
- `elementwise.py`: sin ... clip, maximum, minimum, and the comparisons `< <= > >=`,
- `shape.py`: ops that move elements (reshape, transpose, indexing, broadcast_to, sum_to,
  scatter) and the argument checks shared by all ops,
- `torch_api.py`: PyTorch's `size()`, `view`, `unsqueeze`, `squeeze`, `flatten`, `argmax`,
- `numpy_api.py`: NumPy's functions and ufuncs on Tensors (`np.exp(t)`, `np.sum(t, axis=0)`),
- `fused.py`: several layer steps as one node (`affine`, `softmax_cross_entropy`).
"""

from autograph.engine.tensor.core import Tensor, as_array, where
from autograph.engine.tensor.fused import affine, softmax_cross_entropy

__all__ = ["Tensor", "affine", "as_array", "softmax_cross_entropy", "where"]
