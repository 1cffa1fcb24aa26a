# Source of docs/tutorial/03_add_and_multiply_nodes.ipynb and its Korean edition
# (docs/tutorial/ko/); rebuild both with `python scripts/build_notebooks.py 03`.

# %% [markdown] lang=en
# # 3. Add and multiply nodes
#
# The shopping graphs are made of two kinds of node. Their local derivatives are all the
# backward pass needs:
#
# | node | forward | local derivatives | backward |
# |---|---|---|---|
# | add | $z = x + y$ | $\partial z/\partial x = 1,\ \partial z/\partial y = 1$ | passes the upstream gradient through unchanged |
# | multiply | $z = xy$ | $\partial z/\partial x = y,\ \partial z/\partial y = x$ | multiplies by the *other* input ("swaps") |
#
# The textbook shows both with x = 10, y = 5 and an upstream gradient of 1.3. `backward`
# takes that seed as its argument:

# %% [markdown] lang=ko
# # 3. 덧셈 노드와 곱셈 노드
#
# 쇼핑 그래프는 두 종류의 노드로 이루어집니다. 역전파에 필요한 것은 그 국소적 미분뿐입니다.
#
# | 노드 | 순전파 | 국소적 미분 | 역전파 |
# |---|---|---|---|
# | 덧셈 | $z = x + y$ | $\partial z/\partial x = 1,\ \partial z/\partial y = 1$ | 상류의 기울기를 그대로 흘려보냄 |
# | 곱셈 | $z = xy$ | $\partial z/\partial x = y,\ \partial z/\partial y = x$ | *다른 쪽* 입력을 곱함 (서로 "바꿈") |
#
# 교과서는 x = 10, y = 5, 상류 기울기 1.3으로 두 노드를 보여 줍니다. `backward`는 그 시작
# 기울기를 인수로 받습니다.

# %%
import sys
from pathlib import Path

from autograph import LayerOp, Value
from autograph.testing import check_layer
from autograph.viz import draw

Path("out").mkdir(exist_ok=True)  # for the files this notebook writes
sys.path.insert(0, "out")  # and imports

# %%
x, y = Value(10, label="x"), Value(5, label="y")
z = x + y
z.label = "z"
z.backward(1.3)
draw(z, local_derivatives=True)

# %%
x, y = Value(10, label="x"), Value(5, label="y")
z = x * y
z.label = "z"
z.backward(1.3)
draw(z, local_derivatives=True)

# %% [markdown] lang=en
# The add node sends 1.3 to both inputs; the multiply node sends 1.3 × 5 = 6.5 to x and
# 1.3 × 10 = 13 to y. So a multiply node needs its inputs' forward values on the way back,
# and an add node does not.
#
# ## MulLayer and AddLayer, by hand
#
# The notes implement each node as a layer object whose `forward` keeps what `backward`
# will need. Write them to a file, as you would in a project, and import them:

# %% [markdown] lang=ko
# 덧셈 노드는 두 입력에 모두 1.3을 보내고, 곱셈 노드는 x에 1.3 × 5 = 6.5를, y에 1.3 × 10 =
# 13을 보냅니다. 그래서 곱셈 노드는 역전파 때 입력의 순전파 값이 필요하고, 덧셈 노드는
# 필요 없습니다.
#
# ## MulLayer와 AddLayer 직접 구현하기
#
# 노트는 각 노드를 계층 객체로 구현합니다. `forward`는 `backward`에 필요한 것을 보관합니다.
# 실제 프로젝트처럼 파일에 쓰고 가져와(import) 봅시다.

# %%
%%writefile out/layers.py
class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        out = x * y
        return out

    def backward(self, dout):
        dx = dout * self.y  # swapped: x's gradient uses y
        dy = dout * self.x
        return dx, dy


class AddLayer:
    def __init__(self):
        pass

    def forward(self, x, y):
        out = x + y
        return out

    def backward(self, dout):
        dx = dout * 1
        dy = dout * 1
        return dx, dy

# %%
from layers import AddLayer, MulLayer

# %% [markdown] lang=en
# The apple problem with layers: one layer object per node, forward in order, then
# backward by hand in the **reverse** order.

# %% [markdown] lang=ko
# 계층으로 푸는 사과 문제입니다. 노드마다 계층 객체 하나, 순전파는 차례대로, 역전파는
# **반대 순서**로 직접 부릅니다.

# %%
apple, apple_num, tax = 100, 2, 1.1

mul_apple_layer = MulLayer()
mul_tax_layer = MulLayer()

apple_price = mul_apple_layer.forward(apple, apple_num)
price = mul_tax_layer.forward(apple_price, tax)

dprice = 1
dapple_price, dtax = mul_tax_layer.backward(dprice)
dapple, dapple_num = mul_apple_layer.backward(dapple_price)

print("price:", int(price))
print("dApple:", dapple, " dAppleNum:", int(dapple_num), " dTax:", dtax)

# %% [markdown] lang=en
# And apple and orange, with the `AddLayer` in the middle:

# %% [markdown] lang=ko
# 사과와 귤 문제는 가운데에 `AddLayer`가 들어갑니다.

# %%
orange, orange_num = 150, 3

mul_apple_layer = MulLayer()
mul_orange_layer = MulLayer()
add_apple_orange_layer = AddLayer()
mul_tax_layer = MulLayer()

apple_price = mul_apple_layer.forward(apple, apple_num)
orange_price = mul_orange_layer.forward(orange, orange_num)
all_price = add_apple_orange_layer.forward(apple_price, orange_price)
price = mul_tax_layer.forward(all_price, tax)

dall_price, dtax = mul_tax_layer.backward(1)
dapple_price, dorange_price = add_apple_orange_layer.backward(dall_price)
dorange, dorange_num = mul_orange_layer.backward(dorange_price)
dapple, dapple_num = mul_apple_layer.backward(dapple_price)

print("price:", int(price))
print("dApple:", dapple, " dAppleNum:", int(dapple_num))
print("dOrange:", dorange, " dOrangeNum:", int(dorange_num), " dTax:", dtax)

# %% [markdown] lang=en
# ## Your layers as autograph nodes
#
# `LayerOp(layer)` turns a layer object into an op: calling it records one node, named
# after the class, and autograph calls your `backward` in the right order. The graph is
# drawn as before, with your layers as its nodes:

# %% [markdown] lang=ko
# ## 직접 만든 계층을 autograph 노드로
#
# `LayerOp(layer)`는 계층 객체를 연산으로 바꿉니다. 호출하면 클래스 이름의 노드 하나가
# 기록되고, autograph가 여러분의 `backward`를 올바른 순서로 불러 줍니다. 그래프는 전과
# 같이, 여러분의 계층을 노드로 하여 그려집니다.

# %%
mul, add = LayerOp(MulLayer()), LayerOp(AddLayer())
apple = Value(100, label="apple")
apple_num = Value(2, label="apple_num")
orange = Value(150, label="orange")
orange_num = Value(3, label="orange_num")
tax = Value(1.1, label="tax")

price = mul(add(mul(apple, apple_num), mul(orange, orange_num)), tax)
price.label = "price"
price.backward()
print("dApple:", apple.grad, " dOrange:", orange.grad, " dTax:", tax.grad)
draw(price)

# %% [markdown] lang=en
# ## Check them: `autograph check`
#
# Did we get the backward right? `autograph check FILE` finds the layer classes in a file
# and tests each `backward` against numerical derivatives on inputs that Hypothesis draws
# (batches of several shapes, edge cases such as 0); a mistake is shrunk to a minimal
# example and drawn. (It takes a few seconds.)

# %% [markdown] lang=ko
# ## 검사하기: `autograph check`
#
# 역전파를 제대로 구현했을까요? `autograph check 파일`은 파일 안의 계층 클래스를 찾아서, 각
# `backward`를 Hypothesis가 만든 입력(여러 모양의 배치, 0 같은 경계값)에서 수치 미분과
# 비교합니다. 틀린 곳이 있으면 가장 작은 예로 줄여서 그림으로 보여 줍니다. (몇 초 걸립니다.)

# %% tags=nondeterministic
!autograph check out/layers.py

# %% [markdown] lang=en
# In Python, `check_layer` does the same for one class. Here is a multiply layer with the
# classic slip, not swapping the inputs:

# %% [markdown] lang=ko
# 파이썬에서는 `check_layer`가 클래스 하나를 같은 방법으로 검사합니다. 흔한 실수, 즉
# 입력을 바꾸지 않은 곱셈 계층을 검사해 봅시다.

# %%
class NoSwapMulLayer(MulLayer):
    def backward(self, dout):
        return dout * self.x, dout * self.y  # forgot to swap


result = check_layer(NoSwapMulLayer, raise_exception=False)
print(result.line())

# %% [markdown] lang=en
# The minimal example has x ≠ y, of course: where x = y the slip gives the right answer.
# Next: [4. Activation layers](04_activation_layers.ipynb).

# %% [markdown] lang=ko
# 가장 작은 예에서 x ≠ y인 것은 당연합니다. x = y이면 이 실수도 맞는 답을 내니까요.
# 다음: [4. 활성화 함수 계층](04_activation_layers.ipynb).
