"""Render benchmark: `sigsat render` against plain sequential `manim render`, side by side.

For each quality, in one run, on the same chapters at the same size and frame rate:

1. cold: nothing cached (a fresh output folder for sigsat, a fresh media folder for manim);
2. no-op: the same again, nothing changed;
3. one parameter changed (`--set KEY=VALUE`; manim gets the same through SIGSAT_PARAMS and,
   not knowing which chapters read it, renders all of them again).

manim renders the chapters one after another with its own cache on (its default), as
`manim render -r W,H --fps F scenes/<chapter>.py <Scene>`. The table (markdown) goes to
stdout and the numbers to bench/results/<quality>.json.

    .venv/bin/python bench/render_bench.py                      # preview and hd
    .venv/bin/python bench/render_bench.py --quality preview --only sigmoid_curves,problem1_sigma_prime
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sigsat.chapters import Loaded, load, registry, select  # noqa: E402
from sigsat.logger import console  # noqa: E402
from sigsat_core.qualities import QUALITIES  # noqa: E402
from sigsat_math.params import load as load_params  # noqa: E402
from sigsat_math.params import to_toml  # noqa: E402


@dataclass
class Timing:
    """One measured step."""

    step: str
    sigsat: float
    manim: float

    @property
    def ratio(self) -> float:
        """How many times faster sigsat was."""
        return self.manim / self.sigsat if self.sigsat else float("inf")


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    """Run a command; its wall time in seconds (it must succeed)."""
    started = time.monotonic()
    done = subprocess.run(cmd, env={**os.environ, **(env or {})}, cwd=ROOT,
                          capture_output=True, text=True)
    took = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-3000:]}")
    return took


def timed_sigsat(cmd: list[str]) -> float:
    """A sigsat command run quietly; its wall time in seconds (it must succeed)."""
    return timed([sys.executable, "-m", "sigsat", *cmd, "--quiet"])


def sigsat_render(quality: str, out: Path, only: list[str], jobs: int | None,
                  extra: list[str]) -> float:
    """`sigsat render` quietly; wall seconds."""
    cmd = [sys.executable, "-m", "sigsat", "render", "--quality", quality, "--out", str(out),
           "--only", ",".join(only), "--quiet", *extra]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    return timed(cmd)


def manim_render(quality: str, media: Path, chapters: list[Loaded],
                 params_file: Path | None) -> float:
    """Every chapter with manim's own CLI, one after another; wall seconds in total."""
    q = QUALITIES[quality]
    env = {"SIGSAT_PARAMS": str(params_file)} if params_file else {}
    total = 0.0
    for c in chapters:
        total += timed([sys.executable, "-m", "manim", "render", "-r", f"{q.width},{q.height}",
                        "--fps", str(q.fps), "--media_dir", str(media), "-v", "WARNING",
                        "--progress_bar", "none", str(c.ref.file), c.ref.scene], env)
    return total


def pick_change(chapters: list[Loaded]) -> str:
    """A parameter read by exactly one of the chapters (problem1.z when it can)."""
    reads = [k for c in chapters for k in c.reads if k != "theme"]
    if "problem1.z" in reads and reads.count("problem1.z") == 1:
        return "problem1.z=4"
    for key in reads:
        if reads.count(key) == 1:
            value = load_params().get(key)
            if isinstance(value, bool):
                return f"{key}={'false' if value else 'true'}"
            if isinstance(value, (int, float)):
                return f"{key}={value + 1}"
    raise SystemExit("no parameter is read by exactly one of these chapters; pass --set")


def bench(quality: str, chapters: list[Loaded], change: str, jobs: int | None,
          work: Path) -> tuple[list[Timing], dict[str, float]]:
    """The three steps for one quality, and the lecture's length and size."""
    only = [c.ref.slug for c in chapters]
    out, media = work / "out", work / "media"
    params_file = work / "changed.toml"
    params_file.write_text(to_toml(load_params(None, [change])), encoding="utf-8")
    steps = []
    for step, extra, file in (("cold", [], None), ("no-op", [], None),
                              (f"--set {change}", ["--set", change], params_file)):
        s = sigsat_render(quality, out, only, jobs, extra)
        m = manim_render(quality, media, chapters, file)
        steps.append(Timing(step, s, m))
        console.print(f"  {quality} {step}: sigsat {s:.1f} s, manim {m:.1f} s")
    made = json.loads((out / quality / "manifest.json").read_text(encoding="utf-8"))
    sizes = {"lecture_seconds": made["lecture"]["duration"],
             "lecture_mb": round(made["lecture"]["size"] / 1e6, 2),
             "clips_mb": round(sum(c["size"] for c in made["chapters"]) / 1e6, 2)}
    return steps, sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quality", nargs="+", default=["preview", "hd"], choices=list(QUALITIES))
    parser.add_argument("--only", default="", help="chapters (default: every one that loads)")
    parser.add_argument("--set", dest="change", default=None, help="the one parameter to change")
    parser.add_argument("--jobs", type=int, default=None, help="sigsat --jobs (default: cores)")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()

    loaded = [load(ref) for ref in select([args.only] if args.only else [], registry())]
    chapters = [c for c in loaded if isinstance(c, Loaded)]
    skipped = [c.ref.slug for c in loaded if not isinstance(c, Loaded)]
    if skipped:
        console.print(f"skipping chapters that do not load: {', '.join(skipped)}")
    change = args.change or pick_change(chapters)
    readers = [c.ref.slug for c in chapters if change.split("=")[0] in c.reads]
    args.results.mkdir(parents=True, exist_ok=True)
    cores = len(os.sched_getaffinity(0))
    print(f"{len(chapters)} chapters: {', '.join(c.ref.slug for c in chapters)}; "
          f"{cores} cores; sigsat --jobs {args.jobs or cores}; "
          f"--set {change} is read by {', '.join(readers)}\n")
    print("| quality | step | sigsat (s) | manim, sequential (s) | manim / sigsat |")
    print("|---|---|---:|---:|---:|")
    for quality in args.quality:
        with tempfile.TemporaryDirectory(prefix=f"sigsat-bench-{quality}-") as tmp:
            steps, sizes = bench(quality, chapters, change, args.jobs, Path(tmp))
        for t in steps:
            print(f"| {quality} ({QUALITIES[quality].label}) | {t.step} | {t.sigsat:.1f} | "
                  f"{t.manim:.1f} | {t.ratio:.1f}x |", flush=True)
        console.print(f"  {quality}: lecture {sizes['lecture_seconds']:.0f} s, "
                      f"{sizes['lecture_mb']} MB; clips {sizes['clips_mb']} MB")
        (args.results / f"{quality}.json").write_text(json.dumps({
            "quality": quality, "chapters": [c.ref.slug for c in chapters], "change": change,
            "readers": readers, "cores": cores, "jobs": args.jobs or cores, **sizes,
            "steps": [{"step": t.step, "sigsat": round(t.sigsat, 2), "manim": round(t.manim, 2),
                       "ratio": round(t.ratio, 2)} for t in steps],
        }, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
