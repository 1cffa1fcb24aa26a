"""Changing a node's data: the `data` property, in-place ops (`+= -= *= /=`), and the check
that keeps a backward pass from mixing old and new data.

NumPy arrays have no write hook, so what is recorded is *assignment*: `p.data = new`, and
`p.data -= lr * g` (NumPy subtracts in place, then Python assigns the array back), and the
in-place node ops below. A data-write clock (`mode.WRITES`) ticks on each; every node is
stamped with the clock when it is made (`_stamp`), or, once its own data has been
assigned, with minus the clock of that write. A backward pass checks only the nodes made
before the latest write (`Node._check_unmodified`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from autograph.engine.mode import WRITES, is_grad_enabled, no_grad

if TYPE_CHECKING:
    from autograph.engine.node import Node

_OPERATORS = {"+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__"}


class DataWrites:
    """The part of `Node` that handles changes to its data."""

    # `_data` is what `data` reads (engine code reads the slot directly); `_stamp` is the
    # write clock when the node was made (>= 0), or minus the clock of the latest write to
    # its own data
    __slots__ = ("_data", "_stamp")

    _data: Any
    _stamp: int

    if TYPE_CHECKING:
        op: str
        label: str
        requires_grad: bool

        @property
        def parents(self) -> tuple[Node, ...]: ...
        @property
        def is_leaf(self) -> bool: ...

    def _assign(self, data: Any, op: str) -> None:
        """Make `data`, the result of the in-place op `op`, this node's data (in place for
        an array; a ShapeError if it does not fit). Each kind of node provides it."""
        raise NotImplementedError

    def __iadd__(self, other: Any) -> Any:
        return self._in_place(other, "+")

    def __isub__(self, other: Any) -> Any:
        return self._in_place(other, "-")

    def __imul__(self, other: Any) -> Any:
        return self._in_place(other, "*")

    def __itruediv__(self, other: Any) -> Any:
        return self._in_place(other, "/")

    def _in_place(self, other: Any, op: str) -> Any:
        """`self op= other`. Inside `no_grad()` (or when nothing needs a gradient) the data
        is updated in place and the node stays what it was (an optimizer's `w -= lr * g`);
        the update counts as a data write (see `data`). Outside, on a leaf that requires
        grad it raises, as PyTorch does; on any other node the result is a new recorded
        node, as `x = x op other` (the name is rebound; other references keep the old)."""
        compute = getattr(type(self), _OPERATORS[op])
        needs = self.requires_grad or getattr(other, "requires_grad", False)
        if needs and is_grad_enabled():
            if self.requires_grad and self.is_leaf:
                raise RuntimeError(
                    f"{op}=: a leaf {type(self).__name__} that requires grad is being used in "
                    f"an in-place operation. Update it inside `with no_grad():` (as "
                    f"optimizers do), or write `x = x {op} y` for a new node"
                )
            return compute(self, other)
        with no_grad():
            result = compute(self, other)
        if result is NotImplemented:
            return NotImplemented
        self._assign(result._data, op)
        self._wrote()
        return self

    @property
    def data(self) -> Any:
        """The node's number or array. Assigning it (`p.data = new`, `p.data -= lr * g`,
        which NumPy does in place and then assigns) is recorded: a backward pass through a
        node computed from the old data raises instead of mixing old and new values.
        Writes through the array itself (`t.data[i] = v`) cannot be seen."""
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value
        self._wrote()

    def _wrote(self) -> None:
        """Record that this node's data changed now (after every node made so far)."""
        WRITES[0] += 1
        self._stamp = -WRITES[0]

    def _check_unmodified(self) -> None:
        """Raise if the data of this op node or of one of its inputs was assigned after this
        node was computed: its rule would mix old and new values (PyTorch's version check)."""
        made = self._stamp  # (negative if this node's own data was assigned: always stale)
        for i, node in enumerate((self, *self.parents)):
            if node._stamp < 0 and (i == 0 or -node._stamp > made):
                what = "its output" if i == 0 else f"its input {i - 1}"
                name = f" {node.label!r}" if node.label else ""
                raise RuntimeError(
                    f"backward: one of the variables needed for gradient computation has been "
                    f"modified by an inplace operation: the data of {what}{name} (a "
                    f"{type(node).__name__}) was assigned after the {self.op!r} node was "
                    "computed, so its gradient would mix old and new values. Run the forward "
                    "pass again after changing data (optimizer steps go after backward())"
                )
