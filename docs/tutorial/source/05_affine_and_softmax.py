# Source of docs/tutorial/05_affine_and_softmax.ipynb and its Korean edition
# (docs/tutorial/ko/); rebuild both with `python scripts/build_notebooks.py 05`.

# %% [markdown] lang=en
# # 5. Affine and softmax-with-loss
#
# ## The affine layer: shapes first
#
# A layer of neurons computes $Y = X \cdot W + B$. The notes track the shapes: X (2,),
# W (2, 3), B (3,) give Y (3,). The backward pass must give every input a gradient of its
# own shape:
#
# $$\frac{\partial L}{\partial X} = \frac{\partial L}{\partial Y} \cdot W^{T} \qquad
# \frac{\partial L}{\partial W} = X^{T} \cdot \frac{\partial L}{\partial Y}$$

# %% [markdown] lang=ko
# # 5. Affine 계층과 Softmax-with-Loss 계층
#
# ## Affine 계층: 먼저 형상
#
# 뉴런 한 층은 $Y = X \cdot W + B$를 계산합니다. 노트는 형상을 따라갑니다. X (2,),
# W (2, 3), B (3,)이면 Y (3,)입니다. 역전파는 입력마다 그 입력과 같은 형상의 기울기를
# 주어야 합니다.
#
# $$\frac{\partial L}{\partial X} = \frac{\partial L}{\partial Y} \cdot W^{T} \qquad
# \frac{\partial L}{\partial W} = X^{T} \cdot \frac{\partial L}{\partial Y}$$

# %%
import numpy as np

from autograph import Tensor, softmax_cross_entropy
from autograph.nn.functions import softmax
from autograph.nn.textbook import SoftmaxWithLoss
from autograph.viz import draw

# %%
X = Tensor(np.array([1.0, 2.0]), requires_grad=True, label="X")
W = Tensor(np.arange(6.0).reshape(2, 3) / 10, requires_grad=True, label="W")
B = Tensor(np.array([0.1, 0.2, 0.3]), requires_grad=True, label="B")
Y = X @ W + B
print("X", X.shape, " W", W.shape, " B", B.shape, " ->  Y", Y.shape)

Y.sum().backward()
print("dX", X.grad.shape, " dW", W.grad.shape, " dB", B.grad.shape)

# %% [markdown] lang=en
# ## A batch: the sum in dB
#
# With a batch of N rows, X is (N, 2) and Y (N, 3); B is added to every row (broadcast).
# So on the way back, B collects the gradient of **every** row: dB is dY summed over the
# batch axis. The notes' example: dY = [[1, 2, 3], [4, 5, 6]] gives dB = [5, 7, 9].
#
# As in notebook 4, the graph ends with `sum(Y * dY)`, whose gradient with respect to Y is
# dY:

# %% [markdown] lang=ko
# ## 배치: dB의 합
#
# N개 행의 배치에서 X는 (N, 2), Y는 (N, 3)입니다. B는 모든 행에 더해집니다(브로드캐스트).
# 그래서 역전파에서 B는 **모든** 행의 기울기를 모읍니다. dB는 dY를 배치 축으로 더한
# 것입니다. 노트의 예: dY = [[1, 2, 3], [4, 5, 6]]이면 dB = [5, 7, 9].
#
# 4장처럼 그래프를 Y에 대한 기울기가 dY인 `sum(Y * dY)`로 끝냅니다.

# %%
X = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), label="X")
W = Tensor(np.arange(6.0).reshape(2, 3) / 10, requires_grad=True, label="W")
B = Tensor(np.array([0.1, 0.2, 0.3]), requires_grad=True, label="B")
Y = X @ W + B
Y.label = "Y"
dY = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
L = (Y * dY).sum()
L.label = "L"
L.backward()

print("dB =", B.grad, " = np.sum(dY, axis=0) =", np.sum(dY, axis=0))
print("dW =\n", W.grad)
print("X.T @ dY =\n", X.data.T @ dY)
draw(L, precision=3)

# %% [markdown] lang=en
# Nothing in autograph's rule for `+` mentions batches: any gradient that arrives at a
# broadcast input is summed back to that input's shape, in one place in the engine. A
# hand-written `Affine` that forgets the sum is a classic bug; notebook 8 finds one.
#
# ## Softmax-with-loss: (y − t) / N
#
# The output layer turns scores into probabilities (softmax) and measures them against the
# labels (cross-entropy error). Together, their backward pass is remarkably simple:
#
# $$\frac{\partial L}{\partial a_k} = \frac{y_k - t_k}{N}$$
#
# for a batch of N rows, y the softmax of the scores a and t the one-hot labels. autograph
# fuses the two into one node, `softmax_cross_entropy` (max-shifted, so large scores do not
# overflow):

# %% [markdown] lang=ko
# autograph의 `+` 규칙에는 배치라는 말이 없습니다. 브로드캐스트된 입력에 도착한 기울기는
# 엔진의 한 곳에서 그 입력의 형상으로 더해집니다. 이 합을 빠뜨린 손수 만든 `Affine`은 흔한
# 버그이고, 8장에서 하나를 찾아냅니다.
#
# ## Softmax-with-Loss: (y − t) / N
#
# 출력층은 점수를 확률로 바꾸고(소프트맥스) 정답 레이블과 비교합니다(교차 엔트로피 오차).
# 둘을 합친 역전파는 놀라울 만큼 단순합니다.
#
# $$\frac{\partial L}{\partial a_k} = \frac{y_k - t_k}{N}$$
#
# N은 배치의 행 수, y는 점수 a의 소프트맥스, t는 원-핫 레이블입니다. autograph는 둘을
# `softmax_cross_entropy` 노드 하나로 합칩니다(최댓값을 빼므로 큰 점수에도 넘치지 않습니다).

# %%
scores = np.array([[0.3, 2.9, 4.0], [0.1, 0.2, 0.7]])
t = np.array([[0, 0, 1], [1, 0, 0]])  # one-hot labels
a = Tensor(scores, requires_grad=True, label="a")
loss = softmax_cross_entropy(a, t)
loss.label = "L"
loss.backward()

y = softmax(scores)
print("autograph:      \n", np.round(a.grad, 5))
print("(y - t) / N:    \n", np.round((y - t) / len(t), 5))
draw(loss, precision=3)

# %% [markdown] lang=en
# The notes' `SoftmaxWithLoss` layer, with its backward written by hand, agrees:

# %% [markdown] lang=ko
# 역전파를 손으로 쓴 노트의 `SoftmaxWithLoss` 계층도 같은 값을 줍니다.

# %%
layer = SoftmaxWithLoss()
print("loss:", round(layer.forward(scores, t), 6), "=", round(float(loss.data), 6))
print("backward equal:", np.allclose(layer.backward(), a.grad))

# %% [markdown] lang=en
# Next: [6. The two-layer net](06_two_layer_net.ipynb), where these layers learn MNIST.

# %% [markdown] lang=ko
# 다음: [6. 2층 신경망](06_two_layer_net.ipynb). 이 계층들로 MNIST를 학습합니다.
