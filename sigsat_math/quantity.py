"""A number the lecture shows, together with the call that computed it and its display style.

`quantity(sigmoid_prime, 5.0, style=SIG3)` calls `sigmoid_prime(5.0)` and keeps the call under
the function's importable name, `sigsat_math.activations.sigmoid_prime`, so a test can call it
again (`recompute`) and check that the screen showed the right thing.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .display import AUTO, Display


@dataclass(frozen=True)
class Quantity:
    """A computed value, the sigsat_math call it came from, and how it is displayed."""

    func: str  # the function's qualified name, e.g. sigsat_math.activations.sigmoid_prime
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
        """A JSON-ready description: call, arguments (a dataclass as its fields), value and both
        screen forms."""
        return {
            "func": self.func,
            "args": [_plain(a) for a in self.args],
            "pick": self.pick,
            "value": self.value,
            "style": {"kind": self.style.kind, "digits": self.style.digits},
            "text": self.text,
            "tex": self.tex,
        }


def _plain(arg: Any) -> Any:
    if dataclasses.is_dataclass(arg) and not isinstance(arg, type):
        return dataclasses.asdict(arg)
    return arg


def qualified_name(func: Callable[..., Any]) -> str:
    """`module.name` of a public sigsat_math function that `resolve` finds again; anything else
    (a lambda, a local function, a method, a function from elsewhere) is a ValueError."""
    module = getattr(func, "__module__", None) or ""
    qualname = getattr(func, "__qualname__", None) or repr(func)
    name = f"{module}.{qualname}"
    if not (module == "sigsat_math" or module.startswith("sigsat_math.")) or qualname.startswith("_"):
        raise ValueError(f"a quantity comes from a public sigsat_math function, not {name}")
    try:
        found = resolve(name)
    except (ImportError, AttributeError):
        found = None
    if found is not func:
        raise ValueError(f"{name} cannot be imported again by that name (a lambda, a local function "
                         "or a method): a quantity needs a module-level sigsat_math function")
    return name


def resolve(qualname: str) -> Callable[..., Any]:
    """The function a Quantity's `func` names: import the module, get the attribute."""
    module, _, name = qualname.rpartition(".")
    fn: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return fn


def call(func: Callable[..., Any], args: tuple[Any, ...], pick: int | None = None) -> float:
    """`func(*args)` as a float (element `pick` of an array result)."""
    result = func(*args)
    if pick is not None:
        result = np.asarray(result)[pick]
    return float(result)


def quantity(func: Callable[..., Any], *args: Any, style: Display = AUTO, pick: int | None = None) -> Quantity:
    """The Quantity of sigsat_math's `func(*args)` (element `pick` of an array) in `style`."""
    return Quantity(qualified_name(func), tuple(args), call(func, tuple(args), pick), style, pick)


def recompute(row: Mapping[str, Any]) -> float:
    """A ledger row (`Quantity.record`) computed again: its function found by name, a dataclass
    argument rebuilt from its fields by the parameter's type."""
    fn = resolve(row["func"])
    params = list(inspect.signature(fn, eval_str=True).parameters.values())
    args = []
    for i, arg in enumerate(row["args"]):
        kind = params[i].annotation if i < len(params) else None
        if isinstance(arg, dict) and isinstance(kind, type) and dataclasses.is_dataclass(kind):
            arg = kind(**arg)
        args.append(arg)
    return call(fn, tuple(args), row["pick"])
