# Source of docs/tutorial/04_activation_layers.ipynb and its Korean edition
# (docs/tutorial/ko/); rebuild both with `python scripts/build_notebooks.py 04`.

# %% [markdown] lang=en
# # 4. Activation layers: ReLU and sigmoid
#
# From here on the numbers are arrays: autograph's `Tensor` holds a NumPy array and records
# operations on it just as `Value` does for single numbers.
#
# ## ReLU and its mask
#
# $$y = \begin{cases} x & (x > 0) \\ 0 & (x \le 0) \end{cases} \qquad
# \frac{\partial y}{\partial x} = \begin{cases} 1 & (x > 0) \\ 0 & (x \le 0) \end{cases}$$
#
# The notes' `Relu` keeps a **mask**, `x <= 0`, from the forward pass; backward lets the
# upstream gradient through where the mask is False and sends 0 where it is True.

# %% [markdown] lang=ko
# # 4. 활성화 함수 계층: ReLU와 시그모이드
#
# 여기서부터 숫자는 배열입니다. autograph의 `Tensor`는 넘파이 배열을 담고, `Value`가 숫자
# 하나에 대해 하듯 배열 연산을 기록합니다.
#
# ## ReLU와 마스크
#
# $$y = \begin{cases} x & (x > 0) \\ 0 & (x \le 0) \end{cases} \qquad
# \frac{\partial y}{\partial x} = \begin{cases} 1 & (x > 0) \\ 0 & (x \le 0) \end{cases}$$
#
# 노트의 `Relu`는 순전파에서 **마스크** `x <= 0`을 보관합니다. 역전파는 마스크가 False인
# 곳으로는 상류의 기울기를 그대로 보내고, True인 곳으로는 0을 보냅니다.

# %%
import numpy as np

from autograph import Tensor, Value
from autograph.nn.textbook import Relu
from autograph.viz import draw
from autograph.viz.expand import expand

# %%
x = np.array([[1.0, -0.5], [-2.0, 3.0]])
relu = Relu()
out = relu.forward(x)
print("mask (x <= 0):\n", relu.mask)
print("forward:\n", out)
dout = np.array([[10.0, 20.0], [30.0, 40.0]])
print("backward:\n", relu.backward(dout))

# %% [markdown] lang=en
# autograph's `relu` does the same as one node. To send `dout` back into it, end the graph
# with `sum(y * dout)`, a number whose gradient with respect to `y` is `dout`. The ReLU
# node lets the upstream gradient through only where x > 0. On a tensor edge the picture
# gives the shape and dtype, then the values:

# %% [markdown] lang=ko
# autograph의 `relu`는 같은 일을 노드 하나로 합니다. `dout`을 거꾸로 보내기 위해 그래프를
# `sum(y * dout)`으로 끝냅시다. `y`에 대한 기울기가 `dout`인 숫자 하나입니다. ReLU 노드는
# x > 0인 곳으로만 상류의 기울기를 보냅니다. 텐서 엣지에는 모양과 자료형, 그리고 값이
# 적힙니다.

# %%
xt = Tensor(x, requires_grad=True, label="x")
y = xt.relu()
y.label = "y"
loss = (y * dout).sum()
loss.backward()
print(xt.grad)
draw(loss)

# %% [markdown] lang=en
# ## Sigmoid: four nodes or one
#
# $$y = \frac{1}{1 + \exp(-x)}$$
#
# Written with autograph's basic operations, the sigmoid *is* the textbook's graph of four
# nodes: `×(-1)` (here a negation), `exp`, `+1` and `1÷`. Backward through them gives
# $\frac{\partial L}{\partial y}\, y^2 \exp(-x)$:

# %% [markdown] lang=ko
# ## 시그모이드: 노드 네 개 또는 한 개
#
# $$y = \frac{1}{1 + \exp(-x)}$$
#
# autograph의 기본 연산으로 쓰면 시그모이드는 교과서의 노드 네 개짜리 그래프 그대로입니다.
# `×(-1)`(여기서는 부호 바꾸기), `exp`, `+1`, `1÷`. 이 노드들을 거꾸로 지나면
# $\frac{\partial L}{\partial y}\, y^2 \exp(-x)$가 나옵니다.

# %%
x = Value(0.5, label="x")
y = 1 / (1 + (-x).exp())
y.label = "y"
y.backward()
print("dy/dx          =", x.grad)
print("y**2 * exp(-x) =", y.data**2 * np.exp(-x.data))
draw(y, precision=4)

# %% [markdown] lang=en
# which simplifies to $\frac{\partial L}{\partial y}\, y(1 - y)$: it needs only the
# forward *output*. So one fused node, `sigmoid()`, can replace the four, as the notes'
# `Sigmoid` layer does (it keeps `self.out`):

# %% [markdown] lang=ko
# 이것은 $\frac{\partial L}{\partial y}\, y(1 - y)$로 정리됩니다. 순전파의 *출력*만 있으면
# 됩니다. 그래서 노트의 `Sigmoid` 계층(`self.out`을 보관)처럼 노드 하나, `sigmoid()`가 네
# 개를 대신할 수 있습니다.

# %%
x = Value(0.5, label="x")
y = x.sigmoid()
y.label = "y"
y.backward()
print("dy/dx    =", x.grad)
print("y(1 - y) =", y.data * (1 - y.data))
draw(y, precision=4)

# %% [markdown] lang=en
# `expand` goes the other way: it copies a graph with every fused node replaced by its
# textbook decomposition, and runs backward on the copy. The four nodes give the fused
# node's gradient:

# %% [markdown] lang=ko
# `expand`는 반대 방향입니다. 합쳐진 노드를 교과서의 분해로 바꾼 그래프 사본을 만들고, 그
# 사본에서 역전파를 합니다. 노드 네 개가 합쳐진 노드와 같은 기울기를 줍니다.

# %%
expanded = expand(y)
draw(expanded, precision=4)

# %% [markdown] lang=en
# The same holds for a whole array, element by element:

# %% [markdown] lang=ko
# 배열 전체에서도 원소마다 똑같이 성립합니다.

# %%
x = Tensor(np.linspace(-3, 3, 7), requires_grad=True)
y = x.sigmoid()
y.backward(np.ones(7))
print("autograph:", np.round(x.grad, 6))
print("y(1 - y): ", np.round(y.data * (1 - y.data), 6))

# %% [markdown] lang=en
# Next: [5. Affine and softmax-with-loss](05_affine_and_softmax.ipynb).

# %% [markdown] lang=ko
# 다음: [5. Affine 계층과 Softmax-with-Loss 계층](05_affine_and_softmax.ipynb).
