"""Reading the manifest, captions, faststart detection and the index page, without rendering."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sigsat.present import LectureError, load_lecture, present_group
from sigsat.present.index import srt, vtt, write_index
from sigsat.present.lecture import Cue
from sigsat.present.media import is_faststart, top_level_boxes


def fake_output(root: Path, quality: str = "low") -> Path:
    out = root / quality
    (out / "clips").mkdir(parents=True)
    (out / "clips" / "01_a.mp4").write_bytes(b"")
    (out / "manifest.json").write_text(
        json.dumps(
            {
                "chapters": [
                    {
                        "slug": "a",
                        "scene": "A",
                        "title": "Chapter <A>",
                        "file": "clips/01_a.mp4",
                        "duration": 10.0,
                        "params": {"problem1.z": 5},
                        "cache_key": "k" * 64,
                        "ledger": [
                            {
                                "label": "sigma'(5)",
                                "text": "0.00665",
                                "func": "sigmoid_prime",
                                "args": [5],
                            }
                        ],
                        "sections": [{"name": "one", "start": 0.0}, {"name": "two", "start": 4.0}],
                        "cues": [
                            {"start": 0.0, "text": "First & <only>.", "section": "one"},
                            {"start": 1.5, "text": "Still one.", "section": "one"},
                            {"start": 4.0, "text": "Two.", "section": "two"},
                        ],
                    }
                ]
            }
        )
    )
    return out


def test_sections_end_where_the_next_begins(tmp_path):
    lecture = load_lecture(fake_output(tmp_path))
    (chapter,) = lecture.chapters
    assert [(s.name, s.start, s.end) for s in chapter.sections] == [
        ("one", 0.0, 4.0),
        ("two", 4.0, 10.0),
    ]
    assert chapter.sections[0].lines == ("First & <only>.", "Still one.")
    assert [c.end for c in chapter.cues] == [1.5, 4.0, 10.0]
    assert chapter.stem == "01_a" and chapter.number == 1


def test_the_latest_quality_is_found(tmp_path):
    old, new = fake_output(tmp_path, "low"), fake_output(tmp_path, "high")
    os.utime(old / "manifest.json", (1, 1))
    assert load_lecture(tmp_path).root == new
    assert load_lecture(tmp_path, "low").root == old


def test_nothing_rendered_is_a_clear_error(tmp_path):
    with pytest.raises(LectureError, match="run `sigsat render` first"):
        load_lecture(tmp_path)
    result = CliRunner().invoke(present_group, ["handout", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "run `sigsat render` first" in result.output


def test_captions():
    cues = (Cue(0.0, 1.5, "a < b & c", "s"), Cue(61.25, 3725.5, "two", "s"))
    assert vtt(cues).splitlines()[:5] == [
        "WEBVTT",
        "",
        "1",
        "00:00:00.000 --> 00:00:01.500",
        "a &lt; b &amp; c",
    ]
    assert "00:01:01,250 --> 01:02:05,500" in srt(cues)


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
    assert 'src="clips/01_a.mp4"' in page and 'src="captions/01_a.vtt"' in page
    assert "0.00665" in page and "problem1.z" in page
    assert "http" not in page.replace("http-equiv", "")
    assert (out / "captions" / "01_a.vtt").read_text().startswith("WEBVTT")
    assert "sigsat slides" in page  # says what is not made yet


def profile(*parts: tuple[float, int]) -> np.ndarray:
    """A presence profile: (level, frames) runs, each ramping linearly from the previous level."""
    values, level = [], 0.0
    for target, frames in parts:
        values += list(np.linspace(level, target, frames + 1)[1:])
        level = target
    return np.asarray(values)


def test_still_is_the_last_frame_when_nothing_fades():
    from sigsat.present.media import still_index

    m = profile((1.0, 10), (1.0, 8))  # fade in, hold
    assert still_index(m, 0, len(m) - 1, hold=3) == len(m) - 1
    m = profile((0.5, 5), (0.5, 6), (1.0, 5))  # a second thing fades in at the very end
    assert still_index(m, 0, len(m) - 1, hold=3) == len(m) - 1


def test_still_skips_a_closing_fade_and_a_highlight():
    from sigsat.present.media import still_index

    m = profile((1.0, 10), (1.0, 8), (0.0, 6))  # fade in, hold, fade everything out
    assert still_index(m, 0, len(m) - 1, hold=3) == 17  # the last frame of the hold
    m = profile((0.9, 10), (1.0, 2), (0.9, 2), (0.9, 8), (0.85, 6))  # swell, hold, partial fade
    assert still_index(m, 0, len(m) - 1, hold=3) == 21
