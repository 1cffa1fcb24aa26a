"""autograph.training: the loop, its history and plots, and the `autograph train` command."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest

from autograph.cli import CommandError
from autograph.cli.train import add_parser
from autograph.data import make_spiral, write_idx
from autograph.nn import MLP, SGD, TwoLayerNet
from autograph.training import History, accuracy, fit, plot_history, train_small_demo

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograph")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return parser


def _run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    return args.func(args)


def _tiny_mnist(root: Path, n_train: int = 60, n_test: int = 20) -> Path:
    """Digits that are learnable: class k lights up row band k of the image."""
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


def test_fit_learns_spiral_and_records_history() -> None:
    X, y = make_spiral(60, 3, seed=0)
    model = MLP(2, [32, 3], rng=np.random.default_rng(0))
    lines: list[str] = []
    history = fit(
        model,
        X,
        y,
        X,
        y,
        optimizer=SGD(model.parameters(), lr=0.5),
        iters=400,
        batch_size=30,
        eval_every=100,
        seed=0,
        quiet=True,
        log=lines.append,
    )
    assert len(history.loss) == 400
    assert history.steps == [100, 200, 300, 400]
    assert len(history.train_acc) == len(history.test_acc) == 4
    assert lines[0].startswith("Step:   100  Train acc ") and "Test acc" in lines[0]
    assert np.mean(history.loss[-50:]) < np.mean(history.loss[:50]) / 2
    assert history.final_train_acc == pytest.approx(accuracy(model, X, y))
    assert history.final_train_acc > 0.7
    assert history.wall_time > 0


def test_fit_default_eval_is_once_per_epoch_plus_the_end() -> None:
    X, y = make_spiral(50, 2, seed=1)  # 100 samples, batch 10: an epoch is 10 steps
    model = MLP(2, [8, 2], rng=np.random.default_rng(1))
    history = fit(
        model,
        X,
        y,
        optimizer=SGD(model.parameters(), lr=0.1),
        iters=25,
        batch_size=10,
        quiet=True,
        log=None,
        sampling="epoch",
    )
    assert history.steps == [10, 20, 25]
    assert history.test_acc == []


def test_fit_rejects_bad_sampling() -> None:
    model = MLP(2, [2])
    with pytest.raises(ValueError, match="sampling"):
        fit(
            model,
            np.zeros((4, 2)),
            np.zeros(4, int),
            optimizer=SGD(model.parameters(), 0.1),
            sampling="bootstrap",
            log=None,
        )


def test_fit_frees_each_steps_graph() -> None:
    # The optimizer clears the gradients and nothing keeps the graph: after a step, the
    # parameters are leaves with no gradient and no reference to the batch.
    X, y = make_spiral(20, 2, seed=2)
    model = TwoLayerNet(2, 4, 2, rng=np.random.default_rng(0))
    fit(
        model,
        X,
        y,
        optimizer=SGD(model.parameters(), 0.1),
        iters=3,
        batch_size=5,
        quiet=True,
        log=None,
    )
    assert all(p.grad is None and p.is_leaf for p in model.parameters())


def test_plot_history_writes_a_png(tmp_path: Path) -> None:
    history = History(
        loss=list(np.linspace(2, 0.1, 200)),
        steps=[100, 200],
        train_acc=[0.8, 0.9],
        test_acc=[0.75, 0.85],
    )
    path = plot_history(history, tmp_path / "sub" / "plot.png", title="t")
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 10_000


def test_train_mnist_command(tmp_path: Path, capsys) -> None:
    root = _tiny_mnist(tmp_path / "mnist")
    plot, weights = tmp_path / "out.png", tmp_path / "model.npz"
    code = _run(
        [
            "train",
            "mnist",
            "--data",
            str(root),
            "--no-verify",
            "--iters",
            "60",
            "--batch",
            "10",
            "--lr",
            "0.5",
            "--hidden",
            "20",
            "--quiet",
            "--plot",
            str(plot),
            "--save",
            str(weights),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    step_lines = [line for line in out.splitlines() if line.startswith("Step:")]
    assert [line.split()[1] for line in step_lines] == [
        "6",
        "12",
        "18",
        "24",
        "30",
        "36",
        "42",
        "48",
        "54",
        "60",
    ]
    final = float(step_lines[-1].split("Test acc")[1])
    assert final >= 0.8  # the bands are easy to tell apart
    assert "Wall time:" in out.splitlines()[-3]
    assert plot.read_bytes().startswith(PNG_MAGIC)
    net = TwoLayerNet(784, 20, 10, dtype=np.float32).load(weights)
    assert net.params["W1"].shape == (784, 20)


def test_train_mnist_deeper_net_and_other_optimizer(tmp_path: Path, capsys) -> None:
    root = _tiny_mnist(tmp_path / "mnist")
    code = _run(
        [
            "train",
            "mnist",
            "--data",
            str(root),
            "--no-verify",
            "--iters",
            "12",
            "--batch",
            "10",
            "--hidden",
            "16,8",
            "--optimizer",
            "adam",
            "--lr",
            "0.01",
            "--init",
            "he",
            "--dtype",
            "float64",
            "--quiet",
        ]
    )
    assert code == 0
    assert "784-16-8-10 (float64), adam" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "mnist"], "pass --data DIR"),
        (["train", "mnist", "--data", "/nonexistent/mnist"], "/nonexistent/mnist does not exist"),
        (["train", "mnist", "--data", ".", "--hidden", "a,b"], "--hidden takes sizes"),
        (["train", "mnist", "--data", ".", "--iters", "0"], "--iters must be at least 1"),
        (["train", "mnist", "--data", ".", "--init", "uniform"], "--init takes a std"),
        *[
            (["train", "mnist", "--data", ".", "--lr", lr], "--lr must be a positive finite number")
            for lr in ("inf", "nan", "0", "-0.1")
        ],
        *[
            (["train", "mnist", "--data", ".", "--init", init], "--init: the std must be a finite")
            for init in ("nan", "inf", "-0.01")
        ],
    ],
)
def test_train_mnist_user_errors(argv: list[str], message: str, monkeypatch) -> None:
    monkeypatch.delenv("AUTOGRAPH_MNIST_DIR", raising=False)
    with pytest.raises(CommandError, match=message):
        _run(argv)


def test_train_mnist_reports_checksum_failure(tmp_path: Path) -> None:
    root = _tiny_mnist(tmp_path / "mnist")
    with pytest.raises(CommandError, match="train-images-idx3-ubyte.gz: (truncated|too long)"):
        _run(["train", "mnist", "--data", str(root), "--iters", "1"])


def test_train_moons_command(tmp_path: Path, capsys) -> None:
    plot, boundary = tmp_path / "moons.png", tmp_path / "boundary.png"
    code = _run(
        [
            "train",
            "moons",
            "--steps",
            "15",
            "--samples",
            "30",
            "--quiet",
            "--plot",
            str(plot),
            "--boundary",
            str(boundary),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "step   0  loss" in out and "training accuracy" in out and "337 parameters" in out
    assert plot.read_bytes().startswith(PNG_MAGIC)
    assert boundary.read_bytes().startswith(PNG_MAGIC)


def test_train_small_demo(tmp_path: Path) -> None:
    result = train_small_demo(tmp_path)
    assert Path(result["plot"]).read_bytes().startswith(PNG_MAGIC)
    assert Path(result["model"]).is_file()
    assert result["test_acc"] > 0.9 and result["final_loss"] < 0.3


def test_train_small_demo_on_mnist_files(tmp_path: Path) -> None:
    root = _tiny_mnist(tmp_path / "mnist", n_train=200, n_test=50)
    with pytest.raises(Exception, match="truncated|too long"):  # not the published files
        train_small_demo(tmp_path / "out", dataset="mnist", data_dir=root)
    with pytest.raises(ValueError, match="dataset must be"):
        train_small_demo(tmp_path / "out", dataset="cifar")


def test_train_moons_draws_its_graph_clustered_by_neuron(tmp_path: Path, capsys) -> None:
    path = tmp_path / "graph.dot"
    assert (
        _run(["train", "moons", "--steps", "2", "--samples", "10", "--quiet", "--graph", str(path)])
        == 0
    )
    dot = path.read_text()
    assert dot.startswith("digraph")
    for scope in ("layer0", "layer0/neuron15", "layer1/neuron0", "layer2/neuron0"):
        assert f'"{scope}"' in dot or f">{scope}<" in dot, scope


def test_train_outputs_in_missing_directories_are_created(tmp_path: Path, capsys) -> None:
    root = _tiny_mnist(tmp_path / "mnist")
    weights, plot = tmp_path / "new" / "dir" / "model.npz", tmp_path / "other" / "p.png"
    assert (
        _run(
            [
                "train",
                "mnist",
                "--data",
                str(root),
                "--no-verify",
                "--iters",
                "2",
                "--batch",
                "10",
                "--hidden",
                "8",
                "--quiet",
                "--save",
                str(weights),
                "--plot",
                str(plot),
            ]
        )
        == 0
    )
    assert weights.is_file() and plot.is_file()
    moons = tmp_path / "moons" / "deep" / "mlp.npz"
    assert (
        _run(["train", "moons", "--steps", "1", "--samples", "10", "--quiet", "--save", str(moons)])
        == 0
    )
    assert moons.is_file()


@pytest.mark.parametrize("target", ["mnist", "moons"])
@pytest.mark.parametrize("option", ["--save", "--plot"])
def test_train_unwritable_output_fails_before_training(
    tmp_path: Path, capsys, target: str, option: str
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    argv = (
        [
            "train",
            "mnist",
            "--data",
            str(_tiny_mnist(tmp_path / "mnist")),
            "--no-verify",
            "--iters",
            "2",
            "--batch",
            "10",
            "--hidden",
            "8",
        ]
        if target == "mnist"
        else ["train", "moons", "--steps", "1", "--samples", "10"]
    )
    with pytest.raises(CommandError, match=f"{option} .*cannot create the directory"):
        _run([*argv, "--quiet", option, str(blocker / "sub" / "out.npz")])
    out = capsys.readouterr().out
    assert "Step:" not in out and "step   0" not in out  # no training ran


def test_module_save_creates_the_directory(tmp_path: Path) -> None:
    model = MLP(2, [3, 2], rng=np.random.default_rng(0))
    written = model.save(tmp_path / "a" / "b" / "weights")
    assert written == tmp_path / "a" / "b" / "weights.npz" and written.is_file()


def test_fit_takes_integral_float_labels_and_rejects_fractional_ones() -> None:
    X, y = make_spiral(30, 3, seed=0)
    model = MLP(2, [16, 3], rng=np.random.default_rng(0))
    history = fit(
        model,
        X,
        y.astype(np.float64),
        X,
        y.astype(np.float32),
        optimizer=SGD(model.parameters(), 0.5),
        iters=20,
        batch_size=10,
        log=None,
        quiet=True,
    )
    assert len(history.loss) == 20 and history.test_acc
    with pytest.raises(ValueError, match="labels must be integers"):
        fit(
            model,
            X,
            y + 0.5,
            optimizer=SGD(model.parameters(), 0.5),
            iters=2,
            batch_size=10,
            log=None,
            quiet=True,
        )
    net = TwoLayerNet(2, 8, 3, rng=np.random.default_rng(0))
    assert net.loss(X, y.astype(float)) == pytest.approx(net.loss(X, y))


def test_train_bad_lr_exits_2_from_the_cli(capsys) -> None:
    from autograph.cli import main

    assert main(["train", "mnist", "--data", ".", "--lr", "inf"]) == 2
    assert "--lr must be a positive finite number" in capsys.readouterr().err
