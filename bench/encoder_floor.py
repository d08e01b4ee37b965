"""The encoder floor: x264 presets and tunes on the lecture's own frames.

Takes a lossless movie of a chapter (manim's QuickTime RLE: a part's `lossless.mov`, or any
losslessly encoded clip), encodes it at crf 23 with each preset x tune on one thread (as the
renderer does, for the same bytes every time), and reports the wall time, the size and the SSIM
against the lossless frames (ffmpeg's `ssim` filter against the RGB frames converted to yuv420p
once, losslessly, so only the encoder's loss is measured). Then a 10 s hold (one frame
repeated) with the chosen setting, to show what waits cost.

    PYTHONPATH=$PWD .venv/bin/python bench/encoder_floor.py LOSSLESS.mov [--seconds 20]

Results: bench/results/encoder.json.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRESETS = ("medium", "fast", "faster", "veryfast", "superfast")
TUNES = ("", "animation")
SSIM_FLOOR, SIZE_CEILING = 0.998, 1.10


def ffmpeg(*args: str) -> str:
    """Run ffmpeg; its stderr (where the ssim filter reports)."""
    done = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-y", *args], capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    return done.stderr


def encode(src: Path, dest: Path, preset: str, tune: str, seconds: float) -> float:
    """Encode like the renderer with this preset and tune; wall seconds."""
    extra = ["-tune", tune] if tune else []
    started = time.perf_counter()
    ffmpeg("-t", str(seconds), "-i", str(src), "-c:v", "libx264", "-crf", "23", "-preset", preset,
           *extra, "-pix_fmt", "yuv420p", "-threads", "1", "-an", str(dest))
    return time.perf_counter() - started


def ssim(reference: Path, encoded: Path) -> float:
    """SSIM (all planes) of an encode against the lossless reference."""
    err = ffmpeg("-i", str(encoded), "-i", str(reference), "-lavfi", "[0:v][1:v]ssim", "-f", "null", "-")
    found = re.findall(r"All:([0-9.]+)", err)
    return float(found[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("movie", type=Path)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="sigsat-enc-") as tmp:
        work = Path(tmp)
        # The reference: the lossless frames as the encoder sees them (yuv420p), losslessly.
        ref = work / "ref.mkv"
        ffmpeg("-t", str(args.seconds), "-i", str(args.movie), "-c:v", "ffv1", "-pix_fmt", "yuv420p",
               str(ref))
        # What every encode spends decoding the movie and converting it, measured once: the
        # encoder's own seconds are the rest.
        started = time.perf_counter()
        ffmpeg("-t", str(args.seconds), "-i", str(args.movie), "-pix_fmt", "yuv420p", "-f", "null", "-")
        decode = time.perf_counter() - started
        for preset in PRESETS:
            for tune in TUNES:
                dest = work / f"{preset}-{tune or 'none'}.mp4"
                took = encode(args.movie, dest, preset, tune, args.seconds)
                rows.append({"preset": preset, "tune": tune or "none", "seconds": round(took, 2),
                             "encoder seconds": round(took - decode, 2),
                             "bytes": dest.stat().st_size, "ssim": round(ssim(ref, dest), 5)})
                print(json.dumps(rows[-1]), flush=True)
        base = next(r for r in rows if r["preset"] == "medium" and r["tune"] == "none")
        ok = [r for r in rows if r["ssim"] >= SSIM_FLOOR and r["bytes"] <= SIZE_CEILING * base["bytes"]]
        # None may pass (a tiny test movie's SSIM is lower): medium is then kept, and said so.
        chosen = min(ok, key=lambda r: r["seconds"]) if ok else {**base, "met_rule": False}
        # A 10 s hold: one frame of the movie, repeated, encoded with the chosen setting.
        still, hold = work / "still.png", work / "hold.mp4"
        ffmpeg("-ss", "5", "-i", str(args.movie), "-frames:v", "1", str(still))
        fps = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                              "stream=r_frame_rate", "-of", "csv=p=0", str(args.movie)],
                             capture_output=True, text=True, check=True).stdout.strip()
        extra = ["-tune", str(chosen["tune"])] if chosen["tune"] != "none" else []
        started = time.perf_counter()
        ffmpeg("-loop", "1", "-framerate", fps, "-t", "10", "-i", str(still), "-pix_fmt", "yuv420p",
               "-f", "null", "-")
        hold_decode = time.perf_counter() - started
        started = time.perf_counter()
        ffmpeg("-loop", "1", "-framerate", fps, "-t", "10", "-i", str(still), "-c:v", "libx264",
               "-crf", "23", "-preset", str(chosen["preset"]), *extra, "-pix_fmt", "yuv420p",
               "-threads", "1", str(hold))
        took = time.perf_counter() - started
        hold_row = {"seconds": round(took, 2), "encoder seconds": round(took - hold_decode, 2),
                    "bytes": hold.stat().st_size}
    result = {"movie": args.movie.name, "clip_seconds": args.seconds, "decode seconds": round(decode, 2),
              "rows": rows,
              "chosen": chosen, "hold_10s": hold_row,
              "rule": f"fastest with SSIM >= {SSIM_FLOOR} and size <= {SIZE_CEILING:.2f} x medium's"}
    print(json.dumps(result, indent=2))
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "encoder.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
