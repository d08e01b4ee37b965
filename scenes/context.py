"""Which parameters the scenes render with: the defaults, or a TOML file named by SIGSAT_PARAMS.

Manim's own CLI knows nothing of our parameters, so the renderer passes them through the
environment; `manim -ql scenes/x.py X` with no variable set renders the defaults.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import is_dataclass
from typing import Any

from sigsat_math import DEFAULTS, Params
from sigsat_math.params import load

from .theme import THEMES, Theme

ENV_PARAMS = "SIGSAT_PARAMS"
_override: Params | None = None


def current_params() -> Params:
    """The parameters in force: set in-process by `use_params`, else from SIGSAT_PARAMS, else defaults."""
    if _override is not None:
        return _override
    path = os.environ.get(ENV_PARAMS)
    return load(path) if path else DEFAULTS


@contextmanager
def use_params(params: Params) -> Iterator[Params]:
    """Render with these parameters inside the block (tests and the in-process renderer)."""
    global _override
    saved, _override = _override, params
    try:
        yield params
    finally:
        _override = saved


def current_theme() -> Theme:
    """The theme the parameters ask for."""
    return THEMES[current_params().theme]


class UndeclaredParam(AttributeError):
    """A chapter read a parameter it does not list in `reads` (the cache would miss its changes)."""


class ScopedParams:
    """Read-only view of Params that allows only the declared keys, so `reads` cannot lie."""

    def __init__(self, obj: Any, allowed: Iterable[str], owner: str, prefix: str = "") -> None:
        self._obj = obj
        self._allowed = frozenset(allowed)
        self._owner = owner
        self._prefix = prefix

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        key = self._prefix + name
        value = getattr(self._obj, name)
        if is_dataclass(value):
            return ScopedParams(value, self._allowed, self._owner, key + ".")
        if key not in self._allowed:
            raise UndeclaredParam(
                f"{self._owner} reads parameter {key!r} but does not list it in `reads`"
            )
        return value
