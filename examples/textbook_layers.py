"""The notes' hand-written layers beside autograph's automatic gradients.

1. The apple-and-orange shopping graph with MulLayer/AddLayer, backward called by hand.
2. Relu, Sigmoid, Affine, SoftmaxWithLoss on random inputs: largest difference from
   autograph's backward pass.
3. The sequel's chapter 1 as the book runs it (`ch01/train.py`): its spiral data, its
   TwoLayerNet (Affine, Sigmoid, Affine, SoftmaxWithLoss with params/grads lists, gradients
   by hand), SGD(lr=1.0) and the Trainer, 300 epochs of batches of 30; the same seeds give
   the book's losses.

    python examples/textbook_layers.py
"""

from __future__ import annotations

import numpy as np

from autograph import Tensor, softmax_cross_entropy
from autograph.data import spiral
from autograph.nn import sequel
from autograph.nn import textbook as tb
from autograph.training import Trainer


def shopping() -> None:
    mul_apple, mul_orange, add, mul_tax = tb.MulLayer(), tb.MulLayer(), tb.AddLayer(), tb.MulLayer()
    price = mul_tax.forward(add.forward(mul_apple.forward(100, 2), mul_orange.forward(150, 3)), 1.1)
    d_all, d_tax = mul_tax.backward(1)
    d_apple_price, d_orange_price = add.backward(d_all)
    d_apple, d_apple_num = mul_apple.backward(d_apple_price)
    d_orange, d_orange_num = mul_orange.backward(d_orange_price)
    print(f"price: {round(price)}")
    print(
        f"dApple: {d_apple}, dAppleNum: {int(d_apple_num)}, dOrange: {d_orange}, "
        f"dOrangeNum: {int(d_orange_num)}, dTax: {d_tax}"
    )


def layers_against_autograph() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5))
    dout = rng.standard_normal((4, 5))

    def auto(fn):
        xt = Tensor(x, requires_grad=True)
        fn(xt).backward(dout)
        return xt.grad

    relu, sig = tb.Relu(), tb.Sigmoid()
    relu.forward(x)
    sig.forward(x)
    print(
        f"Relu    max |dx - autograph| = "
        f"{np.abs(relu.backward(dout) - auto(lambda t: t.relu())).max():.1e}"
    )
    print(
        f"Sigmoid max |dx - autograph| = "
        f"{np.abs(sig.backward(dout) - auto(lambda t: t.sigmoid())).max():.1e}"
    )
    W, b = rng.standard_normal((5, 3)), rng.standard_normal(3)
    affine = tb.Affine(W, b)
    dy = rng.standard_normal((4, 3))
    affine.forward(x)
    dx = affine.backward(dy)
    xt, Wt, bt = (Tensor(v, requires_grad=True) for v in (x, W, b))
    (xt @ Wt + bt).backward(dy)
    err = max(
        np.abs(dx - xt.grad).max(),
        np.abs(affine.dW - Wt.grad).max(),
        np.abs(affine.db - bt.grad).max(),
    )
    print(f"Affine  max |dx, dW, db - autograph| = {err:.1e}")
    t = rng.integers(0, 3, 4)
    swl = tb.SoftmaxWithLoss()
    scores = rng.standard_normal((4, 3))
    swl.forward(scores, t)
    st = Tensor(scores, requires_grad=True)
    softmax_cross_entropy(st, t).backward()
    print(f"SoftmaxWithLoss max |dx - autograph| = {np.abs(swl.backward() - st.grad).max():.1e}")


def sequel_training() -> None:
    x, t = spiral.load_data()  # seeds NumPy's generator with 1984, as the book's
    model = sequel.TwoLayerNet(input_size=2, hidden_size=10, output_size=3)
    trainer = Trainer(model, sequel.SGD(lr=1.0))
    trainer.fit(x, t, max_epoch=300, batch_size=30, eval_interval=10, log=None)
    # one record per epoch (10 iterations, recorded every 10): the book's loss_list
    for epoch in (100, 200):
        print(f"sequel epoch {epoch}: loss {trainer.loss_list[epoch - 1]:.3f}")
    accuracy = np.mean(model.predict(x).argmax(axis=1) == t.argmax(axis=1))
    print(f"sequel epoch 300: loss {trainer.loss_list[-1]:.3f}, accuracy {accuracy:.2f}")


if __name__ == "__main__":
    shopping()
    layers_against_autograph()
    sequel_training()
