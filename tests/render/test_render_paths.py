"""Folders with quotes, dollars, spaces and letters beyond ASCII in their names work everywhere:
output, cache (manim's media, LaTeX, the speech) and the parameters file."""

from __future__ import annotations

import pytest

from tests.render.conftest import FAKE, fake_env, manifest, sigsat

pytestmark = pytest.mark.slow

NAMES = ["it's", "$HOME $(id) ${x}", "with  spaces ", "ünïcødé 日本語", "all: it's $x & ünï 日本"]


@pytest.mark.parametrize("name", NAMES)
def test_a_render_in_folders_with_awkward_names(tmp_path, name):
    base = tmp_path / name
    base.mkdir()
    params = base / "my params.toml"
    params.write_text("[problem1]\nz = 3\n", encoding="utf-8")
    done = sigsat("render", *FAKE, "-q", "tiny", "--only", "alpha,words", "--voice", "none",
                  "--out", str(base / "out"), "--cache", str(base / "cache dir"), "--params", str(params),
                  env=fake_env())
    assert done.returncode == 0, done.stderr
    m = manifest(base / "out" / "tiny")
    assert [c["slug"] for c in m["chapters"]] == ["alpha", "words"]
    assert m["params"]["problem1.z"] == 3.0
    assert (base / "out" / "tiny" / "lecture.mp4").stat().st_size > 0
