"""`Module` and `Parameter`: the containers every net in `autograph.nn` is built from.

Attributes that are parameters (Parameters, scalar `Value` leaves that require grad),
Modules, and containers of them register themselves in insertion order (DeZero's idea,
without its `set`), so `parameters()` and the `.npz` keys are deterministic. A `Buffer`
attribute (batch norm's running statistics) registers too: saved and loaded, never trained.

Containers are plain lists, tuples and dicts, or `ModuleList`/`ModuleDict`
(`autograph.nn.containers`). They are read when they are used, not when they are assigned, so
`self.layers = []` followed by `self.layers.append(Linear(2, 2))` trains and saves the
layer. A container adds no level to the names: a list's items are named by the attribute's
singular plus an index (`layers` -> `layer0`, `neurons` -> `neuron3`, `w` -> `w0`), a dict's
by their keys. That name is also the scope `__call__` opens, so graph pictures cluster by
layer and neuron (`layer0/neuron3`), for items added later too. Only a container's parameter
and Module items register: numbers, op results and constants in it are left out; a list
nested in a list that holds modules or parameters is refused (TypeError), not ignored.

Calling a module with NumPy arrays wraps them as constant Tensors first (DeZero's habit), so
`Linear(2, 3)(np.ones((4, 2)))` works; scalar modules over `Value`s opt out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from autograph.engine.mode import enter_scope, exit_scope
from autograph.engine.tensor import Tensor
from autograph.engine.value import Value
from autograph.nn.npz import is_numeric, read_npz

CONTAINERS = (list, tuple, dict)


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


def _item_name(attr: str, index: int) -> str:
    singular = attr[:-1] if attr.endswith("s") and len(attr) > 1 else attr
    return f"{singular}{index}"


def _key_name(attr: str, key: Any) -> str:
    if not isinstance(key, str) or not key or "/" in key:
        raise TypeError(
            f"{attr}[{key!r}]: a dict of modules or parameters needs non-empty string keys "
            f"without '/' (they name the items: {attr}['hidden'] -> 'hidden/W')"
        )
    return key


def _holds_parameters(value: Any) -> bool:
    items = value.values() if isinstance(value, dict) else value
    return any(
        _is_parameter(v) or (isinstance(v, CONTAINERS) and _holds_parameters(v)) for v in items
    )


def _identities(value: Any) -> tuple[Any, ...]:
    """What a container holds, by identity (and key), to tell cheaply whether it changed."""
    if isinstance(value, dict):
        return (*value, *map(id, value.values()))
    return tuple(map(id, value))


def flatten(attr: str | None, value: Any, *, strict: bool = True) -> Iterator[tuple[str, Any]]:
    """`(name, item)` for the parameters and modules that attribute `attr` holds: itself, or
    the items of a container (a ModuleList/ModuleDict, a list, tuple or dict)."""
    if isinstance(value, Module) and value._transparent:
        yield from value._contents(attr)
    elif isinstance(value, CONTAINERS):
        pairs = value.items() if isinstance(value, dict) else enumerate(value)
        where = attr or type(value).__name__
        for key, item in pairs:
            if _is_parameter(item):
                if isinstance(value, dict):
                    yield _key_name(where, key), item
                else:
                    yield (_item_name(attr, key) if attr else str(key)), item
            elif strict and isinstance(item, CONTAINERS) and _holds_parameters(item):
                raise TypeError(
                    f"{where}[{key!r}] is a {type(item).__name__} of modules or parameters "
                    f"inside a {type(value).__name__}: nested containers are not registered "
                    f"(never trained, never saved); use a ModuleList of ModuleLists, or one "
                    f"flat list"
                )
    elif attr is not None and (_is_parameter(value) or isinstance(value, Buffer)):
        yield attr, value  # a Buffer registers as an attribute only, not inside a container


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
    _containers: tuple[str, ...] = ()  # plain list/tuple/dict attributes, re-read per call
    _transparent = False  # ModuleList/ModuleDict: their items are named by the parent
    _wrap_arrays = True  # wrap NumPy array arguments as constant Tensors
    training: bool = True

    def __init__(self) -> None:
        object.__setattr__(self, "_registry", [])
        object.__setattr__(self, "_name", None)
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or isinstance(getattr(type(self), name, None), property):
            object.__setattr__(self, name, value)  # private state, or a property's setter
            return
        if "_registry" not in self.__dict__:
            object.__setattr__(self, "_registry", [])
        registry = self._registry
        if _is_parameter(value) or isinstance(value, (Buffer, *CONTAINERS)):
            if name not in registry:
                registry.append(name)
            if isinstance(value, Module):
                value._adopt(name)
        elif name in registry:
            registry.remove(name)
        object.__setattr__(self, name, value)
        self._note_container(name, value)
        if isinstance(value, CONTAINERS):
            self._name_items(name, value, strict=False)

    def __delattr__(self, name: str) -> None:
        if name in self.__dict__.get("_registry", ()):
            self._registry.remove(name)
        object.__delattr__(self, name)
        self._note_container(name, None)

    def _note_container(self, name: str, value: Any) -> None:
        containers = self._containers
        if isinstance(value, CONTAINERS) and not name.startswith("_"):
            if name not in containers:
                object.__setattr__(self, "_containers", (*containers, name))
        elif name in containers:
            object.__setattr__(self, "_containers", tuple(c for c in containers if c != name))
        self.__dict__.get("_synced", {}).pop(name, None)

    def _adopt(self, name: str) -> None:
        """Called when this module is assigned to a parent's attribute `name`."""
        object.__setattr__(self, "_name", name)

    def _contents(self, attr: str | None) -> Iterator[tuple[str, Any]]:
        """A transparent container's items, named for the attribute `attr` it is held in."""
        return iter(())

    @staticmethod
    def _name_items(attr: str, value: Any, *, strict: bool) -> bool:
        """Give the modules in container `value` their names; True if it holds any."""
        found = False
        for item_name, item in flatten(attr, value, strict=strict):
            if isinstance(item, Module):
                found = True
                if item._name != item_name:
                    item._name = item_name
        return found

    def _sync_names(self) -> None:
        # A plain container may have been filled since the last call: name what it holds.
        # Cheap when nothing changed: a container that held no module is skipped while its
        # length stays the same; one that did, while it holds the same items (by identity).
        d = self.__dict__
        synced = d.get("_synced")
        if synced is None:
            synced = {}
            object.__setattr__(self, "_synced", synced)
        for attr in self._containers:
            value = d[attr]
            seen = synced.get(attr)
            if (
                seen is not None
                and seen[0] is value
                and seen[1] == len(value)
                and (seen[2] is None or seen[2] == _identities(value))
            ):
                continue
            found = self._name_items(attr, value, strict=False)
            synced[attr] = (value, len(value), _identities(value) if found else None)

    # -- calling ----------------------------------------------------------------------

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._containers:
            self._sync_names()
        if self._wrap_arrays:
            for arg in args:
                if isinstance(arg, np.ndarray):
                    args = tuple(Tensor(a) if isinstance(a, np.ndarray) else a for a in args)
                    break
        # The engine's scope primitive, not the `scope()` context manager: this runs once per
        # layer per training step.
        name = self._name
        if name is None:
            return self.forward(*args, **kwargs)
        token = enter_scope(name)
        try:
            return self.forward(*args, **kwargs)
        finally:
            exit_scope(token)

    # -- the registry -----------------------------------------------------------------

    def _items(self) -> Iterator[tuple[str, Any]]:
        """`(name, item)` for each registered parameter and module, containers flattened;
        names the modules it meets (so items added to a list later get their scope)."""
        if self._transparent:
            items: Iterator[tuple[str, Any]] = self._contents(None)
        else:
            d = self.__dict__
            items = (pair for attr in self._registry for pair in flatten(attr, d.get(attr)))
        for name, item in items:
            if isinstance(item, Module) and not self._transparent and item._name != name:
                item._name = name
            yield name, item

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen: set[int] = set()
        for name, item in self._items():
            if isinstance(item, Module) and id(item) not in seen:
                seen.add(id(item))
                yield name, item

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """`(path, module)` for this module (path `prefix`, "" by default) and every module
        inside it, depth first in registration order, each once (PyTorch's order; paths are
        joined with `/`, and containers add no level)."""
        seen: set[int] = {id(self)}
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            path, module = stack.pop()
            yield path, module
            children = []
            for name, child in module.named_children():
                if id(child) not in seen:
                    seen.add(id(child))
                    children.append((f"{path}/{name}" if path else name, child))
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """This module and every module inside it, depth first, in registration order."""
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor | Value]]:
        """`("layer0/neuron3/w1", param)` pairs in registration order (each param once)."""
        for name, item in self._leaves(prefix):
            if not isinstance(item, Buffer):
                yield name, item

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, Buffer]]:
        """`("layer1/running_mean", buffer)` pairs in registration order (each once)."""
        for name, item in self._leaves(prefix):
            if isinstance(item, Buffer):
                yield name, item

    def _leaves(self, prefix: str) -> Iterator[tuple[str, Any]]:
        """Every registered parameter and buffer under its path, each once."""
        seen: set[int] = set()
        # Depth first with an explicit stack of iterators (a recursive closure would be a
        # reference cycle left for the garbage collector on every parameters() call).
        stack = [(prefix, self._items())]
        while stack:
            path, items = stack[-1]
            for name, item in items:
                full = f"{path}/{name}" if path else name
                if isinstance(item, Module):
                    if id(item) not in seen:
                        seen.add(id(item))
                        stack.append((full, item._items()))
                        break
                elif id(item) not in seen:
                    seen.add(id(item))
                    yield full, item
            else:
                stack.pop()

    def parameters(self) -> list[Tensor | Value]:
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.reset_grad()

    def train(self, mode: bool = True) -> Module:
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode): mode must be True or False, got {mode!r}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    # -- files ------------------------------------------------------------------------

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of the parameters' and buffers' arrays by `layer/name` (not views, unlike
        PyTorch's: a saved state does not change as training goes on)."""
        state = {name: np.array(p.data) for name, p in self.named_parameters()}
        state.update((name, np.array(b.data)) for name, b in self.named_buffers())
        return state

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write every parameter to an `.npz` file under its `layer/param` key, creating the
        file's directory if needed; returns the path written (`.npz` is added to a name
        without it)."""
        path = npz_path(path)
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

    def load_state_dict(self, state: Any, strict: bool = True) -> IncompatibleKeys:
        """Copy the arrays of `state` into the parameters and buffers, in place (optimizers
        keep the same arrays). Every key, dtype and shape is checked before anything changes.
        `strict` (PyTorch's): missing or unexpected keys raise KeyError; with `strict=False`
        the keys that fit are loaded and the others returned."""
        owner = f"{type(self).__name__}.load"
        params: dict[str, Tensor | Value] = dict(self.named_parameters())
        params.update(self.named_buffers())
        missing = [k for k in params if k not in state]
        unexpected = [k for k in state if k not in params]
        if strict and (missing or unexpected):
            raise KeyError(
                f"{owner}: the file does not fit this model: missing keys "
                f"{missing or 'none'}, unexpected keys {unexpected or 'none'}"
            )
        todo = {name: p for name, p in params.items() if name in state}
        for name, p in todo.items():
            array = np.asarray(state[name])
            if not is_numeric(array):
                raise ValueError(f"{owner}: {name!r} holds {array.dtype} data, not numbers")
            if array.shape != np.shape(p.data):
                raise ValueError(
                    f"{owner}: {name!r} has shape {array.shape} in the file "
                    f"but {np.shape(p.data)} in the model"
                )
        for name, p in todo.items():  # only after every check passed: no half-loaded model
            if isinstance(p, Value):
                p.data = float(state[name])
            else:
                p.data[...] = state[name]  # in place: optimizers may hold the array
        return IncompatibleKeys(missing, unexpected)

    def load(self, path: str | os.PathLike[str]) -> Module:
        """Read parameters written by `save` (never unpickles: `allow_pickle=False`).

        A file that is not an `.npz` archive of numeric arrays (a single-array `.npy`, text,
        a truncated or corrupt archive, a member that is not an array or claims more data
        than it holds, strings, pickled objects) raises ValueError (`NpzError`) naming the
        file and the problem, and leaves the model as it was.
        """
        self.load_state_dict(read_npz(path, f"{type(self).__name__}.load: {path}"))
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


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` did not load (PyTorch's named tuple)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def npz_path(path: str | os.PathLike[str]) -> Path:
    """The file `Module.save(path)` writes: `path` with `.npz` added unless it has it."""
    path = Path(path).expanduser()
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")
