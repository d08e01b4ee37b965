"""Reading the manifest, captions, faststart detection and the index page, without rendering."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sigsat.present import LectureError, load_lecture, present_group
from sigsat.present.index import write_index
from sigsat_core.contract import (
    Beat,
    ChapterRecord,
    Cue,
    LectureRecord,
    LedgerRow,
    Manifest,
    RunRecord,
    Section,
    VoiceSpec,
)
from sigsat_core.media import is_faststart, top_level_boxes


def fake_manifest() -> Manifest:
    """A manifest of one chapter with two sections, as the renderer writes one."""
    chapter = ChapterRecord(
        number=1, slug="a", scene="A", title="Chapter <A>", file="clips/01_a.mp4",
        poster="posters/01_a.png", start=0.0, duration=10.0, frames=50, size=0, sha256="s" * 64,
        poster_time=None, cache_key="k" * 32, key_inputs={}, status="rendered",
        captions={"vtt": "captions/01_a.vtt", "srt": "captions/01_a.srt"},
        reads=["problem1.z", "theme"], params={"problem1.z": 5},
        ledger=[LedgerRow(label="sigma'(5)", func="sigsat_math.activations.sigmoid_prime", args=[5],
                          value=0.0066, style={"kind": "sig", "digits": 3}, text="0.00665",
                          tex="0.00665")],
        sections=[Section(name="one", start=0.0, end=4.0), Section(name="two", start=4.0, end=10.0)],
        beats=[Beat(id="one", section="one", text="First & <only>. Still one.",
                    spoken="First and only. Still one.", start=0.0, speech=3.0),
               Beat(id="two", section="two", text="Two.", spoken="Two.", start=4.0, speech=1.0)],
        cues=[Cue(start=0.0, end=1.5, text="First & <only>.", section="one"),
              Cue(start=1.5, end=4.0, text="Still one.", section="one"),
              Cue(start=4.0, end=10.0, text="Two.", section="two")],
        loops=[])
    return Manifest(
        sigsat="0", title="T", quality="low", width=192, height=108, fps=5, format="mp4",
        transparent=False, theme="dark", voice=VoiceSpec(kind="none"), tools={}, params={},
        lecture=LectureRecord(file="lecture.mp4", srt="lecture.srt", vtt="lecture.vtt", key="",
                              duration=10.0, size=0, sha256="", chapters=[]),
        chapters=[chapter], run=RunRecord(rendered=["a"], cached=[], jobs=1, seconds=0.0))


def fake_output(root: Path, quality: str = "low") -> Path:
    out = root / quality
    for rel in ("clips/01_a.mp4", "captions/01_a.vtt", "captions/01_a.srt"):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(b"WEBVTT\n" if rel.endswith("vtt") else b"")
    fake_manifest().write(out / "manifest.json")
    return out


def test_sections_and_cues_come_from_the_manifest(tmp_path):
    lecture = load_lecture(fake_output(tmp_path))
    (chapter,) = lecture.chapters
    assert [(s.name, s.start, s.end) for s in chapter.sections] == [
        ("one", 0.0, 4.0),
        ("two", 4.0, 10.0),
    ]
    assert chapter.sections[0].lines == ("First & <only>. Still one.",)
    assert [c.end for c in chapter.cues] == [1.5, 4.0, 10.0]
    assert chapter.stem == "01_a" and chapter.number == 1


@pytest.mark.parametrize("change, message", [
    ({"version": 1}, "version 1"),
    ({"colour": "red"}, "'colour'"),
    ({"chapters": [{"slug": "a"}]}, "chapters.0"),
])
def test_a_manifest_of_another_version_or_shape_is_one_clear_error(tmp_path, change, message):
    out = fake_output(tmp_path)
    data = {**json.loads((out / "manifest.json").read_text()), **change}
    (out / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(LectureError, match=message) as e:
        load_lecture(out)
    assert "\n" not in str(e.value)


def test_the_latest_quality_is_found(tmp_path):
    old, new = fake_output(tmp_path, "low"), fake_output(tmp_path, "high")
    os.utime(old / "manifest.json", (1, 1))
    assert load_lecture(tmp_path).root == new
    assert load_lecture(tmp_path, "low").root == old


@pytest.mark.parametrize("command", ["slides", "handout", "embed", "index"])
def test_nothing_rendered_is_one_line_and_status_2(tmp_path, command):
    with pytest.raises(LectureError, match="run `sigsat render` first"):
        load_lecture(tmp_path)
    result = CliRunner().invoke(present_group, [command, "--out", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "run `sigsat render` first" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_an_unknown_chapter_is_one_line_and_status_2(tmp_path):
    out = fake_output(tmp_path)
    result = CliRunner().invoke(present_group, ["slides", "--out", str(out), "--chapter", "nope"])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        f"Error: no rendered chapter nope in {out}; rendered: a"]


@pytest.mark.parametrize("name, lines, heading", [
    ("zones", ("The zones.",), "Zones"),
    ("ReLU beside it", (), "ReLU beside it"),
    ("plateau_z", ("First the sigmoid far out, at z = 6. Then more.",), "First the sigmoid far out"),
    ("relu_negative_z", ("ReLU on its negative side: another flat plateau.",), "ReLU on its negative side"),
    ("relu", ("Rectified linear.",), "ReLU"),
    ("relu bars", (), "ReLU bars"),
    ("gelu and elu", (), "GELU and ELU"),
    ("relugate", (), "Relugate"),  # a term inside a longer word is not one
])
def test_step_headings_are_for_people(name, lines, heading):
    from sigsat.present.lecture import ClipSection as Step

    assert Step(0, name, 0.0, 1.0, lines).heading == heading


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


def test_faststart(tmp_path):
    fast, slow = tmp_path / "fast.mp4", tmp_path / "slow.mp4"
    fast.write_bytes(box(b"ftyp", b"isom") + box(b"moov", b"x" * 20) + box(b"mdat", b"y" * 50))
    slow.write_bytes(box(b"ftyp", b"isom") + box(b"mdat", b"y" * 50) + box(b"moov", b"x" * 20))
    assert top_level_boxes(fast) == ["ftyp", "moov", "mdat"]
    assert is_faststart(fast) and not is_faststart(slow)


def test_index_page_escapes_and_links_relatively(tmp_path):
    out = fake_output(tmp_path)
    page = write_index(load_lecture(out)).read_text()
    assert "Chapter &lt;A&gt;" in page and "<A>" not in page
    assert 'src="clips/01_a.mp4"' in page and 'href="captions/01_a.vtt"' in page
    # Captions ride inside the page (a page from disk may not fetch its own file: URLs).
    assert 'default src="data:text/vtt;charset=utf-8;base64,' in page
    assert 'aria-label="Chapter 1, Chapter &lt;A&gt;"' in page
    assert "0.00665" in page and "problem1.<wbr>z" in page  # a name breaks after its dots
    assert "http" not in page.replace("http-equiv", "")
    assert "sigsat slides" in page  # says what is not made yet


def profile(*parts: tuple[float, int]) -> np.ndarray:
    """A presence profile: (level, frames) runs, each ramping linearly from the previous level."""
    values, level = [], 0.0
    for target, frames in parts:
        values += list(np.linspace(level, target, frames + 1)[1:])
        level = target
    return np.asarray(values)


def test_still_is_the_last_frame_when_nothing_fades():
    from sigsat_core.media import still_index

    m = profile((1.0, 10), (1.0, 8))  # fade in, hold
    assert still_index(m, 0, len(m) - 1, hold=3) == len(m) - 1
    m = profile((0.5, 5), (0.5, 6), (1.0, 5))  # a second thing fades in at the very end
    assert still_index(m, 0, len(m) - 1, hold=3) == len(m) - 1


def test_still_skips_a_closing_fade_and_a_highlight():
    from sigsat_core.media import still_index

    m = profile((1.0, 10), (1.0, 8), (0.0, 6))  # fade in, hold, fade everything out
    assert still_index(m, 0, len(m) - 1, hold=3) == 17  # the last frame of the hold
    m = profile((0.9, 10), (1.0, 2), (0.9, 2), (0.9, 8), (0.85, 6))  # swell, hold, partial fade
    assert still_index(m, 0, len(m) - 1, hold=3) == 21


def test_present_without_a_qt_binding_is_one_line_naming_the_install(tmp_path):
    import importlib.util

    from sigsat.present.commands import QT_BINDINGS

    if any(importlib.util.find_spec(qt) for qt in QT_BINDINGS):
        pytest.skip("a Qt binding is installed here")
    out = fake_output(tmp_path)
    result = CliRunner().invoke(present_group, ["present", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        "Error: present needs a Qt binding for manim-slides' player: .venv/bin/pip install -e '.[present]'"]
