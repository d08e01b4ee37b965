"""Names a user gives to files (a variant, the decks' and the handout's --name) stay plain names
in their folder: no path, no control character, none of the files written beside them."""

from __future__ import annotations

import pytest

from sigsat.names import BadName, check_plain
from tests.render.conftest import sigsat

TINY = ("-q", "tiny", "--voice", "none")


@pytest.mark.parametrize("name, words", [
    ("index.html", "taken by a file written beside it"),
    ("problems.pdf", "taken by a file written beside it"),
    ("ANSWERS.PDF", "taken by a file written beside it"),
    ("g\n", "a variant's name names its folder"),
    ("../up", "a variant's name names its folder"),
    (".hidden", "a variant's name names its folder"),
])
def test_a_variant_named_like_a_file_beside_it_or_not_plain_is_refused(tmp_path, name, words):
    toml = tmp_path / "v.toml"
    quoted = name.replace("\\", "\\\\").replace("\n", "\\n")
    toml.write_text(f'[variant."{quoted}"]\nproblem1.z = 3\n', encoding="utf-8")
    done = sigsat("variants", str(toml), *TINY, "--out", str(tmp_path / "out"), timeout=120)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["slides", "handout"])
@pytest.mark.parametrize("name", ["{x}/v", "../v", "v\n", ".v", "a" * 65, ""])
def test_a_decks_or_handouts_name_that_is_a_path_is_refused_before_anything_is_touched(
        tmp_path, command, name):
    outside = tmp_path / "x"
    (outside / "v_assets").mkdir(parents=True)
    (outside / "v-frames").mkdir()
    (outside / "v_assets" / "keep.txt").write_text("mine")
    (outside / "v-frames" / "keep.png").write_bytes(b"\x89PNG")
    given = name.replace("{x}", str(outside))
    # No lecture is needed: the name is refused first, whatever --out holds.
    done = sigsat(command, "--out", str(tmp_path / "out"), "--name", given, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "--name" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert (outside / "v_assets" / "keep.txt").read_text() == "mine"
    assert (outside / "v-frames" / "keep.png").is_file()
    assert sorted(p.name for p in outside.iterdir()) == ["v-frames", "v_assets"]


@pytest.mark.parametrize("name", ["lecture", "group-a", "problem1.z=3", "A.b_c+d", "x" * 64])
def test_plain_names_pass(name):
    assert check_plain(name, "--name") == name


def test_a_long_name_is_echoed_cut():
    with pytest.raises(BadName) as e:
        check_plain("/" * 10_000_000, "--name")
    assert len(str(e.value)) < 300
