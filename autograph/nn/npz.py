"""Reading a module's `.npz` file without trusting it.

`read_npz` opens the archive, and before reading each member checks its `.npy` header: a
NumPy array (not other bytes), a version it knows, no Python objects, and a data length that
matches the shape the header claims. So a truncated archive, a member holding other bytes, or
a header claiming 10¹² elements is one ValueError naming the file, never `BadZipFile`,
`AttributeError` or `MemoryError`, and nothing of that size is ever allocated.
"""

from __future__ import annotations

import math
import os
import zipfile
import zlib
from typing import IO, Any

import numpy as np

# Everything NumPy and zipfile raise on a corrupt archive or member.
_CORRUPT = (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, KeyError, TypeError)


def is_numeric(array: np.ndarray) -> bool:
    """Booleans, integers or floats: what a parameter can be loaded from."""
    return array.dtype.kind in "biuf"


class NpzError(ValueError):
    """A file that is not an `.npz` archive of numeric arrays: the message names it."""


def read_npz(path: str | os.PathLike[str], where: str) -> dict[str, np.ndarray]:
    """The arrays of the `.npz` file at `path`, by name; errors start with `where`."""
    try:
        loaded = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise FileNotFoundError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise NpzError(f"{where}: is a directory, not an .npz file") from None
    except (*_CORRUPT, MemoryError) as error:
        raise NpzError(
            f"{where}: not a NumPy .npz file written by Module.save ({_describe(error)})"
        ) from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise NpzError(
            f"{where}: holds a single array of shape "
            f"{np.shape(loaded)} (an .npy file), not an .npz archive of "
            f"named parameters as Module.save writes"
        )
    state: dict[str, np.ndarray] = {}
    with loaded as archive:
        zipped = archive.zip
        assert zipped is not None  # an open NpzFile always has its ZipFile
        for key in archive.files:
            member = key + ".npy" if key + ".npy" in zipped.namelist() else key
            try:
                with zipped.open(member) as f:
                    _check_header(f, zipped.getinfo(member).file_size, f"{where}: {key!r}")
                array = archive[key]
            except NpzError:
                raise
            except (*_CORRUPT, MemoryError, AttributeError) as error:
                raise NpzError(
                    f"{where}: {key!r} cannot be read: the file is truncated or corrupt "
                    f"({_describe(error)})"
                ) from None
            if not isinstance(array, np.ndarray) or not is_numeric(array):
                raise NpzError(f"{where}: {key!r} holds {array.dtype} data, not numbers")
            state[key] = array
    return state


def _check_header(f: IO[bytes], size: int, where: str) -> None:
    """Raise NpzError unless `f` starts an .npy array whose data fills the rest of `size`."""
    prefix = f.read(len(np.lib.format.MAGIC_PREFIX))
    if prefix != np.lib.format.MAGIC_PREFIX:
        raise NpzError(f"{where} holds bytes that are not a NumPy array")
    f.seek(0)
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(f)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(f)
    else:
        raise NpzError(f"{where} is an .npy array of version {version}, which is not read")
    if dtype.hasobject:
        raise NpzError(f"{where} holds Python objects, which are never loaded (no unpickling)")
    claimed = math.prod(shape) * dtype.itemsize
    held = size - f.tell()
    if claimed != held:
        raise NpzError(
            f"{where} claims shape {tuple(shape)} of {dtype} ({claimed:,} bytes) but holds "
            f"{held:,} bytes: the file is truncated or corrupt"
        )


def _describe(error: Any) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
