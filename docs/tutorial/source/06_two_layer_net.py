# Source of docs/tutorial/06_two_layer_net.ipynb and its Korean edition (docs/tutorial/ko/);
# rebuild both with `python scripts/build_notebooks.py 06` (`--full` for the notes' run).

# %% [markdown] lang=en
# # 6. The two-layer net
#
# The layers of notebooks 4 and 5 make the notes' `TwoLayerNet`: Affine1 → Relu1 → Affine2
# → SoftmaxWithLoss. autograph's `TwoLayerNet` has the book's interface (`params`,
# `predict`, `loss`, `accuracy`, `numerical_gradient`, `gradient`), and its `gradient` is
# autograph's backward pass.
#
# This notebook needs MNIST: `load_mnist()` reads the four `.gz` files from the folder
# named by the environment variable `AUTOGRAPH_MNIST`, or else `~/.autograph/mnist`
# (`load_mnist(download=True)` fetches them).
#
# **The training run** below is short (2,000 steps, about 3 epochs), so the notebook runs in
# seconds. Set `FULL_RUN = True` (or the environment variable
# `AUTOGRAPH_TUTORIAL_FULL=1`) for the notes' 10,000 steps and the complete gradient check.

# %% [markdown] lang=ko
# # 6. 2층 신경망
#
# 4장과 5장의 계층으로 노트의 `TwoLayerNet`을 만듭니다. Affine1 → Relu1 → Affine2 →
# SoftmaxWithLoss. autograph의 `TwoLayerNet`은 책과 같은 인터페이스(`params`, `predict`,
# `loss`, `accuracy`, `numerical_gradient`, `gradient`)를 가지며, `gradient`는 autograph의
# 역전파입니다.
#
# 이 노트북에는 MNIST가 필요합니다. `load_mnist()`는 환경 변수 `AUTOGRAPH_MNIST`가 가리키는
# 폴더, 없으면 `~/.autograph/mnist`에서 `.gz` 파일 네 개를 읽습니다(`load_mnist(download=True)`는
# 내려받습니다).
#
# 아래의 **학습**은 짧게(2,000단계, 약 3에폭) 돌려서 몇 초면 끝납니다. 노트와 같은 10,000단계와
# 전체 기울기 확인은 `FULL_RUN = True`(또는 환경 변수 `AUTOGRAPH_TUTORIAL_FULL=1`)로 실행하세요.

# %%
import os
import time

import matplotlib.pyplot as plt
import numpy as np

from autograph.data import load_mnist
from autograph.nn import TwoLayerNet
from autograph.viz import draw

FULL_RUN = os.environ.get("AUTOGRAPH_TUTORIAL_FULL") == "1"  # True: the notes' full run

# %%
(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
print("train:", x_train.shape, t_train.shape, " test:", x_test.shape, t_test.shape)

# %% [markdown] lang=en
# ## The net and its shapes
#
# `np.random.seed(0)` first gives the book's weights (`0.01 * np.random.randn(...)`). For
# 784-100-10:

# %% [markdown] lang=ko
# ## 신경망과 형상
#
# 먼저 `np.random.seed(0)`을 하면 책과 같은 가중치(`0.01 * np.random.randn(...)`)가 나옵니다.
# 784-100-10이면:

# %%
np.random.seed(0)
net = TwoLayerNet(input_size=784, hidden_size=100, output_size=10)
for key, value in net.params.items():
    print(key, value.shape)

# %% [markdown] lang=en
# Its graph for a batch of 3 images, one box per layer (`collapse=1`): each box tells its
# operations, its parameters and the largest gradient in it; values and gradients are on
# the edges as before.

# %% [markdown] lang=ko
# 이미지 3장 배치의 그래프를 계층마다 상자 하나로(`collapse=1`) 그려 봅시다. 상자에는 연산,
# 매개변수 수, 가장 큰 기울기가 적히고, 엣지에는 전처럼 값과 기울기가 적힙니다.

# %%
loss = net.loss_node(x_train[:3], t_train[:3])
loss.backward()
draw(loss, collapse=1, precision=3)

# %% [markdown] lang=en
# ## Gradient check: numerical vs backprop
#
# The notes compare `numerical_gradient` (central differences, two forward passes per
# weight) with `gradient` (backprop) on 3 samples of a 784-50-10 net. There are 39,760
# weights, so the full numerical gradient takes tens of seconds; by default this notebook
# checks 100 randomly chosen weights of each parameter with the same formula, and the full
# check when `FULL_RUN` is set. The mean absolute differences are tiny:

# %% [markdown] lang=ko
# ## 기울기 확인: 수치 미분과 오차역전파법
#
# 노트는 784-50-10 신경망에서 표본 3개로 `numerical_gradient`(중심 차분, 가중치 하나에
# 순전파 두 번)와 `gradient`(오차역전파법)를 비교합니다. 가중치가 39,760개라서 전체 수치
# 미분은 수십 초 걸립니다. 그래서 기본으로는 매개변수마다 무작위로 고른 가중치 100개를 같은
# 공식으로 확인하고, `FULL_RUN`이면 전체를 확인합니다. 평균 절대 차이는 아주 작습니다.

# %%
np.random.seed(0)
network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
x_batch, t_batch = x_train[:3], t_train[:3]


def numerical_gradient_sample(network, x, t, count, h=1e-4):
    """Central differences for `count` weights of each parameter, the book's formula."""
    rng = np.random.default_rng(0)
    sampled = {}
    for key, W in network.params.items():
        indices = rng.choice(W.size, size=min(count, W.size), replace=False)
        grads = []
        for flat in indices:
            index = np.unravel_index(flat, W.shape)
            keep = W[index]
            W[index] = keep + h
            f_plus = network.loss(x, t)
            W[index] = keep - h
            f_minus = network.loss(x, t)
            W[index] = keep
            grads.append((f_plus - f_minus) / (2 * h))
        sampled[key] = (indices, np.array(grads))
    return sampled


start = time.perf_counter()
if FULL_RUN:
    grad_numerical = network.numerical_gradient(x_batch, t_batch)
else:
    sampled = numerical_gradient_sample(network, x_batch, t_batch, count=100)
numerical_time = time.perf_counter() - start
grad_backprop = network.gradient(x_batch, t_batch)

for key in ("W1", "b1", "W2", "b2"):
    if FULL_RUN:
        diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
    else:
        indices, numerical = sampled[key]
        diff = np.average(np.abs(grad_backprop[key].ravel()[indices] - numerical))
    print(f"{key}: {diff:.1e}", "(tiny)" if diff < 1e-6 else "(MISMATCH)")

# %% tags=nondeterministic
checked = sum(p.size for p in network.params.values()) if FULL_RUN else 400
per_weight = numerical_time / checked
print(f"numerical: {per_weight * 1e3:.2f} ms per weight, so all 39,760 take about "
      f"{per_weight * 39760:.0f} s; backprop gets them all in one pass")

# %% [markdown] lang=en
# ## Training on MNIST
#
# The notes' loop: mini-batches of 100 drawn with `np.random.choice`, the gradient by
# backprop, `params[key] -= learning_rate * grad[key]`, and once per epoch (600 steps) the
# accuracy on the training and the test set.

# %% [markdown] lang=ko
# ## MNIST 학습
#
# 노트의 반복문입니다. `np.random.choice`로 고른 100개짜리 미니배치, 오차역전파법으로 구한
# 기울기, `params[key] -= learning_rate * grad[key]`, 그리고 에폭(600단계)마다 훈련 데이터와
# 시험 데이터의 정확도를 기록합니다.

# %% tags=nondeterministic
np.random.seed(0)
network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)

iters_num = 10000 if FULL_RUN else 2000
train_size = x_train.shape[0]
batch_size = 100
learning_rate = 0.1
iter_per_epoch = max(train_size // batch_size, 1)

train_loss_list, train_acc_list, test_acc_list = [], [], []
start = time.perf_counter()
for step in range(1, iters_num + 1):
    batch_mask = np.random.choice(train_size, batch_size)
    x_batch = x_train[batch_mask]
    t_batch = t_train[batch_mask]

    grad = network.gradient(x_batch, t_batch)  # backprop, by autograph
    for key in ("W1", "b1", "W2", "b2"):
        network.params[key] -= learning_rate * grad[key]

    train_loss_list.append(network.loss(x_batch, t_batch))
    if step % iter_per_epoch == 0:
        train_acc = network.accuracy(x_train, t_train)
        test_acc = network.accuracy(x_test, t_test)
        train_acc_list.append(train_acc)
        test_acc_list.append(test_acc)
        print(f"Step: {step:5d}   Train acc: {train_acc:.5f}   Test acc: {test_acc:.5f}")
print(f"Wall time: {time.perf_counter() - start:.1f} s")

# %% [markdown] lang=en
# The notes' run (10,000 steps) reaches a test accuracy of 0.972 in 18.1 s; autograph's
# reaches 0.969-0.971 depending on the seed (seed 0: 0.9704). The loss per step and the
# accuracies per epoch, as the notes plot them:

# %% [markdown] lang=ko
# 노트의 학습(10,000단계)은 18.1초 만에 시험 정확도 0.972에 이릅니다. autograph로는 시드에
# 따라 0.969~0.971입니다(시드 0: 0.9704). 노트처럼 단계별 손실과 에폭별 정확도를 그려 봅시다.

# %% tags=nondeterministic
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
ax_loss.plot(train_loss_list, linewidth=0.5)
ax_loss.set_xlabel("iteration")
ax_loss.set_ylabel("loss")
epochs = np.arange(1, len(train_acc_list) + 1)
ax_acc.plot(epochs, train_acc_list, marker="o", label="train acc")
ax_acc.plot(epochs, test_acc_list, marker="s", linestyle="--", label="test acc")
ax_acc.set_xlabel("epochs")
ax_acc.set_ylabel("accuracy")
ax_acc.set_xticks(epochs)
ax_acc.set_ylim(0.8, 1.0)
ax_acc.legend(loc="lower right")
plt.show()

# %% [markdown] lang=en
# Training with `numerical_gradient` instead of `gradient` is the same loop, but each step
# would take about as long as the full gradient check above: backprop is overwhelmingly
# faster.
#
# The same run from a terminal: `autograph train mnist --plot mnist.png`; in code,
# `autograph.training.fit` (see [the nets guide](../nn.md)). Next: [7. Layer objects and
# autograph's nn](07_layer_objects.ipynb).

# %% [markdown] lang=ko
# `gradient` 대신 `numerical_gradient`로 학습하는 것은 같은 반복문이지만, 한 단계마다 위의
# 전체 기울기 확인만큼 걸립니다. 오차역전파법이 압도적으로 빠릅니다.
#
# 터미널에서는 `autograph train mnist --plot mnist.png`, 코드에서는
# `autograph.training.fit`으로 같은 학습을 할 수 있습니다([신경망 안내서](../../nn.md)).
# 다음: [7. 계층 객체와 autograph의 nn](07_layer_objects.ipynb).
