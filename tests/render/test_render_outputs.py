"""A real render of two chapters at 192x108, 5 fps: the output tree, the manifest, the video
files as ffprobe sees them, the captions; then a no-op render and a one-parameter change."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image
from test_render_units import parse_srt, parse_vtt

import scenes
from sigsat_core.files import sha256_file
from tests.conftest import DRAFT_VOICE
from tests.render.conftest import REAL, ffprobe, manifest, sigsat, snapshot

# NN_slug of each chapter, as the renderer names its files (numbered in lecture order).
STEMS = {c.slug: f"{n:02d}_{c.slug}" for n, c in enumerate(scenes.CHAPTERS, start=1)}

pytestmark = pytest.mark.slow
FPS = 5


def is_faststart(path: Path) -> bool:
    """ffprobe's own trace of the top-level atoms: moov before mdat."""
    trace = subprocess.run(["ffprobe", "-v", "trace", str(path)], capture_output=True,
                           text=True).stderr
    atoms = re.findall(r"type:'(moov|mdat)' parent:'root'", trace)
    return bool(atoms) and atoms[0] == "moov" and "mdat" in atoms


def test_output_tree(real_out):
    folder = real_out / "tiny"
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    stems = [STEMS[slug] for slug in REAL]
    assert names == {"lecture.mp4", "lecture.srt", "lecture.vtt", "manifest.json", "index.html",
                     "script.md", "script.csv",
                     *(f"clips/{s}.mp4" for s in stems), *(f"posters/{s}.png" for s in stems),
                     *(f"captions/{s}.{ext}" for s in stems for ext in ("srt", "vtt"))}
    for s in stems:
        with Image.open(folder / "posters" / f"{s}.png") as poster:
            assert poster.format == "PNG" and poster.size == (192, 108)


def test_manifest_describes_each_chapter(real_out):
    folder = real_out / "tiny"
    m = manifest(folder)
    assert (m["quality"], m["width"], m["height"], m["fps"], m["format"]) == ("tiny", 192, 108, 5, "mp4")
    assert [c["slug"] for c in m["chapters"]] == list(REAL)
    assert m["run"] == {**m["run"], "rendered": list(REAL), "cached": [], "jobs": 2}
    for c in m["chapters"]:
        clip = folder / c["file"]
        assert c["size"] == clip.stat().st_size and c["sha256"] == sha256_file(clip)
        assert c["duration"] == c["frames"] / FPS > 5
        assert len(c["cache_key"]) == 32 and (real_out / ".cache" / "entries" / c["cache_key"]).is_dir()
        assert "theme" in c["reads"] and set(c["params"]) == set(c["reads"])
        assert c["ledger"] and all({"label", "value", "text"} <= set(row) for row in c["ledger"])
        assert c["sections"] and c["cues"]
    by_slug = {c["slug"]: c for c in m["chapters"]}
    assert by_slug["problem1_sigma_prime"]["params"]["problem1.z"] == 5.0
    assert "problem1.z" not in by_slug[REAL[0]]["reads"]
    assert m["lecture"]["sha256"] == sha256_file(folder / "lecture.mp4")


def test_videos_are_h264_yuv420p_faststart(real_out):
    folder = real_out / "tiny"
    for path in [folder / "lecture.mp4", *sorted((folder / "clips").glob("*.mp4"))]:
        (video,) = [s for s in ffprobe(path, "-show_streams")["streams"] if s["codec_type"] == "video"]
        assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p"), path
        assert (video["width"], video["height"], video["r_frame_rate"]) == (192, 108, "5/1")
        assert is_faststart(path), path


def test_lecture_has_chapter_marks_and_the_sum_of_the_clips(real_out):
    folder = real_out / "tiny"
    m = manifest(folder)
    info = ffprobe(folder / "lecture.mp4", "-show_chapters", "-show_format")
    chapters = info["chapters"]
    assert [c["tags"]["title"] for c in chapters] == [c["title"] for c in m["chapters"]]
    clip_durations = [float(ffprobe(folder / c["file"], "-show_format")["format"]["duration"])
                      for c in m["chapters"]]
    start = 0.0
    for mark, d in zip(chapters, clip_durations, strict=True):
        assert float(mark["start_time"]) == pytest.approx(start, abs=1 / FPS)
        assert float(mark["end_time"]) == pytest.approx(start + d, abs=1 / FPS)
        start += d
    assert float(info["format"]["duration"]) == pytest.approx(sum(clip_durations), abs=1 / FPS)
    assert info["format"]["tags"]["title"] == "Sigmoid Saturation"


def test_captions_follow_the_lecture_timeline(real_out):
    folder = real_out / "tiny"
    m = manifest(folder)
    srt_cues = parse_srt((folder / "lecture.srt").read_text(encoding="utf-8"))
    header, vtt_cues = parse_vtt((folder / "lecture.vtt").read_text(encoding="utf-8"))
    assert header == "WEBVTT - Sigmoid Saturation"
    assert [(a, b) for a, b, _ in srt_cues] == [(a, b) for a, b, _ in vtt_cues]
    for (a, b, _), (c, _, _) in zip(srt_cues, srt_cues[1:], strict=False):
        assert a < b <= c  # in order, never overlapping
    # Every cue lies inside its chapter's speech (the last one ends with the last word)
    lecture_end = round(m["lecture"]["duration"] * 1000)
    assert srt_cues[-1][1] <= lecture_end
    for chapter in m["chapters"]:
        for cue in chapter["cues"]:
            beat = next(b for b in chapter["beats"] if b["start"] <= cue["start"] + 1e-9
                        and cue["start"] < b["start"] + b["speech"])
            assert cue["end"] <= beat["start"] + beat["speech"] + 1e-6, (chapter["slug"], cue["text"])
    for chapter in m["chapters"]:
        first = chapter["cues"][0]["text"]
        starts = [a for a, _, text in srt_cues if text == first]
        assert starts == [round((chapter["start"] + chapter["cues"][0]["start"]) * 1000)]
    said = [c["text"] for chapter in m["chapters"] for c in chapter["cues"]]
    assert [t for _, _, t in srt_cues] == said


def test_progress_is_one_display_without_manim_bars(real_out):
    err = (real_out / "first-run.stderr").read_text(encoding="utf-8")
    assert "chapters" in err and "2/2" in err
    assert "Animation" not in err and "it/s" not in err


def test_second_render_with_nothing_changed_renders_nothing(real_copy):
    folder = real_copy / "tiny"
    before = snapshot(folder)
    times = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    started = time.monotonic()
    done = sigsat("render", "-q", "tiny", "--only", ",".join(REAL), "--out", str(real_copy), *DRAFT_VOICE,
                  "--quiet")
    took = time.monotonic() - started
    assert done.returncode == 0 and done.stderr == "" and done.stdout == ""
    assert manifest(folder)["run"]["rendered"] == []
    after = snapshot(folder)
    assert {k: v for k, v in after.items() if k != "manifest.json"} == \
           {k: v for k, v in before.items() if k != "manifest.json"}
    for p, t in times.items():  # not even rewritten
        if p.name not in ("manifest.json", ".lock"):
            assert p.stat().st_mtime_ns == t, p
    assert took < 15, f"a no-op render took {took:.1f} s"


def test_set_renders_again_exactly_the_chapters_that_read_the_key(real_copy):
    folder = real_copy / "tiny"
    before = snapshot(folder)
    done = sigsat("render", "-q", "tiny", "--only", ",".join(REAL), "--out", str(real_copy), *DRAFT_VOICE,
                  "--set", "problem1.z=4")
    assert done.returncode == 0, done.stderr
    assert f"{STEMS[REAL[1]][:2]} problem1_sigma_prime renders: problem1.z 5.0 -> 4.0" in done.stderr
    m = manifest(folder)
    assert m["run"]["rendered"] == ["problem1_sigma_prime"]
    assert m["run"]["cached"] == [REAL[0]]
    after = snapshot(folder)
    first, second = (f"clips/{STEMS[slug]}.mp4" for slug in REAL)
    assert after[first] == before[first]
    assert after[second] != before[second]
    assert after["lecture.mp4"] != before["lecture.mp4"]
    p1 = next(c for c in m["chapters"] if c["slug"] == "problem1_sigma_prime")
    assert p1["params"]["problem1.z"] == 4.0
    assert any(row["args"] and 4.0 in row["args"] for row in p1["ledger"])
    assert json.loads(json.dumps(m["params"]))["problem1.z"] == 4.0
