"""A tiny rendered lecture to present: two chapters at 192x108, 5 fps, by `sigsat render`.

Rendered once per session (`--quality tiny`, into its own output folder), so the slides,
handout, clips for decks and index page are made from exactly what the renderer writes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CHAPTERS = ("sigmoid_curves", "problem1_sigma_prime")


def render_tiny_lecture(out: Path) -> Path:
    """`sigsat render --quality tiny` of the two chapters into `out`; returns OUT/tiny."""
    only = [arg for slug in CHAPTERS for arg in ("--only", slug)]
    cmd = [sys.executable, "-c", "from sigsat.cli import main; main()", "render", "--quality",
           "tiny", *only, "--out", str(out), "--quiet"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return out / "tiny"


@pytest.fixture(scope="session")
def tiny_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUT/tiny/ of a two-chapter lecture, rendered once for the whole session."""
    return render_tiny_lecture(tmp_path_factory.mktemp("out"))
