"""What a chapter renders with: its parameters, theme, voice and where its sidecar goes.

The renderer's worker builds a `ChapterContext` from its job and hands it to the scene
(`SceneClass(context=...)`). Manim's own CLI knows nothing of sigsat, so a scene made without
one renders the defaults, or the TOML file named by the environment variable SIGSAT_PARAMS
(the one documented way to run a chapter with plain `manim` and other parameters).
Parameters are parsed once per process.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, is_dataclass, replace
from pathlib import Path
from typing import Any

from sigsat_core.contract import VoiceSpec
from sigsat_math import DEFAULTS, Params
from sigsat_math.params import load

from .theme import THEMES, Theme

ENV_PARAMS = "SIGSAT_PARAMS"


@dataclass(frozen=True)
class ChapterContext:
    """Everything a chapter's render depends on besides its code."""

    params: Params
    sidecar: Path | None = None  # None: media_dir/sigsat/<Scene>.json
    voice: VoiceSpec = VoiceSpec()
    speech_dir: Path | None = None  # None: media_dir/sigsat/speech
    recordings: Path | None = None
    chapter: str = ""  # the chapter's slug (names its recordings)
    # The sections to draw, first and last (0-based, inclusive; the frames before the first
    # beat belong to section 0); the others are replayed unseen (scenes.upstream), and the
    # render stops after `last`. None draws every section.
    draw: tuple[int, int] | frozenset[int] | None = None  # or exactly these sections (tests)
    check_layout: bool = True  # a part leaves the layout check to its chapter's plan
    plan: Path | None = None  # where to write the sections' frames and reads (sigsat_core.contract.Plan)
    # Where to save each section's resting picture, `NN.png` by section (for handouts in
    # another theme): drawn once per animation that leaves something, even while replaying.
    stills: Path | None = None
    # Told, with the scene, each time sections close: the number closed so far and whether
    # the chapter (or the drawing asked for) is over; the worker cuts its parts there.
    on_sections: Callable[[Any, int, bool], None] | None = None

    @property
    def theme(self) -> Theme:
        """The theme the parameters ask for."""
        return THEMES[self.params.theme]


@functools.cache
def _from_file(path: str) -> Params:
    return load(path)


def default_context() -> ChapterContext:
    """The context of a scene run by manim's own CLI: SIGSAT_PARAMS, else the defaults."""
    path = os.environ.get(ENV_PARAMS)
    return ChapterContext(_from_file(path) if path else DEFAULTS)


_active: ChapterContext | None = None


def activate(context: ChapterContext) -> None:
    """Make `context` the one shared builders read the theme from (one scene per process)."""
    global _active
    _active = context


def active() -> ChapterContext:
    """The context of the scene being built (the default one outside a scene)."""
    return _active if _active is not None else default_context()


def current_theme() -> Theme:
    """The theme of the scene being built."""
    return active().theme


@contextmanager
def use_params(params: Params, **changes: Any) -> Iterator[ChapterContext]:
    """Build scenes with these parameters inside the block (tests render in-process this way)."""
    global _active
    saved = _active
    _active = replace(ChapterContext(params), **changes)
    try:
        yield _active
    finally:
        _active = saved


class UndeclaredParam(AttributeError):
    """A chapter read a parameter it does not list in `reads` (the cache would miss its changes)."""


class ScopedParams:
    """Read-only view of Params that allows only the declared keys, so `reads` cannot lie."""

    def __init__(self, obj: Any, allowed: Iterable[str], owner: str, prefix: str = "",
                 seen: Callable[[str], None] | None = None) -> None:
        self._obj = obj
        self._allowed = frozenset(allowed)
        self._owner = owner
        self._prefix = prefix
        self._seen = seen  # told every key read (the chapter records which section reads what)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        key = self._prefix + name
        value = getattr(self._obj, name)
        if is_dataclass(value):
            return ScopedParams(value, self._allowed, self._owner, key + ".", self._seen)
        if key not in self._allowed:
            raise UndeclaredParam(
                f"{self._owner} reads parameter {key!r} but does not list it in `reads`"
            )
        if self._seen is not None:
            self._seen(key)
        return value
