"""Rendering speed, side by side in one run: sigsat cold, plain sequential manim of the same
scenes, the encode floor of sigsat's own frames, a no-op render, `--set problem1.z=4`, and a
simulated N-core schedule from the measured per-part costs, for chapters rendered whole (as
the cold run chose) and split (a second run, every chapter a plan and its parts).

    PYTHONPATH=$PWD .venv/bin/python bench/speed_bench.py --quality hd          # ~20 min at hd
    PYTHONPATH=$PWD .venv/bin/python bench/speed_bench.py --quality preview --skip-manim

The encode floor decodes lecture.mp4 and encodes its frames again with the renderer's x264
settings (sigsat_core.qualities.X264) on as many threads as sigsat had jobs. The schedule replays
the renderer's policy (plans first, then parts longest first; a chapter joins when its parts
are done) on N workers with each job's measured seconds (from the chapters' logs) plus a
process start. Results: bench/results/speed-<quality>.json.
"""

from __future__ import annotations

import argparse
import heapq
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.render_bench import manim_render, sigsat_render, timed  # noqa: E402
from sigsat.chapters import Loaded, load, registry  # noqa: E402
from sigsat_core.qualities import X264  # noqa: E402

PLANNED = re.compile(r"manim planned (\w+) in ([0-9.]+) s")
WHOLE = re.compile(r"manim drew (\w+) in ([0-9.]+) s \(whole\)")
PART = re.compile(r"manim drew (\w+) in ([0-9.]+) s \(part\)")
ENCODED = re.compile(r"part (\d+)-(\d+) of (\w+): (\d+) frames, encoded in ([0-9.]+) s")


@dataclass
class Chapter:
    """A chapter's measured jobs: its plan (or its whole render) and its parts (seconds)."""

    name: str
    plan: float = 0.0
    parts: list[float] = field(default_factory=list)


def measured(cache: Path, quality: str) -> list[Chapter]:
    """Per chapter, the plan's and every part's seconds, from the last logs."""
    out = []
    for log in sorted((cache / "logs" / quality).glob("*.log")):
        text = log.read_text(encoding="utf-8", errors="replace")
        chapter = Chapter(log.stem)
        # A chapter rendered whole is one job (its parts encoded beside its drawing); a split
        # one is its plan, then its parts (each drawn, then encoded).
        plans, wholes = PLANNED.findall(text), WHOLE.findall(text)
        encodes = [float(m[4]) for m in ENCODED.findall(text)]
        if wholes:
            chapter.plan = float(wholes[-1][1]) + (encodes[-1] if encodes else 0.0)
        else:
            chapter.plan = float(plans[-1][1]) if plans else 0.0
            drawn = [float(m[1]) for m in PART.findall(text)]
            chapter.parts = [d + e for d, e in zip(drawn, encodes[-len(drawn):], strict=False)]
        out.append(chapter)
    return out


def startup() -> float:
    """Seconds for a worker process to start (Python, manim and the scenes imported)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sigsat.worker, manim, scenes.base"], check=True,
                   cwd=ROOT)
    return time.perf_counter() - started


def simulate(chapters: list[Chapter], workers: int, start: float) -> tuple[float, str]:
    """The renderer's schedule on `workers` cores: makespan, and what bounds it."""
    free = [0.0] * workers
    heapq.heapify(free)
    ready: list[tuple[float, float, str]] = []  # (-seconds, available at, chapter)
    critical = 0.0
    critical_name = ""
    for c in chapters:  # plans first, in chapter order
        t = heapq.heappop(free)
        done = t + start + c.plan
        heapq.heappush(free, done)
        for p in c.parts:
            ready.append((-(start + p), done, c.name))
        # The chapter's own chain (its first job, then its longest part), not when the
        # schedule reached it: what no number of cores can shorten.
        longest = start + c.plan + (start + max(c.parts) if c.parts else 0.0)
        if longest > critical:
            critical, critical_name = longest, c.name
    ready.sort()
    makespan = max(free)
    pending = ready
    while pending:
        t = heapq.heappop(free)
        # Longest part that is ready by t, else the one ready soonest.
        i = next((k for k, r in enumerate(pending) if r[1] <= t), None)
        if i is None:
            i = min(range(len(pending)), key=lambda k: pending[k][1])
        cost, at, _ = pending.pop(i)
        done = max(t, at) + -cost
        heapq.heappush(free, done)
        makespan = max(makespan, done)
    total = sum(start + c.plan + sum(start + p for p in c.parts) for c in chapters)
    bound = (f"the longest chapter's chain ({critical_name}, {critical:.0f} s)"
             if critical >= total / workers else f"total work over cores ({total / workers:.0f} s)")
    return makespan, bound


def floor(lecture: Path, threads: int) -> float:
    """Decode the lecture's frames and encode them again with the renderer's settings."""
    settings = list(X264)
    settings[settings.index("-threads") + 1] = str(threads)
    return timed(["ffmpeg", "-nostdin", "-v", "error", "-i", str(lecture), "-an", "-sn", *settings,
                  "-f", "null", "-"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quality", default="hd")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-manim", action="store_true", help="leave out plain manim (slow)")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--simulate", type=Path, metavar="CACHE",
                        help="only the simulated schedules, from the logs of CACHE's last render")
    args = parser.parse_args()
    if args.simulate:
        found, start = measured(args.simulate, args.quality), startup()
        print(json.dumps({"process start": round(start, 2),
                          "per chapter": {c.name: {"first job": c.plan, "parts": c.parts} for c in found},
                          "simulated": {n: dict(zip(("wall", "bound"), simulate(found, n, start), strict=True))
                                        for n in (2, 8, 32)}}, indent=2))
        return
    chapters = [c for c in (load(r) for r in registry()) if isinstance(c, Loaded)]
    only = [c.ref.slug for c in chapters]
    row: dict[str, object] = {"quality": args.quality, "jobs": args.jobs}
    with tempfile.TemporaryDirectory(prefix="sigsat-speed-") as tmp:
        work = Path(tmp)
        out = work / "out"
        row["sigsat cold"] = round(sigsat_render(args.quality, out, only, args.jobs, []), 1)
        print(row, flush=True)
        lecture = out / args.quality / "lecture.mp4"
        row["encode floor"] = round(floor(lecture, args.jobs), 1)
        costs = measured(out / ".cache", args.quality)
        row["no-op"] = round(sigsat_render(args.quality, out, only, args.jobs, []), 2)
        row["--set problem1.z=4"] = round(
            sigsat_render(args.quality, out, only, args.jobs, ["--set", "problem1.z=4"]), 1)
        print(row, flush=True)
        # Every chapter split (a plan, then a process per part, replaying the sections before
        # it): the per-beat costs a bigger machine or a cluster would schedule.
        row["split, every part drawn again"] = round(sigsat_render(
            args.quality, work / "split", only, args.jobs,
            ["--cache", str(out / ".cache"), "--split", "parts", "--force"]), 1)
        split_costs = measured(out / ".cache", args.quality)
        print(row, flush=True)
        if not args.skip_manim:
            row["plain manim, sequential"] = round(manim_render(args.quality, work / "media", chapters, None), 1)
        start = startup()
        row["process start"] = round(start, 2)
        for name, found in (("whole", costs), ("split", split_costs)):
            row[f"per chapter, {name}"] = {c.name: {"first job": c.plan, "parts": c.parts} for c in found}
            row[f"simulated, {name}"] = {
                n: {"wall": round(wall, 1), "bound": bound}
                for n in (2, 8, 32) for wall, bound in [simulate(found, n, start)]}
    cold = float(row["sigsat cold"])  # type: ignore[arg-type]
    row["cold / encode floor"] = round(cold / float(row["encode floor"]), 2)  # type: ignore[arg-type]
    if "plain manim, sequential" in row:
        row["cold / plain manim"] = round(cold / float(row["plain manim, sequential"]), 2)  # type: ignore[arg-type]
    print(json.dumps(row, indent=2))
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / f"speed-{args.quality}.json").write_text(json.dumps(row, indent=2) + "\n",
                                                             encoding="utf-8")


if __name__ == "__main__":
    main()
