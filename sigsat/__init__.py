"""sigsat: renders the lesson "Sigmoid Saturation" as a Manim Community lecture.

The application floor, above `scenes` and `sigsat_core`: `cli` is the command line; `render`
schedules the chapters' jobs (each in its own process, `worker`, cached by what it depends on);
`assemble` joins parts and the lecture; `publish` writes the output folder; `present` turns a
rendered lecture into slides, a handout and an index page.
"""

from __future__ import annotations

__version__ = "0.1.0"
