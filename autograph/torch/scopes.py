"""Module paths (scopes) of recorded ops, read from the call stack.

While the block runs, each op gets the modules being called when it ran, innermost first
(`Scopes.chain`: one walk up the stack per new calling frame, one `f_locals` read per module
call). Their dotted paths are named once, when the recording is first read (`Scopes.path`),
so that a recorded step does not walk the model: the same names, in the same order, as
naming them during the block would give, unless the model's structure changed in between.
"""

from __future__ import annotations

from types import FrameType
from typing import Any

import torch

Chain = tuple[Any, ...]  # the modules being called, innermost first

_CALL_IMPL = torch.nn.Module._call_impl.__code__  # the frame of every module call


class Scopes:
    def __init__(self) -> None:
        self.roots: list[tuple[torch.nn.Module, tuple[str, ...]]] = []
        self._paths: dict[int, tuple[str, ...]] = {}  # id(module) -> its path
        self._modules: list[torch.nn.Module] = []  # keeps ids in _paths valid
        self._frames: dict[int, tuple[FrameType, Chain]] = {}  # id(call frame) -> its chain

    # -- while the block runs -----------------------------------------------------------

    def chain(self, frame: FrameType | None) -> Chain:
        """The modules being called at `frame`, innermost first (cheaper than global module
        hooks, which send every module call down PyTorch's slow path)."""
        calls: list[FrameType] = []  # module calls not seen before, innermost first
        chain: Chain = ()
        while frame is not None:
            if frame.f_code is _CALL_IMPL:
                seen = self._frames.get(id(frame))  # frames are kept: ids stay unique
                if seen is not None:
                    chain = seen[1]
                    break
                calls.append(frame)
            frame = frame.f_back
        for call in reversed(calls):
            chain = (call.f_locals.get("self"), *chain)
            self._frames[id(call)] = (call, chain)
        return chain

    def done(self) -> None:
        self._frames = {}  # the frames kept (and their locals)

    # -- naming -------------------------------------------------------------------------

    def add_root(self, module: torch.nn.Module, prefix: tuple[str, ...]) -> None:
        """The path of each module under `module`, as `named_modules()` names them (each
        module once, at its first name), in one loop instead of nested generators."""
        self.roots.append((module, prefix))
        stack: list[tuple[torch.nn.Module, tuple[str, ...]]] = [(module, prefix)]
        seen: set[int] = set()
        while stack:
            sub, path = stack.pop()
            if id(sub) in seen:
                continue
            seen.add(id(sub))
            if id(sub) not in self._paths:
                self._paths[id(sub)] = path
                self._modules.append(sub)
            children = sub._modules
            if children:
                stack += [(m, path + (n,)) for n, m in reversed(children.items()) if m is not None]

    def path(self, chain: Chain) -> tuple[str, ...]:
        """The path of the innermost module of a chain. A module not under the model (or,
        without one, under the first module called) is named after its class. Chains must
        be named in the order their ops ran: the first unknown outer module is a root."""
        unknown: list[torch.nn.Module] = []
        path = None
        for module in chain:
            path = self._paths.get(id(module))
            if path is not None:
                break
            if isinstance(module, torch.nn.Module):
                unknown.append(module)
        if not unknown:
            return path or ()
        if path is None:  # the outermost module called: a root
            root = unknown.pop()
            self.add_root(root, (type(root).__name__,) if self.roots else ())
            path = self._paths[id(root)]
        for module in reversed(unknown):
            if id(module) not in self._paths:
                self._paths[id(module)] = path + (type(module).__name__,)
                self._modules.append(module)
            path = self._paths[id(module)]
        return path
