"""One chapter's render, in its own process: `python -m sigsat.worker JOB.json`.

The job file says which Scene, at what size and rate, with which parameters (a TOML file,
passed to the scene as SIGSAT_PARAMS) and where the result goes. manim renders into a private
media folder with its progress bars off; then the master MP4 (faststart), the clip in the
asked-for format and the poster are made, and the whole entry is moved into the cache in one
rename, so the cache never holds half an entry. Everything this process prints goes to the
chapter's log (the parent redirects it); on failure it also leaves error.json, one line.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from .logger import logger

ENV_PARAMS = "SIGSAT_PARAMS"  # scenes.context reads these; not imported, to keep manim out
ENV_SIDECAR = "SIGSAT_SIDECAR"  # of this module's import until the environment is set


def _file_record(path: Path) -> dict[str, Any]:
    from .cache import sha256_file

    return {"name": path.name, "size": path.stat().st_size, "sha256": sha256_file(path)}


def run(job: dict[str, Any]) -> None:
    """Render the job's chapter and store its cache entry."""
    from .encode import composite, faststart, poster, probe, transcode
    from .qualities import FORMATS, Quality

    quality = Quality(**job["quality"])
    fmt: str = job["format"]
    transparent: bool = job["transparent"]
    work = Path(job["work"])
    entry = work / "entry"
    if entry.exists():
        shutil.rmtree(entry)
    entry.mkdir(parents=True)
    sidecar = entry / "sidecar.json"
    os.environ[ENV_PARAMS] = job["params_file"]
    os.environ[ENV_SIDECAR] = str(sidecar)
    os.environ.pop("SIGSAT_SLIDES", None)

    from manim import config

    config.frame_size = (quality.width, quality.height)
    config.frame_rate = quality.fps
    config.media_dir = str(work / "media")
    config.tex_dir = str(Path(job["tex_dir"]) / "Tex")
    config.text_dir = str(Path(job["tex_dir"]) / "texts")
    config.disable_caching = True  # partial movies of one render only; sigsat caches whole chapters
    config.verbosity = "WARNING"
    config.progress_bar = "none"
    config.output_file = job["scene"]
    config.format = "mov" if transparent else "mp4"
    config.transparent = transparent

    started = time.monotonic()
    cls = getattr(importlib.import_module(job["module"]), job["scene"])
    scene = cls()
    scene.render()
    movie = Path(scene.renderer.file_writer.movie_file_path)
    seconds = time.monotonic() - started
    logger.info("manim rendered %s in %.1f s", movie.name, seconds)

    master = entry / "master.mp4"
    if transparent:
        from scenes.context import current_theme

        composite(movie, master, current_theme().background, quality)
    else:
        faststart(movie, master)
    files = {"master": master}
    if fmt != "mp4":
        clip = entry / f"clip.{FORMATS[fmt].ext}"
        transcode(movie if transparent else master, clip, fmt, transparent, quality)
        files["clip"] = clip
    side = json.loads(sidecar.read_text(encoding="utf-8"))
    poster_png = entry / "poster.png"
    poster_time = poster(master, side["sections"], poster_png)
    files.update(poster=poster_png, sidecar=sidecar)
    info = probe(master)
    data = {
        "key": job["key"],
        "parts": job["parts"],
        "slug": job["slug"],
        "scene": job["scene"],
        "files": {role: _file_record(path) for role, path in files.items()},
        "duration": info.duration,
        "frames": info.frames,
        "width": info.width,
        "height": info.height,
        "fps": str(info.fps),
        "poster_time": poster_time,
        "render_seconds": round(time.monotonic() - started, 3),
    }
    (entry / "entry.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    final = Path(job["entry_final"])
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():  # made meanwhile by another render of the same key: identical
        shutil.rmtree(entry)
    else:
        os.rename(entry, final)
    shutil.rmtree(work / "media")


def _where(e: BaseException, module_file: str | None) -> str:
    """The innermost frame of the traceback in the chapter's file (else the innermost)."""
    frames = traceback.extract_tb(e.__traceback__)
    if not frames:
        return ""
    inside = [f for f in frames if module_file and f.filename == module_file]
    f = (inside or frames)[-1]
    return f"{Path(f.filename).name}:{f.lineno} in {f.name}"


def main(argv: list[str] | None = None) -> int:
    """Run one job; 0 on success, 1 with error.json written on failure."""
    args = sys.argv[1:] if argv is None else argv
    job_file = Path(args[0])
    job = json.loads(job_file.read_text(encoding="utf-8"))
    try:
        run(job)
    except Exception as e:  # reported to the parent as this chapter's failure
        traceback.print_exc()
        module = sys.modules.get(job["module"])
        where = _where(e, getattr(module, "__file__", None))
        message = f"{type(e).__name__}: {e}".strip().splitlines()
        error = {"error": message[0] if message else type(e).__name__, "where": where}
        (job_file.parent / "error.json").write_text(json.dumps(error), encoding="utf-8")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
