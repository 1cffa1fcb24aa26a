"""`autograph train mnist --model cnn` and `autograph.training.cnn` on tiny synthetic MNIST
files (the real data is never needed by the tests)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autograph.cli import CommandError
from autograph.cli.main import main
from autograph.data import write_idx
from autograph.nn import SimpleConvNet
from autograph.training.cnn import as_images, train_convnet

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _tiny_mnist(root: Path, n_train: int = 200, n_test: int = 50) -> Path:
    """Learnable digits: class k lights up the row band k of the image."""
    rng = np.random.default_rng(0)
    root.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
        for i, k in enumerate(labels):
            images[i, 2 * k : 2 * k + 3, :] = 250
        write_idx(root / f"{prefix}-images-idx3-ubyte.gz", images)
        write_idx(root / f"{prefix}-labels-idx1-ubyte.gz", labels)
    return root


def test_train_mnist_cnn_command(tmp_path: Path, capsys) -> None:
    root = _tiny_mnist(tmp_path / "mnist")
    plot, weights = tmp_path / "plots" / "cnn.png", tmp_path / "cnn.npz"
    argv = ["train", "mnist", "--model", "cnn", "--data", str(root), "--no-verify"]
    argv += ["--epochs", "3", "--batch", "20", "--lr", "0.003", "--hidden", "30", "--quiet"]
    code = main([*argv, "--plot", str(plot), "--save", str(weights)])
    out = capsys.readouterr().out
    assert code == 0
    assert "SimpleConvNet conv 30x5x5 - relu - pool 2 - affine 30" in out
    assert "(float32), adam lr 0.003, batch 20, 3 epochs" in out
    steps = [line for line in out.splitlines() if line.startswith("Step:")]
    assert [line.split()[1] for line in steps] == ["10", "20", "30"]  # once per epoch
    assert float(steps[-1].split("Test acc")[1]) >= 0.8  # the bands are easy to tell apart
    assert plot.read_bytes().startswith(PNG_MAGIC)
    net = SimpleConvNet(hidden_size=30, dtype=np.float32).load_params(weights)
    assert net.W1.shape == (30, 1, 5, 5)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--iters", "10"], "use --epochs"),
        (["--epochs", "0"], "at least 1"),
        (["--hidden", "20,10"], "one hidden layer"),
        (["--init", "uniform"], "--init takes a std"),
        (["--lr", "-1"], "positive finite"),
    ],
)
def test_train_mnist_cnn_user_errors(extra, message) -> None:
    args = ["train", "mnist", "--model", "cnn", "--data", ".", *extra]
    from autograph.cli.main import build_parser

    parsed = build_parser().parse_args(args)
    with pytest.raises(CommandError, match=message):
        parsed.func(parsed)


def test_train_mnist_cnn_fails_before_training_on_an_unwritable_plot(tmp_path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    root = _tiny_mnist(tmp_path / "mnist", 20, 10)
    argv = ["train", "mnist", "--model", "cnn", "--data", str(root), "--no-verify"]
    assert main([*argv, "--plot", str(blocker / "x.png")]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("autograph: --plot") and "Step:" not in captured.out


def test_mlp_options_still_refuse_epochs() -> None:
    from autograph.cli.main import build_parser

    parsed = build_parser().parse_args(["train", "mnist", "--data", ".", "--epochs", "2"])
    with pytest.raises(CommandError, match="--epochs is for --model cnn"):
        parsed.func(parsed)
    parsed = build_parser().parse_args(["train", "mnist", "--data", ".", "--schedule", "cosine"])
    with pytest.raises(CommandError, match="--schedule is for --model cnn"):
        parsed.func(parsed)


def test_fit_steps_the_scheduler_after_every_update() -> None:
    from autograph.nn import Linear
    from autograph.optim import SGD, CosineAnnealingLR
    from autograph.training import fit

    rng = np.random.default_rng(2)
    x, t = rng.standard_normal((30, 4)), rng.integers(0, 3, 30)
    model = Linear(4, 3, rng=rng)
    opt = SGD(model.parameters(), 0.1)
    seen: list[float] = []
    fit(
        model,
        x,
        t,
        optimizer=opt,
        iters=6,
        batch_size=10,
        log=None,
        quiet=True,
        callback=lambda info: seen.append(opt.lr),  # before each update
        scheduler=CosineAnnealingLR(opt, T_max=6),
    )
    expected = [0.05 * (1 + np.cos(np.pi * k / 6)) for k in range(6)]
    np.testing.assert_allclose(seen, expected, atol=1e-12)  # step 1 at the full lr
    assert opt.lr == pytest.approx(0.0, abs=1e-12)  # and down to 0 after the last


def test_train_convnet_schedules() -> None:
    rng = np.random.default_rng(3)
    x, t = rng.random((40, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, 40)
    losses = {}
    for schedule in ("cosine", "constant"):
        _, history = train_convnet(
            x, t, epochs=1, batch_size=10, hidden_size=8, log=None, quiet=True, schedule=schedule
        )
        losses[schedule] = history.loss
    # both take their first step at lr 0.001; the cosine's second one is at 0.0005
    assert losses["cosine"][:2] == losses["constant"][:2]
    assert losses["cosine"][2] != losses["constant"][2]
    with pytest.raises(ValueError, match="schedule must be one of cosine, constant"):
        train_convnet(x, t, epochs=1, log=None, schedule="linear")


def test_train_convnet_takes_rows_or_images() -> None:
    rng = np.random.default_rng(1)
    x = rng.random((40, 784)).astype(np.float32)
    t = rng.integers(0, 10, 40)
    assert as_images(x).shape == (40, 1, 28, 28)
    model, history = train_convnet(x, t, epochs=1, batch_size=20, hidden_size=8, log=None)
    assert len(history.loss) == 2 and model.W1.dtype == np.float32
    with pytest.raises(ValueError, match="expected images"):
        as_images(rng.random((3, 10)))


def test_train_mnist_cnn_replay_draws_the_layers(tmp_path: Path, capsys) -> None:
    root = _tiny_mnist(tmp_path / "mnist", 40, 10)
    replay = tmp_path / "run.html"
    argv = ["train", "mnist", "--model", "cnn", "--data", str(root), "--no-verify"]
    argv += ["--epochs", "1", "--batch", "20", "--hidden", "8", "--quiet"]
    assert main([*argv, "--replay", str(replay), "--every", "1"]) == 0
    assert f"wrote {replay} (2 recorded steps" in capsys.readouterr().out
    page = replay.read_text()
    for layer in ("Conv1", "Pool1", "Affine2"):  # the graph collapsed by the book's layers
        assert layer in page
