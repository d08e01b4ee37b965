"""Presenting a rendered lecture: step-through slides, a handout, clips for other decks, and
one page to browse it all (index.html). Everything starts from the output folder's manifest.
"""

from __future__ import annotations

from .commands import COMMANDS, present_group
from .lecture import Lecture, LectureError, load_lecture

__all__ = ["COMMANDS", "Lecture", "LectureError", "load_lecture", "present_group"]
