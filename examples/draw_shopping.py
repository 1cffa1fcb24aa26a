"""Draw the textbook's shopping graphs (SVG, PNG and the step-through player).

python examples/draw_shopping.py [OUT_DIR]      # default: ./autograph-gallery
"""

import sys
from pathlib import Path

from autograph import Value
from autograph.viz import save, trace
from autograph.viz.gallery import render_gallery

out = Path(sys.argv[1] if len(sys.argv) > 1 else "autograph-gallery")

# The apple graph by hand: 2 apples at 100 each, 10% consumption tax.
apple, apple_num, tax = Value(100, "apple"), Value(2, "apple_num"), Value(1.1, "tax")
price = apple * apple_num * tax
price.label = "price"
price.backward()
print(trace(price))
out.mkdir(parents=True, exist_ok=True)
save(price, out / "my-apple.svg", local_derivatives=True)

for path in render_gallery(out):
    print(path)
