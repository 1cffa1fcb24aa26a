"""No silent wrong answer, no traceback: diverged runs, bad data, outputs that cannot be
written, sizes that cannot be allocated, from Python and from `autograph train`."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest

from autograph.cli import main
from autograph.data import make_moons, make_spiral, write_idx
from autograph.nn import MLP, SGD, TwoLayerNet, mse
from autograph.training import TrainingDiverged, fit, train_moons
from autograph.training.threads import SMALL_PRODUCT, choose_threads, largest_product


def _tiny_mnist(root: Path, n_train: int = 40, n_test: int = 10) -> Path:
    rng = np.random.default_rng(0)
    root.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        write_idx(root / f"{prefix}-images-idx3-ubyte.gz", rng.integers(0, 255, (n, 28, 28)))
        write_idx(root / f"{prefix}-labels-idx1-ubyte.gz", labels)
    return root


def _cli(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _mnist_argv(root: Path, *extra: str) -> list[str]:
    return ["train", "mnist", "--data", str(root), "--no-verify", "--iters", "3", "--batch",
            "10", "--hidden", "8", "--quiet", *extra]  # fmt: skip


# -- diverged runs and bad data -------------------------------------------------------------


def test_fit_raises_naming_the_step_where_the_loss_became_nan() -> None:
    X, y = make_spiral(30, 3, seed=0)
    model = MLP(2, [16, 3], rng=np.random.default_rng(0))
    opt = SGD(model.parameters(), lr=1e6)  # the squared error explodes within ~30 steps
    with pytest.raises(TrainingDiverged, match=r"training diverged at step \d+: the loss is") as e:
        fit(model, X, np.eye(3)[y], optimizer=opt, loss_fn=mse, iters=200, batch_size=30,
            quiet=True, log=None)  # fmt: skip
    error = e.value
    assert error.step >= 2 and len(error.history.loss) == error.step - 1
    assert all(math.isfinite(v) for v in error.history.loss)
    assert "lower the learning rate (now 1e+06)" in str(error)
    # stopped before the update: the weights are still the finite ones of the last good step
    assert all(np.all(np.isfinite(p.data)) for p in model.parameters())


def test_fit_refuses_nan_data_before_training() -> None:
    X, y = make_spiral(10, 2, seed=0)
    X[7, 1] = np.nan
    model = MLP(2, [4, 2], rng=np.random.default_rng(0))
    with pytest.raises(
        ValueError, match=r"fit: x_train holds NaN or infinite values \(first at row 7\)"
    ):
        fit(model, X, y, optimizer=SGD(model.parameters(), 0.1), iters=5, quiet=True, log=None)
    X[7, 1] = 0.0
    with pytest.raises(ValueError, match="iters must be a whole number >= 1"):
        fit(model, X, y, optimizer=SGD(model.parameters(), 0.1), iters=0, quiet=True)


@pytest.mark.parametrize("noise", [math.nan, math.inf, -1.0, 1e308])
def test_moons_refuse_bad_noise_from_python(noise: float) -> None:
    with pytest.raises(ValueError, match="noise"):
        make_moons(50, noise=noise, seed=0)
    with pytest.raises(ValueError, match="noise"):
        train_moons(steps=2, n_samples=20, noise=noise)


def test_train_moons_reports_a_diverged_run() -> None:
    with pytest.raises(TrainingDiverged, match=r"training diverged at step 1: the loss is nan"):
        train_moons(steps=3, n_samples=20, noise=1e200)  # finite points, overflowing scores


@pytest.mark.parametrize("noise", ["nan", "1e308", "-1", "inf"])
def test_train_moons_command_refuses_bad_noise(noise: str, capsys) -> None:
    code, out, err = _cli(["train", "moons", "--steps", "2", "--noise", noise], capsys)
    assert code == 2 and err.startswith("autograph: ") and "noise" in err
    assert "Traceback" not in err and "loss" not in out


def test_train_moons_command_reports_divergence(capsys) -> None:
    code, out, err = _cli(["train", "moons", "--steps", "3", "--noise", "1e200"], capsys)
    assert code == 2 and "autograph: training diverged at step 1" in err


def test_train_mnist_command_reports_divergence(tmp_path: Path, capsys) -> None:
    root = _tiny_mnist(tmp_path / "mnist")
    code, out, err = _cli(
        [*_mnist_argv(root, "--lr", "1e30", "--init", "10"), "--iters", "50"], capsys
    )
    assert code == 2 and "autograph: training diverged at step" in err
    assert "Final:" not in out


# -- outputs checked before training --------------------------------------------------------


def _unwritable_dir(tmp_path: Path) -> Path:
    """A directory where no file can be created, even by root (who ignores chmod)."""
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        return locked
    for candidate in (Path("/sys"), Path("/proc/sys")):
        try:
            open(candidate / "autograph-probe.png", "ab").close()
        except OSError:
            return candidate
    pytest.skip("no unwritable directory on this machine")


@pytest.mark.parametrize("option", ["--save", "--plot"])
@pytest.mark.parametrize("problem", ["name too long", "read-only place"])
def test_mnist_outputs_are_written_before_training(tmp_path, capsys, option, problem) -> None:
    root = _tiny_mnist(tmp_path / "mnist")
    where = _unwritable_dir(tmp_path) if problem == "read-only place" else tmp_path
    name = ("x" * 300 if problem == "name too long" else "out") + ".png"
    code, out, err = _cli([*_mnist_argv(root), option, str(where / name)], capsys)
    assert code == 2 and err.startswith(f"autograph: {option} ") and "cannot write" in err
    assert "Step:" not in out  # no training ran
    assert not (where / name).exists() if problem == "read-only place" else True


@pytest.mark.parametrize("option", ["--save", "--plot", "--boundary", "--graph"])
def test_moons_outputs_are_written_before_training(tmp_path, capsys, option) -> None:
    name = "y" * 300 + (".svg" if option == "--graph" else ".png")
    code, out, err = _cli(["train", "moons", "--steps", "2", option, str(tmp_path / name)], capsys)
    assert code == 2 and f"autograph: {option} " in err and "File name too long" in err
    assert "step" not in out


def test_output_check_leaves_no_file_and_keeps_existing_ones(tmp_path: Path, capsys) -> None:
    root = _tiny_mnist(tmp_path / "mnist")
    existing = tmp_path / "keep.png"
    existing.write_bytes(b"old")
    code, _, err = _cli([*_mnist_argv(root), "--plot", str(existing), "--lr", "nan"], capsys)
    assert code == 2 and existing.read_bytes() == b"old"
    code, _, _ = _cli([*_mnist_argv(root), "--save", str(tmp_path / "w"), "--iters", "0"], capsys)
    assert code == 2 and not (tmp_path / "w.npz").exists()
    code, _, err = _cli(
        ["train", "moons", "--steps", "1", "--graph", str(tmp_path / "g.txt")], capsys
    )
    assert code == 2 and "unknown format 'txt'" in err


def test_save_checks_the_npz_name_it_will_write(tmp_path: Path, capsys) -> None:
    root = _tiny_mnist(tmp_path / "mnist")
    (tmp_path / "model.npz").mkdir()  # `--save model` writes model.npz: a directory here
    code, out, err = _cli([*_mnist_argv(root), "--save", str(tmp_path / "model")], capsys)
    assert code == 2 and "is a directory" in err and "Step:" not in out


# -- sizes that cannot be allocated ---------------------------------------------------------


HUGE = [["--hidden", "100000000000"], ["--batch", "1000000000000"], ["--hidden", "5,9" + "0" * 12]]


@pytest.mark.parametrize("extra", HUGE)
def test_sizes_too_large_for_memory_are_refused_up_front(tmp_path, capsys, extra) -> None:
    root = _tiny_mnist(tmp_path / "mnist")
    code, out, err = _cli([*_mnist_argv(root), *extra], capsys)
    assert code == 2 and "of memory, but" in err and "use smaller sizes" in err
    assert "Traceback" not in err and "MNIST:" not in out


def test_a_memory_error_during_training_is_reported(tmp_path, capsys, monkeypatch) -> None:
    import autograph.cli.train as cli_train

    monkeypatch.setattr(cli_train, "_available_memory", lambda: None)  # skip the estimate

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(cli_train, "fit", no_memory)
    code, _, err = _cli(_mnist_argv(_tiny_mnist(tmp_path / "mnist")), capsys)
    assert code == 2 and "autograph: not enough memory for a 784-8-10 net" in err


# -- MNIST files with 0 images or overflowing headers ---------------------------------------


def test_mnist_with_no_images_is_an_error(tmp_path: Path, capsys) -> None:
    root = _tiny_mnist(tmp_path / "mnist")
    write_idx(root / "train-images-idx3-ubyte.gz", np.zeros((0, 28, 28), np.uint8))
    write_idx(root / "train-labels-idx1-ubyte.gz", np.zeros(0, np.uint8))
    code, _, err = _cli(_mnist_argv(root), capsys)
    assert code == 2 and "train-images-idx3-ubyte.gz: holds no images" in err


def test_mnist_header_sizes_that_overflow_are_an_error(tmp_path: Path, capsys) -> None:
    import gzip

    root = _tiny_mnist(tmp_path / "mnist")
    # 2**32-1 images of 65536 x 65536: the product overflows int64, the payload is 784 bytes
    header = (0x0803).to_bytes(4, "big") + b"\xff\xff\xff\xff" + (65536).to_bytes(4, "big") * 2
    with gzip.open(root / "train-images-idx3-ubyte.gz", "wb") as f:
        f.write(header + bytes(784))
    code, _, err = _cli(_mnist_argv(root), capsys)
    assert code == 2 and "the header says shape (4294967295, 65536, 65536)" in err


# -- BLAS threads -----------------------------------------------------------------------------


def test_thread_choice_follows_the_size_of_the_products() -> None:
    mnist = [(784, 50), (50,), (50, 10), (10,)]
    assert largest_product(mnist, 100) == 100 * 784 * 50
    assert choose_threads(mnist, 100) == 1
    assert choose_threads([(4096, 4096)], 4096) is None  # big products keep the default
    assert choose_threads([], 100) == 1
    assert largest_product([(4096, 4096)], 4096) >= SMALL_PRODUCT


def test_fit_runs_small_nets_on_one_blas_thread() -> None:
    threadpoolctl = pytest.importorskip("threadpoolctl")
    seen: list[int] = []

    def model_spy(x):
        info = threadpoolctl.threadpool_info()
        seen.extend(i["num_threads"] for i in info if i["user_api"] == "blas")
        return net(x)

    net = TwoLayerNet(2, 4, 2, rng=np.random.default_rng(0))
    model_spy.parameters = net.parameters  # type: ignore[attr-defined]
    X, y = make_spiral(10, 2, seed=0)
    before = [i["num_threads"] for i in threadpoolctl.threadpool_info()]
    fit(model_spy, X, y, optimizer=SGD(net.parameters(), 0.1), iters=3, batch_size=5, log=None)
    assert seen and set(seen) == {1}
    assert [i["num_threads"] for i in threadpoolctl.threadpool_info()] == before  # restored
    with pytest.raises(ValueError, match="blas_threads must be 'auto', None or a count >= 1"):
        fit(net, X, y, optimizer=SGD(net.parameters(), 0.1), iters=1, blas_threads=0)
