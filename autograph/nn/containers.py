"""`ModuleList` and `ModuleDict`: PyTorch's containers of modules.

They hold Modules only (anything else is a TypeError naming the container and the item), and
name their items as a plain list or dict attribute would: in `self.layers = ModuleList(...)`
the items are `layer0`, `layer1`, ... (the `.npz` keys `layer0/W`, the graph scopes
`layer0`), in `self.blocks = ModuleDict({"enc": ...})` they are `enc`, ... A container adds
no level to the names (PyTorch's would give `layers.0.weight`); on its own, a ModuleList's
items are named `0`, `1`, ... Items added, inserted, replaced or removed later are renamed at
once, so scopes and keys always follow the current order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, overload

from autograph.nn.module import Module, _item_name, _key_name


def _module(owner: str, item: Any) -> Module:
    if not isinstance(item, Module):
        raise TypeError(
            f"{owner}: {type(item).__name__} is not a Module; a ModuleList/ModuleDict holds "
            f"modules only (keep parameters in a plain list, or as attributes)"
        )
    return item


class ModuleList(Module):
    """A list of modules, registered with the module that holds it.

    >>> from autograph.nn import Linear
    >>> class Net(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.layers = ModuleList()
    ...         self.layers.append(Linear(2, 2))
    >>> [name for name, _ in Net().named_parameters()]
    ['layer0/W', 'layer0/b']
    """

    _transparent = True
    _attr: str | None
    _list: list[Module]

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        self._attr = None
        self._list = []
        if modules is not None:
            self.extend(modules)

    def _adopt(self, name: str) -> None:
        self._attr = name
        self._rename()

    def _contents(self, attr: str | None) -> Iterator[tuple[str, Any]]:
        for i, item in enumerate(self._list):
            yield (_item_name(attr, i) if attr else str(i)), item

    def _rename(self) -> None:
        for name, item in self._contents(self._attr):
            item._name = name

    def append(self, module: Module) -> ModuleList:
        self._list.append(_module("ModuleList.append", module))
        self._rename()
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        items = [_module("ModuleList.extend", m) for m in modules]
        self._list.extend(items)
        self._rename()
        return self

    def insert(self, index: int, module: Module) -> None:
        self._list.insert(index, _module("ModuleList.insert", module))
        self._rename()

    def pop(self, index: int = -1) -> Module:
        item = self._list.pop(index)
        self._rename()
        return item

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    @overload
    def __getitem__(self, index: int) -> Module: ...

    @overload
    def __getitem__(self, index: slice) -> ModuleList: ...

    def __getitem__(self, index: int | slice) -> Module | ModuleList:
        if isinstance(index, slice):
            return ModuleList(self._list[index])
        return self._list[index]

    def __setitem__(self, index: int, module: Module) -> None:
        self._list[index] = _module("ModuleList[...] =", module)
        self._rename()

    def __delitem__(self, index: int | slice) -> None:
        del self._list[index]
        self._rename()

    def __len__(self) -> int:
        return len(self._list)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._list)

    def __bool__(self) -> bool:
        return True  # a Module is always true, even when the list is empty (as PyTorch's)


class ModuleDict(Module):
    """An ordered mapping of names to modules, registered with the module that holds it.
    The keys name the items (non-empty strings without '/')."""

    _transparent = True
    _dict: dict[str, Module]

    def __init__(
        self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None
    ) -> None:
        super().__init__()
        self._dict = {}
        if modules is not None:
            self.update(modules)

    def _contents(self, attr: str | None) -> Iterator[tuple[str, Any]]:
        return iter(self._dict.items())

    def __getitem__(self, key: str) -> Module:
        return self._dict[key]

    def __setitem__(self, key: str, module: Module) -> None:
        _key_name("ModuleDict", key)
        module = _module(f"ModuleDict[{key!r}] =", module)
        self._dict[key] = module
        module._name = key

    def __delitem__(self, key: str) -> None:
        del self._dict[key]

    def __contains__(self, key: object) -> bool:
        return key in self._dict

    def __len__(self) -> int:
        return len(self._dict)

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __bool__(self) -> bool:
        return True

    def keys(self) -> Any:
        return self._dict.keys()

    def values(self) -> Any:
        return self._dict.values()

    def items(self) -> Any:
        return self._dict.items()

    def pop(self, key: str) -> Module:
        return self._dict.pop(key)

    def clear(self) -> None:
        self._dict.clear()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for key, module in pairs:
            self[key] = module
