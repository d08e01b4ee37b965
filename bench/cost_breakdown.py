"""Where a chapter's render time goes: one chapter rendered in this process under cProfile.

The chapter is rendered as the worker renders it (`sigsat.worker.run`, silent voice so the
speech synthesis is not counted), and the profile is split into:

- cairo: rasterising mobjects (manim's Camera, pycairo);
- manim python: everything else manim does per frame and per animation (interpolation,
  updaters, deep copies, mobject building, LaTeX and text SVG parsing);
- layout: the layout check and the numbers ledger (`scenes.layout`, `ChapterScene.value`);
- encode: manim writing its lossless movie (the segment encoder, timed in its own thread),
  and ffmpeg encoding the H.264 master (`sigsat_core.encode.h264`);
- sigsat: our own steps after manim (soundtrack and mux, poster, probes, the entry).

    PYTHONPATH=$PWD .venv/bin/python bench/cost_breakdown.py --quality hd --only ball_on_surfaces

Results go to bench/results/cost-<quality>.json (merged with earlier runs' chapters).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (category, predicate on (file, function)); the first match of a frame's *own* time wins.
CAIRO = ("camera/camera.py", "cairo")
LAYOUT = ("scenes/layout.py",)


def category(file: str, func: str) -> str:
    """The cost category of a profiled function's own time."""
    if any(p in file for p in LAYOUT) or func in ("_check_layout", "layout_problems", "value"):
        return "layout"
    if any(p in file for p in CAIRO) or "cairo" in func.lower():
        return "cairo"
    if "sigsat/" in file and "sigsat_math" not in file:
        return "sigsat"
    if "subprocess.py" in file or func in ("<method 'poll' of 'select.poll' objects>",
                                           "<built-in method posix.waitpid>",
                                           "<built-in method posix.read>"):
        return "subprocess"
    return "manim python"


def split(stats: pstats.Stats) -> dict[str, float]:
    """Own time by category; time spent waiting on a subprocess goes to its caller's step."""
    out: dict[str, float] = {}
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (file, _line, func), (_cc, _nc, tt, _ct, _callers) in raw.items():
        cat = category(file, func)
        out[cat] = out.get(cat, 0.0) + tt
    return out


def cumulative(stats: pstats.Stats, file_part: str, func: str) -> float:
    """Cumulative time of one function (0 when it never ran)."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    return sum(ct for (file, _l, f), (_cc, _nc, _tt, ct, _c) in raw.items()
               if f == func and file_part in file)


def profile_chapter(slug: str, quality: str, work: Path) -> dict[str, Any]:
    """Render one chapter in-process under cProfile; its cost by category (seconds)."""
    from sigsat.cache import Cache, chapter_key
    from sigsat.chapters import Loaded, load, registry, select
    from sigsat.worker import run
    from sigsat_core.contract import Job, VoiceSpec
    from sigsat_core.qualities import QUALITIES
    from sigsat_math.params import load as load_params

    ref = select([slug], registry())[0]
    loaded = load(ref)
    assert isinstance(loaded, Loaded)
    q, params, voice = QUALITIES[quality], load_params(), VoiceSpec(kind="none")
    key = chapter_key(ref, loaded.reads, params, q, "mp4", False, voice)
    cache = Cache(work / "cache")
    job = Job(module=ref.module, scene=ref.scene, slug=ref.slug, title=ref.title,
              quality=q,
              format="mp4", transparent=False, params=params.flat(), work=str(work / "job"),
              tex_dir=str(cache.tex / q.name), speech_dir=str(cache.speech),
              cache=str(cache.root), key=key.digest, inputs=key.inputs,
              voice=voice)
    # manim's segment encoder runs in threads cProfile does not see: time it around the call.
    writer = _time_segment_encoder()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    run(job)
    profiler.disable()
    wall = time.perf_counter() - started
    profiler.dump_stats(str(work.parent / f"sigsat-cost-{slug}-{quality}.prof"))
    stats = pstats.Stats(profiler)
    own = split(stats)
    h264 = cumulative(stats, "sigsat/encode.py", "h264")
    steps = {"soundtrack + mux": cumulative(stats, "sigsat/assemble.py", "soundtrack"),
             "poster": cumulative(stats, "sigsat/encode.py", "poster"),
             "manim render (construct to movie)": cumulative(stats, "manim/scene/scene.py", "render")}
    layout = cumulative(stats, "scenes/base.py", "_check_layout")
    ledger = cumulative(stats, "scenes/base.py", "value")
    deepcopy = cumulative(stats, "copy.py", "deepcopy")
    updaters = cumulative(stats, "mobject/mobject.py", "update")
    cairo = sum(cumulative(stats, "camera/camera.py", f) for f in ("capture_mobjects",))
    # The sigsat steps that wait on ffmpeg are counted as their step, not as "subprocess".
    sigsat_steps = steps["soundtrack + mux"] + steps["poster"]
    manim_total = steps["manim render (construct to movie)"]
    frames = _frames(work)
    return {
        "chapter": slug, "quality": quality, "wall": round(wall, 2), "frames": frames,
        "cairo": round(cairo, 2),
        "manim python": round(manim_total - cairo - layout - ledger, 2),
        "  of which deepcopy": round(deepcopy, 2),
        "  of which updaters": round(updaters, 2),
        "layout check": round(layout, 2),
        "ledger": round(ledger, 2),
        "encode: manim lossless segments (thread)": round(writer.seconds, 2),
        "encode: ffmpeg h264": round(h264, 2),
        "sigsat: soundtrack, mux": round(steps["soundtrack + mux"], 2),
        "sigsat: poster": round(steps["poster"], 2),
        "sigsat: other": round(wall - manim_total - h264 - sigsat_steps, 2),
        "own time by category": {k: round(v, 2) for k, v in sorted(own.items())},
    }


class _SegmentTimer:
    seconds = 0.0


def _time_segment_encoder() -> _SegmentTimer:
    """Accumulate the wall time manim's segment encoders spend encoding frames."""
    from manim.scene import video_segment_encoder as sfw

    timer = _SegmentTimer()
    encoder = sfw.VideoSegmentEncoder
    original = encoder.write_frame if hasattr(encoder, "write_frame") else None
    if original is None:
        return timer

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            timer.seconds += time.perf_counter() - started

    encoder.write_frame = timed  # type: ignore[method-assign]
    return timer


def _frames(work: Path) -> int:
    from sigsat_core.contract import Entry

    entry = Entry.read(work / "job" / "entry" / "entry.json")
    return entry.frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quality", default="preview")
    parser.add_argument("--only", default="ball_on_surfaces")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    path = args.results / f"cost-{args.quality}.json"
    found = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for slug in args.only.split(","):
        with tempfile.TemporaryDirectory(prefix="sigsat-cost-") as tmp:
            row = profile_chapter(slug, args.quality, Path(tmp))
        found[slug] = row
        print(json.dumps(row, indent=2), flush=True)
    args.results.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
