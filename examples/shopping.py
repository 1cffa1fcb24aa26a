"""The textbook's shopping examples (Deep Learning from Scratch, ch. 5), by autograph.

Build the graph once, call backward() once, read every gradient:

    python examples/shopping.py            # floats, as the notes print them
    python examples/shopping.py --exact    # Fractions: exactly 715 and 33/10
"""

from __future__ import annotations

import argparse
from fractions import Fraction

from autograph import Value


def apple(tax: float | Fraction = 1.1) -> dict[str, Value]:
    """2 apples at 100 each, with consumption tax."""
    apple, apple_num, tax_ = Value(100, "apple"), Value(2, "apple_num"), Value(tax, "tax")
    apple_price = apple * apple_num
    price = apple_price * tax_
    price.backward()
    return {"price": price, "apple": apple, "apple_num": apple_num, "tax": tax_}


def apple_orange(tax: float | Fraction = 1.1) -> dict[str, Value]:
    """2 apples at 100 and 3 oranges at 150, with consumption tax."""
    apple, apple_num = Value(100, "apple"), Value(2, "apple_num")
    orange, orange_num = Value(150, "orange"), Value(3, "orange_num")
    tax_ = Value(tax, "tax")
    price = (apple * apple_num + orange * orange_num) * tax_
    price.backward()
    return {
        "price": price,
        "apple": apple,
        "apple_num": apple_num,
        "orange": orange,
        "orange_num": orange_num,
        "tax": tax_,
    }


def chain_rule(x: float = 3.0, y: float = 4.0) -> dict[str, Value]:
    """z = t**2 with t = x + y, so dz/dx = 2t * 1 = 2(x + y)."""
    x_, y_ = Value(x, "x"), Value(y, "y")
    t = x_ + y_
    t.label = "t"
    z = t**2
    z.backward()
    return {"z": z, "t": t, "x": x_, "y": y_}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exact", action="store_true", help="use Fraction(11, 10) for tax")
    args = parser.parse_args()
    tax = Fraction(11, 10) if args.exact else 1.1

    g = apple(tax)
    print("apple:        price", g["price"].data)
    print(
        "              dApple",
        g["apple"].grad,
        " dAppleNum",
        g["apple_num"].grad,
        " dTax",
        g["tax"].grad,
    )
    g = apple_orange(tax)
    print("apple+orange: price", g["price"].data)
    print(
        "              dApple",
        g["apple"].grad,
        " dAppleNum",
        g["apple_num"].grad,
        " dOrange",
        g["orange"].grad,
        " dOrangeNum",
        g["orange_num"].grad,
        " dTax",
        g["tax"].grad,
    )
    g = chain_rule()
    print(
        "chain rule:   z = (x + y)**2 =", g["z"].data, " dz/dx", g["x"].grad, " dz/dy", g["y"].grad
    )


if __name__ == "__main__":
    main()
