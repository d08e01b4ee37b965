"""Every chapter renders with manim's own command line and the default parameters (its first
animations: the whole chapter is rendered in-process by the other scene tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scenes import CHAPTERS

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One media folder for the chapters a test process renders, as a user's project has: its
    LaTeX and its speech are made once and used again by the next chapter."""
    return tmp_path_factory.mktemp("media")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.slug)
def test_manim_cli_renders_the_chapter(chapter, media):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGSAT_")}
    done = subprocess.run(
        [sys.executable, "-m", "manim", "render", "-s", "-n", "0,3", "-r", "192,108", "--disable_caching",
         "--media_dir", str(media), "-v", "WARNING", f"scenes/{chapter.slug}.py", chapter.scene],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    frames = list((media / "images" / chapter.slug).rglob("*.png"))
    assert len(frames) == 1 and frames[0].stat().st_size > 0
    sidecar = media / "sigsat" / f"{chapter.scene}.json"
    assert sidecar.exists()
