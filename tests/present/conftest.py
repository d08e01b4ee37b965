"""The whole lecture, rendered tiny (192x108, 5 fps) with its voice, by `sigsat render`.

Rendered once per session into its own output folder, so the slides, handout, clips for decks
and index page are made from exactly what the renderer writes. Every test that needs the
rendered lecture lives in test_present_outputs.py, so that pytest-xdist (`--dist loadfile`)
runs them all in one worker and the lecture is rendered once.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest


def render_tiny_lecture(out: Path, *extra: str) -> Path:
    """`sigsat render --quality tiny` of every chapter into `out`; returns OUT/tiny."""
    cmd = [sys.executable, "-m", "sigsat", "render", "--quality", "tiny", "--out", str(out), "--quiet", *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return out / "tiny"


@pytest.fixture(scope="session")
def tiny_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUT/tiny/ of the whole lecture with the narrating voice, rendered once for the session."""
    started = time.monotonic()
    folder = render_tiny_lecture(tmp_path_factory.mktemp("out"))
    print(f"the whole lecture rendered at tiny in {time.monotonic() - started:.0f} s")
    return folder
