"""`sigsat all`: the lecturer's set (lecture, decks, handout, clips for decks) in one command."""

from __future__ import annotations

import pytest

from sigsat.present import load_lecture
from sigsat_core.contract import Deck, Embeds, Handout
from tests.render.conftest import FAKE, fake_env, sigsat

pytestmark = pytest.mark.slow


def test_all_renders_then_makes_every_presenting_file(tmp_path):
    out = tmp_path / "out"
    done = sigsat("all", *FAKE, "-q", "tiny", "--only", "alpha,beta", "--voice", "none", "--out", str(out),
                  env=fake_env())
    assert done.returncode == 0, done.stderr[-3000:]
    lecture = load_lecture(out / "tiny")
    deck = Deck.read(lecture.root / "slides" / "lecture.deck.json")
    assert deck.html and deck.pptx and deck.one_file
    assert all((lecture.root / rel).is_file() for rel in (deck.html, deck.pptx, deck.one_file))
    assert [c.slug for c in deck.chapters] == ["alpha", "beta"]
    handout = Handout.read(lecture.root / "handout" / "handout.json")
    assert (lecture.root / handout.pdf).is_file() and handout.pages
    embeds = Embeds.read(lecture.root / "embed" / "embed.json")
    assert [e.slug for e in embeds.chapters] == ["alpha", "beta"]
    index = (lecture.root / "index.html").read_text()
    for rel in (deck.html, deck.pptx, deck.one_file, handout.pdf):
        assert f'href="{rel}"' in index, rel
