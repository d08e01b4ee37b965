"""User text in the decks' pages is text, never markup: a title that closes <title> and opens a
script, or holds a `=`, ends up as the page's title and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.render.conftest import FAKE, fake_env, sigsat

TITLE = "</title><script>document.write('PWNED')</script><title>a=b & c"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def decks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Slides (with the one-file deck) of the fake chapters, rendered under a hostile title."""
    out = tmp_path_factory.mktemp("escaping") / "out"
    done = sigsat("render", *FAKE, "-q", "tiny", "--voice", "none", "--only", "alpha,beta", "--out", str(out),
                  "--set", f"lesson.title={TITLE}", env=fake_env(), timeout=300)
    assert done.returncode == 0, done.stderr
    done = sigsat("slides", "--out", str(out), "-q", "tiny", "--one-file", "--no-pptx", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return out / "tiny"


@pytest.mark.parametrize("page", ["slides/lecture.html", "slides/lecture.one-file.html", "index.html"])
def test_the_title_is_escaped_in_every_page(decks, page):
    soup = BeautifulSoup((decks / page).read_text(encoding="utf-8"), "html.parser")
    assert soup.title is not None and soup.title.string.startswith(TITLE)
    assert len(soup.head.find_all("title", recursive=False)) == 1
    for script in soup.find_all("script"):
        assert "PWNED" not in (script.string or "")

