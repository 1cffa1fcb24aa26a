# Source of docs/tutorial/02_chain_rule.ipynb and its Korean edition (docs/tutorial/ko/);
# rebuild both with `python scripts/build_notebooks.py 02`.

# %% [markdown] lang=en
# # 2. The chain rule
#
# On the way back, every node does one thing: it takes the gradient arriving from its right
# (the *upstream* gradient) and multiplies it by its **local derivative**, the derivative of
# its own output with respect to the input, before passing it on to the left. That is the
# chain rule, one node at a time.
#
# The notes' example is a composite function:
#
# $$z = (x + y)^2 \quad\text{that is}\quad z = t^2,\; t = x + y$$
#
# $$\frac{\partial z}{\partial x} = \frac{\partial z}{\partial t}\,\frac{\partial t}{\partial x} = 2t \cdot 1 = 2(x + y)$$

# %% [markdown] lang=ko
# # 2. 연쇄 법칙
#
# 역전파에서 모든 노드는 한 가지 일을 합니다. 오른쪽(상류)에서 전달된 기울기에 자신의
# **국소적 미분**(입력에 대한 자기 출력의 미분)을 곱해서 왼쪽으로 전달합니다. 노드 하나씩
# 적용하는 연쇄 법칙입니다.
#
# 노트의 예는 합성 함수입니다.
#
# $$z = (x + y)^2 \quad\text{즉}\quad z = t^2,\; t = x + y$$
#
# $$\frac{\partial z}{\partial x} = \frac{\partial z}{\partial t}\,\frac{\partial t}{\partial x} = 2t \cdot 1 = 2(x + y)$$

# %%
from IPython.display import SVG, display

from autograph import Value
from autograph.viz import draw, frame_dots, render_source, trace
from autograph.viz.player import write_player

# %%
x = Value(3, label="x")
y = Value(4, label="y")
t = x + y
t.label = "t"
z = t**2
z.label = "z"
z.backward()

print("z =", z.data)
print("dz/dx =", x.grad, " 2(x + y) =", 2 * (x.data + y.data))
print("dz/dy =", y.grad)

# %% [markdown] lang=en
# ## Local derivatives on the edges
#
# `local_derivatives=True` adds, in blue under each edge, the local derivative of the node
# it enters, and the chain rule on that edge: upstream × local = what flows on. The `**2`
# node's local derivative is 2t = 14; the `+` node's is 1 for both inputs.

# %% [markdown] lang=ko
# ## 엣지 위의 국소적 미분
#
# `local_derivatives=True`를 주면 각 엣지 아래에 그 엣지가 들어가는 노드의 국소적 미분과, 그
# 엣지에서의 연쇄 법칙(상류 × 국소적 미분 = 하류로 흐르는 값)이 파란색으로 적힙니다. `**2`
# 노드의 국소적 미분은 2t = 14이고, `+` 노드는 두 입력 모두 1입니다.

# %%
draw(z, local_derivatives=True)

# %% [markdown] lang=en
# ## Step by step
#
# `trace` writes one line per backward step, in the order the engine runs them (from the
# output back to the inputs):

# %% [markdown] lang=ko
# ## 한 단계씩
#
# `trace`는 역전파의 단계마다 한 줄씩, 엔진이 실행하는 순서(출력에서 입력 쪽으로)대로
# 적어 줍니다.

# %%
print(trace(z))

# %% [markdown] lang=en
# The step-through player shows the same steps as pictures. Frame 0 holds the forward
# values and the seed gradient 1; each next frame is one backward step, with the node whose
# step it is in yellow. Gradients not known yet are left blank, so the layout never moves.

# %% [markdown] lang=ko
# 단계별 재생기(step-through player)는 같은 단계를 그림으로 보여 줍니다. 0번 그림에는 순전파
# 값과 시작 기울기 1이 있고, 다음 그림마다 역전파가 한 단계씩 진행되며 그 단계의 노드가
# 노란색으로 칠해집니다. 아직 모르는 기울기는 비워 두므로 배치는 바뀌지 않습니다.

# %%
for frame in frame_dots(z, local_derivatives=True):
    display(SVG(render_source(frame, "svg")))

# %% [markdown] lang=en
# `write_player` puts all frames into one HTML page with previous / next / play buttons
# (and the arrow keys). Open the file in a browser; [the apple graph's
# player](../gallery/apple.html) is in the gallery. From a terminal: `autograph draw --expr
# "(x + y)**2" --set x=3 --set y=4 --html chain.html`.

# %% [markdown] lang=ko
# `write_player`는 모든 그림을 이전 / 다음 / 재생 버튼(과 화살표 키)이 있는 HTML 페이지 하나로
# 만듭니다. 브라우저로 파일을 열어 보세요. [사과 그래프의 재생기](../../gallery/apple.html)는
# 갤러리에 있습니다. 터미널에서는 `autograph draw --expr "(x + y)**2" --set x=3 --set y=4
# --html chain.html`입니다.

# %%
path = write_player(z, "out/chain-rule.html", local_derivatives=True)
print(path)

# %% [markdown] lang=en
# ## The chain rule holds for any x and y
#
# The graph is rebuilt for each pair, and its gradient always equals 2(x + y):

# %% [markdown] lang=ko
# ## 연쇄 법칙은 어떤 x, y에서도 성립
#
# 값마다 그래프를 새로 만들어도 기울기는 언제나 2(x + y)입니다.

# %%
for a, b in [(1, 2), (-3, 0.5), (10, -10)]:
    x, y = Value(a), Value(b)
    z = (x + y) ** 2
    z.backward()
    print(f"x={a:>3}, y={b:>4}: dz/dx = {x.grad:>5}, 2(x + y) = {2 * (a + b):>5}")

# %% [markdown] lang=en
# Next: [3. Add and multiply nodes](03_add_and_multiply_nodes.ipynb): the two local
# derivatives that the shopping graphs are made of.

# %% [markdown] lang=ko
# 다음: [3. 덧셈 노드와 곱셈 노드](03_add_and_multiply_nodes.ipynb). 쇼핑 그래프를 이루는 두
# 가지 국소적 미분입니다.
