"""The chapter 6 comparisons (autograph.training.compare, `autograph compare`) on tiny data;
and `accuracy` measuring batch norm and dropout nets in evaluation mode."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autograph import Tensor
from autograph.cli.main import main
from autograph.data import write_idx
from autograph.nn import BatchNorm1d, Dropout, Linear, Sequential
from autograph.training import accuracy
from autograph.training.compare import (
    activation_histograms,
    compare_batch_norm,
    compare_dropout,
    compare_inits,
    compare_optimizers,
    mlp,
    optimizer_paths,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _digits(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Learnable rows of 784: class k lights up band k."""
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 10, n)
    x = rng.random((n, 784)).astype(np.float32) * 0.2
    for i, k in enumerate(t):
        x[i, 56 * k : 56 * k + 84] = 1.0
    return x, t


def test_mlp_builds_the_books_multilayer_nets() -> None:
    net = mlp([784, 100, 100, 10], batch_norm=True, dropout=0.2, rng=np.random.default_rng(0))
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU", "Dropout"] * 2 + ["Linear"]
    assert net(Tensor(np.zeros((3, 784), np.float32))).shape == (3, 10)


def test_optimizer_comparison_same_start_and_every_optimizer_learns() -> None:
    x, t = _digits(300)
    runs = compare_optimizers(x, t, iters=60, batch_size=30, hidden=(20, 20))
    assert list(runs.histories) == ["sgd", "momentum", "adagrad", "adam"]
    first = {name: h.loss[0] for name, h in runs.histories.items()}
    assert len(set(np.round(list(first.values()), 6))) == 1  # the same weights, same batch
    for name, history in runs.histories.items():
        assert len(history.loss) == 60
        if name != "sgd":  # plain SGD at lr 0.01 is the slow one, as in the book
            assert np.mean(history.loss[-10:]) < history.loss[0], name


def test_optimizer_paths_head_for_the_minimum() -> None:
    paths = optimizer_paths()
    for name, trail in paths.items():
        assert trail.shape == (31, 2)
        assert np.hypot(*trail[-1]) < np.hypot(*trail[0]), name
    np.testing.assert_allclose(paths["sgd"][1], [-7 + 0.95 * 0.7, 2 - 0.95 * 4])  # one step


def test_activation_histograms_show_what_each_init_does() -> None:
    h = activation_histograms("relu", layers=5, samples=200)
    assert list(h) == ["0.01", "xavier", "he"] and all(len(v) == 5 for v in h.values())
    spread = {init: float(np.std(layers[-1])) for init, layers in h.items()}
    assert spread["0.01"] < 1e-3 < spread["xavier"] < spread["he"]  # vanishing with 0.01


def test_init_batch_norm_and_dropout_comparisons_run() -> None:
    x, t = _digits(200)
    inits = compare_inits(x, t, iters=20, batch_size=20, hidden=(16, 16))
    assert list(inits.histories) == ["0.01", "xavier", "he"]
    bn = compare_batch_norm(x, t, stds=[0.1, 0.001], train_size=100, epochs=3, hidden=(16,) * 3)
    assert set(bn.histories) == {"0:bn", "0:plain", "1:bn", "1:plain"}
    assert all(len(h.train_acc) == 3 for h in bn.histories.values())
    drop = compare_dropout(x, t, x[:50], t[:50], train_size=100, epochs=4, hidden=(16,) * 2)
    assert list(drop.histories) == ["without dropout", "dropout 0.2"]
    assert all(len(h.test_acc) == 4 for h in drop.histories.values())


def test_batch_norm_comparison_keeps_a_diverged_run_and_marks_it(tmp_path: Path) -> None:
    from autograph.training.compare_plots import plot_batch_norm

    x, t = _digits(200)
    runs = compare_batch_norm(
        x, t, stds=[10.0], train_size=100, epochs=2, hidden=(16,) * 5, lr=1.0
    )  # without batch norm the loss overflows at the second step; with it, it trains
    assert runs.extra["diverged"] == {"0:plain": 2}
    assert runs.histories["0:plain"].loss and len(runs.histories["0:plain"].loss) == 1
    assert len(runs.histories["0:bn"].train_acc) == 2
    assert plot_batch_norm(runs, tmp_path / "bn.png").read_bytes().startswith(PNG_MAGIC)


def test_batch_norm_comparison_uses_the_books_statistics() -> None:
    from autograph.training.compare import _books_batch_norm

    net = mlp([784, 16, 16, 10], batch_norm=True, rng=np.random.default_rng(0))
    _books_batch_norm(net)
    norms = [layer for layer in net.layers if isinstance(layer, BatchNorm1d)]
    assert len(norms) == 2
    for layer in norms:  # the book's 10e-7 and its running variance from zero
        assert layer.eps == 1e-6 and not layer.running_var.data.any()
    x = np.random.default_rng(1).random((50, 784)).astype(np.float32) * 1e-3
    net(Tensor(x))
    first = net[1]
    # one step from zero: a tenth of the batch's (unbiased) variance, as the book's layer
    h = net[0](Tensor(x)).data
    np.testing.assert_allclose(first.running_var.data, 0.1 * h.var(axis=0, ddof=1), rtol=1e-4)


def test_compare_downloads_missing_files(tmp_path: Path, capsys) -> None:
    source = _tiny_mnist(tmp_path / "source")
    target, out = tmp_path / "empty", tmp_path / "figures"
    argv = ["compare", "dropout", "--data", str(target), "--download", "--no-verify"]
    argv += ["--url", source.resolve().as_uri() + "/", "--out", str(out)]
    assert main([*argv, "--epochs", "2", "--quiet"]) == 0
    assert (target / "train-images-idx3-ubyte.gz").is_file()
    assert (out / "dropout.png").read_bytes().startswith(PNG_MAGIC)


def test_accuracy_evaluates_in_eval_mode_and_restores_training_mode() -> None:
    rng = np.random.default_rng(1)
    net = Sequential(Linear(4, 8, rng=rng), BatchNorm1d(8), Dropout(0.5, rng=rng), Linear(8, 3))
    x, t = rng.standard_normal((20, 4)), rng.integers(0, 3, 20)
    net(Tensor(x))  # one training step's statistics
    stats = net[1].running_mean.data.copy()
    first = accuracy(net, x, t)
    assert accuracy(net, x, t) == first  # no dropout noise, no batch statistics
    np.testing.assert_array_equal(net[1].running_mean.data, stats)  # untouched
    assert net.training and net[2].training


def _tiny_mnist(root: Path) -> Path:
    rng = np.random.default_rng(0)
    root.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", 400), ("t10k", 100)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
        for i, k in enumerate(labels):
            images[i, 2 * k : 2 * k + 3, :] = 250
        write_idx(root / f"{prefix}-images-idx3-ubyte.gz", images)
        write_idx(root / f"{prefix}-labels-idx1-ubyte.gz", labels)
    return root


@pytest.mark.slow
def test_compare_command_writes_every_figure(tmp_path: Path, capsys) -> None:
    root = _tiny_mnist(tmp_path / "mnist")
    out = tmp_path / "figures"
    argv = ["compare", "all", "--data", str(root), "--no-verify", "--out", str(out)]
    assert main([*argv, "--iters", "20", "--epochs", "2", "--quiet"]) == 0
    printed = capsys.readouterr().out
    for name in (
        "optimizers.png",
        "weight_init_histograms.png",
        "weight_init.png",
        "batch_norm.png",
        "dropout.png",
    ):
        assert (out / name).read_bytes().startswith(PNG_MAGIC), name
        assert f"wrote {out / name}" in printed
    assert "adam (lr 0.001): final loss" in printed


def test_compare_command_errors(tmp_path: Path, capsys, monkeypatch) -> None:
    # without --data, $AUTOGRAPH_MNIST names the directory (as load_mnist reads it)
    monkeypatch.setenv("AUTOGRAPH_MNIST", str(tmp_path / "nowhere"))
    assert main(["compare", "optimizers", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("autograph: ") and "train-images-idx3-ubyte.gz" in err
    assert str(tmp_path / "nowhere") in err
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["compare", "dropout", "--data", ".", "--out", str(blocker)]) == 2
    assert "exists and is not a directory" in capsys.readouterr().err
    assert main(["compare", "dropout", "--data", ".", "--ratio", "1.5"]) == 2
    assert "--ratio must be between 0 and 1" in capsys.readouterr().err
