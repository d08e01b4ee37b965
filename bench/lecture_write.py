"""Writing lecture.mp4 from cached chapters, step by step: the way sigsat joins it (the chapters'
AAC frames copied) beside encoding the joined soundtracks again (the way it did before, and
its fallback), on a finished render's own chapters.

    PYTHONPATH=$PWD .venv/bin/python bench/lecture_write.py out/hd

Reads OUT/<quality>/manifest.json and the cache entries its chapters came from; writes only
into a temporary folder. Results: bench/results/lecture-write-<quality>.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from datetime import date
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sigsat import assemble  # noqa: E402
from sigsat.assemble import ChapterMedia, chapter_starts, ffmetadata, marks, packet_plan  # noqa: E402
from sigsat.cache import ENTRY  # noqa: E402
from sigsat_core.captions import shifted, srt  # noqa: E402
from sigsat_core.contract import Entry, Manifest, Sidecar  # noqa: E402
from sigsat_core.speech.audio import RATE, measure  # noqa: E402


def chapters(folder: Path) -> tuple[Manifest, list[ChapterMedia], str]:
    """The render's chapters as the lecture is joined from them, and its captions."""
    manifest = Manifest.read(folder / "manifest.json")
    cache = folder.parent / ".cache" / "entries"
    parts, cues = [], []
    for row in manifest.chapters:
        entry_dir = cache / row.cache_key
        entry = Entry.read(entry_dir / ENTRY)
        parts.append(ChapterMedia(entry_dir / entry.files["master"].name, row.title, entry.frames,
                                  Fraction(entry.fps), entry.files["master"].sha256,
                                  entry_dir / entry.files["audio"].name, entry.files["audio"].sha256))
        cues.extend(shifted(Sidecar.read(entry_dir / entry.files["sidecar"].name).cues, row.start))
    return manifest, parts, srt(cues)


def timed(step: str, steps: dict[str, float], call, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = call(*args)
    steps[step] = round(time.perf_counter() - started, 3)
    return result


def copied(parts: list[ChapterMedia], captions: str, title: str, work: Path) -> dict[str, float]:
    """sigsat's join, step by step."""
    steps: dict[str, float] = {}
    masters = [p.master for p in parts]
    packets = timed("read the chapters' AAC packets", steps,
                    lambda: [assemble._aac_packets(m) for m in masters])
    spans = packet_plan(chapter_starts(parts, RATE), [len(own) for own in packets])
    aac = work / "audio.aac"
    joins = timed("write the joined AAC stream", steps, assemble._write_aac, masters, packets, spans, aac)
    steps["true peak at the joins (dBTP)"] = timed("check the joins' true peak", steps,
                                                   assemble._peak_at_joins, aac, joins)
    videos, meta, srt_file = _inputs(parts, captions, title, work)
    timed("mux video, audio, captions, chapters (+faststart)", steps, assemble._mux,
          videos, ["-i", str(aac)], meta, srt_file, ["-c:a", "copy"], work / "copied.mp4")
    return steps


def _inputs(parts: list[ChapterMedia], captions: str, title: str, work: Path) -> tuple[Path, Path, Path]:
    videos, meta, srt_file = work / "video.txt", work / "chapters.txt", work / "captions.srt"
    videos.write_text("ffconcat version 1.0\n" + "".join(assemble._concat_line(p.master) for p in parts))
    meta.write_text(ffmetadata(title, marks(parts)))
    srt_file.write_text(captions)
    return videos, meta, srt_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="OUT/<quality> of a finished render")
    args = parser.parse_args()
    manifest, parts, captions = chapters(args.folder)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        total = time.perf_counter()
        steps = copied(parts, captions, manifest.title, work)
        copy_seconds = round(time.perf_counter() - total, 3)
        started = time.perf_counter()
        videos, meta, srt_file = _inputs(parts, captions, manifest.title, work)
        assemble._join_encoded(parts, videos, meta, srt_file, work / "encoded.mp4", work)
        encoded_seconds = round(time.perf_counter() - started, 3)
        loudness = {name: measure(work / f"{name}.mp4").__dict__ for name in ("copied", "encoded")}
    result = {"date": date.today().isoformat(), "machine": f"{platform.machine()}, {platform.node()}",
              "quality": manifest.quality, "lecture_seconds": sum(p.frames / float(p.fps) for p in parts),
              "chapters": len(parts), "copied_seconds": copy_seconds, "copied_steps": steps,
              "encoded_seconds": encoded_seconds, "loudness": loudness}
    out = ROOT / "bench" / "results" / f"lecture-write-{manifest.quality}.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
