"""`Module` and `Parameter`: the containers every net in `autograph.nn` is built from.

Attributes that are parameters (Parameters, scalar `Value` leaves that require grad),
Modules, or lists of them register themselves in insertion order (DeZero's idea, without its
`set`), so `parameters()` and the `.npz` keys are deterministic. A list attribute's items are
named by the attribute's singular plus an index (`layers` -> `layer0`, `neurons` ->
`neuron3`, `w` -> `w0`), which is also the scope that `__call__` opens, so graph pictures
cluster by layer and neuron: `layer0/neuron3`. Only a list's parameter items register: op
results and constants in a list are left out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from autograph.engine.node import RECORDING
from autograph.engine.tensor import Tensor
from autograph.engine.value import Value


class Parameter(Tensor):
    """A Tensor leaf that a Module trains: `requires_grad=True` by default."""

    __slots__ = ()

    def __init__(
        self, data: Any, dtype: Any = None, *, requires_grad: bool = True, label: str = ""
    ) -> None:
        super().__init__(data, dtype, requires_grad=requires_grad, label=label)


class Buffer(Tensor):
    """A Tensor that a Module keeps and saves but does not train (batch norm's running
    statistics, as PyTorch's buffers): never in `parameters()`, always in `state_dict()`
    and the `.npz` files, under its `layer/name` key."""

    __slots__ = ()

    def __init__(self, data: Any, dtype: Any = None, *, label: str = "") -> None:
        super().__init__(data, dtype, requires_grad=False, label=label)


def _is_parameter(value: Any) -> bool:
    """A Module, a Parameter, or a scalar Value leaf that requires grad (not an op result,
    not a constant)."""
    if isinstance(value, Module | Parameter):
        return True
    if isinstance(value, Value):
        return value.is_leaf and value.requires_grad
    return False


def _registrable(value: Any) -> bool:
    if isinstance(value, Buffer):
        return True
    if isinstance(value, list | tuple):
        # A list registers its parameter items (by their index): other items are left out.
        return any(_is_parameter(v) for v in value)
    return _is_parameter(value)


def _item_name(attr: str, index: int) -> str:
    singular = attr[:-1] if attr.endswith("s") and len(attr) > 1 else attr
    return f"{singular}{index}"


def _is_numeric(array: np.ndarray) -> bool:
    return (
        array.dtype == np.bool_
        or np.issubdtype(array.dtype, np.integer)
        or np.issubdtype(array.dtype, np.floating)
    )


def _entries(path: str, module: Module) -> Iterator[tuple[str, Any]]:
    """`(path/name, item)` for each registered attribute or list item, in order."""
    for attr in module._registry:
        value = module.__dict__.get(attr)
        if isinstance(value, list | tuple):
            for i, item in enumerate(value):
                yield (f"{path}/{_item_name(attr, i)}" if path else _item_name(attr, i)), item
        else:
            yield (f"{path}/{attr}" if path else attr), value


class Module:
    """Base class of layers and nets. Subclasses define `forward`; call the module itself.

    >>> class Net(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.W = Parameter(np.ones((2, 3)))
    ...         self.b = Parameter(np.zeros(3))
    ...     def forward(self, x):
    ...         return x @ self.W + self.b
    >>> [name for name, _ in Net().named_parameters()]
    ['W', 'b']
    """

    # Class defaults, so a subclass that forgets super().__init__() still works.
    _name: str | None = None
    _registry: list[str]
    training: bool = True

    def __init__(self) -> None:
        object.__setattr__(self, "_registry", [])
        object.__setattr__(self, "_name", None)
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if "_registry" not in self.__dict__:
            object.__setattr__(self, "_registry", [])
        registry = self._registry
        if _registrable(value) and not name.startswith("_"):
            if name not in registry:
                registry.append(name)
            if isinstance(value, Module):
                value._name = name
            elif isinstance(value, list | tuple):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        item._name = _item_name(name, i)
        elif name in registry:
            registry.remove(name)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if name in self.__dict__.get("_registry", ()):
            self._registry.remove(name)
        object.__delattr__(self, name)

    # -- calling ----------------------------------------------------------------------

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # Open the module's scope by hand (not through contextlib): this runs once per layer
        # per training step, and the engine's hot path only reads RECORDING.scope.
        name = self._name
        if name is None:
            return self.forward(*args, **kwargs)
        previous = RECORDING.scope
        RECORDING.scope = name if previous is None else f"{previous}/{name}"
        try:
            return self.forward(*args, **kwargs)
        finally:
            RECORDING.scope = previous

    # -- the registry -----------------------------------------------------------------

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for attr in self._registry:
            value = self.__dict__.get(attr)
            if isinstance(value, Module):
                yield attr, value
            elif isinstance(value, list | tuple):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield _item_name(attr, i), item

    def modules(self) -> Iterator[Module]:
        """This module and every module inside it, depth first, in registration order."""
        stack: list[Module] = [self]
        while stack:
            module = stack.pop()
            yield module
            stack.extend(reversed([child for _, child in module.named_children()]))

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor | Value]]:
        """`("layer0/neuron3/w1", param)` pairs in registration order (each param once)."""
        seen: set[int] = set()
        # Depth first with an explicit stack of iterators (a recursive closure would be a
        # reference cycle left for the garbage collector on every parameters() call).
        stack = [_entries(prefix, self)]
        while stack:
            for full, item in stack[-1]:
                if isinstance(item, Module):
                    stack.append(_entries(full, item))
                    break
                if _is_parameter(item) and id(item) not in seen:
                    seen.add(id(item))
                    yield full, item
            else:
                stack.pop()

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, Buffer]]:
        """`("layer1/running_mean", buffer)` pairs in registration order."""
        stack = [_entries(prefix, self)]
        while stack:
            for full, item in stack[-1]:
                if isinstance(item, Module):
                    stack.append(_entries(full, item))
                    break
                if isinstance(item, Buffer):
                    yield full, item
            else:
                stack.pop()

    def parameters(self) -> list[Tensor | Value]:
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0 if isinstance(p, Value) else None

    def train(self, mode: bool = True) -> Module:
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        return self.train(False)

    # -- files ------------------------------------------------------------------------

    def state_dict(self) -> dict[str, np.ndarray]:
        """Every parameter's and buffer's array (copies), by `layer/name`."""
        state = {name: np.array(p.data) for name, p in self.named_parameters()}
        state.update((name, np.array(b.data)) for name, b in self.named_buffers())
        return state

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write every parameter to an `.npz` file under its `layer/param` key, creating the
        file's directory if needed; returns the path written (`.npz` is added to a name
        without it)."""
        path = Path(path).expanduser()
        if path.suffix != ".npz":
            path = path.with_name(path.name + ".npz")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OSError(
                error.errno,
                f"{type(self).__name__}.save: cannot create the "
                f"directory {path.parent} for {path} ({error.strerror})",
            ) from None
        # numpy's stubs type **arrays as if one could be `allow_pickle`; ours are named arrays
        np.savez(path, **self.state_dict())  # type: ignore[arg-type]
        return path

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        params: dict[str, Tensor | Value] = dict(self.named_parameters())
        params.update(self.named_buffers())
        missing = [k for k in params if k not in state]
        unexpected = [k for k in state if k not in params]
        if missing or unexpected:
            raise KeyError(
                f"{type(self).__name__}.load: the file does not fit this model: missing keys "
                f"{missing or 'none'}, unexpected keys {unexpected or 'none'}"
            )
        for name, p in params.items():
            array = np.asarray(state[name])
            if not _is_numeric(array):
                raise ValueError(
                    f"{type(self).__name__}.load: {name!r} holds {array.dtype} data, not numbers"
                )
            if array.shape != np.shape(p.data):
                raise ValueError(
                    f"{type(self).__name__}.load: {name!r} has shape {array.shape} in the file "
                    f"but {np.shape(p.data)} in the model"
                )
        for name, p in params.items():  # only after every check passed: no half-loaded model
            if isinstance(p, Value):
                p.data = float(state[name])
            else:
                p.data[...] = state[name]  # in place: optimizers may hold the array

    def load(self, path: str | os.PathLike[str]) -> Module:
        """Read parameters written by `save` (never unpickles: `allow_pickle=False`).

        A file that is not an `.npz` archive of numeric arrays (a single-array `.npy`, text,
        strings, pickled objects) raises ValueError naming the file and the problem.
        """
        where = f"{type(self).__name__}.load: {path}"
        try:
            loaded = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            raise FileNotFoundError(f"{where}: no such file") from None
        except (ValueError, OSError, EOFError) as error:
            raise ValueError(
                f"{where}: not a NumPy .npz file written by Module.save ({error})"
            ) from None
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError(
                f"{where}: holds a single array of shape "
                f"{np.shape(loaded)} (an .npy file), not an .npz archive of "
                f"named parameters as Module.save writes"
            )
        state: dict[str, np.ndarray] = {}
        with loaded as archive:
            for key in archive.files:
                try:
                    array = archive[key]
                except ValueError:  # an object array: loading it would unpickle
                    raise ValueError(
                        f"{where}: {key!r} holds Python objects, which are "
                        "never loaded (no unpickling)"
                    ) from None
                if not _is_numeric(array):
                    raise ValueError(f"{where}: {key!r} holds {array.dtype} data, not numbers")
                state[key] = array
        self.load_state_dict(state)
        return self

    def __repr__(self) -> str:
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in children:
            lines.append("  (" + name + "): " + repr(child).replace("\n", "\n  "))
        return "\n".join(lines) + "\n)"

    def extra_repr(self) -> str:
        return ""
