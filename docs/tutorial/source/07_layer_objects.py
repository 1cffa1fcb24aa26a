# Source of docs/tutorial/07_layer_objects.ipynb and its Korean edition (docs/tutorial/ko/);
# rebuild both with `python scripts/build_notebooks.py 07`.

# %% [markdown] lang=en
# # 7. Layer objects with params and grads, and autograph's `nn`
#
# The sequel (vol. 2, chapter 1) tidies the layers up: every layer keeps two lists,
# `params` (its weights) and `grads` (their gradients, same shapes, same order), and an
# optimizer updates all of them with one call, `update(params, grads)`.
# `autograph.nn.sequel` has those layers as the book writes them.

# %% [markdown] lang=ko
# # 7. params와 grads를 가진 계층 객체, 그리고 autograph의 `nn`
#
# 2권 1장은 계층을 정리합니다. 모든 계층은 두 리스트, `params`(가중치)와 `grads`(같은 형상,
# 같은 순서의 기울기)를 가지고, 옵티마이저는 `update(params, grads)` 한 번으로 모두 갱신합니다.
# `autograph.nn.sequel`에 책에 쓰인 그대로의 계층이 있습니다.

# %%
import matplotlib.pyplot as plt
import numpy as np

from autograph import softmax_cross_entropy
from autograph.data import spiral
from autograph.nn import SGD, Linear, Sequential, Sigmoid, sequel
from autograph.viz import draw

# %% [markdown] lang=en
# ## params, grads and `[...]`
#
# `MatMul.backward` writes its gradient with `self.grads[0][...] = dW`: into the array that
# `grads` already holds, not a new one. So a list of `grads` gathered once, when the net is
# built, always holds the latest gradients.

# %% [markdown] lang=ko
# ## params, grads와 `[...]`
#
# `MatMul.backward`는 `self.grads[0][...] = dW`로 기울기를 씁니다. 새 배열이 아니라 `grads`가
# 이미 가진 배열에 덮어씁니다. 그래서 신경망을 만들 때 한 번 모은 `grads` 리스트가 언제나
# 최신 기울기를 가리킵니다.

# %%
W = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
layer = sequel.MatMul(W)
grads_before = layer.grads[0]

x = np.array([[1.0, 0.0, 2.0]])
out = layer.forward(x)
dx = layer.backward(np.ones_like(out))

print("out:", out, " dx:", dx)
print("dW:\n", layer.grads[0])
print("same array as before backward:", layer.grads[0] is grads_before)

# %% [markdown] lang=en
# ## The spiral, trained as the book trains it
#
# Three arms of 100 points each (`spiral.load_data()` gives the book's arrays and, like the
# book's, seeds NumPy's generator), the chapter's `TwoLayerNet` (Affine → Sigmoid → Affine →
# SoftmaxWithLoss, hidden size 10), `SGD(lr=1.0)`, 300 epochs of batches of 30, a shuffle
# per epoch. The book's loop, written out:

# %% [markdown] lang=ko
# ## 책과 같이 학습하는 나선형 데이터
#
# 100개씩 세 갈래의 점(`spiral.load_data()`는 책과 같은 배열을 주고, 책처럼 넘파이의 난수
# 생성기를 시드합니다), 1장의 `TwoLayerNet`(Affine → Sigmoid → Affine → SoftmaxWithLoss, 은닉층
# 10), `SGD(lr=1.0)`, 배치 30으로 300에폭, 에폭마다 뒤섞기. 책의 반복문 그대로입니다.

# %%
max_epoch, batch_size = 300, 30

x, t = spiral.load_data()
model = sequel.TwoLayerNet(input_size=2, hidden_size=10, output_size=3)
optimizer = sequel.SGD(lr=1.0)

book_losses = []
for _ in range(max_epoch):  # epochs
    idx = np.random.permutation(len(x))
    x_shuffled, t_shuffled = x[idx], t[idx]
    total = 0.0
    for i in range(len(x) // batch_size):
        batch_x = x_shuffled[i * batch_size : (i + 1) * batch_size]
        batch_t = t_shuffled[i * batch_size : (i + 1) * batch_size]
        total += model.forward(batch_x, batch_t)
        model.backward()  # every layer's backward, by hand
        optimizer.update(model.params, model.grads)
    book_losses.append(total / (len(x) // batch_size))

print(f"epoch   1: loss {book_losses[0]:.4f}")
print(f"epoch 300: loss {book_losses[-1]:.4f}")

# %% [markdown] lang=en
# The decision regions the net learned:

# %% [markdown] lang=ko
# 신경망이 학습한 결정 경계입니다.

# %%
def plot_regions(predict, x, t, ax):
    grid = np.linspace(-1.1, 1.1, 200)
    xx, yy = np.meshgrid(grid, grid)
    classes = predict(np.c_[xx.ravel(), yy.ravel()]).argmax(axis=1).reshape(xx.shape)
    colors = ["tab:blue", "tab:orange", "tab:green"]  # one per arm, regions and points alike
    ax.contourf(xx, yy, classes, alpha=0.2, levels=[-0.5, 0.5, 1.5, 2.5], colors=colors)
    for k, marker in enumerate("ox^"):
        arm = x[t.argmax(axis=1) == k]
        ax.scatter(arm[:, 0], arm[:, 1], s=18, marker=marker, color=colors[k])
    ax.set_aspect("equal")


fig, (ax_loss, ax_regions) = plt.subplots(1, 2, figsize=(10, 4))
ax_loss.plot(book_losses)
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("loss")
plot_regions(model.predict, x, t, ax_regions)
plt.show()

# %% [markdown] lang=en
# ## The same net in autograph's `nn`
#
# With autograph the layers have no backward to write: `Sequential(Linear, Sigmoid,
# Linear)` builds the graph as it computes, `loss.backward()` fills every parameter's
# `.grad`, and `SGD(net.parameters(), lr)` updates them. `Linear(..., init=0.01)` draws its
# weights as the book does (`0.01 * np.random.randn`), so from the same seed and the same
# shuffles the two runs follow the same path:

# %% [markdown] lang=ko
# ## autograph의 `nn`으로 같은 신경망
#
# autograph에서는 계층의 역전파를 쓸 필요가 없습니다. `Sequential(Linear, Sigmoid, Linear)`는
# 계산하면서 그래프를 만들고, `loss.backward()`가 모든 매개변수의 `.grad`를 채우며,
# `SGD(net.parameters(), lr)`가 갱신합니다. `Linear(..., init=0.01)`은 책처럼
# (`0.01 * np.random.randn`) 가중치를 뽑으므로, 같은 시드와 같은 뒤섞기에서 두 학습은 같은 길을
# 갑니다.

# %%
x, t = spiral.load_data()  # the same seed again
net = Sequential(Linear(2, 10, init=0.01), Sigmoid(), Linear(10, 3, init=0.01))
optimizer = SGD(net.parameters(), lr=1.0)

losses = []
for _ in range(max_epoch):  # epochs
    idx = np.random.permutation(len(x))
    x_shuffled, t_shuffled = x[idx], t[idx]
    total = 0.0
    for i in range(len(x) // batch_size):
        batch_x = x_shuffled[i * batch_size : (i + 1) * batch_size]
        batch_t = t_shuffled[i * batch_size : (i + 1) * batch_size]
        loss = softmax_cross_entropy(net(batch_x), batch_t)
        optimizer.zero_grad()
        loss.backward()  # autograph's backward pass
        optimizer.step()
        total += float(loss.data)
    losses.append(total / (len(x) // batch_size))

print(f"epoch 300: loss {losses[-1]:.4f}")
print(f"largest difference from the book's run: {max(np.abs(np.subtract(losses, book_losses))):.0e}")

# %% [markdown] lang=en
# The runs agree to about 4e-7, the size of the book's `1e-7` inside the log of its
# cross-entropy. The parameters have names by layer, and the graph of one step, drawn with
# one box per layer, shows where each gradient goes:

# %% [markdown] lang=ko
# 두 학습은 약 4e-7까지 일치합니다. 책의 교차 엔트로피가 로그 안에 더하는 `1e-7` 정도의
# 차이입니다. 매개변수에는 계층별 이름이 있고, 한 단계의 그래프를 계층마다 상자 하나로
# 그리면 각 기울기가 어디로 가는지 보입니다.

# %%
print([name for name, _ in net.named_parameters()])
loss = softmax_cross_entropy(net(x[:30]), t[:30])
net.zero_grad()  # or the parameters' .grad would add this pass to the last step's
loss.backward()
draw(loss, collapse=1, precision=3)

# %% [markdown] lang=en
# Next: [8. Beyond the notes](08_beyond_the_notes.ipynb).

# %% [markdown] lang=ko
# 다음: [8. 노트 너머](08_beyond_the_notes.ipynb).
