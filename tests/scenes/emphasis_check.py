"""Two checks of what a viewer sees, for any chapter: an emphasis never changes the size of what it
emphasises (data marks are never scaled: colour or an outline only), and no frame between the first
and the last beat is empty below the heading."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import av
import numpy as np
from manim import Indicate, ScaleInPlace, Wiggle

from scenes.base import ChapterScene
from scenes.theme import DARK

EMPHASIS = (Indicate, ScaleInPlace, Wiggle)


def record_emphasis(monkeypatch: Any, check: Callable[[Any], None] | None = None) -> list[dict[str, Any]]:
    """Patch ChapterScene.play so that every emphasis animation is measured at its peak (alpha 1/2)
    before it plays: its mobject's size against the size it starts at, and `check(scene)` then.
    Returns the list the measurements are appended to, one dict per emphasis."""
    found: list[dict[str, Any]] = []
    original = ChapterScene.play

    def play(self: ChapterScene, *animations: Any, **kwargs: Any) -> None:
        for a in animations:
            if isinstance(a, EMPHASIS):
                before = (a.mobject.width, a.mobject.height, *a.mobject.get_center())
                a.begin()
                a.interpolate(0.5)
                peak = (a.mobject.width, a.mobject.height, *a.mobject.get_center())
                if check is not None:
                    check(self)
                a.interpolate(0.0)
                found.append({"kind": type(a).__name__, "section": self.marks[-1].name, "before": before,
                              "peak": peak})
        original(self, *animations, **kwargs)

    monkeypatch.setattr(ChapterScene, "play", play)
    return found


def body_ink(frame: np.ndarray, top: float = 0.17) -> float:
    """Share of the pixels below the heading (the top `top` of the frame) that differ from the
    background: 0 for an empty screen under a title."""
    bg = np.array([int(DARK.background[i:i + 2], 16) for i in (1, 3, 5)], float)
    body = frame[int(top * frame.shape[0]):].astype(float)
    return float(np.mean(np.abs(body - bg).max(axis=2) > 40))


def ink_over_time(movie: str, start: float, end: float) -> list[tuple[float, float]]:
    """(time, body_ink) of every frame of the clip between start and end."""
    out = []
    with av.open(movie) as clip:
        for frame in clip.decode(video=0):
            if frame.time is not None and start <= frame.time <= end:
                out.append((float(frame.time), body_ink(frame.to_ndarray(format="rgb24"))))
    return out
