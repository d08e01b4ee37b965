"""A chapter renders in parts (sigsat.parts): each part replays the sections before it unseen
and draws its own. The joined parts are the frames a whole render draws, and a parameter
change draws again only the parts that read it."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sigsat.contract import Job, Plan, PlanSection, QualitySpec, VoiceSpec
from sigsat.parts import split
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


def _job(slug: str, scene: str, work: Path, name: str, **fields: object) -> Path:
    from sigsat_math.params import DEFAULTS

    job = Job(module=f"scenes.{slug}", scene=scene, slug=slug, title=scene,
              quality=QualitySpec(name="tiny", width=192, height=108, fps=5), format="mp4",
              transparent=False, params=DEFAULTS.flat(), work=str(work / name),
              tex_dir=str(work / "tex"), speech_dir=str(work / "speech"),
              entry_final=str(work / "cache" / "entries" / name), key=name, parts={},
              voice=VoiceSpec(kind="none"), keep_lossless=True, **fields)  # type: ignore[arg-type]
    path = work / f"{name}.json"
    job.write(path)
    return path


def _worker(job: Path) -> str:
    """Run a worker job as the renderer does; its output if it failed, else ''."""
    env = {**os.environ, "PYTHONHASHSEED": "0"}  # as the renderer starts its processes
    done = subprocess.run([sys.executable, "-m", "sigsat.worker", str(job)], capture_output=True,
                          text=True, timeout=900, env=env)
    return "" if done.returncode == 0 else done.stdout[-3000:] or f"exit status {done.returncode}"


def _framemd5(movie: Path) -> list[str]:
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", str(movie), "-f", "framemd5", "-"],
                         capture_output=True, text=True, check=True).stdout
    return [line.rsplit(",", 1)[1].strip() for line in out.splitlines() if not line.startswith("#")]


def _chapters() -> list[tuple[str, str]]:
    import scenes

    return [(c.slug, c.scene) for c in scenes.CHAPTERS]


@dataclass
class ThreeWays:
    """A chapter rendered whole (cut into parts as it went) and as its even and its odd
    sections (each process replaying the others unseen): where each put its frames."""

    plan: Plan | None = None
    whole: list[Path] = field(default_factory=list)  # the whole render's parts' movies, in order
    halves: dict[str, Path] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def three_ways(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ThreeWays]:
    """Every chapter three ways at tiny, on 2 processes at a time: each chapter's whole render
    first (its LaTeX is then shared), then its halves."""
    work = tmp_path_factory.mktemp("three-ways")
    found = {slug: ThreeWays() for slug, _ in _chapters()}
    with ThreadPoolExecutor(2) as pool:
        wholes = {pool.submit(_worker, _job(slug, scene, work, f"{slug}-whole", mode="whole")): (slug, scene)
                  for slug, scene in _chapters()}
        halves = []
        for future in as_completed(wholes):
            slug, scene = wholes[future]
            if error := future.result():
                found[slug].errors.append(f"whole: {error}")
                continue
            folder = work / f"{slug}-whole"
            plan = found[slug].plan = Plan.read(folder / "whole" / "plan.json")
            found[slug].whole = sorted(folder.glob("part-*/entry/lossless.mov"),
                                       key=lambda p: int(p.parent.parent.name.split("-")[1]))
            n = len(plan.sections)
            for half, only in {"even": list(range(0, n, 2)), "odd": list(range(1, n, 2))}.items():
                if only:
                    name = f"{slug}-{half}"
                    found[slug].halves[half] = work / "cache" / "parts" / name / "lossless.mov"
                    halves.append((slug, half, pool.submit(_worker, _job(slug, scene, work, name, only=only))))
        for slug, half, future in halves:
            if error := future.result():
                found[slug].errors.append(f"{half}: {error}")
    return found


@pytest.mark.slow
@pytest.mark.parametrize(("slug", "scene"), _chapters())
def test_parts_join_to_the_frames_of_a_whole_render(three_ways, slug, scene):
    # Every section boundary is crossed both ways, drawing and replaying, by the halves; the
    # whole render's own parts are the frames it drew.
    got = three_ways[slug]
    assert not got.errors, got.errors
    assert got.plan is not None
    frames = [md5 for movie in got.whole for md5 in _framemd5(movie)]
    assert len(got.whole) == len(split(got.plan)) and len(frames) == got.plan.frames
    drawn = {half: iter(_framemd5(movie)) for half, movie in got.halves.items()}
    joined = []
    for i, sec in enumerate(got.plan.sections):
        source = drawn["even" if i % 2 == 0 else "odd"]
        joined.extend(next(source) for _ in range(sec.end - sec.start))
    assert all(next(it, None) is None for it in drawn.values())  # nothing left over
    assert joined == frames


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
    ("late", FAKE, fake_env()),  # two parts of 30 s and more
    ("sigmoid_curves", (), None),  # a real chapter, TransformMatchingTex and all
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
