"""A number the lecture shows, together with the call that computed it and its display style.

`quantity("sigmoid_prime", 5.0, style=SIG3)` calls `sigmoid_prime(5.0)` from this package and
keeps the call, so a test can call it again and check that the screen showed the right thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .display import AUTO, Display


@dataclass(frozen=True)
class Quantity:
    """A computed value, the sigsat_math call it came from, and how it is displayed."""

    func: str
    args: tuple[Any, ...]
    value: float
    style: Display
    pick: int | None = None

    @property
    def text(self) -> str:
        """Plain-text screen form."""
        return self.style.text(self.value)

    @property
    def tex(self) -> str:
        """LaTeX screen form."""
        return self.style.tex(self.value)

    @property
    def spoken(self) -> str:
        """What the narrator says for the plain-text form, in words."""
        return self.style.spoken(self.value)

    def record(self) -> dict[str, Any]:
        """A JSON-ready description: call, arguments, value and both screen forms."""
        return {
            "func": self.func,
            "args": list(self.args),
            "pick": self.pick,
            "value": self.value,
            "style": {"kind": self.style.kind, "digits": self.style.digits},
            "text": self.text,
            "tex": self.tex,
        }


def call(func: str, args: tuple[Any, ...], pick: int | None = None) -> float:
    """Call the public sigsat_math function `func` with `args` (element `pick` of an array)."""
    from . import PUBLIC  # the package's public functions, by name

    try:
        fn = PUBLIC[func]
    except KeyError:
        raise KeyError(f"{func!r} is not a public sigsat_math function") from None
    result = fn(*args)
    if pick is not None:
        result = np.asarray(result)[pick]
    return float(result)


def quantity(func: str, *args: Any, style: Display = AUTO, pick: int | None = None) -> Quantity:
    """The Quantity of sigsat_math's `func(*args)` (element `pick` of an array) in `style`."""
    return Quantity(func, tuple(args), call(func, tuple(args), pick), style, pick)
