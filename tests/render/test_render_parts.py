"""A chapter renders in parts (sigsat.parts): each part replays the sections before it unseen
and draws its own. A part drawn alone is the part a whole render draws (every chapter), whole
and split renders give the same bytes, and a parameter change draws again only the parts that
read it."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from sigsat.executors import worker_env
from sigsat.parts import MIN_PART_SECONDS, split
from sigsat_core.contract import Entry, Job, PartEntry, Plan, PlanSection, Quality, VoiceSpec
from tests.render.conftest import FAKE, fake_env, manifest, sigsat


def _plan(*seconds: float, fps: int = 10) -> Plan:
    bounds = [0]
    for s in seconds:
        bounds.append(bounds[-1] + round(s * fps))
    sections = [PlanSection(name=f"s{i}", start=a, end=b, reads=["theme", f"k{i}"])
                for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))]
    return Plan(scene="S", fps=fps, frames=bounds[-1], sections=sections)


def test_parts_are_cut_forwards_at_the_first_section_end_past_the_minimum():
    spans = split(_plan(10, 25, 40, 5, 0, 31, 3))
    assert [(s.first, s.last) for s in spans] == [(0, 1), (2, 2), (3, 5), (6, 6)]
    assert spans[0].reads == ("theme", "k1") and spans[0].frames == 350
    # What comes later does not move an earlier cut.
    assert split(_plan(10, 25, 40, 5, 0, 31, 3))[:2] == split(_plan(10, 25, 40, 99))[:2]
    # A part without frames is not drawn.
    assert [(s.first, s.last) for s in split(_plan(30, 0))] == [(0, 0)]


def _last_part_job(lecture: Path, chapter: dict[str, Any], work: Path) -> tuple[Job, Path]:
    """The job that draws the chapter's last part alone, as the renderer would give it (its
    key, sections, parameters, voice), publishing into a cache of its own; and the part the
    lecture's render stored (drawn by the whole chapter's one process, which cut it as it went)."""
    m = manifest(lecture)
    cache = lecture.parent / ".cache"
    entry = Entry.read(cache / "entries" / chapter["cache_key"] / "entry.json")
    stored = cache / "parts" / entry.part_keys[-1]
    part = PartEntry.read(stored / "part.json")
    q = m["width"], m["height"], m["fps"]
    job = Job(module=f"scenes.{chapter['slug']}", scene=chapter["scene"], slug=chapter["slug"],
              title=chapter["title"], quality=Quality(name=m["quality"], width=q[0], height=q[1], fps=q[2]),
              format="mp4", transparent=False, params=m["params"], work=str(work),
              tex_dir=str(cache / "tex" / m["quality"]), speech_dir=str(cache / "speech"),
              cache=str(work / "cache"), key=part.key,
              inputs={}, voice=VoiceSpec.model_validate(m["voice"]), mode="part", first=part.first,
              last=part.last)
    return job, stored


@pytest.mark.slow
def test_every_chapters_last_part_drawn_alone_is_the_part_its_whole_render_drew(tiny_out, tmp_path):
    # Each chapter of the session's lecture was drawn whole by one process, cut into parts as it
    # went. Its last part, drawn by a process of its own that replays every section before it
    # unseen, must be the same part: the same H.264 bytes, so the same frames (the encode is a
    # function of the frames: test_render_determinism). Every chapter, two processes at a time.

    def draw(chapter: dict[str, Any]) -> tuple[str, str, str, str]:
        work = tmp_path / chapter["slug"]
        job, stored = _last_part_job(tiny_out, chapter, work)
        if job.first == 0:  # one part: the renderer never splits it, so nothing is replayed
            # (no section before its last ends 30 s in, or it would have been cut there)
            assert chapter["sections"][-1]["start"] < MIN_PART_SECONDS, chapter["slug"]
            return (chapter["slug"], "whole", "", "")
        work.mkdir(parents=True)
        job.write(work / "job.json")
        done = subprocess.run([sys.executable, "-m", "sigsat.worker", str(work / "job.json")],
                              capture_output=True, text=True, timeout=900, env=worker_env())
        assert done.returncode == 0, done.stdout[-3000:]
        drawn = work / "cache" / "parts" / job.key / "video.mp4"
        return (chapter["slug"], f"{job.first}-{job.last}", _sha256(drawn), _sha256(stored / "video.mp4"))

    chapters = manifest(tiny_out)["chapters"]
    assert len(chapters) == 9
    with ThreadPoolExecutor(2) as pool:
        found = list(pool.map(draw, chapters))
    assert [row for row in found if row[2] != row[3]] == []
    assert sum(row[1] != "whole" for row in found) >= 6, found  # most chapters are split


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_a_change_draws_again_only_the_parts_that_read_it(tmp_path):
    out = tmp_path / "out"
    args = ("render", *FAKE, "-q", "tiny", "--only", "late", "--voice", "none", "--out", str(out))
    first = sigsat(*args, env=fake_env())
    assert first.returncode == 0, first.stderr
    assert "whole, 2 of 2 parts drawn" in first.stderr  # one process, cut as it went
    store = out / ".cache" / "parts"
    before = {p.name for p in store.iterdir()}
    assert len(before) == 2
    again = sigsat(*args, "--set", "problem1.z=4", env=fake_env())
    assert again.returncode == 0, again.stderr
    assert "split, 1 of 2 parts drawn" in again.stderr  # a plan, then the circle's part
    after = {p.name for p in store.iterdir()}
    assert len(after - before) == 1  # the circle's part; the square's was used as it was
    chapter = manifest(out / "tiny")["chapters"][0]
    assert chapter["frames"] == round(chapter["duration"] * 5)



def _render(out: Path, split: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Render at tiny without a voice on 2 jobs, whole or split as asked; the run's log."""
    done = sigsat("render", "-q", "tiny", "--voice", "none", "--jobs", "2", "--split", split,
                  "--out", str(out), *args, env=env)
    assert done.returncode == 0, done.stderr
    return done.stderr


def _hashes(folder: Path, pattern: str) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.glob(pattern))}


@pytest.mark.slow
@pytest.mark.parametrize(("slug", "args", "env"), [
    ("late", FAKE, fake_env()),  # two parts of 30 s and more (the real chapters: above)
])
def test_whole_and_split_renders_give_the_same_bytes(tmp_path, slug, args, env):
    # The chapter rendered by one process (cutting its parts as it goes) and by a plan and a
    # process per part: the same parts, the same clip, byte for byte.
    logs = {"whole": _render(tmp_path / "whole", "whole", *args, "--only", slug, env=env)}
    # The formulas' LaTeX, not compiled twice (it is no part of a part's key).
    shutil.copytree(tmp_path / "whole" / ".cache" / "tex", tmp_path / "parts" / ".cache" / "tex")
    logs["parts"] = _render(tmp_path / "parts", "parts", *args, "--only", slug, env=env)
    assert "whole, " in logs["whole"] and "split, " in logs["parts"]
    clips = {split: _hashes(tmp_path / split / "tiny", "clips/*") for split in logs}
    assert len(clips["whole"]) == 1 and clips["whole"] == clips["parts"]
    parts = {split: _hashes(tmp_path / split / ".cache" / "parts", "*/video.mp4") for split in logs}
    assert parts["whole"] and parts["whole"] == parts["parts"]
    assert len(parts["whole"]) >= 2  # cut at least once, as the whole render went
    # The chapter's kept log has every one of its processes: the plan and each part.
    log = next((tmp_path / "parts" / ".cache" / "logs" / "tiny").glob(f"*_{slug}.log")).read_text()
    assert log.count("manim planned ") == 1 and log.count(" (part)") == len(parts["parts"]), log
