"""What the voice costs: cold synthesis of the whole lecture's speech, and a cold render with
the voice beside the same render silent (`--voice none`, timed identically), then a no-op run.

    .venv/bin/python bench/voice_bench.py [--quality hd] [--jobs 2] [--skip-renders]

Writes bench/results/voice-<quality>.json. A benchmark, not a test: run it on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sigsat_core.contract import Manifest  # noqa: E402


def _synthesise(texts: list[str]) -> tuple[float, float]:
    """Seconds of speech made, and seconds taken, for these texts (one process, model loaded once)."""
    from sigsat_core.speech.engine import Piper

    voice = Piper()
    voice.speak("Warm up.")
    started = time.perf_counter()
    spoken = sum(voice.speak(t).duration for t in texts)
    return spoken, time.perf_counter() - started


def synthesis(manifest: Manifest, jobs: int) -> dict[str, float]:
    """Every beat of the lecture spoken afresh, split over `jobs` processes."""
    texts = [b.spoken for c in manifest.chapters for b in c.beats if b.spoken]
    shares = [texts[i::jobs] for i in range(jobs)]
    started = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        results = list(pool.map(_synthesise, shares))
    wall = time.perf_counter() - started
    speech = sum(s for s, _ in results)
    one_text = max(texts, key=len)
    one_speech, one_seconds = _synthesise([one_text])
    return {"beats": len(texts), "speech_seconds": round(speech, 1), "wall_seconds": round(wall, 1),
            "wall_over_speech": round(wall / speech, 3),
            "one_beat_real_time_factor": round(one_seconds / one_speech, 3)}


def render(out: Path, quality: str, jobs: int, *extra: str) -> float:
    """Wall seconds of one `sigsat render` into `out`."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sigsat", "render", "-q", quality, "--jobs", str(jobs),
                    "--out", str(out), "--quiet", *extra], check=True, cwd=ROOT)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", default="hd")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--skip-renders", action="store_true", help="only the synthesis figures")
    parser.add_argument("--out", type=Path, default=ROOT / "out", help="a rendered lecture to take the beats from")
    args = parser.parse_args()
    results: dict[str, object] = {"quality": args.quality, "jobs": args.jobs}
    with tempfile.TemporaryDirectory(prefix="voice-bench-") as tmp:
        work = Path(tmp)
        if not args.skip_renders:
            silent = render(work / "silent", args.quality, args.jobs, "--voice", "none")
            voiced = render(work / "voiced", args.quality, args.jobs)
            noop = render(work / "voiced", args.quality, args.jobs)
            manifest = Manifest.read(work / "voiced" / args.quality / "manifest.json")
            results["render"] = {"silent_cold_seconds": round(silent, 1), "voiced_cold_seconds": round(voiced, 1),
                                 "voiced_over_silent": round(voiced / silent, 3),
                                 "noop_seconds": round(noop, 2),
                                 "lecture_seconds": round(manifest.lecture.duration, 1)}
        else:
            manifest = Manifest.read(args.out / args.quality / "manifest.json")
        results["synthesis"] = synthesis(manifest, args.jobs)
        shutil.rmtree(work, ignore_errors=True)
    dest = ROOT / "bench" / "results" / f"voice-{args.quality}.json"
    dest.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
