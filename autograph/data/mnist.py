"""MNIST from the four standard IDX `.gz` files, checked before use.

`load_mnist(root)` reads `train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`,
`t10k-images-idx3-ubyte.gz` and `t10k-labels-idx1-ubyte.gz` from `root`. Each file's size and
MD5 are compared with the published values (`MNIST_FILES`), and each IDX header is checked
(magic number, dimensions, payload length; images must be 28x28 and there must be at least
one, even with `verify=False`), so a missing, truncated or corrupt file gives an `MNISTError`
that names the file and what is wrong with it rather than garbage arrays.

Without `root` (the textbook's `load_mnist(normalize=True, flatten=True,
one_hot_label=False)`), the files are read from the directory named by the environment
variable `AUTOGRAPH_MNIST`, or else from `~/.autograph/mnist` (`DEFAULT_ROOT`).

IDX format (big-endian): two zero bytes, a type byte (0x08 = unsigned byte), the number of
dimensions, one 4-byte size per dimension, then the data.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"

# name -> (bytes, md5) as published with the dataset.
MNIST_FILES: dict[str, tuple[int, str]] = {
    TRAIN_IMAGES: (9912422, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    TRAIN_LABELS: (28881, "d53e105ee54ea40749a09fcbcd1e9432"),
    TEST_IMAGES: (1648877, "9fb629c4189551a2d022fa330f9573f3"),
    TEST_LABELS: (4542, "ec29112dd5afa0611ce80d1b7f02629c"),
}

IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dims (count, rows, cols)
LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dim (count)
IMAGE_SHAPE = (28, 28)  # rows, cols of every MNIST image

# Where `download=True` fetches from, unless `url=` or $AUTOGRAPH_MNIST_URL says otherwise.
DEFAULT_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"

# Where `load_mnist()` looks without a `root`: $AUTOGRAPH_MNIST, else this directory.
ENV_VAR = "AUTOGRAPH_MNIST"
OLD_ENV_VAR = "AUTOGRAPH_MNIST_DIR"  # the command line's name before 0.2; no longer read
DEFAULT_ROOT = Path("~/.autograph/mnist")


class MNISTError(RuntimeError):
    """A problem with the MNIST files: the message names the file and what to do."""


class MNISTNotFound(MNISTError, FileNotFoundError):
    """Some of the four files are not in the directory."""


def md5sum(path: str | os.PathLike[str]) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_file(path: Path, expected: tuple[int | None, str | None]) -> None:
    """Check a file's size, then its MD5, against `(bytes, md5)` (None skips a check)."""
    size, md5 = expected
    try:
        _verify(path, size, md5)
    except OSError as error:  # unreadable: permissions, a vanished file, an I/O error
        raise MNISTError(f"{path}: cannot be read ({error.strerror or error})") from None


def _verify(path: Path, size: int | None, md5: str | None) -> None:
    actual = path.stat().st_size
    if size is not None and actual != size:
        what = "truncated" if actual < size else "too long"
        raise MNISTError(
            f"{path}: {what}: {actual} bytes, expected {size}; delete it and download it again"
        )
    if md5 is not None:
        digest = md5sum(path)
        if digest != md5:
            raise MNISTError(
                f"{path}: corrupt: MD5 {digest}, expected {md5}; delete it and download it again"
            )


def read_idx(path: str | os.PathLike[str], magic: int) -> np.ndarray:
    """The array in a gzip-compressed IDX file of unsigned bytes, after checking its header."""
    path = Path(path)
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as error:
        raise MNISTError(
            f"{path}: not a readable gzip file ({error}); it is corrupt or truncated"
        ) from None
    if len(raw) < 4:
        raise MNISTError(f"{path}: too short for an IDX header ({len(raw)} bytes)")
    found = int.from_bytes(raw[:4], "big")
    if found != magic:
        raise MNISTError(
            f"{path}: bad magic number 0x{found:08x}, expected 0x{magic:08x} "
            f"({'images' if magic == IMAGES_MAGIC else 'labels'})"
        )
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise MNISTError(f"{path}: header truncated ({len(raw)} bytes, need {header})")
    shape = tuple(int.from_bytes(raw[4 + 4 * k : 8 + 4 * k], "big") for k in range(ndim))
    expected = math.prod(shape)  # Python ints: sizes near 2**32 each cannot overflow
    if len(raw) - header != expected:
        raise MNISTError(
            f"{path}: the header says shape {shape} ({expected} bytes of data) but "
            f"the file holds {len(raw) - header} bytes: truncated or corrupt"
        )
    try:
        return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)
    except ValueError:  # an empty shape NumPy cannot hold, e.g. (0, 3e9, 3e9)
        raise MNISTError(
            f"{path}: the header says shape {shape}, which no array can have: corrupt"
        ) from None


def download_mnist(
    root: str | os.PathLike[str],
    url: str | None = None,
    *,
    names: Any = None,
    timeout: float = 30.0,
) -> None:
    """Fetch the missing MNIST files into `root` from `url` (a directory URL; file:// works).

    Each file is written to a temporary name and moved into place only when complete.
    """
    root = Path(root)
    base = url or os.environ.get("AUTOGRAPH_MNIST_URL") or DEFAULT_URL
    if not base.endswith("/"):
        base += "/"
    root.mkdir(parents=True, exist_ok=True)
    for name in names or MNIST_FILES:
        target = root / name
        if target.exists():
            continue
        part = None
        try:
            with (
                urllib.request.urlopen(base + name, timeout=timeout) as response,
                tempfile.NamedTemporaryFile(dir=root, delete=False, suffix=".part") as tmp,
            ):
                part = tmp.name
                shutil.copyfileobj(response, tmp)
        except (urllib.error.URLError, OSError, ValueError) as error:
            if part is not None:
                Path(part).unlink(missing_ok=True)
            raise MNISTNotFound(
                f"could not download {base + name} ({error}). Put the four MNIST files "
                f"({', '.join(MNIST_FILES)}) in {root.resolve()} yourself, or pass another url"
            ) from None
        os.replace(part, target)


def mnist_root(root: str | os.PathLike[str] | None = None) -> Path:
    """The directory `load_mnist` reads: `root` if given, else $AUTOGRAPH_MNIST, else
    `DEFAULT_ROOT` (~/.autograph/mnist)."""
    if root is not None:
        if isinstance(root, bool):
            raise TypeError(
                "load_mnist: the first argument is the data directory; pass the textbook's "
                "options by name: load_mnist(normalize=True, flatten=True, one_hot_label=False)"
            )
        return Path(root).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    if os.environ.get(OLD_ENV_VAR):
        raise MNISTNotFound(
            f"${OLD_ENV_VAR} is no longer read: the variable is now ${ENV_VAR} "
            f'(export {ENV_VAR}="${OLD_ENV_VAR}")'
        )
    return DEFAULT_ROOT.expanduser()


def load_mnist(
    root: str | os.PathLike[str] | None = None,
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    *,
    verify: bool = True,
    checksums: Mapping[str, tuple[int | None, str | None]] | None = None,
    download: bool = False,
    url: str | None = None,
    dtype: Any = np.float32,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """((x_train, t_train), (x_test, t_test)), with the textbook's options.

    - `root`: the directory holding the four files; by default $AUTOGRAPH_MNIST, else
      ~/.autograph/mnist (so the book's `load_mnist(normalize=True, one_hot_label=True)`
      works as written).

    - `normalize`: pixels as `dtype` in [0, 1] (else uint8 0..255).
    - `flatten`: images as rows of 784 (else (N, 1, 28, 28)).
    - `one_hot_label`: labels as one-hot rows of 10 (else integer class indices, uint8).
    - `verify`: check each file's size and MD5 against `checksums` (default: the published
      values in `MNIST_FILES`; pass your own for other files, or `verify=False`).
    - `download`: fetch missing files from `url` (default $AUTOGRAPH_MNIST_URL or
      `DEFAULT_URL`) first.
    """
    chosen = root
    root = mnist_root(root)
    missing = [name for name in MNIST_FILES if not (root / name).is_file()]
    if missing and download:
        download_mnist(root, url, names=missing)
        missing = [name for name in MNIST_FILES if not (root / name).is_file()]
    if missing:
        where = "does not exist" if not root.exists() else f"lacks {', '.join(missing)}"
        how = (
            "pass another directory"
            if chosen is not None
            else f"set ${ENV_VAR} to the directory that holds them, or pass --data DIR "
            f"(command line) or root= (Python)"
        )
        raise MNISTNotFound(
            f"MNIST data not found: {root} {where}. Put the four files "
            f"({', '.join(MNIST_FILES)}) there, {how}, or download them with download=True "
            f"(command line: --download)"
        )
    if verify:
        table = MNIST_FILES if checksums is None else checksums
        for name in MNIST_FILES:
            if name in table:
                verify_file(root / name, table[name])

    def images(name: str) -> np.ndarray:
        return read_idx(root / name, IMAGES_MAGIC)

    def labels(name: str) -> np.ndarray:
        return read_idx(root / name, LABELS_MAGIC)

    result = []
    for img_name, lab_name in ((TRAIN_IMAGES, TRAIN_LABELS), (TEST_IMAGES, TEST_LABELS)):
        x, t = images(img_name), labels(lab_name)
        if len(x) == 0:  # checked even with verify=False: nothing to train or test on
            raise MNISTError(f"{root / img_name}: holds no images (the header says 0)")
        if x.shape[1:] != IMAGE_SHAPE:  # checked even with verify=False: a net needs 784 inputs
            raise MNISTError(
                f"{root / img_name}: images are {x.shape[1]}x{x.shape[2]}, but "
                f"MNIST images are {IMAGE_SHAPE[0]}x{IMAGE_SHAPE[1]}"
            )
        if len(x) != len(t):
            raise MNISTError(
                f"{root / img_name} holds {len(x)} images but {root / lab_name} "
                f"holds {len(t)} labels"
            )
        if t.size and t.max() > 9:
            raise MNISTError(f"{root / lab_name}: label {t.max()} is not a digit 0-9")
        # a copy either way: writable, not a view of the decompressed bytes
        x = x.astype(dtype) / np.asarray(255, dtype=dtype) if normalize else x.copy()
        x = x.reshape(len(x), -1) if flatten else x.reshape(len(x), 1, *x.shape[1:])
        t = np.eye(10, dtype=dtype)[t] if one_hot_label else t.copy()
        result.append((x, t))
    return result[0], result[1]


def write_idx(path: str | os.PathLike[str], array: np.ndarray) -> None:
    """Write `array` (uint8) as a gzip-compressed IDX file (for tests and custom data)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = (0x0800 | array.ndim).to_bytes(4, "big") + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    with gzip.open(path, "wb") as f:
        f.write(header + array.tobytes())
