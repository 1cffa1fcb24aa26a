# Source of docs/tutorial/08_beyond_the_notes.ipynb and its Korean edition
# (docs/tutorial/ko/); rebuild both with `python scripts/build_notebooks.py 08`.

# %% [markdown] lang=en
# # 8. Beyond the notes
#
# Four things the notes lead to: finding the bug in a backward you wrote, watching a net
# learn, drawing a PyTorch graph the same way, and a convolutional net.
#
# ## Write your own backward, and find the bug
#
# Here is the notes' `Sigmoid` as a learner might type it, forgetting one factor:
# `dout * (1.0 - self.out)` instead of `dout * (1.0 - self.out) * self.out`.

# %% [markdown] lang=ko
# # 8. 노트 너머
#
# 노트에서 이어지는 네 가지입니다. 직접 쓴 역전파에서 버그 찾기, 신경망이 배우는 모습 보기,
# PyTorch 그래프를 같은 방식으로 그리기, 그리고 합성곱 신경망.
#
# ## 역전파를 직접 쓰고 버그 찾기
#
# 노트의 `Sigmoid`를 학습자가 입력하다가 인수 하나를 빠뜨렸다고 합시다.
# `dout * (1.0 - self.out) * self.out` 대신 `dout * (1.0 - self.out)`입니다.

# %%
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from IPython.display import SVG, display
from tqdm import TqdmWarning

import autograph.torch
from autograph import LayerOp, Tensor
from autograph.testing import check_layer
from autograph.training import Watch
from autograph.training.demos import train_spiral
from autograph.viz import draw, trace

Path("out").mkdir(exist_ok=True)  # for the pictures this notebook writes
warnings.filterwarnings("ignore", category=TqdmWarning)  # no ipywidgets: text progress is fine

# %%
class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        out = 1 / (1 + np.exp(-x))
        self.out = out
        return out

    def backward(self, dout):
        dx = dout * (1.0 - self.out)  # the bug: forgets * self.out
        return dx

# %% [markdown] lang=en
# Used in a graph, it gives plausible numbers; nothing crashes. `LayerOp` runs it as an
# autograph node:

# %% [markdown] lang=ko
# 그래프 안에서 쓰면 그럴듯한 숫자가 나오고, 아무것도 멈추지 않습니다. `LayerOp`으로
# autograph 노드처럼 실행해 봅시다.

# %%
x = Tensor(np.array([[0.0, 1.0, -2.0]]), requires_grad=True, label="x")
y = LayerOp(Sigmoid())(x)
y.sum().backward()
print("gradient from the backward we wrote:", np.round(x.grad, 4))
print("the right one, y(1 - y):            ", np.round(y.data * (1 - y.data), 4))

# %% [markdown] lang=en
# `check_layer` tests a layer class the way `autograph check` does (notebook 3): Hypothesis
# draws inputs and upstream gradients, each gradient is compared with numerical
# derivatives, and a failure is shrunk to a minimal example:

# %% [markdown] lang=ko
# `check_layer`는 `autograph check`(3장)처럼 계층 클래스를 검사합니다. Hypothesis가 입력과
# 상류 기울기를 만들고, 각 기울기를 수치 미분과 비교하며, 실패하면 가장 작은 예로
# 줄입니다.

# %%
result = check_layer(Sigmoid, raise_exception=False)
print(result.line())

# %% [markdown] lang=en
# At x = 0, y = 1/2: the backward sends 1 · (1 − 1/2) = 0.5 where y(1 − y) = 0.25 is right.
# The picture of the minimal example marks the wrong edge, what the backward gave against
# what it should give:

# %% [markdown] lang=ko
# x = 0에서 y = 1/2입니다. 역전파는 1 · (1 − 1/2) = 0.5를 보내지만 맞는 값은 y(1 − y) = 0.25
# 입니다. 가장 작은 예의 그림은 틀린 엣지에 역전파가 준 값과 주어야 할 값을 함께 표시합니다.

# %%
paths = result.save_picture("out")
display(SVG(filename=str(next(p for p in paths if p.suffix == ".svg"))))

# %% [markdown] lang=en
# Put the factor back and the check passes:

# %% [markdown] lang=ko
# 빠뜨린 인수를 다시 넣으면 검사를 통과합니다.

# %%
class FixedSigmoid(Sigmoid):
    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


print(check_layer(FixedSigmoid, raise_exception=False).line())

# %% [markdown] lang=en
# More in [Write your own backward](../backward.md): `Function`s in PyTorch's shape, the
# checks' rules, and `gradcheck` naming the wrong node of a whole graph.
#
# ## Watch a net learn
#
# `Watch(notebook=True)` is a callback for the training loop: every few steps it records
# the net's graph collapsed by layer, coloured by the size of its gradients (blue:
# vanishing, red: exploding), the per-layer gradient and weight norms, the curves and, for
# 2-D data, the decision boundary; in a notebook one output shows the latest frame,
# updated in place. Here, the three-arm spiral with a Tensor MLP and Adam (600 steps):

# %% [markdown] lang=ko
# 더 자세한 것은 [역전파 직접 쓰기](../../backward.md)에 있습니다. PyTorch 모양의 `Function`,
# 검사의 규칙, 그리고 그래프 전체에서 틀린 노드를 짚어 주는 `gradcheck`.
#
# ## 신경망이 배우는 모습 보기
#
# `Watch(notebook=True)`는 학습 반복문의 콜백입니다. 몇 단계마다 계층별로 접은 그래프(기울기
# 크기로 색칠: 파랑은 소실, 빨강은 폭주), 계층별 기울기와 가중치의 노름, 학습 곡선, 2차원
# 데이터라면 결정 경계를 기록합니다. 노트북에서는 출력 하나가 최신 그림으로 계속 바뀝니다.
# 여기서는 세 갈래 나선형 데이터를 Tensor MLP와 Adam으로 학습합니다(600단계).

# %% tags=nondeterministic
watch = Watch(notebook=True, title="spiral")
model, history, _ = train_spiral(callback=watch)
print(f"{len(watch.frames)} frames; final test accuracy {history.final_test_acc:.2f}")

# %% [markdown] lang=en
# `watch.write_replay("spiral.html")` saves the run with a slider; from a terminal,
# `autograph train spiral --live` serves the same panel while it trains. See
# [Watch a net learn](../watch.md).
#
# ## Draw a PyTorch graph
#
# `autograph.torch.record` records a PyTorch forward pass; after PyTorch's own backward,
# the same renderer draws it: values above the edges, PyTorch's gradients below in red,
# clustered by `nn.Module`.

# %% [markdown] lang=ko
# `watch.write_replay("spiral.html")`은 학습 과정을 슬라이더가 있는 파일로 저장합니다.
# 터미널에서는 `autograph train spiral --live`가 학습하는 동안 같은 화면을 보여 줍니다.
# [신경망이 배우는 모습 보기](../../watch.md)를 참고하세요.
#
# ## PyTorch 그래프 그리기
#
# `autograph.torch.record`는 PyTorch의 순전파를 기록합니다. PyTorch 자신의 역전파가 끝나면
# 같은 렌더러가 그래프를 그립니다. 값은 엣지 위에, PyTorch의 기울기는 아래에 빨간색으로,
# `nn.Module`별로 묶어서.

# %%
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Sigmoid(), torch.nn.Linear(2, 2))
x = torch.tensor([[1.0, 0.5, -1.0], [0.0, 2.0, 1.0]])
t = torch.tensor([0, 1])

with autograph.torch.record(model) as rec:  # 1. record the forward pass
    loss = F.cross_entropy(model(x), t)
rec.name(x=x, t=t, loss=loss)  # names for the picture
loss.backward()  # 2. PyTorch's backward
draw(rec, precision=4)  # 3. the picture

# %% [markdown] lang=en
# The trace reads PyTorch's backward step by step, as for autograph's own graphs:

# %% [markdown] lang=ko
# 추적(trace)은 autograph 자신의 그래프처럼 PyTorch의 역전파를 한 단계씩 읽어 줍니다.

# %%
print(trace(rec, precision=4))

# %% [markdown] lang=en
# More in [PyTorch graphs](../torch.md), including a 36-layer transformer drawn one box per
# layer.
#
# ## A convolutional net
#
# The textbook's chapter 7 builds a convolutional net. `autograph.nn` has its layers with
# PyTorch's names and arguments (`Conv2d`, `MaxPool2d`, `Flatten`, ...), and
# `autograph.nn.SimpleConvNet` is the book's own (`autograph train mnist --model cnn` trains
# it to 0.989). Here a smaller one learns from 2,000 MNIST images for 200 steps:

# %% [markdown] lang=ko
# 더 자세한 것은 [PyTorch 그래프](../../torch.md)에 있습니다. 36층 트랜스포머를 계층마다 상자
# 하나로 그린 예도 있습니다.
#
# ## 합성곱 신경망
#
# 교과서 7장은 합성곱 신경망을 만듭니다. `autograph.nn`에는 PyTorch와 같은 이름과 인수를 쓰는
# 계층(`Conv2d`, `MaxPool2d`, `Flatten`, ...)이 있고, `autograph.nn.SimpleConvNet`은 책의
# 신경망 그대로입니다(`autograph train mnist --model cnn`으로 학습하면 0.989). 여기서는 더 작은
# 신경망이 MNIST 이미지 2,000장으로 200단계를 학습합니다.

# %% tags=nondeterministic
from autograph import no_grad
from autograph.data import load_mnist
from autograph.nn import Conv2d, CrossEntropyLoss, Flatten, Linear, MaxPool2d, ReLU, Sequential
from autograph.optim import Adam

(x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)  # images as 1x28x28
x_train, t_train = x_train[:2000].astype(np.float32), t_train[:2000]
x_test, t_test = x_test[:500].astype(np.float32), t_test[:500]

np.random.seed(0)
cnn = Sequential(
    Conv2d(1, 8, kernel_size=5, dtype=np.float32),  # 8 filters of 5x5: 28x28 -> 24x24
    ReLU(),
    MaxPool2d(2),  # 24x24 -> 12x12
    Flatten(),
    Linear(8 * 12 * 12, 10, dtype=np.float32),
)
loss_fn = CrossEntropyLoss()
optimizer = Adam(cnn.parameters(), lr=0.01)
for _ in range(200):
    batch = np.random.choice(len(x_train), 50)
    loss = loss_fn(cnn(x_train[batch]), t_train[batch])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
with no_grad():
    accuracy = (cnn(x_test).data.argmax(axis=1) == t_test).mean()
print(f"loss {loss.item():.3f}, test accuracy {accuracy:.3f}")

# %% [markdown] lang=en
# One more batch through the trained net and back (no update after it, so the picture's
# numbers are the ones the backward pass used), drawn one box per layer with the shape of
# the tensor on each arrow:

# %% [markdown] lang=ko
# 학습한 신경망에 배치 하나를 더 통과시키고 역전파합니다(그 뒤에 갱신하지 않으므로 그림의 숫자는
# 역전파가 쓴 값 그대로입니다). 계층마다 상자 하나, 화살표마다 그 텐서의 모양이 적혀 있습니다.

# %%
optimizer.zero_grad()
loss = loss_fn(cnn(x_train[:50]), t_train[:50])
loss.backward()
draw(loss, collapse=1, shapes=True, style="record", rankdir="TB")
