# Source of docs/tutorial/01_computational_graphs.ipynb and its Korean edition
# (docs/tutorial/ko/); rebuild both with `python scripts/build_notebooks.py 01`.

# %% [markdown] lang=en
# # 1. Computational graphs
#
# A computational graph draws a calculation as **nodes** (operations: `×`, `+`) joined by
# **edges** that carry the numbers. The notes start with two shopping problems:
#
# - **Apple**: you buy 2 apples at 100 each; a 10% consumption tax is added. What do you pay?
# - **Apple and orange**: 2 apples at 100 and 3 oranges at 150, with the same tax.
#
# autograph records every operation on a `Value` into such a graph, and draws it the way the
# textbook does: values above the edges, left to right (the *forward pass*); gradients below
# them in red, right to left (the *backward pass*).

# %% [markdown] lang=ko
# # 1. 계산 그래프
#
# 계산 그래프는 계산 과정을 **노드**(연산: `×`, `+`)와 숫자를 나르는 **엣지**로 그린 것입니다.
# 노트는 두 가지 쇼핑 문제로 시작합니다.
#
# - **사과**: 1개에 100원인 사과를 2개 샀고, 소비세 10%가 부과된다. 지불 금액은?
# - **사과와 귤**: 사과 2개(개당 100원)와 귤 3개(개당 150원), 소비세는 같다.
#
# autograph는 `Value`에 대한 모든 연산을 이런 그래프로 기록하고, 교과서처럼 그려 줍니다.
# 값은 엣지 위에 왼쪽에서 오른쪽으로(**순전파**), 기울기는 엣지 아래에 빨간색으로 오른쪽에서
# 왼쪽으로(**역전파**) 흐릅니다.

# %%
from fractions import Fraction
from pathlib import Path

from IPython.display import Image

from autograph import Value
from autograph.viz import draw, save

# %% [markdown] lang=en
# ## The apple problem, forward only
#
# Each number is a `Value`; its `label` is the name the picture gives it. Multiplying Values
# records two `×` nodes.

# %% [markdown] lang=ko
# ## 사과 문제: 순전파만
#
# 숫자 하나하나가 `Value`이고, `label`은 그림에 적힐 이름입니다. `Value`끼리 곱하면 `×`
# 노드 두 개가 기록됩니다.

# %%
apple = Value(100, label="apple")
apple_num = Value(2, label="apple_num")
tax = Value(1.1, label="tax")

apple_price = apple * apple_num
apple_price.label = "apple_price"
price = apple_price * tax
price.label = "price"
print(price.data)

# %% [markdown] lang=en
# The notes print `220` because the book rounds with `int(price)`: in floating point,
# 100 × 2 × 1.1 is `220.00000000000003`. We come back to this below.
#
# Drawn before any backward pass (`show_grads=False`), the graph shows the forward values
# only:

# %% [markdown] lang=ko
# 노트가 `220`을 출력하는 것은 책이 `int(price)`로 버림을 하기 때문입니다. 부동소수점으로
# 100 × 2 × 1.1은 `220.00000000000003`입니다. 이 이야기는 아래에서 다시 합니다.
#
# 역전파 전에(`show_grads=False`) 그리면 순전파 값만 보입니다.

# %%
draw(price, show_grads=False)

# %% [markdown] lang=en
# ## Backward: how does the price depend on each input?
#
# "If the apple gets dearer, how much more do I pay?" is the derivative
# $\frac{\partial L}{\partial x}$ of the price $L$ with respect to the apple's price $x$.
# One call, `backward()`, sends the gradient 1 from the right and fills `.grad` of every
# input:

# %% [markdown] lang=ko
# ## 역전파: 지불 금액은 각 입력에 어떻게 의존할까?
#
# "사과 가격이 오르면 지불 금액은 얼마나 오를까?"는 사과 값 $x$에 대한 지불 금액 $L$의
# 미분 $\frac{\partial L}{\partial x}$를 구하는 문제입니다. `backward()`를 한 번 부르면
# 오른쪽에서 기울기 1을 보내 모든 입력의 `.grad`를 채웁니다.

# %%
price.backward()
print("dApple:", apple.grad)
print("dAppleNum:", apple_num.grad)
print("dTax:", tax.grad)

# %% [markdown] lang=en
# The notes' figures: 2.2, 110 and 200 (they print `int(dapple_num)`; in floating point
# 1.1 × 100 is 110.00000000000001). Now the picture is the textbook's: each edge carries
# its forward value above the line and, in red below it, the gradient that flowed back
# along it. Numbers are drawn rounded to 10 significant digits.

# %% [markdown] lang=ko
# 노트의 값 2.2, 110, 200 그대로입니다(노트는 `int(dapple_num)`을 출력합니다. 부동소수점으로
# 1.1 × 100은 110.00000000000001입니다). 이제 그림은 교과서의 그림입니다. 각 엣지의 선
# 위에는 순전파 값이, 선 아래에는 그 엣지를 따라 거꾸로 흐른 기울기가 빨간색으로 적힙니다.
# 숫자는 유효숫자 10자리로 반올림해서 그립니다.

# %%
draw(price)

# %% [markdown] lang=en
# ## Apple and orange
#
# The same recipe with five inputs: the two subtotals meet in a `+` node before the tax.

# %% [markdown] lang=ko
# ## 사과와 귤
#
# 입력이 다섯 개인 같은 방법입니다. 두 소계가 소비세 앞의 `+` 노드에서 만납니다.

# %%
apple = Value(100, label="apple")
apple_num = Value(2, label="apple_num")
orange = Value(150, label="orange")
orange_num = Value(3, label="orange_num")
tax = Value(1.1, label="tax")

price = (apple * apple_num + orange * orange_num) * tax
price.label = "price"
price.backward()

print("price:", price.data)
print("dApple:", apple.grad, " dAppleNum:", apple_num.grad)
print("dOrange:", orange.grad, " dOrangeNum:", orange_num.grad)
print("dTax:", tax.grad)

# %%
draw(price)

# %% [markdown] lang=en
# Read it from right to left: the gradient 1 enters at the output; the `×` with the tax
# sends 1.1 to the sum and 650 (the subtotal) to the tax; the `+` passes 1.1 to both
# subtotals unchanged; each `×` sends 1.1 times the *other* input to each input.
#
# ## Exact numbers: 715 and 33/10
#
# The notes print `715.0000000000001` and `dOrange: 3.3000000000000003`: 1.1 has no exact
# binary form. autograph computes with whatever numbers you give it, so with a `Fraction`
# for the tax the same graph is exact:

# %% [markdown] lang=ko
# 오른쪽에서 왼쪽으로 읽어 봅시다. 출력에 기울기 1이 들어오고, 소비세와의 `×`는 합계 쪽에
# 1.1을, 소비세 쪽에 650(소계)을 보냅니다. `+`는 두 소계에 1.1을 그대로 흘려보내고, 각
# `×`는 입력마다 1.1 × (*다른 쪽* 입력)을 보냅니다.
#
# ## 정확한 수: 715와 33/10
#
# 노트는 `715.0000000000001`과 `dOrange: 3.3000000000000003`을 출력합니다. 1.1은 이진수로
# 정확히 나타낼 수 없기 때문입니다. autograph는 주어진 수 그대로 계산하므로, 소비세를
# `Fraction`으로 주면 같은 그래프가 정확하게 계산됩니다.

# %%
apple = Value(100, label="apple")
apple_num = Value(2, label="apple_num")
orange = Value(150, label="orange")
orange_num = Value(3, label="orange_num")
tax = Value(Fraction(11, 10), label="tax")

price = (apple * apple_num + orange * orange_num) * tax
price.label = "price"
price.backward()

print("price:", price.data)
print("dOrange:", orange.grad, "=", float(orange.grad))
print("dTax:", tax.grad)

# %% [markdown] lang=en
# In the picture of an exact graph, autograph also computes the graph in floats and notes in
# grey, under an exact number, what floating point gives instead, where its digits differ:

# %% [markdown] lang=ko
# 정확한 그래프의 그림에서 autograph는 같은 그래프를 부동소수점으로도 계산해서, 결과의
# 숫자가 다른 곳에는 정확한 값 아래에 부동소수점 값을 회색으로 적어 줍니다.

# %%
draw(price)

# %% [markdown] lang=en
# `save` writes a picture to a file (SVG, PNG, PDF, DOT or JSON, by the extension). Here
# the PNG that Graphviz rendered:

# %% [markdown] lang=ko
# `save`는 그림을 파일로 씁니다(확장자에 따라 SVG, PNG, PDF, DOT, JSON). Graphviz가 그린
# PNG입니다. 한글은 NanumGothic 글꼴로 그려집니다.

# %%
Path("out").mkdir(exist_ok=True)
path = save(price, "out/shopping.png")
Image(filename=path)

# %% [markdown] lang=en
# ## Why graphs?
#
# - Each node does a **local** calculation: it only needs its own inputs.
# - The forward pass **keeps the intermediate results**, which the backward pass reuses.
# - The backward pass computes **every derivative at once**, in one sweep from right to left.
#
# Next: [2. The chain rule](02_chain_rule.ipynb), which is what each node applies on the way
# back.

# %% [markdown] lang=ko
# ## 왜 계산 그래프인가?
#
# - 각 노드는 자신의 입력만으로 **국소적 계산**을 합니다.
# - 순전파는 **중간 계산 결과를 보관**하고, 역전파가 그것을 다시 씁니다.
# - 역전파는 오른쪽에서 왼쪽으로 한 번 훑어 **모든 미분을 한꺼번에** 효율적으로 계산합니다.
#
# 다음: [2. 연쇄 법칙](02_chain_rule.ipynb). 역전파에서 각 노드가 적용하는 규칙입니다.
