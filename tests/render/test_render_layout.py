"""The layout check is heard: a warning per chapter with its worst problems and the parameters
behind them, and --strict makes them an error."""

from __future__ import annotations

import pytest

from sigsat.layout_report import problem_size, summary
from tests.render.conftest import FAKE, fake_env, manifest, sigsat, snapshot

LONG = "A title far too long for one line of the heading, on and on"


def test_problems_are_ranked_by_how_far_they_go():
    assert problem_size("'abc' leaves the safe area: x [-9.23, 9.23], y [2.00, 3.00] against +-6.69, +-3.60") \
        == pytest.approx(2.54)
    assert problem_size("'a' overlaps 'b' by 0.42") == pytest.approx(0.42)
    assert problem_size("something else the check found") == 0.0


def test_a_summary_names_the_worst_and_the_parameters():
    sections = {"intro": ["'a' overlaps 'b' by 0.10"],
                "end": ["'long text' leaves the safe area: x [-8.00, 8.00], y [0.00, 1.00] against +-6.69, +-3.60",
                        "'a' overlaps 'b' by 0.10"]}
    line = summary(sections, {"lesson.title": LONG, "theme": "dark", "problem1.z": 5.0},
                   {"lesson.title": "Sigmoid Saturation", "theme": "dark", "problem1.z": 5.0})
    assert line.startswith("3 layout problems in 2 beats; worst: 'long text' leaves the safe area by 1.31 (end)")
    assert "with lesson.title = 'A title far too long for one line of t…'" in line
    assert "theme" not in line and "problem1.z" not in line
    assert summary({"intro": ["'a' overlaps 'b' by 0.10"]}, {"theme": "dark"}, {"theme": "dark"}) \
        .endswith("at the default parameters")


@pytest.mark.slow
def test_layout_problems_are_a_warning_and_with_strict_an_error(tmp_path):
    out = tmp_path / "out"
    args = ("render", *FAKE, "-q", "tiny", "--only", "alpha,crowded", "--voice", "none", "--out", str(out))
    ok = sigsat(*args, env=fake_env())
    assert ok.returncode == 0 and "layout problem" not in ok.stderr, ok.stderr
    before = snapshot(out / "tiny")
    long = sigsat(*args, "--set", f"lesson.title={LONG!r}".replace("'", '"'), env=fake_env())
    assert long.returncode == 0, long.stderr
    warned = [line for line in long.stderr.splitlines() if "layout problem" in line]
    assert len(warned) == 1, long.stderr
    assert warned[0].startswith("⚠ 07 crowded: ") and "leaves the safe area by" in warned[0]
    assert "with lesson.title = 'A title far too long" in warned[0]
    cached = sigsat(*args, "--set", f'lesson.title="{LONG}"', env=fake_env())
    assert manifest(out / "tiny")["run"]["rendered"] == []
    assert [line for line in cached.stderr.splitlines() if "layout problem" in line] == warned
    with_new_title = snapshot(out / "tiny")
    strict = sigsat(*args, "--set", f'lesson.title="{LONG}"', "--strict", "--quiet", env=fake_env())
    assert strict.returncode == 1
    assert "chapter 07 crowded failed: layout problems (--strict): 1 layout problem" in strict.stderr
    assert snapshot(out / "tiny") == with_new_title != before
