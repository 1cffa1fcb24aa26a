"""autograph.data: the MNIST IDX reader (on tiny files written here), batches, toy sets."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograph.data import (
    MNIST_FILES,
    MiniBatches,
    MNISTError,
    MNISTNotFound,
    load_mnist,
    make_moons,
    make_spiral,
    read_idx,
    sample_indices,
    write_idx,
)
from autograph.data.mnist import IMAGES_MAGIC, LABELS_MAGIC, md5sum

TRAIN_N, TEST_N = 12, 5


def _write_tiny_mnist(root: Path, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (TRAIN_N, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, TRAIN_N, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (TEST_N, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, TEST_N, dtype=np.uint8),
    }
    root.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        write_idx(root / name, array)
    return arrays


def _checksums(root: Path) -> dict[str, tuple[int, str]]:
    return {name: ((root / name).stat().st_size, md5sum(root / name)) for name in MNIST_FILES}


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[Path, dict[str, np.ndarray]]:
    root = tmp_path / "mnist"
    return root, _write_tiny_mnist(root)


def test_load_tiny_mnist_with_textbook_options(tiny) -> None:
    root, arrays = tiny
    (x, t), (xt, tt) = load_mnist(root, checksums=_checksums(root))
    assert x.shape == (TRAIN_N, 784) and x.dtype == np.float32
    assert xt.shape == (TEST_N, 784)
    np.testing.assert_allclose(
        x * 255, arrays["train-images-idx3-ubyte.gz"].reshape(TRAIN_N, -1), atol=1e-4
    )
    np.testing.assert_array_equal(t, arrays["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(tt, arrays["t10k-labels-idx1-ubyte.gz"])
    (x2, t2), _ = load_mnist(root, normalize=False, flatten=False, one_hot_label=True, verify=False)
    assert x2.dtype == np.uint8 and x2.shape == (TRAIN_N, 1, 28, 28)
    np.testing.assert_array_equal(x2[:, 0], arrays["train-images-idx3-ubyte.gz"])
    assert t2.shape == (TRAIN_N, 10)
    np.testing.assert_array_equal(t2.argmax(axis=1), t)
    np.testing.assert_array_equal(t2.sum(axis=1), 1)
    x2[0, 0, 0, 0] = 7  # writable, not a view of the file's bytes


def test_published_checksums_reject_other_files(tiny) -> None:
    root, _ = tiny
    with pytest.raises(MNISTError, match="train-images-idx3-ubyte.gz: too long|truncated"):
        load_mnist(root)  # our tiny files do not have the published sizes


def test_published_table_is_the_one_in_sources() -> None:
    assert MNIST_FILES["train-images-idx3-ubyte.gz"] == (
        9912422,
        "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    )
    assert MNIST_FILES["t10k-labels-idx1-ubyte.gz"] == (4542, "ec29112dd5afa0611ce80d1b7f02629c")


def test_md5_mismatch_names_the_file(tiny) -> None:
    root, _ = tiny
    sums = _checksums(root)
    name = "t10k-images-idx3-ubyte.gz"
    sums[name] = (sums[name][0], "0" * 32)
    with pytest.raises(MNISTError, match=f"{name}: corrupt: MD5 .* expected 0000"):
        load_mnist(root, checksums=sums)


def test_missing_directory_and_missing_file(tmp_path: Path, tiny) -> None:
    with pytest.raises(MNISTNotFound, match="does not exist"):
        load_mnist(tmp_path / "nowhere")
    root, _ = tiny
    (root / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="lacks train-labels-idx1-ubyte.gz"):
        load_mnist(root, verify=False)


def test_truncated_gzip_is_reported(tiny) -> None:
    root, _ = tiny
    path = root / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(MNISTError, match="train-images-idx3-ubyte.gz: not a readable gzip"):
        load_mnist(root, verify=False)


def test_header_and_payload_checks(tmp_path: Path) -> None:
    labels = tmp_path / "labels.gz"
    write_idx(labels, np.arange(5, dtype=np.uint8))
    with pytest.raises(MNISTError, match="bad magic number 0x00000801, expected 0x00000803"):
        read_idx(labels, IMAGES_MAGIC)
    np.testing.assert_array_equal(read_idx(labels, LABELS_MAGIC), np.arange(5))
    short = tmp_path / "short.gz"
    with gzip.open(short, "wb") as f:  # header says 5 labels, 3 bytes follow
        f.write((0x801).to_bytes(4, "big") + (5).to_bytes(4, "big") + b"\x01\x02\x03")
    with pytest.raises(MNISTError, match=r"shape \(5,\).*holds 3 bytes"):
        read_idx(short, LABELS_MAGIC)


def test_mismatched_counts_and_bad_labels(tiny) -> None:
    root, arrays = tiny
    write_idx(root / "t10k-labels-idx1-ubyte.gz", np.zeros(TEST_N + 1, np.uint8))
    with pytest.raises(MNISTError, match="holds 5 images but .* holds 6 labels"):
        load_mnist(root, verify=False)
    write_idx(root / "t10k-labels-idx1-ubyte.gz", np.full(TEST_N, 12, np.uint8))
    with pytest.raises(MNISTError, match="label 12 is not a digit"):
        load_mnist(root, verify=False)


def test_download_from_a_file_url(tmp_path: Path, tiny) -> None:
    source, _ = tiny
    target = tmp_path / "fetched"
    (x, t), _ = load_mnist(
        target, download=True, url=source.resolve().as_uri(), checksums=_checksums(source)
    )
    assert sorted(p.name for p in target.iterdir()) == sorted(MNIST_FILES)
    assert x.shape == (TRAIN_N, 784)


def test_download_only_fetches_missing_files(tmp_path: Path, tiny) -> None:
    source, _ = tiny
    target = tmp_path / "partial"
    target.mkdir()
    shutil.copy(source / "t10k-labels-idx1-ubyte.gz", target)
    before = (target / "t10k-labels-idx1-ubyte.gz").stat().st_mtime_ns
    load_mnist(target, download=True, url=source.resolve().as_uri(), verify=False)
    assert (target / "t10k-labels-idx1-ubyte.gz").stat().st_mtime_ns == before


def test_failed_download_names_the_directory(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    url = (tmp_path / "no-such-mirror").resolve().as_uri()
    with pytest.raises(MNISTNotFound, match=f"in {target}.*yourself"):
        load_mnist(target, download=True, url=url)
    assert not list(target.glob("*.part"))  # no half-written files left behind


def test_failed_download_over_the_network_is_mocked(tmp_path: Path, monkeypatch) -> None:
    import urllib.error
    import urllib.request

    def offline(*args, **kwargs):
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    monkeypatch.delenv("AUTOGRAPH_MNIST_URL", raising=False)
    with pytest.raises(MNISTNotFound, match="network is unreachable.*Put the four MNIST files"):
        load_mnist(tmp_path / "m", download=True)


# -- batches and toy sets -----------------------------------------------------------------


def test_minibatches_cover_each_sample_once_per_epoch() -> None:
    x, t = np.arange(23).reshape(23, 1), np.arange(23)
    batches = MiniBatches(x, t, batch_size=5, seed=0)
    assert len(batches) == 5
    seen = np.concatenate([tb for _, tb in batches])
    assert sorted(seen) == list(range(23)) and list(seen) != list(range(23))
    for xb, tb in batches:
        np.testing.assert_array_equal(xb[:, 0], tb)  # rows stay paired
    assert [len(tb) for _, tb in MiniBatches(x, t, 5, drop_last=True, seed=0)] == [5] * 4
    first = [tb.tolist() for _, tb in MiniBatches(x, t, 5, seed=1)]
    again = [tb.tolist() for _, tb in MiniBatches(x, t, 5, seed=1)]
    assert first == again
    epochs = MiniBatches(x, t, 5, seed=1)
    assert [tb.tolist() for _, tb in epochs] != [tb.tolist() for _, tb in epochs]


def test_minibatch_errors_and_sampling() -> None:
    with pytest.raises(ValueError, match="x has 3 samples but t has 2"):
        MiniBatches(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match="batch_size"):
        MiniBatches(np.zeros(3), batch_size=0)
    it = sample_indices(10, 4, seed=0)
    draws = np.concatenate([next(it) for _ in range(100)])
    assert draws.min() == 0 and draws.max() == 9


def test_toy_datasets() -> None:
    X, y = make_moons(101, noise=0.0, seed=0)
    assert X.shape == (101, 2) and sorted(set(y)) == [0, 1]
    upper = X[y == 0]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)  # a unit half circle
    assert np.all(upper[:, 1] >= -1e-12)
    X1, _ = make_moons(50, seed=3)
    X2, _ = make_moons(50, seed=3)
    np.testing.assert_array_equal(X1, X2)
    S, c = make_spiral(40, 3, seed=0)
    assert S.shape == (120, 2) and np.bincount(c).tolist() == [40, 40, 40]
    assert np.abs(S).max() <= 1.0 + 1e-12


@pytest.mark.parametrize(
    "name, shape",
    [
        ("train-images-idx3-ubyte.gz", (TRAIN_N, 20, 20)),
        ("t10k-images-idx3-ubyte.gz", (TEST_N, 28, 27)),
    ],
)
def test_images_must_be_28x28_even_unverified(tiny, name: str, shape) -> None:
    root, _ = tiny
    write_idx(root / name, np.zeros(shape, dtype=np.uint8))
    with pytest.raises(
        MNISTError, match=f"{name}: images are {shape[1]}x{shape[2]}, but MNIST images are 28x28"
    ):
        load_mnist(root, verify=False)


# -- the textbook's load_mnist() without a path ------------------------------------------------


def test_load_mnist_without_a_root_reads_the_environment_variable(tiny, monkeypatch) -> None:
    root, arrays = tiny
    monkeypatch.setenv("AUTOGRAPH_MNIST", str(root))
    monkeypatch.delenv("AUTOGRAPH_MNIST_DIR", raising=False)
    # the book's call, options by name, no path
    (x, t), (xt, tt) = load_mnist(normalize=True, flatten=True, one_hot_label=False, verify=False)
    assert x.shape == (TRAIN_N, 784) and t.dtype == np.uint8
    np.testing.assert_array_equal(t, arrays["train-labels-idx1-ubyte.gz"])
    (x, t), _ = load_mnist(normalize=False, flatten=False, one_hot_label=True, verify=False)
    assert x.shape == (TRAIN_N, 1, 28, 28) and t.shape == (TRAIN_N, 10)


def test_load_mnist_default_directory_and_what_to_do_when_it_is_empty(tmp_path, monkeypatch):
    from autograph.data import mnist

    monkeypatch.delenv("AUTOGRAPH_MNIST", raising=False)
    monkeypatch.delenv("AUTOGRAPH_MNIST_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert mnist.mnist_root() == tmp_path / ".autograph" / "mnist"
    with pytest.raises(MNISTNotFound) as error:
        load_mnist()
    message = str(error.value)
    for needed in (str(tmp_path / ".autograph" / "mnist"), "train-images-idx3-ubyte.gz",
                   "t10k-labels-idx1-ubyte.gz", "AUTOGRAPH_MNIST", "download"):  # fmt: skip
        assert needed in message
    _write_tiny_mnist(tmp_path / ".autograph" / "mnist")
    (x, _), _ = load_mnist(verify=False)
    assert len(x) == TRAIN_N


def test_the_old_variable_name_is_reported_not_ignored(tiny, monkeypatch) -> None:
    root, _ = tiny
    monkeypatch.delenv("AUTOGRAPH_MNIST", raising=False)
    monkeypatch.setenv("AUTOGRAPH_MNIST_DIR", str(root))
    with pytest.raises(MNISTError, match=r"\$AUTOGRAPH_MNIST_DIR is no longer read"):
        load_mnist(verify=False)


def test_the_books_options_passed_by_position_are_refused(tiny) -> None:
    with pytest.raises(TypeError, match="pass the textbook's options by name"):
        load_mnist(True, True, False)


def test_mnist_files_that_cannot_be_read_are_mnist_errors(tiny) -> None:
    root, _ = tiny
    (root / "t10k-labels-idx1-ubyte.gz").unlink()
    (root / "t10k-labels-idx1-ubyte.gz").mkdir()  # a directory where a file should be
    with pytest.raises(MNISTError):
        load_mnist(root, verify=False)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    dims=st.lists(st.integers(0, 2**32 - 1), min_size=3, max_size=3),
    payload=st.integers(0, 2000),
)
def test_any_image_header_is_an_mnist_error_or_a_fit(tmp_path, dims, payload) -> None:
    """Whatever sizes an IDX header claims (0 images, products past int64), load_mnist raises
    MNISTError, never ValueError, MemoryError or OverflowError."""
    root = tmp_path / "fuzz"
    _write_tiny_mnist(root)
    header = IMAGES_MAGIC.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims)
    with gzip.open(root / "train-images-idx3-ubyte.gz", "wb") as f:
        f.write(header + bytes(payload))
    try:
        (x, _), _ = load_mnist(root, verify=False)
    except MNISTError:
        return
    assert x.shape[1] == 784 and len(x) >= 1
