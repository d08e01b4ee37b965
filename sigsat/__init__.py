"""sigsat: renders the lesson "Sigmoid Saturation" as a Manim Community lecture.

`sigsat.cli` is the command line; `sigsat.render` renders chapters (each in its own process,
cached by what it depends on) and assembles the lecture; `sigsat.present` turns a rendered
lecture into slides, a handout and an index page.
"""

from __future__ import annotations

__version__ = "0.1.0"
