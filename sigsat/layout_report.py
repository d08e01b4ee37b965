"""What the scenes' layout check found, said in one line per chapter.

The check (scenes/layout.py) records, per beat, each text that leaves the frame's safe area or
overlaps another text, as a line of words. The render reads them from the chapter's sidecar
(a cached chapter's too) and warns: how many, the worst ones by how far they go, and the
parameters that differ from the defaults, since those are what to change back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

# "'x' leaves the safe area: x [l, r], y [b, t] against +-X, +-Y" and "'a' overlaps 'b' by d".
_NUMBER = r"(-?\d+(?:\.\d+)?)"
_LEAVES = re.compile(rf"^(?P<name>.*) leaves the safe area: x \[{_NUMBER}, {_NUMBER}\], "
                     rf"y \[{_NUMBER}, {_NUMBER}\] against \+-{_NUMBER}, \+-{_NUMBER}")
_OVERLAPS = re.compile(rf" overlaps .* by {_NUMBER}$")
WORST = 2
SHOWN = 40  # characters of a parameter's value


def problem_size(problem: str) -> float:
    """How far a problem goes, in manim units: how much of the text is outside the safe area, or
    how deep two texts overlap (0 for a kind of problem this reader does not know)."""
    leaves = _LEAVES.match(problem)
    if leaves:
        left, right, bottom, top, xmax, ymax = (float(leaves.group(i)) for i in range(2, 8))
        return max(0.0, -xmax - left, right - xmax, -ymax - bottom, top - ymax)
    overlaps = _OVERLAPS.search(problem)
    return float(overlaps.group(1)) if overlaps else 0.0


def _short(problem: str) -> str:
    """A problem with its coordinates cut to how far it goes."""
    leaves = _LEAVES.match(problem)
    if leaves:
        return f"{leaves.group('name')} leaves the safe area by {problem_size(problem):.2f}"
    return problem


def _value(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN else text[:SHOWN - 1] + "…'"


def summary(sections: Mapping[str, Sequence[str]], params: Mapping[str, Any],
            defaults: Mapping[str, Any]) -> str:
    """One line: the count, the worst problems (with their beat) and the changed parameters."""
    found = [(problem_size(p), p, beat) for beat, problems in sections.items() for p in problems]
    beats = sum(1 for problems in sections.values() if problems)
    worst = sorted(found, key=lambda f: -f[0])[:WORST]
    count = f"{len(found)} layout problem{'s' if len(found) != 1 else ''}"
    where = f" in {beats} beats" if beats > 1 else ""
    listed = "; ".join(f"{_short(p)} ({beat})" for _, p, beat in worst)
    changed = [f"{key} = {_value(value)}" for key, value in sorted(params.items())
               if defaults.get(key) != value]
    behind = f"; with {', '.join(changed)}" if changed else "; at the default parameters"
    return f"{count}{where}; worst: {listed}{behind}"
